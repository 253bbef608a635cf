/**
 * A sweep: cells (elector x partitions x scenario x seed) run on a pool, each finished cell
 * appended to OUT/results.jsonl at once (an interrupted sweep keeps them; --resume skips them),
 * and at the end OUT/results.json with every result ordered by cell index — identical whatever
 * the number of workers. `--shard k/n` runs the cells with index % n == k - 1; `merge` joins
 * shards back into the full sweep's order.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BadInputError } from "../scenario/issues.ts";
import { shardCells, sweepId, type Cell } from "./cell.ts";
import { appendJsonLine, makeDir, readJsonLines, readResults, writeFileAtomic, writeResultsJson } from "./files.ts";
import { makeRunner } from "./pool.ts";
import { TIMELINES_FILE } from "./timelines.ts";
import { noProgress, type Progress } from "./progress.ts";
import type { RunResult } from "./result.ts";

export interface Shard {
  readonly k: number;
  readonly n: number;
}

export interface SweepOptions {
  /** The full sweep, in order (before sharding). */
  readonly cells: readonly Cell[];
  /** Where results.jsonl and results.json go; undefined: nothing is written. */
  readonly outDir?: string;
  readonly workers?: number;
  readonly shard?: Shard;
  readonly resume?: boolean;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  /** Run cells on worker threads even with one worker (the main thread then sees Ctrl-C at once). */
  readonly threads?: boolean;
  /**
   * Keep partition timelines beside the results, in OUT/timelines.jsonl, not inside them: a
   * results.jsonl line and the result held in memory keep only the run's events (and
   * `timelines: "beside"`), so a 10,000-cell sweep holds metrics, not every acknowledgement of
   * every finding. attachTimelines (timelines.ts) brings back the few a report draws.
   */
  readonly timelinesBeside?: boolean;
  /** Called as each cell finishes (in finishing order). */
  readonly onResult?: (result: RunResult) => void;
}

export interface CellFailure {
  readonly cell: Cell;
  readonly error: { readonly name: string; readonly message: string; readonly stack?: string };
}

export interface SweepOutcome {
  readonly sweep: string;
  /** This shard's results, ordered by cell index (reused ones included). */
  readonly results: RunResult[];
  readonly ran: number;
  readonly reused: number;
  readonly failures: CellFailure[];
  readonly interrupted: boolean;
  /** results.json, when written (no failures, not interrupted, an outDir given). */
  readonly resultsFile?: string;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m === null ? NaN : Number(m[1]);
  const n = m === null ? NaN : Number(m[2]);
  if (m === null || n < 1 || k < 1 || k > n) {
    throw new BadInputError("--shard", [{ path: "", message: `expected k/n with 1 <= k <= n (e.g. 1/4), got ${JSON.stringify(text)}` }]);
  }
  return { k, n };
}

/** A rough cost estimate of a cell: partitions x virtual time. */
function weight(c: Cell): number {
  return c.cluster.partitions * c.cluster.replicationFactor * c.durationMs;
}

export function cellLabel(c: { readonly elector: string; readonly scenario: string; readonly cluster: { readonly partitions: number }; readonly seed: number }): string {
  return `${c.elector} ${c.scenario} p=${c.cluster.partitions} seed=${c.seed}`;
}

export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const sweep = sweepId(options.cells);
  const mine = shardCells(options.cells, options.shard);
  const progress = options.progress ?? noProgress;
  const outDir = options.outDir;
  const jsonl = outDir !== undefined ? join(outDir, "results.jsonl") : undefined;
  const timelines = outDir !== undefined && options.timelinesBeside === true ? join(outDir, TIMELINES_FILE) : undefined;

  const done = new Map<string, RunResult>();
  if (jsonl !== undefined) {
    makeDir(outDir!);
    if (options.resume === true) {
      const wanted = new Set(mine.map((c) => c.key));
      for (const r of readJsonLines(jsonl)) {
        const key = r.cell?.key;
        if (key !== undefined && wanted.has(key)) done.set(key, r);
      }
    } else {
      writeFileAtomic(jsonl, "");
      if (timelines !== undefined) writeFileAtomic(timelines, "");
    }
  }
  // Reused results take this sweep's index (the same cell may sit elsewhere in a changed sweep).
  const reused = mine
    .filter((c) => done.has(c.key))
    .map((c) => ({ ...done.get(c.key)!, cell: { index: c.index, key: c.key, sweep, total: options.cells.length } }) as RunResult);
  const pending = mine.filter((c) => !done.has(c.key));

  const results: RunResult[] = [...reused];
  const failures: CellFailure[] = [];
  let interrupted = false;
  progress.start(pending.length, reused.length);

  if (pending.length > 0) {
    // Ctrl-C sets the shared stop flag: a cell on a worker thread stops at the kernel's next poll.
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const runner = makeRunner(Math.min(options.workers ?? 1, pending.length), sweep, stop, options.threads === true);
    const onAbort = (): void => {
      interrupted = true;
      Atomics.store(stop, 0, 1);
      void runner.close();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (runner.workers <= 1) {
        for (const cell of pending) {
          if (interrupted || options.signal?.aborted === true) {
            interrupted = true;
            break;
          }
          await runOne(cell);
        }
      } else {
        // Biggest cells first (longest-processing-time order) so no worker ends the sweep alone
        // on a large cell; results are ordered by index afterwards, so this changes nothing else.
        const order = [...pending].sort((a, b) => weight(b) - weight(a) || a.index - b.index);
        await Promise.all(order.map((cell) => runOne(cell)));
      }
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      await runner.close();
    }

    async function runOne(cell: Cell): Promise<void> {
      let outcome;
      try {
        outcome = await runner.run(cell);
      } catch (e) {
        if (interrupted) return;
        const err = e instanceof Error ? e : new Error(String(e));
        outcome = { ok: false as const, error: { name: err.name, message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) } };
      }
      if (interrupted) return;
      if (outcome.ok) {
        let result: RunResult = { ...outcome.result, cell: { index: cell.index, key: cell.key, sweep, total: options.cells.length } };
        if (timelines !== undefined && result.timeline.partitions.length > 0) {
          appendJsonLine(timelines, { key: cell.key, partitions: result.timeline.partitions });
          result = { ...result, timeline: { events: result.timeline.events, partitions: [] }, timelines: "beside" };
        }
        results.push(result);
        if (jsonl !== undefined) appendJsonLine(jsonl, result);
        options.onResult?.(result);
        progress.cellDone(cellLabel(cell), result.cost.wallMs);
      } else {
        failures.push({ cell, error: outcome.error });
        progress.cellDone(`${cellLabel(cell)} FAILED`, 0);
      }
    }
  }
  progress.finish();

  results.sort((a, b) => a.cell!.index - b.cell!.index);
  let resultsFile: string | undefined;
  if (outDir !== undefined && failures.length === 0 && !interrupted) {
    resultsFile = join(outDir, "results.json");
    writeResultsJson(resultsFile, results);
  }
  return {
    sweep,
    results,
    ran: results.length - reused.length,
    reused: reused.length,
    failures,
    interrupted,
    ...(resultsFile !== undefined ? { resultsFile } : {}),
  };
}

export interface MergeOutcome {
  readonly results: RunResult[];
  /** Cell indices of the full sweep missing from the merged set (when the sweep size is known). */
  readonly missing: number[];
  readonly duplicates: number;
}

/** Joins the results of several shard directories (or files) into the full sweep's order. */
export function mergeResults(paths: readonly string[]): MergeOutcome {
  if (paths.length === 0) throw new BadInputError("merge", [{ path: "", message: "expected at least one results directory or file" }]);
  const byKey = new Map<string, RunResult>();
  const sweeps = new Map<string, string>();
  let duplicates = 0;
  let total: number | undefined;
  const unkeyed: RunResult[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new BadInputError(p, [{ path: "", message: "no such file or directory" }]);
    for (const r of readResults(p)) {
      const c = r.cell;
      if (c === undefined) {
        unkeyed.push(r);
        continue;
      }
      if (c.sweep !== undefined && !sweeps.has(c.sweep)) sweeps.set(c.sweep, p);
      const t = (c as { total?: number }).total;
      if (t !== undefined) total = t;
      if (byKey.has(c.key)) duplicates++;
      else byKey.set(c.key, r);
    }
  }
  if (sweeps.size > 1) {
    const list = [...sweeps.entries()].map(([s, p]) => `${p} (sweep ${s})`).join(", ");
    throw new BadInputError("merge", [{ path: "", message: `expected shards of one sweep, got results of ${sweeps.size} different sweeps: ${list}` }]);
  }
  const results = [...byKey.values()].sort((a, b) => a.cell!.index - b.cell!.index);
  const missing: number[] = [];
  if (total !== undefined) {
    const have = new Set(results.map((r) => r.cell!.index));
    for (let i = 0; i < total; i++) if (!have.has(i)) missing.push(i);
  }
  return { results: [...results, ...unkeyed], missing, duplicates };
}
