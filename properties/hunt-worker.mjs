// Worker-thread bootstrap for a HuntPool (hunt-pool.ts). Plain JavaScript so it starts the same
// way under tsx, plain node and vitest: next to the compiled CLI (dist/) it loads the compiled
// hunt-tasks.js; next to the sources, hunt-tasks.ts through tsx's tsImport (a namespaced loader
// that does not touch the parent's module hooks). One task at a time, in the order sent.
import { existsSync } from "node:fs";
import { parentPort } from "node:worker_threads";

const compiled = new URL("./hunt-tasks.js", import.meta.url);
const { runTask, catalogOf } = existsSync(compiled)
  ? await import(compiled.href)
  : await (await import("tsx/esm/api")).tsImport("./hunt-tasks.ts", import.meta.url);

// The pool sends a thread its next task only once it has answered, so tasks never overlap here.
parentPort.on("message", async ({ id, task }) => {
  try {
    const catalog = await catalogOf(task.target); // the target's elector modules, imported once per thread
    const result = runTask(task, (event) => parentPort.postMessage({ id, event }), catalog);
    parentPort.postMessage({ id, result });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    parentPort.postMessage({ id, error: { name: err.name, message: err.message, stack: err.stack } });
  }
});
