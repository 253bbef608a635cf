/**
 * The task a sweep worker runs: one whole cell. Errors come back as data (name, message, stack)
 * so a bad cell is reported with its cause instead of an opaque clone of an Error.
 */
import type { Cell } from "./cell.ts";
import { electorCatalog } from "./electors.ts";
import type { RunResult } from "./result.ts";
import { runCell } from "./run-cell.ts";
import { CellStopped } from "./watchdog.ts";

export interface CellTask {
  readonly cell: Cell;
  readonly sweep?: string;
  /** Shared stop flag (Ctrl-C): the kernel's watchdog ends the cell when it turns non-zero. */
  readonly stop?: Int32Array;
}

export type CellTaskOutcome =
  | { readonly ok: true; readonly result: RunResult }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string; readonly stack?: string; readonly reason?: string } };

export async function runCellTask(task: CellTask): Promise<CellTaskOutcome> {
  try {
    const electors = await electorCatalog(task.cell.modules ?? []);
    return { ok: true, result: runCell(task.cell, electors, task.sweep, task.stop) };
  } catch (e) {
    const err = outOfProportion(e) ?? (e instanceof Error ? e : new Error(String(e)));
    const reason = (err as { reason?: unknown }).reason;
    return {
      ok: false,
      error: { name: err.name, message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}), ...(typeof reason === "string" ? { reason } : {}) },
    };
  }
}

/**
 * An allocation the engine refuses (a typed array of 3.5e11 slots because `tickMs: 1e-9` divides
 * a timeout into that many ticks) is the cell's size, not a bug: reported as a stopped cell.
 */
function outOfProportion(e: unknown): Error | undefined {
  if (!(e instanceof RangeError)) return undefined;
  if (!/Invalid typed array length|Array buffer allocation failed|Invalid array length|Invalid string length/.test(e.message)) return undefined;
  return new CellStopped(
    "memory",
    `stopped before it ran: the elector or the lab asked for more memory than an array can hold (${e.message}); an option out of proportion, e.g. a tick or interval of ~0 ms?`,
  );
}
