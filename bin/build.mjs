// Compiles the CLI and the lab to plain JavaScript under dist/ (so `electorate` starts in a
// fraction of a second instead of transpiling on every start), copies the worker bootstrap, and
// stamps the build. `npm ci` runs it (the "prepare" script); bin/electorate.mjs falls back to the
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
writeFileSync(join(dist, "BUILD-STAMP"), "built by bin/build.mjs; sources newer than this file make bin/electorate.mjs use tsx\n");
