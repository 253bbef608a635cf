/**
 * Working arrays lent to one judgement at a time and kept for the next. Why: at a million partitions
 * the judge's own arrays (the leadership intervals and their per-partition table, the CSR groupings
 * of the history, the replica state and the late-acknowledgement index) are ~60-80 MiB, which the C
 * allocator maps fresh for every judgement and unmaps when they are collected: every judgement paid a
 * page fault per 4 KiB of them (15-21k faults at 1M, a third to half of the judge's time), where a
 * smaller judgement reuses memory its predecessors freed. Kept here, the next judgement of that size
 * touches pages that are already mapped (the way ObservationLog.release keeps the log's columns).
 *
 * Ownership: only arrays that stay inside the judgement are taken from here — none that a verdict or
 * the metrics keep — and the judgement gives them all back when it returns (withScratch). An array is
 * handed out with exactly the length asked for (a view of the kept one); `zeroed` ones read as fresh.
 */

/** One kept array per slot; each slot has one element type. */
export const Slot = {
  IntervalStart: 0, // Int32
  IntervalHost: 1, // Int32
  IntervalEpoch: 2, // Float64
  IntervalFrom: 3, // Float64
  IntervalTo: 4, // Float64
  ReplicaRows: 5, // Int32
  HistoryStart: 6, // Int32
  HistoryRows: 7, // Int32
  Acked: 8, // Uint8
  LeadStart: 9, // Int32
  LeadTime: 10, // Float64
  LeadMaxEpoch: 11, // Float64
  LeadHost: 12, // Int32
  LeadEpoch: 13, // Float64
  StateStart: 14, // Int32
  StateIndex: 15, // Int32
} as const;
type SlotId = (typeof Slot)[keyof typeof Slot];

/** Room kept beyond a request when a slot grows, so the next record (another elector, another seed) of about the same size fits. */
const slack = (n: number): number => n + (n >> 3);

export class Scratch {
  private readonly i32: (Int32Array | undefined)[] = [];
  private readonly f64: (Float64Array | undefined)[] = [];
  private readonly u8: (Uint8Array | undefined)[] = [];

  /** An Int32Array of length n; zeroed (as a fresh one) unless `zeroed` is false (the caller writes every element it reads). */
  int32(slot: SlotId, n: number, zeroed = true): Int32Array {
    return lend(this.i32, slot, n, zeroed, Int32Array);
  }

  float64(slot: SlotId, n: number, zeroed = true): Float64Array {
    return lend(this.f64, slot, n, zeroed, Float64Array);
  }

  uint8(slot: SlotId, n: number, zeroed = true): Uint8Array {
    return lend(this.u8, slot, n, zeroed, Uint8Array);
  }
}

type Typed = Int32Array | Float64Array | Uint8Array;

/** The first n elements of the slot's kept array, grown (with slack) when it is shorter. */
function lend<A extends Typed>(kept: (A | undefined)[], slot: SlotId, n: number, zeroed: boolean, make: new (length: number) => A): A {
  let a = kept[slot];
  if (a === undefined || a.length < n) {
    a = new make(slack(n));
    kept[slot] = a;
    return a.subarray(0, n) as A;
  }
  const v = a.subarray(0, n) as A;
  if (zeroed) v.fill(0);
  return v;
}

/** The process's kept set (each worker thread has its own module instance, so its own set). */
const kept = new Scratch();
let lent = false;

/**
 * Runs one judgement with the kept scratch arrays; a nested judgement (none today) gets a fresh set
 * that is dropped after it. Whatever `judgement` returns must hold no array taken from the scratch.
 */
export function withScratch<T>(judgement: (scratch: Scratch) => T): T {
  if (lent) return judgement(new Scratch());
  lent = true;
  try {
    return judgement(kept);
  } finally {
    lent = false;
  }
}
