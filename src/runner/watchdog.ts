/**
 * A cell's budget and the watchdog that holds it to it. Before a sweep, estimate.ts refuses cells
 * whose estimate is beyond the budget; while a cell runs, the kernel calls the watchdog every
 * 16,384 events (kernelWatch in src/sim/kernel.ts), which stops the cell cleanly — by throwing
 * CellStopped between two events — when:
 *  - it has run more events than the budget allows (--max-events);
 *  - at its pace so far (events per virtual millisecond, after 2 M events or 20 per replica) it
 *    would need more than ten times the budget: raft `tickMs: 1e-9` makes virtual time crawl;
 *  - virtual time stopped advancing: over 1 M events (plus 20 per replica) at one instant, as a
 *    timer re-armed with a delay of 0 (or 1e-300: now + 1e-300 == now) does;
 *  - the process's memory passes the budget (--max-memory), or the V8 heap nears its limit (V8
 *    would abort the whole process with "out of memory" and lose every finished cell);
 *  - the stop flag is set (Ctrl-C on the main thread, shared with worker threads).
 * A stopped cell is reported with its reason; the other cells are kept.
 */
import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";
import { kernelWatch, KERNEL_POLL_EVENTS, type Kernel } from "../sim/kernel.ts";

export interface Limits {
  /** Events one cell may run. */
  readonly maxEvents: number;
  /** Bytes the process may hold (resident set) while a cell runs. */
  readonly maxMemoryBytes: number;
}

/** At ~2 M events/s (docs/performance.md) 1e10 events is about an hour and a half of one core. */
export const DEFAULT_MAX_EVENTS = 1e10;

/** Three quarters of the machine's memory: the rest is the system's and the other workers'. */
export function defaultLimits(): Limits {
  return { maxEvents: DEFAULT_MAX_EVENTS, maxMemoryBytes: Math.floor(totalmem() * 0.75) };
}

export type StopReason = "events" | "pace" | "stuck" | "memory" | "heap" | "interrupted";

/** Thrown from inside a run to stop it; carries why. */
export class CellStopped extends Error {
  override readonly name = "CellStopped";
  constructor(
    readonly reason: StopReason,
    message: string,
  ) {
    super(message);
  }
}

export function isCellStopped(e: unknown): e is { name: "CellStopped"; reason: StopReason; message: string } {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "CellStopped";
}

const RAISE = "--max-events / --max-memory raise the limit";
const fmt = (n: number): string => (n >= 1e6 ? n.toExponential(1).replace("e+", "e") : String(n));
const gib = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;

export interface WatchOptions {
  readonly limits: Limits;
  /** Virtual length of the run (ms), for the pace check. */
  readonly durationMs: number;
  /** Replicas in the cell (partitions x replication factor): a big cell has big instants. */
  readonly replicas: number;
  /** Set to non-zero (Atomics) to stop: Ctrl-C. */
  readonly stopFlag?: Int32Array;
}

/** Runs `fn` with the watchdog polled by every kernel `fn` runs (this thread only). */
export function withWatchdog<T>(options: WatchOptions, fn: () => T): T {
  const { limits, durationMs, stopFlag } = options;
  const heapLimit = getHeapStatistics().heap_size_limit;
  const stuckLimit = 1_000_000 + 20 * options.replicas;
  const paceAfter = Math.max(2_000_000, 20 * options.replicas);
  let steps = 0;
  let polls = 0;
  let lastKernel: Kernel | undefined;
  let lastNow = -1;
  let sameInstant = 0;
  const previous = kernelWatch.poll;
  kernelWatch.poll = (k) => {
    steps += KERNEL_POLL_EVENTS;
    if (stopFlag !== undefined && Atomics.load(stopFlag, 0) !== 0) throw new CellStopped("interrupted", "interrupted (Ctrl-C)");
    if (steps > limits.maxEvents) {
      throw new CellStopped("events", `stopped after ${fmt(steps)} events at ${k.now.toFixed(3)} ms of ${durationMs} ms virtual: over the budget of ${fmt(limits.maxEvents)} events (${RAISE})`);
    }
    if (k === lastKernel && k.now === lastNow) {
      sameInstant += KERNEL_POLL_EVENTS;
      if (sameInstant > stuckLimit) {
        throw new CellStopped(
          "stuck",
          `stopped: virtual time stopped advancing at ${k.now} ms (${fmt(sameInstant)} events at one instant); a timer or retry with a delay of 0 ms?`,
        );
      }
    } else {
      lastKernel = k;
      lastNow = k.now;
      sameInstant = 0;
    }
    if (steps >= paceAfter && k.now > 0) {
      const projected = (steps / k.now) * durationMs;
      if (projected > 10 * limits.maxEvents) {
        throw new CellStopped(
          "pace",
          `stopped after ${fmt(steps)} events at ${k.now.toPrecision(3)} ms of ${durationMs} ms virtual: at this pace the run needs about ${fmt(projected)} events, over the budget of ${fmt(limits.maxEvents)} (an option of a tiny interval, e.g. tickMs: 1e-9?; ${RAISE})`,
        );
      }
    }
    if ((++polls & 3) === 0) {
      const rss = process.memoryUsage.rss();
      if (rss > limits.maxMemoryBytes) {
        throw new CellStopped("memory", `stopped at ${k.now.toFixed(3)} ms virtual: the process holds ${gib(rss)}, over the budget of ${gib(limits.maxMemoryBytes)} (${RAISE})`);
      }
      const used = getHeapStatistics().used_heap_size;
      if (used > 0.9 * heapLimit) {
        throw new CellStopped(
          "heap",
          `stopped at ${k.now.toFixed(3)} ms virtual: the JavaScript heap holds ${gib(used)} of its ${gib(heapLimit)} limit (node --max-old-space-size raises it)`,
        );
      }
    }
  };
  try {
    return fn();
  } finally {
    kernelWatch.poll = previous;
  }
}
