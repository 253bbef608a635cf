/**
 * The broker's partition logs, as far as leader election needs them (Kafka's Log with its leader
 * epoch cache, kafka/log/Log.scala and LeaderEpochFileCache, 2.x): per local partition the write id
 * and leader epoch of every entry, and the high watermark. Every change is declared through the
 * Observer (append / truncate / commit), which is what the lab judges.
 *
 *  - Entries carry the leader epoch of the leader that appended them (KIP-101), so epochs never
 *    decrease along a log and "the end offset of epoch E" is the first position whose epoch is
 *    greater than E (binary search, no separate cache).
 *  - Truncation by leader epoch (KIP-101, 0.11; KIP-279's fix, 2.0): see replica-fetcher.ts.
 *  - Durable: the logs live in the host's durable store, so a restarted broker finds them (Kafka
 *    writes to the page cache and recovers the log; the lab treats every append as flushed, see
 *    README). The high watermark is durable too (Kafka's replication-offset-checkpoint, written
 *    every 5 s; here at once).
 * Storage is allocated per partition on its first entry: idle partitions cost four zero bytes (`slot`,
 * from the broker's tables). Two JS arrays of a hole per local partition, as the logs were kept
 * before, were 48 MB of fresh old-space pages written at a 1M settled start, for the few partitions
 * a run writes to.
 */
import type { HostContext, PartitionId } from "../../src/elector/api.ts";
import { FRESH, type Tables } from "./broker-tables.ts";

interface DurableLogs {
  /** Per local partition: 0 while its log is empty and never written, else k + 1 for writes[k] and epochs[k]. */
  readonly slot: Int32Array;
  /** Each written log's write ids and leader epochs, in the order the partitions were first written. */
  readonly writes: number[][];
  readonly epochs: number[][];
  readonly hw: Int32Array;
}

const DURABLE_KEY = "kafka-controller.logs";
const EMPTY: number[] = [];

export class ReplicaLogs {
  private readonly d: DurableLogs;

  constructor(
    private readonly ctx: HostContext,
    private readonly parts: Int32Array,
    tables: Tables = FRESH,
  ) {
    const kept = ctx.durable.get<DurableLogs>(DURABLE_KEY);
    if (kept !== undefined && kept.hw.length === parts.length) this.d = kept;
    else {
      const n = parts.length;
      this.d = { slot: tables.i32(n), writes: [], epochs: [], hw: tables.i32(n) };
      ctx.durable.set(DURABLE_KEY, this.d);
    }
    this.restored = kept === this.d;
  }

  /** Whether these logs were kept from before a restart (else every log is empty). */
  readonly restored: boolean;

  length(i: number): number {
    return this.writesOf(i).length;
  }

  // Before the first append every slot is 0: answered without reading them (at a settled start's
  // first fetches, 12 MB of slot pages at 1M partitions stay untouched).
  private writesOf(i: number): number[] {
    if (this.d.writes.length === 0) return EMPTY;
    const k = this.d.slot[i];
    return k === 0 ? EMPTY : this.d.writes[k - 1];
  }

  private epochsOf(i: number): number[] {
    if (this.d.writes.length === 0) return EMPTY;
    const k = this.d.slot[i];
    return k === 0 ? EMPTY : this.d.epochs[k - 1];
  }

  /** The high watermark this replica declared (first `hw` entries committed). */
  hw(i: number): number {
    return this.d.hw[i];
  }

  writeAt(i: number, pos: number): number {
    return this.writesOf(i)[pos];
  }

  epochAt(i: number, pos: number): number {
    return this.epochsOf(i)[pos];
  }

  /** The epoch of the last entry, -1 for an empty log. */
  lastEpoch(i: number): number {
    const e = this.epochsOf(i);
    return e.length === 0 ? -1 : e[e.length - 1];
  }

  /** The end offset of `epoch`: the first position whose epoch is greater, or the log end. */
  endOffsetFor(i: number, epoch: number): number {
    const e = this.epochsOf(i);
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (e[mid] > epoch) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * The leader's answer to a follower whose last entry has `epoch` (OffsetsForLeaderEpoch, KIP-279):
   * the largest epoch <= `epoch` in this log (-1: none) and its end offset.
   */
  epochAnswer(i: number, epoch: number): { epoch: number; endOffset: number } {
    const end = this.endOffsetFor(i, epoch);
    return { epoch: this.epochEndingAt(i, end), endOffset: end };
  }

  /** The answer's epoch for an end offset from endOffsetFor: the epoch of the entry before it (-1: none). */
  epochEndingAt(i: number, endOffset: number): number {
    return endOffset > 0 ? this.epochAt(i, endOffset - 1) : -1;
  }

  /** The follower's truncation point for the leader's answer: min(its end offset, ours for its epoch) (KIP-279). */
  truncationPoint(i: number, answerEpoch: number, answerOffset: number): number {
    return Math.min(answerOffset, this.endOffsetFor(i, answerEpoch));
  }

  /** Appends an entry at the log end; returns its position. */
  append(i: number, writeId: number, epoch: number): number {
    let k = this.d.slot[i];
    if (k === 0) {
      this.d.writes.push([]);
      this.d.epochs.push([]);
      this.d.slot[i] = k = this.d.writes.length;
    }
    const w = this.d.writes[k - 1];
    const e = this.d.epochs[k - 1];
    const pos = w.length;
    w.push(writeId);
    e.push(epoch);
    this.ctx.observer.append(this.partition(i), writeId, pos, epoch);
    return pos;
  }

  /** Drops every entry at `to` and after; the high watermark cannot stay above the log end. */
  truncate(i: number, to: number): void {
    const w = this.writesOf(i);
    const e = this.epochsOf(i);
    if (to >= w.length) return;
    w.length = to;
    e.length = to;
    if (this.d.hw[i] > to) this.d.hw[i] = to;
    this.ctx.observer.truncate(this.partition(i), to);
  }

  /** The high watermark moved to `hw`: declared when it grows. */
  commit(i: number, hw: number): void {
    if (hw <= this.d.hw[i]) return;
    this.d.hw[i] = hw;
    this.ctx.observer.commit(this.partition(i), hw);
  }

  private partition(i: number): PartitionId {
    return this.parts[i];
  }
}
