#!/usr/bin/env node
// `npx electorate ...`: runs the compiled CLI (dist/, built by `npm run build`, which `npm ci`
// runs) when it is at least as new as every TypeScript source; otherwise registers tsx's loader in
// this process and starts the TypeScript CLI, so an edited source is never shadowed by a stale build.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stamp = join(root, "dist", "BUILD-STAMP");

function buildIsFresh() {
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  for (const folder of ["src", "algorithms", "properties"]) {
    for (const name of readdirSync(join(root, folder), { recursive: true })) {
      if (typeof name === "string" && name.endsWith(".ts") && statSync(join(root, folder, name)).mtimeMs > built) return false;
    }
  }
  return true;
}

// `--version` alone needs nothing but package.json: answer it before loading the CLI (same text as the CLI prints).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  const { readFileSync } = await import("node:fs");
  process.stdout.write(`electorate v${JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version}\n`);
} else if (process.env.ELECTORATE_FROM_SOURCE !== "1" && buildIsFresh()) {
  // `check`'s hunt threads first: each loads the lab while this thread loads the CLI, and the
  // hunt's pool adopts them (properties/early-threads.ts); other commands start none. `check`
  // loads the CLI as one file when bin/build.mjs made it (not with --elector-module: build.mjs says why).
  const checkCli = join(root, "dist", "properties", "check-cli.bundle.js");
  const check = args[0] === "check";
  if (check) (await import(pathToFileURL(join(root, "dist", "properties", "early-threads.js")).href)).startEarlyThreads(args);
  const oneFile = check && !args.some((a) => a.startsWith("--elector-module")) && existsSync(checkCli);
  await import(pathToFileURL(oneFile ? checkCli : join(root, "dist", "src", "cli", "main.js")).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "src", "cli", "main.ts")).href);
}
