/**
 * The leader side of a follower's fetch (Kafka 2.x ReplicaManager.fetchMessages and the
 * DelayedFetch purgatory): answered at once when the leader has data for that follower, otherwise
 * held for replica.fetch.wait.max.ms. One host timer sweeps the held fetches in ticks of
 * HOLD_TICK_MS (a fetch waits 500-550 ms instead of 500), not a kernel timer per follower.
 *
 * Also kept per follower host: when it last fetched (ISR maintenance) and, for the lab's
 * acknowledgement lease, until when its fetches may count towards acknowledgements.
 */
import type { HostContext, HostId } from "../../src/elector/api.ts";
import { LEADING, NO_QUERY, type LocalReplicas } from "./local-replicas.ts";
import { EPOCH_ANSWER, fetchResponseBytes, RELIST, type FetchResponse } from "./messages.ts";
import type { KafkaControllerOptions } from "./options.ts";
import { TIMER_FETCH_HOLD } from "./timers.ts";

/** Shared by every response with nothing to list (never written to). */
const EMPTY: number[] = [];
/** Granularity of the sweep of held fetches (ms). */
const HOLD_TICK_MS = 50;

export class DelayedFetches {
  /** Last fetch from host F. */
  readonly lastFetchAt: Float64Array;
  /** The lease F's fetches renewed (ackLeaseMs). */
  readonly leaseUntil: Float64Array;
  /** Deadline of the follower's held fetch (-1: none held). */
  private readonly heldFetch: Float64Array;
  /** Followers whose fetch is held, with deadlines, in deadline order (lazily pruned). */
  private readonly holdQueue: number[] = [];
  private holdHead = 0;
  private holdTimerAt = Infinity;
  /** Partitions with data for follower F. */
  private readonly dirty: (Set<number> | undefined)[];
  /** Partitions whose high watermark moved: sent with F's next answer, without answering early. */
  private readonly hwChanged: (Set<number> | undefined)[];
  /**
   * Sizes of dirty[F] and hwChanged[F]. Most fetches are idle long polls with nothing to list; with
   * 100 hosts a host's Sets are rarely in cache, and these typed arrays answer "anything?" without
   * touching them.
   */
  private readonly dirtyCount: Int32Array;
  private readonly hwChangedCount: Int32Array;
  private readonly scratch: number[] = [];

  constructor(
    private readonly ctx: HostContext,
    private readonly o: KafkaControllerOptions,
    private readonly r: LocalReplicas,
  ) {
    const b = ctx.cluster.brokers;
    this.lastFetchAt = new Float64Array(b).fill(-Infinity);
    this.leaseUntil = new Float64Array(b).fill(-Infinity);
    this.heldFetch = new Float64Array(b).fill(-1);
    this.dirty = new Array(b).fill(undefined);
    this.hwChanged = new Array(b).fill(undefined);
    this.dirtyCount = new Int32Array(b);
    this.hwChangedCount = new Int32Array(b);
  }

  /** A fetch from `follower` arrived, answering the response the leader sent at `answering`. */
  fetched(follower: HostId, answering: number, lease: number): void {
    this.lastFetchAt[follower] = this.ctx.now();
    if (answering >= 0 && answering + lease > this.leaseUntil[follower]) this.leaseUntil[follower] = answering + lease;
  }

  /** Partition i has data for `follower`. */
  markDirty(follower: HostId, i: number): void {
    let d = this.dirty[follower];
    if (d === undefined) this.dirty[follower] = d = new Set();
    if (!d.has(i)) {
      d.add(i);
      this.dirtyCount[follower]++;
    }
  }

  /** News for `follower` that need no early answer (partition i's high watermark moved, or a new leader's relist): sent with its next answer. */
  markHwChanged(follower: HostId, i: number): void {
    let h = this.hwChanged[follower];
    if (h === undefined) this.hwChanged[follower] = h = new Set();
    if (!h.has(i)) {
      h.add(i);
      this.hwChangedCount[follower]++;
    }
  }

  /** After a fetch was handled: answer it now if there is data, else hold it. */
  answerOrHold(follower: HostId): void {
    if (this.dirtyCount[follower] > 0) this.respond(follower);
    else this.hold(follower);
  }

  /** New data: answer the follower's held fetch, if any. */
  wake(follower: HostId): void {
    if (this.heldFetch[follower] >= 0) this.respond(follower);
  }

  private hold(follower: HostId): void {
    const deadline = this.ctx.now() + this.o.replicaFetchWaitMaxMs;
    this.heldFetch[follower] = deadline;
    this.holdQueue.push(follower, deadline);
    const at = Math.ceil(deadline / HOLD_TICK_MS) * HOLD_TICK_MS;
    if (at < this.holdTimerAt) {
      this.holdTimerAt = at;
      this.ctx.setTimer(at - this.ctx.now(), TIMER_FETCH_HOLD);
    }
  }

  onHoldTimer(): void {
    this.holdTimerAt = Infinity;
    const now = this.ctx.now();
    const q = this.holdQueue;
    while (this.holdHead < q.length && q[this.holdHead + 1] <= now) {
      const f = q[this.holdHead];
      const deadline = q[this.holdHead + 1];
      this.holdHead += 2;
      if (this.heldFetch[f] === deadline) this.respond(f); // still held, not answered meanwhile
    }
    if (this.holdHead > 4096 && this.holdHead * 2 > q.length) {
      q.splice(0, this.holdHead);
      this.holdHead = 0;
    }
    if (this.holdHead < q.length) {
      const at = Math.ceil(q[this.holdHead + 1] / HOLD_TICK_MS) * HOLD_TICK_MS;
      this.holdTimerAt = at;
      this.ctx.setTimer(Math.max(0, at - now), TIMER_FETCH_HOLD);
    }
  }

  /**
   * Answers the follower's fetch: for each partition with news for it, the records from its fetch
   * offset to the log end, or the answer to its epoch question (KIP-101/279), and the high watermark.
   */
  private respond(follower: HostId): void {
    const r = this.r;
    this.heldFetch[follower] = -1;
    // Sets are read and cleared only when not empty: most answers are an idle long poll's, with
    // nothing to list, and Set.clear allocates a fresh table even when the set is empty.
    const list = this.scratch;
    let m = 0;
    const d = this.dirtyCount[follower] > 0 ? this.dirty[follower] : undefined;
    if (d !== undefined) {
      for (const i of d) if (r.role[i] === LEADING) list[m++] = i;
    }
    if (this.hwChangedCount[follower] > 0) {
      const h = this.hwChanged[follower] as Set<number>;
      for (const i of h) if (r.role[i] === LEADING && (d === undefined || !d.has(i))) list[m++] = i;
      h.clear();
      this.hwChangedCount[follower] = 0;
    }
    if (d !== undefined) {
      d.clear();
      this.dirtyCount[follower] = 0;
    }
    // Plain arrays: a response goes out for every record a follower takes, and small typed arrays
    // cost several times more to allocate.
    const partitions: number[] = m === 0 ? EMPTY : [];
    const leos: number[] = m === 0 ? EMPTY : [];
    const epochs: number[] = m === 0 ? EMPTY : [];
    const hws: number[] = m === 0 ? EMPTY : [];
    const starts: number[] = m === 0 ? EMPTY : [];
    const answerEpochs: number[] = m === 0 ? EMPTY : [];
    const answerOffsets: number[] = m === 0 ? EMPTY : [];
    let recordWrites: number[] = EMPTY;
    let recordEpochs: number[] = EMPTY;
    for (let k = 0; k < m; k++) {
      const i = list[k];
      const leo = r.leo[i];
      partitions.push(r.parts[i]);
      leos.push(leo);
      epochs.push(r.leaderEpoch[i]);
      hws.push(r.log.hw(i));
      const j = r.replicaIndex(i, follower);
      const slot = i * r.rf + j;
      const offset = j >= 0 ? r.followerLeo[slot] : -1;
      let answerEpoch = 0;
      let answerOffset = 0;
      if (offset >= 0) {
        const start = Math.min(offset, leo);
        starts.push(start);
        // The records, concatenated in listing order.
        if (start < leo && recordWrites === EMPTY) {
          recordWrites = [];
          recordEpochs = [];
        }
        for (let pos = start; pos < leo; pos++) {
          recordWrites.push(r.log.writeAt(i, pos));
          recordEpochs.push(r.log.epochAt(i, pos));
        }
      } else if (j >= 0 && r.followerEpochQuery[slot] !== NO_QUERY) {
        starts.push(EPOCH_ANSWER);
        const answer = r.log.epochAnswer(i, r.followerEpochQuery[slot]);
        answerOffset = answer.endOffset;
        answerEpoch = answer.epoch;
      } else starts.push(RELIST);
      answerEpochs.push(answerEpoch);
      answerOffsets.push(answerOffset);
    }
    const records = recordWrites.length;
    const res: FetchResponse = {
      type: "kafka.FetchResponse",
      sentAt: this.ctx.now(),
      partitions,
      logEndOffsets: leos,
      epochs,
      highWatermarks: hws,
      starts,
      answerEpochs,
      answerOffsets,
      recordWrites,
      recordEpochs,
    };
    this.ctx.sendStream(follower, res, fetchResponseBytes(m, records));
  }
}
