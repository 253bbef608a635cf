/**
 * One broker running the naive race for every partition it replicates: the ZooKeeper znode race
 * (this file), replication (replication.ts) and, with fencing, the check before each
 * acknowledgement (fence.ts). Sources and the design: README.md beside this file.
 *
 * Per partition p the leader znode is /leaders/<p>, holding {leader: host}. Epoch = the znode's
 * creation zxid (czxid): unique per successful create, so two leaders never share one.
 */
import type { ElectorInstance, HostContext, HostId, Message, PartitionId, ZkEvent, ZkResult } from "../../src/elector/api.ts";
import { Fence, OP_FENCE } from "./fence.ts";
import type { NaiveRaceOptions } from "./options.ts";
import type { NaiveRaceSettled } from "./settled.ts";
import { Replication, type ElectionView, type FetchRequest, type FetchResponse } from "./replication.ts";
import { NRULE } from "./rules.ts";

// Request tags: partition * 8 + operation (ROOT uses partition -1 -> negative tags).
const OP_READ = 0; // getData(watch) of the leader znode
const OP_EXISTS = 1; // exists(watch) when the znode is missing
const OP_CREATE = 2; // the race
// OP_FENCE = 3 (fence.ts): multi([check]) before acknowledging, with fencing
const ROOT_TAG = -1;
const TIMER_FETCH = 1;

export const ROOT = "/leaders";

export class NaiveRaceHost implements ElectorInstance, ElectionView {
  private readonly partitions: Int32Array;
  /**
   * Per local partition: the leader we believe in (-1 none), its epoch (both made by start, or
   * taken from the settled state by startSettled), whether we lead.
   */
  private leader: Int32Array = new Int32Array(0);
  private epoch: Float64Array = new Float64Array(0);
  private readonly leading: Uint8Array;
  /** Leading but stood down while Disconnected (step-down variant). */
  private readonly suspended: Uint8Array;
  /** Last fetch response heard from each leader host, and how many of our partitions each one leads. */
  private readonly lastHeardFrom: Float64Array;
  private readonly followCount: Int32Array;
  private session = 0;
  private readonly replication: Replication;
  private readonly fence: Fence | null;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: NaiveRaceOptions,
  ) {
    this.partitions = ctx.cluster.partitionsOf(ctx.host);
    const n = this.partitions.length;
    this.leading = new Uint8Array(n);
    this.suspended = new Uint8Array(n);
    this.lastHeardFrom = new Float64Array(ctx.cluster.brokers).fill(-Infinity);
    this.followCount = new Int32Array(ctx.cluster.brokers);
    this.replication = new Replication(ctx, o, this.partitions, this);
    this.fence = o.fencing ? new Fence(ctx, this) : null;
  }

  start(): void {
    this.leader = new Int32Array(this.partitions.length).fill(-1);
    this.epoch = new Float64Array(this.partitions.length).fill(-1);
    this.ctx.zk.connect(this.o.sessionTimeoutMs);
    this.ctx.setTimer(this.o.fetchIntervalMs, TIMER_FETCH);
  }

  /** Settled start (lab addition, settled.ts): lead or follow as the quiet start left each partition. */
  startSettled(settled: unknown): void {
    const { leadersByHost, firstEpoch } = settled as NaiveRaceSettled;
    const host = this.ctx.host;
    const leaders = leadersByHost[host];
    const partitions = this.partitions;
    this.session = this.ctx.zk.sessionId;
    // Every replica believes in its partition's settled leader and epoch, leader or not: written
    // straight into this host's arrays, so setLeader's change from no leader is counted directly
    // (startFollowing) rather than through arrays filled with -1 first. `leaders` is this host's
    // (in the order of its partitions); the epochs are computed.
    const leader = new Int32Array(partitions.length);
    const epoch = new Float64Array(partitions.length);
    this.leader = leader;
    this.epoch = epoch;
    for (let i = 0; i < partitions.length; i++) {
      const p = partitions[i];
      const l = leaders[i];
      const e = firstEpoch + p;
      leader[i] = l;
      epoch[i] = e;
      if (l === host) this.becomeLeader(i, e);
      else {
        this.startFollowing(l, -1);
        this.ctx.observer.follow(p, l, e);
      }
    }
    this.ctx.setTimer(this.o.fetchIntervalMs, TIMER_FETCH);
  }

  // ---- what replication and the fence see ----

  leaderOf(i: number): HostId {
    return this.leader[i];
  }

  epochOf(i: number): number {
    return this.epoch[i];
  }

  isLeading(i: number): boolean {
    return this.leading[i] === 1;
  }

  acknowledge(i: number, writeIds: number[]): void {
    if (this.fence !== null) {
      this.fence.request(i, writeIds);
      return;
    }
    for (const w of writeIds) this.ctx.observer.acknowledged(this.partitions[i], w, this.epoch[i]);
  }

  path(i: number): string {
    return `${ROOT}/${this.partitions[i]}`;
  }

  partitionAt(i: number): PartitionId {
    return this.partitions[i];
  }

  private local(p: PartitionId): number {
    return this.ctx.cluster.localIndex(this.ctx.host, p);
  }

  // ---- ZooKeeper ----

  onZk(event: ZkEvent): void {
    if (event.kind === "session") {
      if (event.state === "connected") this.onConnected(event.sessionId);
      else if (event.state === "disconnected") this.onDisconnected();
      else this.onExpired();
      return;
    }
    if (event.kind === "watch") {
      const i = this.localOfPath(event.path);
      if (i < 0) return;
      if (event.type === "deleted") this.onLeaderGone(i);
      else this.read(i);
      return;
    }
    this.onResult(event);
  }

  private onConnected(sessionId: number): void {
    if (sessionId === this.session) {
      // Reconnected within the session: our znodes survived, and so did the watches the client held
      // (SetWatches); reads lost to ConnectionLoss were re-issued when they failed. Re-assert what we lead.
      for (let i = 0; i < this.partitions.length; i++) if (this.suspended[i] === 1) this.read(i);
      return;
    }
    this.session = sessionId;
    this.ctx.zk.create(ROOT, null, "persistent", ROOT_TAG);
    for (let i = 0; i < this.partitions.length; i++) this.read(i);
  }

  private onDisconnected(): void {
    if (this.o.onDisconnected !== "step-down") return; // naive code carries on until Expired
    for (let i = 0; i < this.partitions.length; i++) {
      if (this.leading[i] === 1) {
        this.ctx.observer.rule?.(NRULE.disconnectedStepDown);
        this.stopLeading(i);
        this.suspended[i] = 1;
        this.setLeader(i, -1, -1);
        this.ctx.observer.stepDown(this.partitions[i]);
      }
    }
  }

  private onExpired(): void {
    // The session and its ephemerals are gone for good: whatever we led, we no longer lead.
    this.ctx.observer.rule?.(NRULE.sessionExpired);
    for (let i = 0; i < this.partitions.length; i++) {
      this.suspended[i] = 0;
      if (this.leading[i] === 1) {
        this.stopLeading(i);
        this.setLeader(i, -1, -1);
        this.ctx.observer.stepDown(this.partitions[i]);
      }
    }
    this.ctx.zk.connect(this.o.sessionTimeoutMs);
  }

  private read(i: number): void {
    this.ctx.zk.getData(this.path(i), true, this.partitions[i] * 8 + OP_READ);
  }

  private isCandidate(i: number): boolean {
    if (this.o.candidates === "all") return true;
    const l = this.leader[i];
    // A replica with no leader to lag behind (start-up) counts as in sync, as every new replica does.
    return l < 0 || l === this.ctx.host || this.ctx.now() - this.lastHeardFrom[l] <= this.o.replicaLagTimeMaxMs;
  }

  /** The leader znode was deleted: in-sync replicas race to create it. */
  private onLeaderGone(i: number): void {
    const wasInSync = this.isCandidate(i);
    this.ctx.observer.rule?.(wasInSync ? NRULE.leaderGone : NRULE.notInSync);
    if (this.leading[i] === 1) {
      this.stopLeading(i);
      this.ctx.observer.stepDown(this.partitions[i]);
    }
    this.setLeader(i, -1, -1);
    this.ctx.observer.follow(this.partitions[i], -1, -1);
    if (wasInSync) this.race(i);
    else this.read(i);
  }

  private race(i: number): void {
    this.ctx.observer.rule?.(NRULE.race);
    this.ctx.observer.campaign(this.partitions[i]);
    this.ctx.zk.create(this.path(i), { leader: this.ctx.host }, "ephemeral", this.partitions[i] * 8 + OP_CREATE);
  }

  private onResult(r: ZkResult): void {
    if (r.tag === ROOT_TAG) return; // NodeExists is fine: another broker made it
    const p = Math.floor(r.tag / 8);
    const op = r.tag - p * 8;
    const i = this.local(p);
    if (i < 0) return;
    if (op === OP_FENCE) {
      this.fence?.checked(i, r);
      return;
    }
    if (r.err === "ConnectionLoss") {
      // The request may or may not have run, and a watch it asked for is not held (the client
      // registers a watch only on a reply; the server drops the old connection's watches). Re-issue
      // at once: ClientCnxn holds a request made while disconnected and sends it after SetWatches
      // once reconnected, which is re-syncing on Reconnected as Curator's recipes do (Kafka's
      // ZooKeeperClient likewise retries ConnectionLoss requests until connected). A lost create
      // is re-read, not re-sent: getData tells whether our create landed (the znode names us and
      // our session) and re-arms the watch either way.
      this.ctx.observer.rule?.(NRULE.connectionLost);
      this.read(i);
      return;
    }
    if (r.err === "SessionExpired") return; // onExpired starts a new session and re-reads all
    switch (op) {
      case OP_CREATE:
        this.ctx.observer.rule?.(r.err === "ok" ? NRULE.wonRace : NRULE.lostRace);
        if (r.err === "ok") this.becomeLeader(i, r.zxid);
        else this.read(i); // lost the race (NodeExists) or the parent vanished: learn who won, re-watch
        return;
      case OP_READ:
        if (r.err === "NoNode") {
          // getData sets no watch on a missing node; exists does.
          this.ctx.zk.exists(this.path(i), true, p * 8 + OP_EXISTS);
        } else if (r.err === "ok" && r.stat !== undefined) {
          this.learn(i, r);
        }
        return;
      case OP_EXISTS:
        if (r.err === "ok" && r.stat === undefined) {
          if (this.isCandidate(i)) this.race(i);
        } else if (r.err === "ok") {
          this.read(i); // created meanwhile: read who leads
        } else if (r.err === "NoNode") {
          if (this.isCandidate(i)) this.race(i);
        }
        return;
    }
  }

  /** getData answered: the znode names the leader. */
  private learn(i: number, r: ZkResult): void {
    const stat = r.stat!;
    const owner = (r.data as { leader: number } | null)?.leader ?? -1;
    if (owner === this.ctx.host && stat.ephemeralOwner === this.session) {
      if (this.leading[i] === 0 || this.epoch[i] !== stat.czxid) {
        this.ctx.observer.rule?.(NRULE.learnOwnZnode);
        this.becomeLeader(i, stat.czxid);
      }
      return;
    }
    this.ctx.observer.rule?.(owner === this.ctx.host ? NRULE.ownOldZnode : NRULE.learnLeader);
    if (this.leading[i] === 1) {
      this.stopLeading(i);
      this.ctx.observer.stepDown(this.partitions[i]);
    }
    this.suspended[i] = 0;
    // A znode left by our own previous incarnation names us but is not ours: follow nobody until it expires.
    const leader = owner === this.ctx.host ? -1 : owner;
    this.setLeader(i, leader, stat.czxid);
    this.ctx.observer.follow(this.partitions[i], leader, stat.czxid);
  }

  private becomeLeader(i: number, czxid: number): void {
    this.leading[i] = 1;
    this.suspended[i] = 0;
    this.setLeader(i, this.ctx.host, czxid);
    this.replication.leadershipChanged(i);
    this.fence?.leadershipChanged(i);
    this.ctx.observer.lead(this.partitions[i], czxid);
  }

  private stopLeading(i: number): void {
    this.leading[i] = 0;
    this.replication.leadershipChanged(i);
    this.fence?.leadershipChanged(i);
  }

  private setLeader(i: number, leader: HostId, epoch: number): void {
    const old = this.leader[i];
    if (old >= 0 && old !== this.ctx.host) this.followCount[old]--;
    this.startFollowing(leader, old);
    this.leader[i] = leader;
    this.epoch[i] = epoch;
  }

  /** `leader` (none: -1; this host: nothing to follow) replaces `old` as a partition's leader. */
  private startFollowing(leader: HostId, old: HostId): void {
    if (leader < 0 || leader === this.ctx.host) return;
    this.followCount[leader]++;
    // A new leader to fetch from: count as caught up from now (Kafka adds a new follower to the ISR once it fetches).
    if (old !== leader) this.lastHeardFrom[leader] = Math.max(this.lastHeardFrom[leader], this.ctx.now());
  }

  private localOfPath(path: string): number {
    return this.local(Number(path.slice(ROOT.length + 1)));
  }

  // ---- writes ----

  onWrite(partition: PartitionId, writeId: number): void {
    const i = this.local(partition);
    if (i < 0 || this.leading[i] === 0) {
      this.ctx.observer.rejected(partition, writeId); // not appended anywhere: definitely not written
      return;
    }
    this.replication.write(i, writeId);
  }

  // ---- replication: one fetch per (follower, leader host) pair each interval ----

  onTimer(tag: number): void {
    if (tag !== TIMER_FETCH) return;
    for (let h = 0; h < this.followCount.length; h++) {
      if (this.followCount[h] > 0) {
        const request = this.replication.fetchFor(h);
        this.ctx.sendStream(h, request, this.replication.fetchBytes(request));
      }
    }
    this.replication.tick();
    this.ctx.setTimer(this.o.fetchIntervalMs, TIMER_FETCH);
  }

  onMessage(from: HostId, message: Message): void {
    if (message.type === "naive.Fetch") {
      const response = this.replication.onFetch(from, message as FetchRequest);
      this.ctx.sendStream(from, response, this.replication.responseBytes(response));
    } else if (message.type === "naive.FetchResponse") {
      this.lastHeardFrom[from] = this.ctx.now();
      this.replication.onFetchResponse(from, message as FetchResponse);
    }
  }
}
