/**
 * The broker side: ReplicaManager and Partition (Kafka 2.x, core/src/main/scala/kafka/server/
 * ReplicaManager.scala, cluster/Partition.scala) for every partition this host replicates, in typed
 * arrays indexed by the partition's local position (local-replicas.ts).
 *
 * Rules:
 *  - becomeLeaderOrFollower: a LeaderAndIsr from an older controller epoch is refused
 *    (STALE_CONTROLLER_EPOCH); a partition's state is applied only if its leader epoch is newer than
 *    the one the broker has. Leader -> makeLeader; otherwise makeFollower (truncate, fetch from the
 *    new leader).
 *  - Followers fetch (replica-fetcher.ts); the leader counts a fetched offset only under its
 *    current leader epoch (KIP-320) and answers or holds the fetch (delayed-fetch.ts).
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
 *  - The lab's acknowledgement lease (ackLeaseMs, acks=all only; not Kafka, off by default):
 *    ack-lease.ts and tryComplete.
 *
 * Log offsets count writes: a follower at offset X holds the leader's writes [0, X). A follower
 * that changes leader truncates to "unknown" and catches up in one fetch (no byte-level model).
 * Offsets are kept as int32 (leo, followerLeo, the log's high watermark): one partition's log
 * would need 2^31 writes, each at least one kernel event, to overflow; at 1M partitions a float64
 * column per replica slot was 72 MB of fresh pages a settled start fills.
 */
import type { HostContext, HostId, PartitionId, ZkResult } from "../../src/elector/api.ts";
import { LeaseWait } from "./ack-lease.ts";
import { brokerTables } from "./broker-tables.ts";
import { DelayedFetches } from "./delayed-fetch.ts";
import { IsrChangePropagation } from "./isr-change-notification.ts";
import { findLocal, LEADING, NO_QUERY, NOT_LEADING, type LocalReplicas } from "./local-replicas.ts";
import type { FetchRequest, FetchResponse, LeaderAndIsrRequest, StopReplicaRequest, UpdateMetadataRequest } from "./messages.ts";
import type { KafkaControllerOptions } from "./options.ts";
import { ReplicaFetcher } from "./replica-fetcher.ts";
import { ReplicaLogs } from "./replica-log.ts";
import { TIMER_ISR, TIMER_SPACE } from "./timers.ts";
import { TAG_ISR } from "./zk-pipeline.ts";
import { isrIds, statePath, type PartitionStateData } from "./zk-paths.ts";
import { KRULE } from "./rules.ts";

/** Every partition this host replicates: leader and follower sides, ISR, produce. */
export class ReplicaManager implements LocalReplicas {
  private readonly me: HostId;
  readonly rf: number;
  /** Follower slots per local partition in the leader-side columns: rf - 1 (no slot for itself). */
  readonly fs: number;
  readonly parts: Int32Array;
  private readonly n: number;
  private readonly acksAll: boolean;
  private readonly lease: number;

  // ---- per local partition ----
  /** The leader this broker believes in (itself when leading or about to), -1 none. */
  readonly leader: Int32Array;
  readonly leaderEpoch: Int32Array;
  readonly role: Uint8Array;
  readonly isr: Int32Array;
  readonly zkVersion: Int32Array;
  private readonly stateCtrlEpoch: Int32Array;
  readonly leo: Int32Array;
  readonly log: ReplicaLogs;
  readonly truncating: Uint8Array;
  readonly fetchFrom: Int32Array;
  readonly promiseUntil: Float64Array;
  private readonly isrWriteInFlight: Uint8Array;
  private readonly isrWriteMask: Int32Array;
  private readonly isrWriteEpoch: Int32Array;

  // ---- per local partition x follower (leader side; slot i * fs + the follower's position among the
  // partition's other replicas: this broker's own slot was written and never read, a third of each
  // column, and every page of it fresh at a settled start) ----
  readonly followerLeo: Int32Array;
  readonly followerEpochQuery: Int32Array;
  private readonly lastCaughtUp: Float64Array;

  /** acks=all writes waiting for the ISR: flat (writeId, offset, time) triples per local partition. */
  private readonly pending = new Map<number, number[]>();

  private readonly fetcher: ReplicaFetcher;
  private readonly fetches: DelayedFetches;
  private readonly isrPropagation: IsrChangePropagation;
  private readonly leaseWait: LeaseWait;

  controllerEpoch = -1;
  controllerId = -1;
  liveBrokers: Uint8Array | undefined;

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
    this.fs = this.rf - 1;
    this.parts = c.partitionsOf(ctx.host);
    const n = (this.n = this.parts.length);
    this.acksAll = o.acks === "all";
    this.lease = this.acksAll ? Math.max(0, o.ackLeaseMs) : 0;
    const t = brokerTables(c, ctx.host); // where this broker's per-partition arrays come from
    this.leader = t.i32(n).fill(-1);
    this.leaderEpoch = t.i32(n).fill(-1);
    this.role = t.u8(n);
    this.isr = t.i32(n);
    this.zkVersion = t.i32(n).fill(-1);
    this.stateCtrlEpoch = t.i32(n);
    this.log = new ReplicaLogs(ctx, this.parts, t);
    this.leo = t.i32(n);
    // A restarted broker keeps its logs; new logs are empty, as a new array is zero (not written: fresh pages).
    if (this.log.restored) for (let i = 0; i < n; i++) this.leo[i] = this.log.length(i);
    this.truncating = t.u8(n);
    this.fetchFrom = t.i32(n).fill(-1);
    this.promiseUntil = t.f64(n);
    this.isrWriteInFlight = t.u8(n);
    this.isrWriteMask = t.i32(n);
    this.isrWriteEpoch = t.i32(n);
    this.followerLeo = t.i32(n * this.fs).fill(-1);
    this.followerEpochQuery = t.i32(n * this.fs).fill(NO_QUERY);
    this.lastCaughtUp = t.f64(n * this.fs);
    this.fetcher = new ReplicaFetcher(ctx, o, this, this.lease, t);
    this.fetches = new DelayedFetches(ctx, o, this, t);
    this.isrPropagation = new IsrChangePropagation(ctx);
    this.leaseWait = new LeaseWait(ctx, this, this.lease);
  }

  start(): void {
    this.ctx.setTimer(this.o.replicaLagTimeMaxMs / 2, TIMER_ISR);
    this.isrPropagation.start();
  }

  // ---- timers and fetch messages routed by the broker ----

  onIsrPropagationTimer(): void {
    this.isrPropagation.onTimer();
  }

  onHoldTimer(): void {
    this.fetches.onHoldTimer();
  }

  onFetchTimer(leader: HostId): void {
    this.fetcher.onFetchTimer(leader);
  }

  onFetchResponse(leader: HostId, res: FetchResponse): void {
    this.fetcher.onFetchResponse(leader, res);
  }

  /** Local position of a partition, or -1 if this host does not replicate it. */
  local(p: PartitionId): number {
    return this.ctx.cluster.localIndex(this.ctx.host, p);
  }

  /** local(p), with few cache misses (findLocal). */
  localNear(p: PartitionId, near: number): number {
    return findLocal(this.parts, p, near, this.ctx.cluster.partitions);
  }

  replicaIndex(i: number, host: HostId): number {
    return this.ctx.cluster.replicaIndex(this.parts[i], host);
  }

  private replicaHost(i: number, j: number): HostId {
    return this.ctx.cluster.assignment[this.parts[i] * this.rf + j];
  }

  /**
   * Slot of local partition i's replica j in the leader-side columns; j is never this broker's own
   * index (a follower is another host: a broker never fetches from itself, startFetching's guard).
   */
  private followerSlot(i: number, j: number): number {
    const self = this.replicaIndex(i, this.me);
    return i * this.fs + (j < self ? j : j - 1);
  }

  isLeading(i: number): boolean {
    return this.role[i] === LEADING;
  }

  // ---- control requests ----

  private acceptControllerEpoch(controllerId: HostId, epoch: number): boolean {
    if (epoch < this.controllerEpoch) {
      this.ctx.observer.rule?.(KRULE.staleController);
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
    let near = 0;
    for (let k = 0; k < partitions.length; k++) {
      const i = this.localNear(partitions[k], near);
      if (i < 0) continue;
      near = i + 1;
      this.applyPartitionState(i, leaders[k], leaderEpochs[k], isrs[k], zkVersions[k], stateControllerEpochs[k]);
    }
    this.fetcher.fetchNoted(); // Rule: the batch's new followers start fetching together (addFetcherForPartitions).
  }

  /** One partition of a LeaderAndIsr (Partition.makeLeader / makeFollower), local index i. */
  private applyPartitionState(i: number, leader: HostId, epoch: number, isr: number, zkVersion: number, stateCtrlEpoch: number): void {
    if (epoch <= this.leaderEpoch[i]) {
      this.ctx.observer.rule?.(KRULE.staleLeaderEpoch);
      return; // Rule: only a newer leader epoch is applied.
    }
    this.zkVersion[i] = zkVersion;
    this.isr[i] = isr;
    this.stateCtrlEpoch[i] = stateCtrlEpoch;
    if (leader === this.me) this.makeLeader(i, epoch);
    else this.makeFollower(i, leader, epoch);
  }

  /**
   * Settled start (lab addition, settled.ts): the controller's first UpdateMetadata and LeaderAndIsr
   * (leader epoch 0, state znode version 0), applied without the network. Each local partition in turn
   * goes through applyPartitionState as onLeaderAndIsr's would, without building the request's five
   * arrays per broker: at 1M partitions those were 60 MB of fresh pages written once and read once.
   * `leaders` and `isrs` are per local partition (KafkaSettled's by-host tables).
   */
  settled(controllerId: HostId, controllerEpoch: number, leaders: Int32Array, isrs: Int32Array): void {
    const n = this.n;
    const liveBrokers = new Uint8Array(this.ctx.cluster.brokers).fill(1);
    this.onUpdateMetadata({ type: "kafka.UpdateMetadata", controllerId, controllerEpoch, correlationId: 0, liveBrokers, partitionCount: this.ctx.cluster.partitions });
    if (!this.acceptControllerEpoch(controllerId, controllerEpoch)) return;
    for (let i = 0; i < n; i++) this.applyPartitionState(i, leaders[i], 0, isrs[i], 0, controllerEpoch);
    this.fetcher.fetchNoted();
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
      if (i >= 0 && this.role[i] === NOT_LEADING) this.fetcher.stopFetching(i);
    }
  }

  private makeLeader(i: number, epoch: number): void {
    this.ctx.observer.rule?.(KRULE.makeLeader);
    const p = this.parts[i];
    this.leaderEpoch[i] = epoch;
    if (this.role[i] === LEADING) {
      // Same leader, newer epoch (e.g. the controller removed a dead follower from the ISR).
      this.ctx.observer.lead(p, epoch);
      this.tryComplete(i);
      return;
    }
    this.fetcher.stopFetching(i);
    this.leader[i] = this.me;
    // The lab's lease (opt-in): an old leader may still acknowledge on our fetches until then.
    if (this.leaseWait.readyAt(i) <= this.ctx.now()) this.takeLeadership(i);
    else this.leaseWait.wait(i);
  }

  private takeLeadership(i: number): void {
    this.role[i] = LEADING;
    this.truncating[i] = 0; // a leader's log is the reference: nothing to truncate
    const now = this.ctx.now();
    const base = i * this.fs;
    for (let s = base; s < base + this.fs; s++) {
      this.followerLeo[s] = -1;
      this.followerEpochQuery[s] = NO_QUERY;
      this.lastCaughtUp[s] = now;
    }
    this.ctx.observer.lead(this.parts[i], this.leaderEpoch[i]);
    // A follower's fetch that reached us before we took over was ignored (another epoch, KIP-320):
    // our next answer to each follower asks it to list the partition again (like Kafka's
    // UNKNOWN_LEADER_EPOCH, retried), or it would never report its offset and leave the ISR.
    for (let j = 0, s = base; j < this.rf; j++) {
      const h = this.replicaHost(i, j);
      if (h !== this.me) this.fetches.markHwChanged(h, s++);
    }
    this.tryComplete(i); // an ISR of one commits its whole log at once
  }

  onPromotionTimer(): void {
    this.leaseWait.onTimer((i) => this.takeLeadership(i));
  }

  private makeFollower(i: number, leader: HostId, epoch: number): void {
    this.ctx.observer.rule?.(KRULE.makeFollower);
    const p = this.parts[i];
    if (this.role[i] !== NOT_LEADING) this.stopLeading(i);
    this.leaderEpoch[i] = epoch;
    if (leader !== this.leader[i] || this.fetchFrom[i] !== leader) {
      this.fetcher.stopFetching(i);
      this.leader[i] = leader;
      this.truncating[i] = 1; // truncate by leader epoch before fetching (KIP-101)
      if (leader >= 0 && leader !== this.me) this.fetcher.startFetching(i, leader);
    } else if (leader >= 0) {
      this.fetcher.noteChanged(leader, i); // report our offset under the new epoch (sent at fetchNoted)
    }
    this.ctx.observer.follow(p, leader, epoch);
  }

  /** No longer the leader: writes waiting for the ISR fail (NOT_LEADER_FOR_PARTITION). */
  private stopLeading(i: number): void {
    this.role[i] = NOT_LEADING;
    const list = this.pending.get(i);
    if (list !== undefined) {
      this.pending.delete(i);
      const p = this.parts[i];
      for (let k = 0; k < list.length; k += 3) this.ctx.observer.rejected(p, list[k]);
    }
  }

  // ---- leader: serving fetches ----

  onFetch(follower: HostId, req: FetchRequest): void {
    const now = this.ctx.now();
    this.fetches.fetched(follower, req.answering, this.lease, now);
    for (let k = 0; k < req.forget.length; k++) {
      const i = this.local(req.forget[k]);
      if (i < 0) continue;
      const j = this.replicaIndex(i, follower);
      if (j < 0) continue;
      const slot = this.followerSlot(i, j);
      this.followerLeo[slot] = -1;
      this.followerEpochQuery[slot] = NO_QUERY;
    }
    const { partitions, offsets, epochs, lastEpochs } = req;
    const assignment = this.ctx.cluster.assignment;
    const rf = this.rf;
    const me = this.me;
    let near = 0;
    let question = 0; // position in lastEpochs: one per entry with offset -1
    for (let k = 0; k < partitions.length; k++) {
      const offset = offsets[k];
      const q = question;
      if (offset < 0) question++;
      const p = partitions[k];
      const i = this.localNear(p, near);
      if (i >= 0) near = i + 1;
      // Rule (KIP-320): only entries fetched under our current leader epoch count.
      if (i < 0 || this.role[i] !== LEADING || epochs[k] !== this.leaderEpoch[i]) continue;
      // The follower's replica index j and slot in one pass over the replica list (replicaIndex, then
      // followerSlot's replicaIndex of this broker, read it twice per entry): f counts the other
      // replicas before it.
      let j = 0;
      let f = 0;
      for (const row = p * rf; j < rf; j++) {
        const h = assignment[row + j];
        if (h === follower) break;
        if (h !== me) f++;
      }
      if (j === rf) continue;
      const slot = i * this.fs + f;
      this.followerLeo[slot] = offset;
      if (offset < 0) {
        // Its epoch question (KIP-101): answered with the next response.
        this.followerEpochQuery[slot] = lastEpochs[q];
        this.fetches.markDirty(follower, slot);
        continue;
      }
      this.followerEpochQuery[slot] = NO_QUERY;
      if (offset >= this.leo[i]) {
        this.lastCaughtUp[slot] = now;
        if ((this.isr[i] & (1 << j)) === 0) this.maybeExpandIsr(i, j);
      } else this.fetches.markDirty(follower, slot);
      this.tryComplete(i);
    }
    // The lab's lease: this fetch may have renewed the follower's lease (fetched() above), so writes
    // of partitions it did not list may be acknowledged now. Without a lease, tryComplete of a
    // partition not listed would find its inputs (log end, ISR, follower offsets) unchanged.
    if (this.lease > 0 && this.pending.size > 0) {
      for (const i of Array.from(this.pending.keys())) if (this.replicaIndex(i, follower) >= 0) this.tryComplete(i);
    }
    this.fetches.answerOrHold(follower, now);
  }

  // ---- produce ----

  onWrite(p: PartitionId, writeId: number): void {
    const i = this.local(p);
    const obs = this.ctx.observer;
    if (i < 0 || this.role[i] !== LEADING) {
      obs.rejected(p, writeId); // NOT_LEADER_FOR_PARTITION
      return;
    }
    if (this.acksAll && popcount(this.isr[i]) < this.o.minInsyncReplicas) {
      obs.rejected(p, writeId); // NOT_ENOUGH_REPLICAS
      return;
    }
    const offset = this.leo[i];
    // Followers caught up until now stop being caught up from now on (before the append).
    const base = i * this.fs;
    for (let j = 0, s = base; j < this.rf; j++) {
      const h = this.replicaHost(i, j);
      if (h === this.me) continue;
      if (this.followerLeo[s] >= offset) this.lastCaughtUp[s] = Math.max(this.lastCaughtUp[s], this.fetches.lastFetchAt[h]);
      s++;
    }
    this.log.append(i, writeId, this.leaderEpoch[i]);
    this.leo[i] = offset + 1;
    for (let j = 0, s = base; j < this.rf; j++) {
      const h = this.replicaHost(i, j);
      if (h === this.me) continue;
      this.fetches.markDirty(h, s++);
      this.fetches.wake(h);
    }
    if (!this.acksAll) {
      obs.acknowledged(p, writeId, this.leaderEpoch[i]);
      this.tryComplete(i); // the high watermark
      return;
    }
    let list = this.pending.get(i);
    if (list === undefined) this.pending.set(i, (list = []));
    list.push(writeId, offset, this.ctx.now());
    this.tryComplete(i);
  }

  /**
   * Partition.maybeIncrementLeaderHW and the produce purgatory: the high watermark is the smallest
   * log end among the ISR (never moving back), declared as the commit and sent to the followers;
   * acks=all writes below it are acknowledged (refused if the ISR is now below min.insync.replicas:
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND). With the lab's lease, only fresh followers' offsets count for
   * acknowledgements.
   */
  private tryComplete(i: number): void {
    if (this.role[i] !== LEADING) return;
    // The high watermark never passes the log end: already there and no write waiting, nothing to do
    // (a settled start's every new leader; most fetches of a caught-up follower).
    if (this.pending.size === 0 && this.leo[i] <= this.log.hw(i)) return;
    const now = this.lease === 0 ? 0 : this.ctx.now(); // read only for the lease
    let hw = this.leo[i];
    let ackHw = hw;
    const mask = this.isr[i];
    for (let j = 0, s = i * this.fs; j < this.rf; j++) {
      const h = this.replicaHost(i, j);
      if (h === this.me) continue;
      const slot = s++;
      if ((mask & (1 << j)) === 0) continue;
      const v = this.followerLeo[slot];
      if (v < hw) hw = v;
      const fresh = this.lease === 0 || this.fetches.leaseUntil[h] > now;
      if ((fresh ? v : -1) < ackHw) ackHw = fresh ? v : -1;
    }
    if (hw > this.log.hw(i)) {
      this.log.commit(i, hw);
      for (let j = 0, s = i * this.fs; j < this.rf; j++) {
        const h = this.replicaHost(i, j);
        if (h !== this.me) this.fetches.markHwChanged(h, s++);
      }
    }
    // Most calls find no write waiting (a Map look-up per fetched entry otherwise).
    if (this.pending.size === 0) return;
    const list = this.pending.get(i);
    if (list === undefined) return;
    let k = 0;
    const p = this.parts[i];
    const enough = popcount(mask) >= this.o.minInsyncReplicas;
    while (k < list.length && list[k + 1] < ackHw) {
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
      if (this.role[i] !== LEADING || this.isrWriteInFlight[i] === 1) continue;
      const mask = this.isr[i];
      let out = 0;
      for (let j = 0, s = i * this.fs; j < rf; j++) {
        const h = this.replicaHost(i, j);
        if (h === this.me) continue;
        const slot = s++;
        if ((mask & (1 << j)) === 0) continue;
        const caughtUp = this.followerLeo[slot] >= this.leo[i] ? Math.max(this.fetches.lastFetchAt[h], this.lastCaughtUp[slot]) : this.lastCaughtUp[slot];
        if (now - caughtUp > lag) out |= 1 << j;
      }
      if (out !== 0) {
        this.ctx.observer.rule?.(KRULE.shrinkIsr);
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
    this.ctx.observer.rule?.(KRULE.expandIsr);
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
    if (this.role[i] !== LEADING || this.isrWriteEpoch[i] !== this.leaderEpoch[i]) return;
    if (r.err === "ok") {
      this.isr[i] = this.isrWriteMask[i];
      this.zkVersion[i] = r.stat !== undefined ? r.stat.version : this.zkVersion[i] + 1;
      this.isrPropagation.record(this.parts[i]);
      this.tryComplete(i);
    } else if (r.err === "BadVersion") {
      this.ctx.observer.rule?.(KRULE.isrWriteConflict);
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
    for (let i = 0; i < this.n; i++) if (this.role[i] === LEADING) k++;
    return k;
  }
}

export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0xf0f0f0f) * 0x1010101) >>> 24;
}
