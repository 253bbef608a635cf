/**
 * Hunt worker threads started before the CLI is loaded. bin/electorate.mjs reads `check`'s thread
 * count from its command line and starts that many threads first thing, so each thread's load of
 * the lab (~0.2 s of CPU: the bundle, docs/performance.md stop 28) runs beside the main thread's
 * own start instead of after it. The first
 * HuntPool adopts them (takeEarlyThreads); threads it does not need are stopped. Until adopted
 * they are unref'd: a command that ends before it hunts (bad input, --help) exits as it would.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { YOUNG_GENERATION_MB } from "../src/runner/young-generation.ts";

/** A hunt worker thread (hunt-worker.mjs beside this module), as HuntPool starts them. */
export function startHuntThread(): Worker {
  return new Worker(new URL("./hunt-worker.mjs", import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
}

/**
 * How many hunt threads a command line will use, from the words alone (the CLI is not loaded yet):
 * `check` with `--workers N` (N threads) or without (one per core), capped by `--runs N` times
 * the names in `--algorithms` (a lower bound of the runs; the pool starts any thread missing).
 * 0 for anything else, or when a word may end the command before it hunts (help, a bad number).
 */
export function earlyThreadCount(args: readonly string[], cores: number): number {
  if (args[0] !== "check") return 0;
  const value = (flag: string): string | undefined => {
    let v: string | undefined;
    for (let i = 1; i < args.length; i++) {
      if (args[i] === flag) v = args[i + 1] ?? "";
      else if (args[i].startsWith(`${flag}=`)) v = args[i].slice(flag.length + 1);
    }
    return v;
  };
  if (args.some((a) => a === "--help" || a === "-h" || a === "--wizard" || a.startsWith("--completions"))) return 0;
  const count = (flag: string): number | undefined | null => {
    const v = value(flag);
    if (v === undefined) return undefined;
    return /^[1-9][0-9]{0,8}$/.test(v) ? Number(v) : null;
  };
  const workers = count("--workers");
  const runs = count("--runs");
  if (workers === null || runs === null) return 0;
  const names = value("--algorithms")?.split(",").filter((s) => s.trim() !== "").length ?? 1;
  return Math.min(workers ?? cores, 256, runs === undefined ? Infinity : runs * Math.max(1, names));
}

interface Early {
  readonly thread: Worker;
  dead: boolean;
  readonly onGone: () => void;
}

// Kept on the global object: bin/electorate.mjs starts the threads through dist/properties/
// early-threads.js, and the CLI that adopts them may be the one-file bundle with its own copy of
// this module (bin/build.mjs).
const SLOT = Symbol.for("electorate.early-hunt-threads");
const early: Early[] = ((globalThis as Record<symbol, unknown>)[SLOT] as Early[] | undefined) ?? [];
(globalThis as Record<symbol, unknown>)[SLOT] = early;

/** Starts `check`'s hunt threads if `args` (process.argv after the script) asks for a hunt. */
export function startEarlyThreads(args: readonly string[]): void {
  const n = earlyThreadCount(args, availableParallelism());
  for (let i = 0; i < n; i++) {
    const thread = startHuntThread();
    thread.unref();
    const e: Early = {
      thread,
      dead: false,
      onGone: () => {
        e.dead = true;
      },
    };
    // A thread that fails while nobody holds it is not adopted; the pool starts a fresh one.
    thread.on("error", e.onGone);
    thread.on("exit", e.onGone);
    early.push(e);
  }
}

/** Up to `n` live early threads, ref'd again, for a pool to wire up; the others are stopped. */
export function takeEarlyThreads(n: number): Worker[] {
  const taken: Worker[] = [];
  for (const e of early.splice(0)) {
    e.thread.off("error", e.onGone);
    e.thread.off("exit", e.onGone);
    if (e.dead) continue;
    if (taken.length < n) {
      e.thread.ref();
      taken.push(e.thread);
    } else {
      e.thread.on("error", () => {}); // stopped unused: nothing to report
      void e.thread.terminate();
    }
  }
  return taken;
}
