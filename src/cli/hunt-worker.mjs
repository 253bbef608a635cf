// Worker-thread bootstrap for `electorate check` (see hunt-thread.ts). Plain JavaScript so it starts
// the same way under tsx, plain node and vitest: next to the compiled CLI (dist/) it loads the
// compiled hunt; next to the sources, hunt.ts through tsx's tsImport.
import { existsSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

const compiled = new URL("../../properties/hunt.js", import.meta.url);
const { runPropertyHunt } = existsSync(compiled)
  ? await import(compiled.href)
  : await (await import("tsx/esm/api")).tsImport("../../properties/hunt.ts", import.meta.url);
const report = runPropertyHunt({ ...workerData, out: (line) => parentPort.postMessage({ line }) });
parentPort.postMessage({ report: JSON.parse(JSON.stringify(report)) });
