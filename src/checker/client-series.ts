/**
 * The client's view over time, as Jepsen's rate and availability plots show it: per time bucket,
 * how many writes were answered ok, failed or went unanswered, and how many partitions were
 * unavailable to their clients at some moment in the bucket (an unavailability window of
 * client-availability.ts overlapping it). Buckets are a round length chosen so a run has at most
 * MAX_BUCKETS of them; counts are exact, from the history.
 */
import { Outcome } from "../record/history.ts";

export interface ClientSeries {
  /** Length of one bucket (ms); bucket i covers [i * bucketMs, (i + 1) * bucketMs). */
  readonly bucketMs: number;
  /** Writes answered ok, by the time the client received the answer. */
  readonly ok: readonly number[];
  /** Writes that failed (refused, or not sent for want of a known leader), by completion time. */
  readonly failed: readonly number[];
  /** Writes with an unknown outcome (timed out, or unanswered at the end), by completion or invocation time. */
  readonly unanswered: readonly number[];
  /** Partitions unavailable to their clients at some moment of the bucket. */
  readonly unavailable: readonly number[];
}

const MAX_BUCKETS = 150;
const ROUND_LENGTHS = [10, 20, 50, 100, 200, 250, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 3_600_000];

export function bucketLengthFor(endMs: number): number {
  for (const ms of ROUND_LENGTHS) if (endMs / ms <= MAX_BUCKETS) return ms;
  return Math.ceil(endMs / MAX_BUCKETS);
}

/** Accumulates one run's series; windows of one partition arrive in time order. */
export class ClientSeriesBuilder {
  readonly bucketMs: number;
  private readonly n: number;
  private readonly ok: Float64Array;
  private readonly failed: Float64Array;
  private readonly unanswered: Float64Array;
  /** Difference array of unavailable partitions per bucket. */
  private readonly delta: Float64Array;
  private partition = -1;
  /** Last bucket the current partition was counted unavailable in (windows of one partition never count a bucket twice). */
  private countedTo = -1;

  constructor(readonly endMs: number) {
    this.bucketMs = bucketLengthFor(endMs);
    this.n = Math.max(1, Math.ceil(endMs / this.bucketMs));
    this.ok = new Float64Array(this.n);
    this.failed = new Float64Array(this.n);
    this.unanswered = new Float64Array(this.n);
    this.delta = new Float64Array(this.n + 1);
  }

  private bucket(t: number): number {
    return Math.min(this.n - 1, Math.max(0, Math.floor(t / this.bucketMs)));
  }

  outcome(outcome: number, invokeAt: number, completeAt: number): void {
    if (outcome === Outcome.Ok) this.ok[this.bucket(completeAt)]++;
    else if (outcome === Outcome.Fail) this.failed[this.bucket(completeAt)]++;
    else this.unanswered[this.bucket(completeAt >= 0 ? completeAt : invokeAt)]++;
  }

  /** Partition `partition` was unavailable from `from` to `to` (ms). */
  window(partition: number, from: number, to: number): void {
    if (partition !== this.partition) {
      this.partition = partition;
      this.countedTo = -1;
    }
    const first = Math.max(this.bucket(from), this.countedTo + 1);
    const last = this.bucket(Math.max(from, to));
    if (first > last) return;
    this.delta[first]++;
    this.delta[last + 1]--;
    this.countedTo = last;
  }

  result(): ClientSeries {
    const unavailable: number[] = [];
    let level = 0;
    for (let i = 0; i < this.n; i++) {
      level += this.delta[i];
      unavailable.push(level);
    }
    return { bucketMs: this.bucketMs, ok: Array.from(this.ok), failed: Array.from(this.failed), unanswered: Array.from(this.unanswered), unavailable };
  }
}
