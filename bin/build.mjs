// Compiles the CLI and the lab to plain JavaScript under dist/ (so `electorate` starts in a
// fraction of a second instead of transpiling on every start), copies the worker bootstrap, bundles
// what a hunt worker thread loads into one file, and stamps the build. `npm ci` runs it (the "prepare" script); bin/electorate.mjs falls back to the
// TypeScript sources through tsx whenever a source file is newer than the stamp.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
} catch {
  // A type error must not break `npm ci` (npm test's typecheck reports it); without a stamp the
  // CLI runs from its sources.
  console.error("electorate build: tsc reported errors; the CLI will run from its TypeScript sources (npm run typecheck shows them)");
  process.exit(0);
}
mkdirSync(join(dist, "src", "runner"), { recursive: true });
copyFileSync(join(root, "src", "runner", "worker.mjs"), join(dist, "src", "runner", "worker.mjs"));
mkdirSync(join(dist, "properties"), { recursive: true });
copyFileSync(join(root, "properties", "hunt-worker.mjs"), join(dist, "properties", "hunt-worker.mjs"));
/** One tree-shaken ESM file from `entry` (esbuild, a dev dependency, also tsx's); without esbuild, none, and `fallback` says what loads instead. */
async function bundle(entry, outfile, what, fallback, extra = {}) {
  try {
    const { build } = await import("esbuild");
    await build({ entryPoints: [entry], outfile, bundle: true, format: "esm", platform: "node", target: "node20", logLevel: "warning", ...extra });
  } catch (e) {
    console.error(`electorate build: no ${what} bundle (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); ${fallback}`);
  }
}
// A hunt worker thread loads hunt-tasks and everything it imports, `effect` and fast-check included,
// once per thread: as 226 modules that is ~0.7 s of CPU per thread, as one tree-shaken file ~0.2 s
// (docs/performance.md, stop 27). Its copy of `effect` is its own, so hunt-worker.mjs uses it only
// for the registry's electors; a task naming elector modules (which import node_modules' `effect`)
// loads the compiled modules instead.
await bundle(join(root, "properties", "hunt-tasks.ts"), join(dist, "properties", "hunt-tasks.bundle.js"), "hunt worker", "hunt threads load the compiled modules");
// The CLI as one file for `check`, whose main thread otherwise spends ~0.9 s loading ~480 ES modules
// before its pool hunts (~0.45 s as one file: docs/performance.md, stop 28). bin/electorate.mjs uses
// it only for `check` without --elector-module (an elector module imports node_modules' `effect`,
// which the bundle's copy cannot decode), and it sits beside hunt-worker.mjs, which the pool finds
// next to itself. Other commands load the compiled modules (compare's pool finds its worker.mjs
// beside src/runner/pool.js). CommonJS dependencies (yaml) require Node's built-ins: hence `require`.
await bundle(join(root, "src", "cli", "main.ts"), join(dist, "properties", "check-cli.bundle.js"), "check CLI", "check loads the compiled modules", {
  banner: { js: 'import { createRequire as electorateCreateRequire } from "node:module"; const require = electorateCreateRequire(import.meta.url);' },
});
writeFileSync(join(dist, "BUILD-STAMP"), "built by bin/build.mjs; sources newer than this file make bin/electorate.mjs use tsx\n");
