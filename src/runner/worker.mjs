// Worker-thread bootstrap for sweeps (tinypool loads this file). Plain JavaScript so it starts
// the same way under tsx, plain node and vitest; it loads the TypeScript worker through tsx's
// tsImport (a namespaced loader that does not touch the parent's module hooks).
import { tsImport } from "tsx/esm/api";

const worker = await tsImport("./worker.ts", import.meta.url);

export default worker.runCellTask;
