/**
 * The broker side: ReplicaManager and Partition (Kafka 2.x, core/src/main/scala/kafka/server/
 * ReplicaManager.scala, cluster/Partition.scala, server/ReplicaFetcherThread.scala) for every
 * partition this host replicates, in typed arrays indexed by the partition's local position.
 *
 * Rules:
 *  - becomeLeaderOrFollower: a LeaderAndIsr from an older controller epoch is refused
 *    (STALE_CONTROLLER_EPOCH); a partition's state is applied only if its leader epoch is newer than
 *    the one the broker has. Leader -> makeLeader; otherwise makeFollower (truncate, fetch from the
 *    new leader).
 *  - Followers fetch (ReplicaFetcherThread): one fetch per (follower, leader) host pair at a time,
 *    incremental (KIP-227: only partitions whose offset changed, plus the ones to forget), carrying
 *    the follower's leader epoch (KIP-320: the leader ignores entries from another epoch). The leader
 *    answers at once when it has data for the follower, else holds the fetch for
 *    replica.fetch.wait.max.ms.
 *  - Produce: not the leader -> NOT_LEADER (rejected). acks=1 -> acknowledged on append. acks=all ->
 *    refused when the ISR is smaller than min.insync.replicas (NOT_ENOUGH_REPLICAS), else
 *    acknowledged when every ISR member has fetched past the write (high watermark), and refused if
 *    the ISR shrank below min.insync.replicas meanwhile (NOT_ENOUGH_REPLICAS_AFTER_APPEND).
 *  - Partition.maybeShrinkIsr, every replica.lag.time.max.ms / 2: a follower that has not fetched,
 *    or not been caught up, for replica.lag.time.max.ms leaves the ISR; maybeExpandIsr: a follower
 *    not in the ISR that reaches the leader's log end rejoins it. Both write the state znode
 *    directly, conditional on the zkVersion the leader knows; on a version conflict Kafka 2.x skips
 *    the update ("Cached zkVersion ... not equal to that in zookeeper") — the lab's default also
 *    stops leading (isrConflict).
 *  - The lab's acknowledgement lease (ackLeaseMs, acks=all only; not Kafka): see options.ts.
 *
 * Log offsets count writes: a follower at offset X holds the leader's writes [0, X). A follower
 * that changes leader truncates to "unknown" and catches up in one fetch (no byte-level model).
 */
import type { HostContext, HostId, PartitionId } from "../../src/elector/api.ts";
import {
  fetchBytes,
  fetchResponseBytes,
  type FetchRequest,
  type FetchResponse,
  type LeaderAndIsrRequest,
  type StopReplicaRequest,
  type UpdateMetadataRequest,
} from "./messages.ts";
import type { KafkaControllerOptions } from "./options.ts";
import { TAG_IGNORE, TAG_ISR } from "./zk-pipeline.ts";
import { ISR_CHANGE_PREFIX, isrIds, statePath, type IsrChangeData, type PartitionStateData } from "./zk-paths.ts";
import type { ZkResult } from "../../src/elector/api.ts";

export const TIMER_ISR = 1;
export const TIMER_PROMOTE = 2;
export const TIMER_FETCH_HOLD = 3;
export const TIMER_FETCH_TIMEOUT = 4;
export const TIMER_ISR_PROPAGATE = 9;
export const TIMER_SPACE = 16;

/** ReplicaManager.IsrChangePropagationBlackOut / IsrChangePropagationInterval (Kafka 2.x). */
const ISR_PROPAGATION_BLACKOUT_MS = 5000;
const ISR_PROPAGATION_INTERVAL_MS = 60_000;
const ISR_PROPAGATION_CHECK_MS = 2500;

/** Every partition this host replicates: leader and follower sides, fetches, ISR, produce. */
export class ReplicaManager {
  private readonly me: HostId;
  private readonly rf: number;
  readonly parts: Int32Array;
  private readonly n: number;
  private readonly acksAll: boolean;
  private readonly lease: number;

  // ---- per local partition ----
  /** The leader this broker believes in (itself when leading or about to), -1 none. */
  readonly leader: Int32Array;
  readonly leaderEpoch: Int32Array;
  /** 1 leading, 2 told to lead but waiting out the lease promise. */
  readonly role: Uint8Array;
  readonly isr: Int32Array;
  readonly zkVersion: Int32Array;
  private readonly stateCtrlEpoch: Int32Array;
  /** Log end offset (leader: its log; follower: fetched so far, -1 unknown after a leader change). */
  readonly leo: Float64Array;
  /** Host this partition is fetched from (-1 none). */
  private readonly fetchFrom: Int32Array;
  /** Leadership may not be taken before this time (lease promise to earlier leaders). */
  private readonly promiseUntil: Float64Array;
  private readonly isrWriteInFlight: Uint8Array;
  private readonly isrWriteMask: Int32Array;
  private readonly isrWriteEpoch: Int32Array;

  // ---- per local partition x replica index (leader side) ----
  private readonly followerLeo: Float64Array;
  private readonly lastCaughtUp: Float64Array;

  /** acks=all writes waiting for the ISR: flat (writeId, offset, time) triples per local partition. */
  private readonly pending = new Map<number, number[]>();
  private readonly promoting: number[] = [];
  private promoteTimerAt = Infinity;

  // ---- per remote host ----
  /** Leader side: last fetch from host F, the lease it renewed, its held fetch timer, partitions with data for it. */
  private readonly lastFetchAt: Float64Array;
  private readonly leaseUntil: Float64Array;
  /** Deadline of the follower's held fetch (-1: none held). */
  private readonly heldFetch: Float64Array;
  /** Followers whose fetch is held, in deadline order (lazily pruned). */
  private readonly holdQueue: number[] = [];
  private holdHead = 0;
  private holdTimerAt = Infinity;
  private readonly dirty: (Set<number> | undefined)[];
  /** Follower side: partitions fetched from host L, offsets to report, partitions to forget. */
  private readonly followCount: Int32Array;
  private readonly changed: (Set<number> | undefined)[];
  private readonly forget: (number[] | undefined)[];
  private readonly outstanding: Uint8Array;
  private readonly fetchTimeout: Float64Array;
  private readonly lastResponseAt: Float64Array;
  private readonly lastResponseSentAt: Float64Array;

  /** ISR changes made by this leader, not yet propagated to the controller. */
  private readonly isrChanged = new Set<number>();
  private lastIsrChangeAt = -Infinity;
  private lastIsrPropagationAt = 0;

  controllerEpoch = -1;
  controllerId = -1;
  liveBrokers: Uint8Array | undefined;
  private readonly bootAt: number;

  // counters
  staleControllerRequests = 0;
  isrShrinks = 0;
  isrExpands = 0;
  isrConflicts = 0;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: KafkaControllerOptions,
  ) {
    const c = ctx.cluster;
    this.me = ctx.host;
    this.rf = c.replicationFactor;
    this.parts = c.partitionsOf(ctx.host);
    const n = (this.n = this.parts.length);
    this.acksAll = o.acks === "all";
    this.lease = this.acksAll ? Math.max(0, o.ackLeaseMs) : 0;
    this.leader = new Int32Array(n).fill(-1);
    this.leaderEpoch = new Int32Array(n).fill(-1);
    this.role = new Uint8Array(n);
    this.isr = new Int32Array(n);
    this.zkVersion = new Int32Array(n).fill(-1);
    this.stateCtrlEpoch = new Int32Array(n);
    this.leo = new Float64Array(n);
    this.fetchFrom = new Int32Array(n).fill(-1);
    this.promiseUntil = new Float64Array(n);
    this.isrWriteInFlight = new Uint8Array(n);
    this.isrWriteMask = new Int32Array(n);
    this.isrWriteEpoch = new Int32Array(n);
    this.followerLeo = new Float64Array(n * this.rf).fill(-1);
    this.lastCaughtUp = new Float64Array(n * this.rf);
    const b = c.brokers;
    this.lastFetchAt = new Float64Array(b).fill(-Infinity);
    this.leaseUntil = new Float64Array(b).fill(-Infinity);
    this.heldFetch = new Float64Array(b).fill(-1);
    this.dirty = new Array(b).fill(undefined);
    this.followCount = new Int32Array(b);
    this.changed = new Array(b).fill(undefined);
    this.forget = new Array(b).fill(undefined);
    this.outstanding = new Uint8Array(b);
    this.fetchTimeout = new Float64Array(b).fill(-1);
    this.lastResponseAt = new Float64Array(b).fill(-Infinity);
    this.lastResponseSentAt = new Float64Array(b).fill(-1);
    this.bootAt = ctx.now();
  }

  start(): void {
    this.ctx.setTimer(this.o.replicaLagTimeMaxMs / 2, TIMER_ISR);
    this.ctx.setTimer(ISR_PROPAGATION_CHECK_MS, TIMER_ISR_PROPAGATE);
    this.lastIsrPropagationAt = this.ctx.now();
  }

  /**
   * maybePropagateIsrChanges: every 2.5 s, if there are ISR changes and none in the last 5 s (or the
   * last propagation is 60 s old), write one sequential znode listing them for the controller.
   */
  onIsrPropagationTimer(): void {
    this.ctx.setTimer(ISR_PROPAGATION_CHECK_MS, TIMER_ISR_PROPAGATE);
    const now = this.ctx.now();
    if (this.isrChanged.size === 0) return;
    if (this.lastIsrChangeAt + ISR_PROPAGATION_BLACKOUT_MS >= now && this.lastIsrPropagationAt + ISR_PROPAGATION_INTERVAL_MS >= now) return;
    const data: IsrChangeData = { partitions: Array.from(this.isrChanged).sort((a, b) => a - b) };
    this.isrChanged.clear();
    this.lastIsrPropagationAt = now;
    this.ctx.zk.create(ISR_CHANGE_PREFIX, data, "persistent-sequential", TAG_IGNORE);
  }

  /** Local position of a partition, or -1 if this host does not replicate it. */
  local(p: PartitionId): number {
    return this.ctx.cluster.localIndex(this.ctx.host, p);
  }

  private replicaIndex(i: number, host: HostId): number {
    return this.ctx.cluster.replicaIndex(this.parts[i], host);
  }

  private replicaHost(i: number, j: number): HostId {
    return this.ctx.cluster.assignment[this.parts[i] * this.rf + j];
  }

  isLeading(i: number): boolean {
    return this.role[i] === 1;
  }

  // ---- control requests ----

  private acceptControllerEpoch(controllerId: HostId, epoch: number): boolean {
    if (epoch < this.controllerEpoch) {
      this.staleControllerRequests++;
      return false;
    }
    this.controllerEpoch = epoch;
    this.controllerId = controllerId;
    return true;
  }

  onLeaderAndIsr(req: LeaderAndIsrRequest): void {
    if (!this.acceptControllerEpoch(req.controllerId, req.controllerEpoch)) return;
    const { partitions, leaders, leaderEpochs, isrs, zkVersions, stateControllerEpochs } = req;
    for (let k = 0; k < partitions.length; k++) {
      const i = this.local(partitions[k]);
      if (i < 0) continue;
      const e = leaderEpochs[k];
      if (e <= this.leaderEpoch[i]) continue; // Rule: only a newer leader epoch is applied.
      this.zkVersion[i] = zkVersions[k];
      this.isr[i] = isrs[k];
      this.stateCtrlEpoch[i] = stateControllerEpochs[k];
      if (leaders[k] === this.me) this.makeLeader(i, e);
      else this.makeFollower(i, leaders[k], e);
    }
  }

  onUpdateMetadata(req: UpdateMetadataRequest): void {
    if (!this.acceptControllerEpoch(req.controllerId, req.controllerEpoch)) return;
    this.liveBrokers = req.liveBrokers;
  }

  /** StopReplica (deletePartition = false): stop fetching; the broker is shutting down. */
  onStopReplica(req: StopReplicaRequest): void {
    if (!this.acceptControllerEpoch(req.controllerId, req.controllerEpoch)) return;
    for (let k = 0; k < req.partitions.length; k++) {
      const i = this.local(req.partitions[k]);
      if (i >= 0 && this.role[i] === 0) this.stopFetching(i);
    }
  }

  private makeLeader(i: number, epoch: number): void {
    const p = this.parts[i];
    this.leaderEpoch[i] = epoch;
    if (this.role[i] === 1) {
      // Same leader, newer epoch (e.g. the controller removed a dead follower from the ISR).
      this.ctx.observer.lead(p, epoch);
      this.tryComplete(i);
      return;
    }
    this.stopFetching(i);
    this.leader[i] = this.me;
    const at = this.lease > 0 ? Math.max(this.promiseUntil[i], this.bootAt + this.lease) : -Infinity;
    if (at <= this.ctx.now()) {
      this.takeLeadership(i);
      return;
    }
    // The lease promise: an old leader may still acknowledge on our fetches until `at`.
    this.role[i] = 2;
    this.promoting.push(i);
    this.armPromotion(at);
  }

  private takeLeadership(i: number): void {
    this.role[i] = 1;
    const now = this.ctx.now();
    const base = i * this.rf;
    for (let j = 0; j < this.rf; j++) {
      this.followerLeo[base + j] = -1;
      this.lastCaughtUp[base + j] = now;
    }
    this.ctx.observer.lead(this.parts[i], this.leaderEpoch[i]);
  }

  private armPromotion(at: number): void {
    if (at >= this.promoteTimerAt) return;
    this.promoteTimerAt = at;
    this.ctx.setTimer(at - this.ctx.now(), TIMER_PROMOTE);
  }

  onPromotionTimer(): void {
    this.promoteTimerAt = Infinity;
    const now = this.ctx.now();
    let next = Infinity;
    let w = 0;
    for (let k = 0; k < this.promoting.length; k++) {
      const i = this.promoting[k];
      if (this.role[i] !== 2) continue;
      const at = Math.max(this.promiseUntil[i], this.bootAt + this.lease);
      if (at <= now) this.takeLeadership(i);
      else {
        this.promoting[w++] = i;
        if (at < next) next = at;
      }
    }
    this.promoting.length = w;
    if (next < Infinity) this.armPromotion(next);
  }

  private makeFollower(i: number, leader: HostId, epoch: number): void {
    const p = this.parts[i];
    if (this.role[i] !== 0) this.stopLeading(i);
    this.leaderEpoch[i] = epoch;
    if (leader !== this.leader[i] || this.fetchFrom[i] !== leader) {
      this.stopFetching(i);
      this.leader[i] = leader;
      this.leo[i] = -1; // truncate: offsets of another leader's log mean nothing here
      if (leader >= 0 && leader !== this.me) this.startFetching(i, leader);
    } else if (leader >= 0) {
      this.noteChanged(leader, i); // report our offset under the new epoch
      this.ensureFetching(leader);
    }
    this.ctx.observer.follow(p, leader, epoch);
  }

  /** No longer the leader: writes waiting for the ISR fail (NOT_LEADER_FOR_PARTITION). */
  private stopLeading(i: number): void {
    this.role[i] = 0;
    const list = this.pending.get(i);
    if (list !== undefined) {
      this.pending.delete(i);
      const p = this.parts[i];
      for (let k = 0; k < list.length; k += 3) this.ctx.observer.rejected(p, list[k]);
    }
  }

  private startFetching(i: number, leader: HostId): void {
    this.fetchFrom[i] = leader;
    this.followCount[leader]++;
    this.noteChanged(leader, i);
    this.ensureFetching(leader);
  }

  private stopFetching(i: number): void {
    const from = this.fetchFrom[i];
    if (from < 0) return;
    this.fetchFrom[i] = -1;
    this.followCount[from]--;
    this.changed[from]?.delete(i);
    let f = this.forget[from];
    if (f === undefined) this.forget[from] = f = [];
    f.push(this.parts[i]);
    // The lease promise: the old leader may count our fetches until lastResponse + lease.
    const until = this.lastResponseAt[from] + this.lease;
    if (until > this.promiseUntil[i]) this.promiseUntil[i] = until;
  }

  private noteChanged(leader: HostId, i: number): void {
    let s = this.changed[leader];
    if (s === undefined) this.changed[leader] = s = new Set();
    s.add(i);
  }

  // ---- follower: fetching ----

  private ensureFetching(leader: HostId): void {
    if (this.outstanding[leader] === 0) this.sendFetch(leader);
  }

  private sendFetch(leader: HostId): void {
    const changed = this.changed[leader];
    const forget = this.forget[leader];
    const hasForget = forget !== undefined && forget.length > 0;
    if (this.followCount[leader] === 0 && !hasForget) return;
    const m = changed === undefined ? 0 : changed.size;
    const partitions = m === 0 ? EMPTY_I32 : new Int32Array(m);
    const offsets = m === 0 ? EMPTY_F64 : new Float64Array(m);
    const epochs = m === 0 ? EMPTY_I32 : new Int32Array(m);
    if (changed !== undefined && m > 0) {
      let k = 0;
      for (const i of changed) {
        partitions[k] = this.parts[i];
        offsets[k] = this.leo[i];
        epochs[k] = this.leaderEpoch[i];
        k++;
      }
      changed.clear();
    }
    const forgotten = hasForget ? Int32Array.from(forget) : EMPTY_I32;
    if (hasForget) forget.length = 0;
    const req: FetchRequest = {
      type: "kafka.Fetch",
      answering: this.lastResponseSentAt[leader],
      partitions,
      offsets,
      epochs,
      forget: forgotten,
    };
    this.outstanding[leader] = 1;
    this.ctx.sendStream(leader, req, fetchBytes(m, forgotten.length));
    if (this.fetchTimeout[leader] >= 0) this.ctx.cancelTimer(this.fetchTimeout[leader]);
    this.fetchTimeout[leader] = this.ctx.setTimer(
      this.o.replicaFetchWaitMaxMs + this.o.replicaSocketTimeoutMs,
      TIMER_FETCH_TIMEOUT + TIMER_SPACE * leader,
    );
  }

  onFetchResponse(leader: HostId, res: FetchResponse): void {
    if (this.outstanding[leader] === 0) return; // answer to a fetch we gave up on
    this.outstanding[leader] = 0;
    if (this.fetchTimeout[leader] >= 0) this.ctx.cancelTimer(this.fetchTimeout[leader]);
    this.fetchTimeout[leader] = -1;
    this.lastResponseAt[leader] = this.ctx.now();
    this.lastResponseSentAt[leader] = res.sentAt;
    const { partitions, logEndOffsets, epochs } = res;
    for (let k = 0; k < partitions.length; k++) {
      const i = this.local(partitions[k]);
      if (i < 0 || this.fetchFrom[i] !== leader || this.leaderEpoch[i] !== epochs[k]) continue;
      if (this.leo[i] !== logEndOffsets[k]) {
        this.leo[i] = logEndOffsets[k];
        this.noteChanged(leader, i);
      }
    }
    this.sendFetch(leader);
  }

  /** replica.socket.timeout.ms: no answer; start over with a full fetch. */
  onFetchTimeout(leader: HostId): void {
    this.fetchTimeout[leader] = -1;
    this.outstanding[leader] = 0;
    this.lastResponseSentAt[leader] = -1;
    for (let i = 0; i < this.n; i++) if (this.fetchFrom[i] === leader) this.noteChanged(leader, i);
    this.sendFetch(leader);
  }

  // ---- leader: serving fetches ----

  onFetch(follower: HostId, req: FetchRequest): void {
    const now = this.ctx.now();
    this.lastFetchAt[follower] = now;
    if (req.answering >= 0 && req.answering + this.lease > this.leaseUntil[follower]) {
      this.leaseUntil[follower] = req.answering + this.lease;
    }
    const rf = this.rf;
    for (let k = 0; k < req.forget.length; k++) {
      const i = this.local(req.forget[k]);
      if (i < 0) continue;
      const j = this.replicaIndex(i, follower);
      if (j >= 0) this.followerLeo[i * rf + j] = -1;
    }
    const { partitions, offsets, epochs } = req;
    for (let k = 0; k < partitions.length; k++) {
      const i = this.local(partitions[k]);
      // Rule (KIP-320): only entries fetched under our current leader epoch count.
      if (i < 0 || this.role[i] !== 1 || epochs[k] !== this.leaderEpoch[i]) continue;
      const j = this.replicaIndex(i, follower);
      if (j < 0) continue;
      const slot = i * rf + j;
      const offset = offsets[k];
      this.followerLeo[slot] = offset;
      if (offset >= this.leo[i]) {
        this.lastCaughtUp[slot] = now;
        if ((this.isr[i] & (1 << j)) === 0) this.maybeExpandIsr(i, j);
      } else this.markDirty(follower, i);
    }
    if (this.pending.size > 0) {
      for (const i of Array.from(this.pending.keys())) if (this.replicaIndex(i, follower) >= 0) this.tryComplete(i);
    }
    const d = this.dirty[follower];
    if (d !== undefined && d.size > 0) this.respond(follower);
    else this.hold(follower);
  }

  /**
   * Holds a fetch for replica.fetch.wait.max.ms. One host timer sweeps the held fetches in ticks of
   * HOLD_TICK_MS (a fetch waits 500-550 ms instead of 500), not a kernel timer per follower.
   */
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

  private markDirty(follower: HostId, i: number): void {
    let d = this.dirty[follower];
    if (d === undefined) this.dirty[follower] = d = new Set();
    d.add(i);
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

  private respond(follower: HostId): void {
    this.heldFetch[follower] = -1;
    const d = this.dirty[follower];
    let m = 0;
    if (d !== undefined) for (const i of d) if (this.role[i] === 1) m++;
    const partitions = m === 0 ? EMPTY_I32 : new Int32Array(m);
    const leos = m === 0 ? EMPTY_F64 : new Float64Array(m);
    const epochs = m === 0 ? EMPTY_I32 : new Int32Array(m);
    let records = 0;
    if (d !== undefined && d.size > 0) {
      let k = 0;
      for (const i of d) {
        if (this.role[i] !== 1) continue;
        partitions[k] = this.parts[i];
        leos[k] = this.leo[i];
        epochs[k] = this.leaderEpoch[i];
        const j = this.replicaIndex(i, follower);
        records += Math.max(0, this.leo[i] - Math.max(0, j >= 0 ? this.followerLeo[i * this.rf + j] : 0));
        k++;
      }
      d.clear();
    }
    const res: FetchResponse = { type: "kafka.FetchResponse", sentAt: this.ctx.now(), partitions, logEndOffsets: leos, epochs };
    this.ctx.sendStream(follower, res, fetchResponseBytes(m, records));
  }

  // ---- produce ----

  onWrite(p: PartitionId, writeId: number): void {
    const i = this.local(p);
    const obs = this.ctx.observer;
    if (i < 0 || this.role[i] !== 1) {
      obs.rejected(p, writeId); // NOT_LEADER_FOR_PARTITION
      return;
    }
    if (this.acksAll && popcount(this.isr[i]) < this.o.minInsyncReplicas) {
      obs.rejected(p, writeId); // NOT_ENOUGH_REPLICAS
      return;
    }
    const offset = this.leo[i];
    // Followers caught up until now stop being caught up from now on.
    const base = i * this.rf;
    for (let j = 0; j < this.rf; j++) {
      const h = this.replicaHost(i, j);
      if (h === this.me) continue;
      if (this.followerLeo[base + j] >= offset) this.lastCaughtUp[base + j] = Math.max(this.lastCaughtUp[base + j], this.lastFetchAt[h]);
    }
    this.leo[i] = offset + 1;
    for (let j = 0; j < this.rf; j++) {
      const h = this.replicaHost(i, j);
      if (h === this.me) continue;
      this.markDirty(h, i);
      if (this.heldFetch[h] >= 0) this.respond(h);
    }
    if (!this.acksAll) {
      obs.acknowledged(p, writeId, this.leaderEpoch[i]);
      return;
    }
    let list = this.pending.get(i);
    if (list === undefined) this.pending.set(i, (list = []));
    list.push(writeId, offset, this.ctx.now());
    this.tryComplete(i);
  }

  /** Acknowledges the writes below the high watermark (every ISR member fetched them). */
  private tryComplete(i: number): void {
    const list = this.pending.get(i);
    if (list === undefined || this.role[i] !== 1) return;
    const now = this.ctx.now();
    let hw = this.leo[i];
    const mask = this.isr[i];
    const base = i * this.rf;
    for (let j = 0; j < this.rf; j++) {
      if ((mask & (1 << j)) === 0) continue;
      const h = this.replicaHost(i, j);
      if (h === this.me) continue;
      const fresh = this.lease === 0 || this.leaseUntil[h] > now;
      const v = fresh ? this.followerLeo[base + j] : -1;
      if (v < hw) hw = v;
    }
    let k = 0;
    const p = this.parts[i];
    const enough = popcount(mask) >= this.o.minInsyncReplicas;
    while (k < list.length && list[k + 1] < hw) {
      if (enough) this.ctx.observer.acknowledged(p, list[k], this.leaderEpoch[i]);
      else this.ctx.observer.rejected(p, list[k]); // NOT_ENOUGH_REPLICAS_AFTER_APPEND
      k += 3;
    }
    if (k === list.length) this.pending.delete(i);
    else if (k > 0) list.splice(0, k);
  }

  // ---- ISR maintenance ----

  /** isr-expiration task. */
  onIsrTimer(): void {
    this.ctx.setTimer(this.o.replicaLagTimeMaxMs / 2, TIMER_ISR);
    const now = this.ctx.now();
    const lag = this.o.replicaLagTimeMaxMs;
    const rf = this.rf;
    for (let i = 0; i < this.n; i++) {
      if (this.role[i] !== 1 || this.isrWriteInFlight[i] === 1) continue;
      const mask = this.isr[i];
      let out = 0;
      for (let j = 0; j < rf; j++) {
        if ((mask & (1 << j)) === 0) continue;
        const h = this.replicaHost(i, j);
        if (h === this.me) continue;
        const slot = i * rf + j;
        const caughtUp = this.followerLeo[slot] >= this.leo[i] ? Math.max(this.lastFetchAt[h], this.lastCaughtUp[slot]) : this.lastCaughtUp[slot];
        if (now - caughtUp > lag) out |= 1 << j;
      }
      if (out !== 0) {
        this.isrShrinks++;
        this.writeIsr(i, mask & ~out);
      }
    }
    // The produce purgatory times out what the producer gave up on (request.timeout.ms).
    for (const [i, list] of Array.from(this.pending.entries())) {
      let k = 0;
      while (k < list.length && now - list[k + 2] > this.o.requestTimeoutMs) {
        this.ctx.observer.rejected(this.parts[i], list[k]);
        k += 3;
      }
      if (k === list.length) this.pending.delete(i);
      else if (k > 0) list.splice(0, k);
    }
  }

  private maybeExpandIsr(i: number, j: number): void {
    if (this.isrWriteInFlight[i] === 1) return;
    this.isrExpands++;
    this.writeIsr(i, this.isr[i] | (1 << j));
  }

  /** Partition.updateIsr: a conditional setData of the state znode, written by the leader itself. */
  private writeIsr(i: number, mask: number): void {
    const p = this.parts[i];
    const c = this.ctx.cluster;
    const data: PartitionStateData = {
      leader: this.me,
      leader_epoch: this.leaderEpoch[i],
      isr: isrIds(c.assignment, p * this.rf, this.rf, mask),
      controller_epoch: this.stateCtrlEpoch[i],
    };
    this.isrWriteInFlight[i] = 1;
    this.isrWriteMask[i] = mask;
    this.isrWriteEpoch[i] = this.leaderEpoch[i];
    this.ctx.zk.setData(statePath(c, p), data, this.zkVersion[i], TAG_ISR + TIMER_SPACE * i);
  }

  onIsrWriteResult(r: ZkResult): void {
    const i = (r.tag - TAG_ISR) / TIMER_SPACE;
    if (i < 0 || i >= this.n || this.isrWriteInFlight[i] === 0) return;
    this.isrWriteInFlight[i] = 0;
    if (this.role[i] !== 1 || this.isrWriteEpoch[i] !== this.leaderEpoch[i]) return;
    if (r.err === "ok") {
      this.isr[i] = this.isrWriteMask[i];
      this.zkVersion[i] = r.stat !== undefined ? r.stat.version : this.zkVersion[i] + 1;
      this.isrChanged.add(this.parts[i]);
      this.lastIsrChangeAt = this.ctx.now();
      this.tryComplete(i);
    } else if (r.err === "BadVersion") {
      this.isrConflicts++;
      if (this.o.isrConflict === "step-down") {
        this.stopLeading(i);
        this.leader[i] = -1;
        this.ctx.observer.stepDown(this.parts[i]);
      }
    }
    // ConnectionLoss / SessionExpired / NoNode: tried again by the next isr-expiration round.
  }

  /** Partitions this broker leads now. */
  leaderPartitionCount(): number {
    let k = 0;
    for (let i = 0; i < this.n; i++) if (this.role[i] === 1) k++;
    return k;
  }
}

const EMPTY_I32 = new Int32Array(0);
/** Granularity of the sweep of held fetches (ms). */
const HOLD_TICK_MS = 50;
const EMPTY_F64 = new Float64Array(0);

export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0xf0f0f0f) * 0x1010101) >>> 24;
}
