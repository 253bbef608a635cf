/**
 * The follower side of replication (Kafka 2.x ReplicaFetcherThread, one per leader host:
 * num.replica.fetchers = 1): one fetch per (follower, leader) host pair at a time, incremental
 * (KIP-227: only partitions whose offset changed, plus the ones to forget), carrying the follower's
 * leader epoch (KIP-320). A fetch unanswered for replica.fetch.wait.max.ms +
 * replica.socket.timeout.ms is sent again as a full fetch.
 *
 * That timeout is a deadline checked lazily, as Kafka's NetworkClient does: poll() handles the
 * responses received before it looks for timed-out requests (handleCompletedReceives, then
 * handleTimedOutRequests, both against `time.milliseconds()`). A fetch sets its deadline on the host
 * clock; one host timer per leader host, armed only when none is, wakes at the earliest deadline it
 * knows and re-arms for the newer fetch's deadline if that fetch was answered meanwhile. An idle
 * follower re-fetches every replica.fetch.wait.max.ms, so a timer per fetch (set, then cancelled
 * half a second later) cost one dead kernel event per fetch; now it is one wake-up per 30.5 s per
 * (follower, leader) pair.
 *
 * Truncation by leader epoch (Kafka 0.11+, KIP-101 with KIP-279's fix in 2.0): after a leader
 * change the follower asks the new leader for the end offset of its last entry's epoch E; the
 * leader answers with the largest epoch E' <= E in its log and the end offset of E'; the follower
 * truncates to min(that offset, its own end offset for E') and then fetches from there. Kafka asks
 * with a separate OffsetsForLeaderEpoch request; here the question rides on the fetch (one round
 * trip either way). Records fetched are appended (declared) one by one, and the follower's high
 * watermark follows the leader's (min(leader HW, own log end)).
 */
import type { HostContext, HostId } from "../../src/elector/api.ts";
import { FRESH, type Tables } from "./broker-tables.ts";
import type { LocalReplicas } from "./local-replicas.ts";
import {
  EPOCH_ANSWER,
  fetchBytes,
  LARGE_RESPONSE,
  RELIST,
  RESPONSE_EPOCH,
  RESPONSE_FIELDS,
  RESPONSE_HW,
  RESPONSE_LOG_END,
  RESPONSE_PARTITION,
  RESPONSE_START,
  type FetchRequest,
  type FetchResponse,
} from "./messages.ts";
import { int32Column, trimColumn } from "./message-columns.ts";
import type { KafkaControllerOptions } from "./options.ts";
import { TIMER_FETCH_TIMEOUT, TIMER_SPACE } from "./timers.ts";

/** Shared by every message with nothing to list (never written to). */
const EMPTY: number[] = [];

export class ReplicaFetcher {
  // ---- per leader host ----
  /** Partitions fetched from host L. */
  private readonly followCount: Int32Array;
  /**
   * Partitions (local positions) whose offset (or epoch) the next fetch to L reports, in the order
   * noted; -1 marks one removed since (stopFetching). A list, not a Set: Set.clear allocates a new
   * table at every fetch that listed something. Written up to changedEnd[L], never shrunk.
   */
  private readonly changed: (number[] | undefined)[];
  private readonly changedEnd: Int32Array;
  /** Live entries of changed[L]: an idle fetch learns it has nothing to list without touching the list. */
  private readonly changedCount: Int32Array;
  // ---- per local partition ----
  /** Position of partition i in changed[fetchFrom[i]], -1: not listed (one leader per partition). */
  private readonly changedAt: Int32Array;
  /** Partitions the next fetch to L forgets. */
  private readonly forget: (number[] | undefined)[];
  private readonly outstanding: Uint8Array;
  /** Host-clock deadline of the outstanding fetch to L. */
  private readonly fetchDeadline: Float64Array;
  /** The deadline the host timer for L was armed for; -1: no timer armed. */
  private readonly timerArmedFor: Float64Array;
  /** replica.fetch.wait.max.ms + replica.socket.timeout.ms: a fetch's deadline after it is sent. */
  private readonly fetchTimeout: number;
  /** When the last fetch response from L arrived, and when L sent it. */
  readonly lastResponseAt: Float64Array;
  private readonly lastResponseSentAt: Float64Array;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: KafkaControllerOptions,
    private readonly r: LocalReplicas,
    /** The lab's acknowledgement lease (0: none). */
    private readonly lease: number,
    tables: Tables = FRESH,
  ) {
    const b = ctx.cluster.brokers;
    this.followCount = new Int32Array(b);
    this.changed = new Array(b).fill(undefined);
    this.changedEnd = new Int32Array(b);
    this.changedCount = new Int32Array(b);
    this.changedAt = tables.i32(r.parts.length).fill(-1);
    this.forget = new Array(b).fill(undefined);
    this.outstanding = new Uint8Array(b);
    this.fetchDeadline = new Float64Array(b).fill(-1);
    this.timerArmedFor = new Float64Array(b).fill(-1);
    this.lastResponseAt = new Float64Array(b).fill(-Infinity);
    this.lastResponseSentAt = new Float64Array(b).fill(-1);
    this.fetchTimeout = o.replicaFetchWaitMaxMs + o.replicaSocketTimeoutMs;
  }

  /**
   * Partition i is now fetched from `leader`; the fetch that lists it goes out at fetchNoted, once the
   * whole LeaderAndIsr is applied (ReplicaManager.makeFollowers adds the batch's partitions to the
   * fetcher threads in one addFetcherForPartitions call, after its loop over them).
   */
  startFetching(i: number, leader: HostId): void {
    this.r.fetchFrom[i] = leader;
    this.followCount[leader]++;
    this.noteChanged(leader, i);
  }

  /** After a LeaderAndIsr: a fetch to every leader host with partitions noted and none outstanding, in host order. */
  fetchNoted(): void {
    const count = this.changedCount;
    for (let leader = 0; leader < count.length; leader++) if (count[leader] > 0) this.ensureFetching(leader);
  }

  stopFetching(i: number): void {
    const r = this.r;
    const from = r.fetchFrom[i];
    if (from < 0) return;
    r.fetchFrom[i] = -1;
    this.followCount[from]--;
    const at = this.changedAt[i];
    if (at >= 0) {
      (this.changed[from] as number[])[at] = -1;
      this.changedAt[i] = -1;
      this.changedCount[from]--;
    }
    let f = this.forget[from];
    if (f === undefined) this.forget[from] = f = [];
    f.push(r.parts[i]);
    // The lease promise: the old leader may count our fetches until lastResponse + lease.
    const until = this.lastResponseAt[from] + this.lease;
    if (until > r.promiseUntil[i]) r.promiseUntil[i] = until;
  }

  /** The next fetch to `leader` reports partition i's offset. */
  noteChanged(leader: HostId, i: number): void {
    if (this.changedAt[i] >= 0) return;
    // Only ever the leader it fetches from: the one list a stopFetching must find it in.
    if (this.r.fetchFrom[i] !== leader) throw new Error(`kafka-controller: partition ${this.r.parts[i]} noted for ${leader}, fetched from ${this.r.fetchFrom[i]}`);
    let list = this.changed[leader];
    if (list === undefined) this.changed[leader] = list = [];
    const end = this.changedEnd[leader]++;
    list[end] = i;
    this.changedAt[i] = end;
    this.changedCount[leader]++;
  }

  private ensureFetching(leader: HostId): void {
    if (this.outstanding[leader] === 0) this.sendFetch(leader, this.ctx.now());
  }

  private sendFetch(leader: HostId, now: number): void {
    const r = this.r;
    const m = this.changedCount[leader];
    const forget = this.forget[leader];
    const hasForget = forget !== undefined && forget.length > 0;
    if (this.followCount[leader] === 0 && !hasForget) return;
    // Plain arrays: a fetch is sent for every record a follower takes, and small typed arrays cost
    // several times more to allocate; Int32Arrays from LARGE_RESPONSE entries (messages.ts), views of
    // shared buffers (message-columns.ts). Sized once (m live entries), not grown by push (delayed-fetch.ts).
    const large = m >= LARGE_RESPONSE;
    const partitions: number[] | Int32Array = m === 0 ? EMPTY : large ? int32Column(m) : new Array<number>(m);
    const offsets: number[] | Int32Array = m === 0 ? EMPTY : large ? int32Column(m) : new Array<number>(m);
    const epochs: number[] | Int32Array = m === 0 ? EMPTY : large ? int32Column(m) : new Array<number>(m);
    let lastEpochs: number[] | Int32Array = EMPTY;
    let nq = 0;
    if (m > 0) {
      const changed = this.changed[leader] as number[];
      const end = this.changedEnd[leader];
      let n = 0;
      for (let k = 0; k < end; k++) {
        const i = changed[k];
        if (i < 0) continue;
        this.changedAt[i] = -1;
        partitions[n] = r.parts[i];
        const truncating = r.truncating[i] === 1;
        offsets[n] = truncating ? -1 : r.leo[i];
        epochs[n] = r.leaderEpoch[i];
        if (truncating) {
          // Sized once for the entries left (every one may ask), trimmed below.
          if (lastEpochs === EMPTY) lastEpochs = m - n >= LARGE_RESPONSE ? int32Column(m - n) : new Array<number>(m - n);
          lastEpochs[nq++] = r.log.lastEpoch(i);
        }
        n++;
      }
      if (nq < lastEpochs.length) {
        if (lastEpochs instanceof Int32Array) lastEpochs = trimColumn(lastEpochs, nq);
        else lastEpochs.length = nq;
      }
      if (n !== m) throw new Error(`kafka-controller: ${n} changed partitions listed for leader ${leader}, counted ${m}`);
      this.changedCount[leader] = 0;
    }
    this.changedEnd[leader] = 0;
    const forgotten = hasForget ? forget.slice() : EMPTY;
    if (hasForget) forget.length = 0;
    const req: FetchRequest = {
      type: "kafka.Fetch",
      answering: this.lastResponseSentAt[leader],
      partitions,
      offsets,
      epochs,
      lastEpochs,
      forget: forgotten,
    };
    this.outstanding[leader] = 1;
    this.ctx.sendStream(leader, req, fetchBytes(m, forgotten.length));
    const timeout = this.fetchTimeout;
    const deadline = now + timeout;
    this.fetchDeadline[leader] = deadline;
    if (this.timerArmedFor[leader] < 0) {
      this.timerArmedFor[leader] = deadline;
      this.ctx.setTimer(timeout, TIMER_FETCH_TIMEOUT + TIMER_SPACE * leader);
    }
  }

  onFetchResponse(leader: HostId, res: FetchResponse): void {
    if (this.outstanding[leader] === 0) return; // answer to a fetch we gave up on
    const r = this.r;
    this.outstanding[leader] = 0;
    const now = this.ctx.now();
    this.lastResponseAt[leader] = now;
    this.lastResponseSentAt[leader] = res.sentAt;
    const { entries: e, epochAnswers } = res;
    let cursor = 0;
    let answer = 0;
    let near = 0;
    for (let b = 0; b < e.length; b += RESPONSE_FIELDS) {
      const start = e[b + RESPONSE_START];
      const base = cursor - start; // record of position pos: base + pos
      if (start >= 0) cursor += e[b + RESPONSE_LOG_END] - start;
      const a = answer; // this entry's epoch answer, if it is one
      if (start === EPOCH_ANSWER) answer += 2;
      const i = r.localNear(e[b + RESPONSE_PARTITION], near);
      if (i >= 0) near = i + 1;
      if (i < 0 || r.fetchFrom[i] !== leader || r.leaderEpoch[i] !== e[b + RESPONSE_EPOCH]) continue;
      if (start === RELIST) this.noteChanged(leader, i);
      else if (start === EPOCH_ANSWER) this.truncate(leader, i, epochAnswers[a], epochAnswers[a + 1]);
      else if (r.truncating[i] === 0) this.appendRecords(leader, i, res, b, base);
    }
    this.sendFetch(leader, now);
  }

  /** KIP-279: truncate to min(the leader's end offset for E', ours for E'), then fetch from there. */
  private truncate(leader: HostId, i: number, answerEpoch: number, answerOffset: number): void {
    const r = this.r;
    if (r.truncating[i] === 0) return; // answered already
    r.log.truncate(i, r.log.truncationPoint(i, answerEpoch, answerOffset));
    r.leo[i] = r.log.length(i);
    r.truncating[i] = 0;
    this.noteChanged(leader, i);
  }

  /** The records from our log end to the leader's, then the high watermark (the entry at `b` of res.entries). */
  private appendRecords(leader: HostId, i: number, res: FetchResponse, b: number, base: number): void {
    const r = this.r;
    const start = res.entries[b + RESPONSE_START];
    const end = res.entries[b + RESPONSE_LOG_END];
    const mine = r.leo[i];
    if (start > mine) {
      this.noteChanged(leader, i); // records past a gap (an old fetch's answer): say where we are
      return;
    }
    for (let pos = mine; pos < end; pos++) r.log.append(i, res.recordWrites[base + pos], res.recordEpochs[base + pos]);
    if (end > mine) {
      r.leo[i] = end;
      this.noteChanged(leader, i);
    }
    r.log.commit(i, Math.min(res.entries[b + RESPONSE_HW], r.leo[i]));
  }

  /**
   * The host timer for `leader`: the outstanding fetch's deadline passed (replica.socket.timeout.ms:
   * no answer, start over with a full fetch), or that fetch was answered and a newer one is
   * outstanding (wait for its deadline), or nothing is outstanding (the next fetch arms the timer).
   */
  onFetchTimer(leader: HostId): void {
    const armedFor = this.timerArmedFor[leader];
    this.timerArmedFor[leader] = -1;
    if (this.outstanding[leader] === 0) return;
    const deadline = this.fetchDeadline[leader];
    // Armed for this very deadline: it is due (compared as armed, not against now(), which a
    // drifting clock may read a rounding error short of it).
    if (deadline > armedFor) {
      this.timerArmedFor[leader] = deadline;
      this.ctx.setTimer(Math.max(0, deadline - this.ctx.now()), TIMER_FETCH_TIMEOUT + TIMER_SPACE * leader);
      return;
    }
    this.onFetchTimeout(leader);
  }

  /** replica.socket.timeout.ms: no answer; start over with a full fetch. */
  private onFetchTimeout(leader: HostId): void {
    this.outstanding[leader] = 0;
    this.lastResponseSentAt[leader] = -1;
    const fetchFrom = this.r.fetchFrom;
    for (let i = 0; i < fetchFrom.length; i++) if (fetchFrom[i] === leader) this.noteChanged(leader, i);
    this.sendFetch(leader, this.ctx.now());
  }
}
