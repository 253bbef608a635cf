// Worker-thread bootstrap for sweeps (tinypool loads this file). Plain JavaScript so it starts
// the same way under tsx, plain node and vitest. Next to the compiled CLI (dist/) it loads the
// compiled worker.js; next to the sources it loads worker.ts through tsx's tsImport (a namespaced
// loader that does not touch the parent's module hooks).
import { existsSync } from "node:fs";

const compiled = new URL("./worker.js", import.meta.url);
const worker = existsSync(compiled)
  ? await import(compiled.href)
  : await (await import("tsx/esm/api")).tsImport("./worker.ts", import.meta.url);

export default worker.runCellTask;
