// Worker-thread bootstrap for properties/throughput.ts (it measures in a thread like the lab's hunt
// threads). Plain JavaScript, as hunt-worker.mjs: a worker does not inherit tsx's loader, so the
// script is loaded through tsx's tsImport; it reads its options from the worker's process.argv.
await (await import("tsx/esm/api")).tsImport("./throughput.ts", import.meta.url);
