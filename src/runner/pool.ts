/**
 * Where cells run: in this thread (one worker, or none asked for) or on worker threads through
 * tinypool, each worker taking one whole cell at a time. Either way a cell's result is the same;
 * only `cost` differs.
 */
import { availableParallelism } from "node:os";
import Tinypool from "tinypool";
import type { Cell } from "./cell.ts";
import { runCellTask, type CellTaskOutcome } from "./worker.ts";
import { YOUNG_GENERATION_MB } from "./young-generation.ts";

export interface CellRunner {
  run(cell: Cell): Promise<CellTaskOutcome>;
  close(): Promise<void>;
  readonly workers: number;
}

/** Runs cells one after another in the calling thread (yielding to the event loop between cells). */
export function inProcessRunner(sweep?: string, stop?: Int32Array): CellRunner {
  return {
    workers: 1,
    run: async (cell) => {
      await new Promise((r) => setImmediate(r)); // let progress output and signals through
      return runCellTask({ cell, ...(sweep !== undefined ? { sweep } : {}), ...(stop !== undefined ? { stop } : {}) });
    },
    close: async () => {},
  };
}

/** Runs cells on `workers` worker threads. */
export function threadRunner(workers: number, sweep?: string, stop?: Int32Array): CellRunner {
  const pool = new Tinypool({
    filename: new URL("./worker.mjs", import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    isolateWorkers: false,
    idleTimeout: 1_000,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  return {
    workers,
    run: (cell) => pool.run({ cell, ...(sweep !== undefined ? { sweep } : {}), ...(stop !== undefined ? { stop } : {}) }) as Promise<CellTaskOutcome>,
    close: () => pool.destroy(),
  };
}

/** Default worker count: one per core, never more than there are cells. */
export function defaultWorkers(cells: number): number {
  return Math.max(1, Math.min(cells, availableParallelism()));
}

/**
 * In this thread for one worker, unless `threads` asks for worker threads even then: a cell on a
 * worker thread leaves the main thread free to see Ctrl-C and stop it at once (the stop flag).
 */
export function makeRunner(workers: number, sweep?: string, stop?: Int32Array, threads = false): CellRunner {
  return workers <= 1 && !threads ? inProcessRunner(sweep, stop) : threadRunner(Math.max(1, workers), sweep, stop);
}
