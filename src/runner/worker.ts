/**
 * The task a sweep worker runs: one whole cell. Errors come back as data (name, message, stack)
 * so a bad cell is reported with its cause instead of an opaque clone of an Error.
 */
import type { Cell } from "./cell.ts";
import { electorCatalog } from "./electors.ts";
import type { RunResult } from "./result.ts";
import { runCell } from "./run-cell.ts";

export interface CellTask {
  readonly cell: Cell;
  readonly sweep?: string;
}

export type CellTaskOutcome =
  | { readonly ok: true; readonly result: RunResult }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } };

export async function runCellTask(task: CellTask): Promise<CellTaskOutcome> {
  try {
    const electors = await electorCatalog(task.cell.modules ?? []);
    return { ok: true, result: runCell(task.cell, electors, task.sweep) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { ok: false, error: { name: err.name, message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) } };
  }
}
