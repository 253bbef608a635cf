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
import { FRESH, RESERVED_HOLD_QUEUE, type Tables } from "./broker-tables.ts";
import { HoldQueue } from "./hold-queue.ts";
import { LEADING, NO_QUERY, type LocalReplicas } from "./local-replicas.ts";
import {
  EPOCH_ANSWER,
  fetchResponseBytes,
  LARGE_RESPONSE,
  RELIST,
  RESPONSE_EPOCH,
  RESPONSE_FIELDS,
  RESPONSE_HW,
  RESPONSE_LOG_END,
  RESPONSE_PARTITION,
  RESPONSE_START,
  type FetchResponse,
} from "./messages.ts";
import { int32Column } from "./message-columns.ts";
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
  private readonly holdQueue: HoldQueue;
  private holdTimerAt = Infinity;
  /**
   * Follower slots (LocalReplicas.fs: i * fs + F's position among partition i's followers) with data
   * for follower F, in the order marked; written up to dirtyCount[F]. Lists over slots with a mark per slot, not Sets:
   * Set.clear allocates a new table at every answer that listed something.
   */
  private readonly dirty: (number[] | undefined)[];
  /** Slots whose high watermark moved: sent with F's next answer, without answering early. */
  private readonly hwChanged: (number[] | undefined)[];
  /**
   * Lengths of dirty[F] and hwChanged[F]. Most fetches are idle long polls with nothing to list; with
   * 100 hosts a host's lists are rarely in cache, and these typed arrays answer "anything?" without
   * touching them.
   */
  private readonly dirtyCount: Int32Array;
  private readonly hwChangedCount: Int32Array;
  /** Per slot: 1 while listed in dirty / hwChanged of the slot's host. */
  private readonly isDirty: Uint8Array;
  private readonly isHwChanged: Uint8Array;
  private readonly scratch: number[] = [];

  constructor(
    private readonly ctx: HostContext,
    private readonly o: KafkaControllerOptions,
    private readonly r: LocalReplicas,
    tables: Tables = FRESH,
  ) {
    const b = ctx.cluster.brokers;
    this.lastFetchAt = new Float64Array(b).fill(-Infinity);
    this.leaseUntil = new Float64Array(b).fill(-Infinity);
    this.heldFetch = new Float64Array(b).fill(-1);
    this.dirty = new Array(b).fill(undefined);
    this.hwChanged = new Array(b).fill(undefined);
    this.dirtyCount = new Int32Array(b);
    this.hwChangedCount = new Int32Array(b);
    this.isDirty = tables.u8(r.parts.length * r.fs);
    this.isHwChanged = tables.u8(r.parts.length * r.fs);
    this.holdQueue = new HoldQueue(tables.reserved ? tables.f64(RESERVED_HOLD_QUEUE) : undefined);
  }

  /** A fetch from `follower` arrived at `now`, answering the response the leader sent at `answering`. */
  fetched(follower: HostId, answering: number, lease: number, now: number): void {
    this.lastFetchAt[follower] = now;
    if (answering >= 0 && answering + lease > this.leaseUntil[follower]) this.leaseUntil[follower] = answering + lease;
  }

  /** A partition has data for `follower`, whose follower slot is `slot`. */
  markDirty(follower: HostId, slot: number): void {
    if (this.isDirty[slot] === 1) return;
    this.isDirty[slot] = 1;
    let d = this.dirty[follower];
    if (d === undefined) this.dirty[follower] = d = [];
    d[this.dirtyCount[follower]++] = slot;
  }

  /**
   * News for `follower` (follower slot `slot`) that need no early answer (the partition's high
   * watermark moved, or a new leader's relist): sent with its next answer.
   */
  markHwChanged(follower: HostId, slot: number): void {
    if (this.isHwChanged[slot] === 1) return;
    this.isHwChanged[slot] = 1;
    let h = this.hwChanged[follower];
    if (h === undefined) this.hwChanged[follower] = h = [];
    h[this.hwChangedCount[follower]++] = slot;
  }

  /** After a fetch was handled (at `now`, the host clock): answer it now if there is data, else hold it. */
  answerOrHold(follower: HostId, now: number): void {
    if (this.dirtyCount[follower] > 0) this.respond(follower, now);
    else this.hold(follower, now);
  }

  /** New data: answer the follower's held fetch, if any. */
  wake(follower: HostId): void {
    if (this.heldFetch[follower] >= 0) this.respond(follower, this.ctx.now());
  }

  private hold(follower: HostId, now: number): void {
    const deadline = now + this.o.replicaFetchWaitMaxMs;
    this.heldFetch[follower] = deadline;
    this.holdQueue.push(follower, deadline);
    const at = Math.ceil(deadline / HOLD_TICK_MS) * HOLD_TICK_MS;
    if (at < this.holdTimerAt) {
      this.holdTimerAt = at;
      this.ctx.setTimer(at - now, TIMER_FETCH_HOLD);
    }
  }

  onHoldTimer(): void {
    this.holdTimerAt = Infinity;
    const now = this.ctx.now();
    const q = this.holdQueue;
    while (!q.isEmpty() && q.firstDeadline() <= now) {
      const f = q.firstFollower();
      const deadline = q.firstDeadline();
      q.shift();
      if (this.heldFetch[f] === deadline) this.respond(f, now); // still held, not answered meanwhile
    }
    q.cut();
    if (!q.isEmpty()) {
      const at = Math.ceil(q.firstDeadline() / HOLD_TICK_MS) * HOLD_TICK_MS;
      this.holdTimerAt = at;
      this.ctx.setTimer(Math.max(0, at - now), TIMER_FETCH_HOLD);
    }
  }

  /**
   * Answers the follower's fetch: for each partition with news for it, the records from its fetch
   * offset to the log end, or the answer to its epoch question (KIP-101/279), and the high watermark.
   */
  private respond(follower: HostId, now: number): void {
    const r = this.r;
    this.heldFetch[follower] = -1;
    // Lists are read only when not empty: most answers are an idle long poll's, with nothing to list.
    // The scratch list keeps slots, not partitions: a slot names the follower's replica index too,
    // so the answer needs no look-up of the partition's replica list (a cache miss per entry at 1M).
    const list = this.scratch;
    const fs = r.fs;
    const role = r.role;
    let m = 0;
    const nd = this.dirtyCount[follower];
    const isDirty = this.isDirty;
    if (nd > 0) {
      const d = this.dirty[follower] as number[];
      for (let k = 0; k < nd; k++) {
        const slot = d[k];
        if (role[(slot / fs) | 0] === LEADING) list[m++] = slot;
      }
    }
    const nh = this.hwChangedCount[follower];
    if (nh > 0) {
      const h = this.hwChanged[follower] as number[];
      const isHwChanged = this.isHwChanged;
      for (let k = 0; k < nh; k++) {
        const slot = h[k];
        isHwChanged[slot] = 0;
        if (role[(slot / fs) | 0] === LEADING && isDirty[slot] === 0) list[m++] = slot;
      }
      this.hwChangedCount[follower] = 0;
    }
    if (nd > 0) {
      const d = this.dirty[follower] as number[];
      for (let k = 0; k < nd; k++) isDirty[d[k]] = 0;
      this.dirtyCount[follower] = 0;
    }
    // Sized once (m is known): arrays grown by push allocate about three times their final length.
    // A large one is a view of a shared buffer (message-columns.ts).
    const e: number[] | Int32Array = m === 0 ? EMPTY : m >= LARGE_RESPONSE ? int32Column(m * RESPONSE_FIELDS) : new Array<number>(m * RESPONSE_FIELDS);
    let answers: number[] = EMPTY;
    let na = 0;
    let recordWrites: number[] = EMPTY;
    let recordEpochs: number[] = EMPTY;
    let nr = 0; // records listed
    const log = r.log;
    for (let k = 0, b = 0; k < m; k++, b += RESPONSE_FIELDS) {
      const slot = list[k];
      const i = (slot / fs) | 0;
      const leo = r.leo[i];
      e[b + RESPONSE_PARTITION] = r.parts[i];
      e[b + RESPONSE_LOG_END] = leo;
      e[b + RESPONSE_EPOCH] = r.leaderEpoch[i];
      e[b + RESPONSE_HW] = log.hw(i);
      const offset = r.followerLeo[slot];
      if (offset >= 0) {
        const start = Math.min(offset, leo);
        e[b + RESPONSE_START] = start;
        // The records, concatenated in listing order. Sized for the first entry's (most answers with
        // records list one partition and one record; an array grown by push from empty allocates
        // room for 17), extended by the later entries' if any.
        if (start < leo && recordWrites === EMPTY) {
          recordWrites = new Array<number>(leo - start);
          recordEpochs = new Array<number>(leo - start);
        }
        for (let pos = start; pos < leo; pos++, nr++) {
          recordWrites[nr] = log.writeAt(i, pos);
          recordEpochs[nr] = log.epochAt(i, pos);
        }
      } else if (r.followerEpochQuery[slot] !== NO_QUERY) {
        // OffsetsForLeaderEpoch (KIP-279): the largest epoch <= the one asked about, and its end
        // offset (ReplicaLogs.epochAnswer's two parts, without its result object: one per entry at 1M).
        e[b + RESPONSE_START] = EPOCH_ANSWER;
        // Sized once for the entries left (every one may be an answer), trimmed below.
        if (answers === EMPTY) answers = new Array<number>(2 * (m - k));
        const endOffset = log.endOffsetFor(i, r.followerEpochQuery[slot]);
        answers[na++] = log.epochEndingAt(i, endOffset);
        answers[na++] = endOffset;
      } else e[b + RESPONSE_START] = RELIST;
    }
    if (na < answers.length) answers.length = na;
    const records = recordWrites.length;
    const res: FetchResponse = { type: "kafka.FetchResponse", sentAt: now, entries: e, epochAnswers: answers, recordWrites, recordEpochs };
    this.ctx.sendStream(follower, res, fetchResponseBytes(m, records));
  }
}
