/**
 * How the naive race replicates, after Kafka's replication protocol (ReplicaManager, Partition,
 * ReplicaFetcherThread; KIP-101/279 leader-epoch truncation) with the ZooKeeper-elected leader in
 * the leader's place. The rules (the folder's README.md states them as a design):
 *  - the leader appends each produced write to its log at its log end, tagged with its epoch;
 *  - followers fetch from the leader they believe in; every fetch names, per partition that has
 *    entries, the follower's log end and the epoch of its last entry; the leader checks that
 *    its own entry at that position has that epoch (Kafka's lastFetchedEpoch check, KIP-320) and
 *    otherwise answers with the end of that epoch in its log (OffsetsForLeaderEpoch): the follower
 *    truncates there, then fetches again;
 *  - the leader's view of its in-sync replicas: itself and every follower that was caught up to
 *    its log end within replica.lag.time.max.ms (Replica.updateFetchState's lastCaughtUpTime);
 *  - high watermark = the smallest log end in that set; it only rises on the leader; a follower's
 *    is min(leader's HW, own log end). Entries below the HW are committed (declared with commit);
 *  - acks=1: the leader acknowledges once the write is in its own log; acks=all: once the HW has
 *    passed it (min.insync.replicas = 1, Kafka's default, so a leader whose followers all fell out
 *    acknowledges alone). A write still waiting when its leader loses leadership is left
 *    unanswered: it is in some log, so "not written" would be a lie (the client times out).
 *
 * Fetch sessions are incremental (KIP-227): a follower names only partitions where it holds
 * entries, and the leader also sends, unasked, the entries of any partition it leads that the
 * follower lacks; an idle partition costs nothing.
 */
import type { HostContext, HostId, Message } from "../../src/elector/api.ts";
import type { NaiveRaceOptions } from "./options.ts";
import { PartitionLog, ReplicaLogs } from "./replica-log.ts";

/** Entries per partition in one fetch response (Kafka's replica.fetch.max.bytes is 1 MiB; a guess at ~1 KiB records). */
const MAX_BATCH = 1000;
const DATA = 0;
const DIVERGING = 1;

export interface FetchRequest extends Message {
  readonly type: "naive.Fetch";
  /** Triples: partition, fetch offset (the follower's log end), epoch of the follower's last entry. */
  readonly mentions: readonly number[];
}
export interface FetchResponse extends Message {
  readonly type: "naive.FetchResponse";
  /**
   * Records: DATA, partition, fetch offset, leader's HW, count, then count pairs (write id, epoch);
   * or DIVERGING, partition, fetch offset, end offset of the asked epoch, the latest epoch at or before it.
   */
  readonly items: readonly number[];
}

/** What replication needs from the election (the host). */
export interface ElectionView {
  /** Leader host this replica believes in (-1: none); itself when leading. */
  leaderOf(i: number): HostId;
  epochOf(i: number): number;
  isLeading(i: number): boolean;
  /** Writes ready to be acknowledged (the host may fence them first). */
  acknowledge(i: number, writeIds: number[]): void;
}

/** The leader's view of one partition's followers (only partitions with entries). */
class FollowerState {
  readonly logEnd: Int32Array;
  readonly lastCaughtUp: Float64Array;
  readonly lastFetchTime: Float64Array;
  readonly lastFetchLeaderLogEnd: Int32Array;
  constructor(rf: number, now: number) {
    this.logEnd = new Int32Array(rf);
    this.lastCaughtUp = new Float64Array(rf).fill(now);
    this.lastFetchTime = new Float64Array(rf).fill(now);
    this.lastFetchLeaderLogEnd = new Int32Array(rf);
  }
}

export class Replication {
  readonly logs: ReplicaLogs;
  private readonly followers = new Map<number, FollowerState>();
  /** acks=all: (position, write id) pairs waiting for the HW, per local partition. */
  private readonly waiting = new Map<number, number[]>();
  private readonly rf: number;
  /**
   * onFetch's "partitions the request mentioned", as a stamp per local partition (the call's number)
   * instead of a Set per fetch: a fetch arrives from every follower every fetch interval, and the
   * Sets were ~30% of what a settled run allocates.
   */
  private readonly mentionedIn: Int32Array;
  private fetchesServed = 0;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: NaiveRaceOptions,
    private readonly partitions: Int32Array,
    private readonly election: ElectionView,
  ) {
    this.rf = ctx.cluster.replicationFactor;
    this.mentionedIn = new Int32Array(partitions.length);
    // Logs are durable: a restarted host finds what it held (store once, mutate in place).
    const stored = ctx.durable.get<Map<number, PartitionLog>>("naive.logs");
    this.logs = new ReplicaLogs(ctx.observer, partitions, stored);
    if (stored === undefined) ctx.durable.set("naive.logs", this.logs.byLocal);
  }

  /**
   * This replica became leader, or stopped leading: the leader-side view starts afresh. A new
   * leader knows nothing of its followers (no ISR is stored anywhere): each is out of sync until
   * it has caught up with this leader's log, so the HW at once covers the leader's whole log
   * (its log is the partition's truth, as in Kafka). With an empty log every follower trivially
   * holds all of it: followerState() then counts them caught up until the first append.
   */
  leadershipChanged(i: number): void {
    this.followers.delete(i);
    this.waiting.delete(i); // unanswered: see the header
    if (this.election.isLeading(i) && this.logs.length(i) > 0) {
      this.followers.set(i, new FollowerState(this.rf, -Infinity));
      this.advanceHw(i);
    }
  }

  /** A produced write reached the leader: append it, acknowledge per the acks policy. */
  write(i: number, writeId: number): void {
    const position = this.logs.append(i, writeId, this.election.epochOf(i));
    if (this.o.acks === "1") {
      this.election.acknowledge(i, [writeId]);
      return;
    }
    let w = this.waiting.get(i);
    if (w === undefined) this.waiting.set(i, (w = []));
    w.push(position, writeId);
    this.advanceHw(i);
  }

  // ---- follower side ----

  /** The fetch to send to `leader`: every partition that names it as leader and has entries here. */
  fetchFor(leader: HostId): FetchRequest {
    const mentions: number[] = [];
    // By key, then the value: iterating the map's [key, value] pairs allocated a pair per entry.
    const logs = this.logs.byLocal;
    for (const i of logs.keys()) {
      if (this.election.leaderOf(i) !== leader) continue;
      const log = logs.get(i) as PartitionLog;
      if (log.length > 0) mentions.push(this.partitions[i], log.length, log.lastEpoch());
    }
    return { type: "naive.Fetch", mentions };
  }

  onFetchResponse(from: HostId, r: FetchResponse): void {
    const items = r.items;
    let k = 0;
    while (k < items.length) {
      const kind = items[k];
      const i = this.ctx.cluster.localIndex(this.ctx.host, items[k + 1]);
      const ours = i >= 0 && this.election.leaderOf(i) === from && !this.election.isLeading(i);
      if (kind === DIVERGING) {
        // Answers a fetch made at our current log end (a later one may already have been answered).
        if (ours && items[k + 2] === this.logs.length(i)) this.truncateToLeader(i, items[k + 3], items[k + 4]);
        k += 5;
        continue;
      }
      const offset = items[k + 2];
      const hw = items[k + 3];
      const count = items[k + 4];
      k += 5;
      if (ours && offset === this.logs.length(i)) {
        for (let e = 0; e < count; e++) this.logs.append(i, items[k + 2 * e], items[k + 2 * e + 1]);
        this.logs.commit(i, hw);
      }
      k += 2 * count;
    }
  }

  /** KIP-101/279: truncate to the end of the leader's matching epoch, and below any later epoch of ours. */
  private truncateToLeader(i: number, endOffset: number, leaderEpoch: number): void {
    const log = this.logs.get(i);
    if (log === undefined) return;
    let end = Math.min(endOffset, log.length);
    while (end > 0 && log.epochs[end - 1] > leaderEpoch) end--;
    if (end === log.length) end--; // no progress would repeat the same answer forever
    this.logs.truncate(i, Math.max(0, end));
  }

  // ---- leader side ----

  onFetch(from: HostId, request: FetchRequest): FetchResponse {
    const items: number[] = [];
    const m = request.mentions;
    const mentioned = this.mentionedIn;
    const call = ++this.fetchesServed;
    for (let k = 0; k < m.length; k += 3) {
      const i = this.ctx.cluster.localIndex(this.ctx.host, m[k]);
      if (i < 0 || !this.election.isLeading(i)) continue;
      mentioned[i] = call;
      this.serve(i, from, m[k + 1], m[k + 2], items);
    }
    // Unasked: partitions we lead with entries the follower lacks (it holds nothing of them).
    const logs = this.logs.byLocal;
    for (const i of logs.keys()) {
      if (mentioned[i] === call || !this.election.isLeading(i)) continue;
      const log = logs.get(i) as PartitionLog;
      if (log.length === 0) continue;
      if (this.ctx.cluster.replicaIndex(this.partitions[i], from) < 0) continue;
      this.serve(i, from, 0, -1, items);
    }
    return { type: "naive.FetchResponse", items };
  }

  private serve(i: number, from: HostId, offset: number, lastEpoch: number, items: number[]): void {
    const p = this.partitions[i];
    const log = this.logs.get(i);
    const end = log?.length ?? 0;
    if (offset > end || (offset > 0 && log!.epochAt(offset - 1) !== lastEpoch)) {
      const answer = log === undefined ? { endOffset: 0, epoch: -1 } : log.endOffsetFor(lastEpoch);
      items.push(DIVERGING, p, offset, answer.endOffset, answer.epoch);
      return;
    }
    const j = this.ctx.cluster.replicaIndex(p, from);
    if (j >= 0) this.fetched(i, j, offset, end);
    if (log === undefined) return;
    const count = Math.min(end - offset, MAX_BATCH);
    items.push(DATA, p, offset, log.hw, count);
    for (let e = 0; e < count; e++) items.push(log.writeIds[offset + e], log.epochs[offset + e]);
  }

  /** Replica.updateFetchState: caught up if it reached our log end now, or the one we had at its previous fetch. */
  private fetched(i: number, j: number, offset: number, leaderEnd: number): void {
    const now = this.ctx.now();
    const s = this.followerState(i);
    if (offset >= leaderEnd) s.lastCaughtUp[j] = now;
    else if (offset >= s.lastFetchLeaderLogEnd[j]) s.lastCaughtUp[j] = Math.max(s.lastCaughtUp[j], s.lastFetchTime[j]);
    s.lastFetchTime[j] = now;
    s.lastFetchLeaderLogEnd[j] = leaderEnd;
    s.logEnd[j] = offset;
    this.advanceHw(i);
  }

  private followerState(i: number): FollowerState {
    let s = this.followers.get(i);
    if (s === undefined) {
      // A leader whose log was empty had every follower caught up until now.
      s = new FollowerState(this.rf, this.ctx.now());
      this.followers.set(i, s);
    }
    return s;
  }

  /** HW = smallest log end among the in-sync replicas (the leader included); then acks=all answers. */
  advanceHw(i: number): void {
    const log = this.logs.get(i);
    if (log === undefined || !this.election.isLeading(i)) return;
    const s = this.followerState(i);
    const now = this.ctx.now();
    const p = this.partitions[i];
    let hw = log.length;
    for (let j = 0; j < this.rf; j++) {
      if (this.ctx.cluster.replica(p, j) === this.ctx.host) continue;
      if (now - s.lastCaughtUp[j] <= this.o.replicaLagTimeMaxMs) hw = Math.min(hw, s.logEnd[j]);
    }
    this.logs.commit(i, hw);
    const w = this.waiting.get(i);
    if (w === undefined) return;
    let k = 0;
    const ready: number[] = [];
    while (k < w.length && w[k] < log.hw) {
      ready.push(w[k + 1]);
      k += 2;
    }
    if (k === 0) return;
    w.splice(0, k);
    if (w.length === 0) this.waiting.delete(i);
    this.election.acknowledge(i, ready);
  }

  /** Periodic (each fetch interval): a follower falling out of the in-sync set can let the HW rise. */
  tick(): void {
    for (const i of this.logs.byLocal.keys()) if (this.election.isLeading(i)) this.advanceHw(i);
  }

  fetchBytes(r: FetchRequest): number {
    return 64 + 4 * r.mentions.length;
  }

  responseBytes(r: FetchResponse): number {
    return 64 + 6 * r.items.length;
  }
}
