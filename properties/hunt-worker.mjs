// Worker-thread bootstrap for a HuntPool (hunt-pool.ts). Plain JavaScript so it starts the same
// way under tsx, plain node and vitest. Next to the compiled CLI (dist/) it loads the one-file
// bundle of hunt-tasks that bin/build.mjs makes (a fraction of the time 226 modules take), or the
// compiled hunt-tasks.js when there is no bundle or a task names elector modules: those import
// node_modules' `effect`, whose schemas only the compiled modules' copy can decode. Next to the
// sources, hunt-tasks.ts through tsx's tsImport (a namespaced loader that does not touch the
// parent's module hooks). One task at a time, in the order sent.
import { existsSync } from "node:fs";
import { parentPort } from "node:worker_threads";

const compiled = new URL("./hunt-tasks.js", import.meta.url);
const bundle = new URL("./hunt-tasks.bundle.js", import.meta.url);
const load = () => (existsSync(compiled) ? import(compiled.href) : import("tsx/esm/api").then((tsx) => tsx.tsImport("./hunt-tasks.ts", import.meta.url)));
// Started at once, before the first task arrives; awaited per task.
const registryLab = existsSync(bundle) ? import(bundle.href) : load();
let modulesLab;

// The pool sends a thread its next task only once it has answered, so tasks never overlap here.
parentPort.on("message", async ({ id, task }) => {
  try {
    const named = task.target.modules !== undefined && task.target.modules.length > 0;
    const { runTask, catalogOf } = await (named ? (modulesLab ??= existsSync(bundle) ? load() : registryLab) : registryLab);
    const catalog = await catalogOf(task.target); // the target's elector modules, imported once per thread
    const result = runTask(task, (event) => parentPort.postMessage({ id, event }), catalog);
    parentPort.postMessage({ id, result });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    parentPort.postMessage({ id, error: { name: err.name, message: err.message, stack: err.stack } });
  }
});
