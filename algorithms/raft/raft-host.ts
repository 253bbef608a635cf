/**
 * The Raft host layer: one instance per host serves every group the host replicates. It owns
 * what is not a Raft rule — the one host-level tick (etcd's tick, not a timer per group), the
 * shared deadline wheel that visits only groups whose deadline came due, host-level liveness of
 * peers (for check-quorum and coalesced heartbeats), coalesced heartbeats themselves — and
 * delivers the core's outputs through the HostContext. The rules are in raft-core.ts and
 * replication.ts; README.md explains the design.
 */
import { FsyncOutbox } from "../../src/elector/fsync-outbox.ts";
import { DeadlineWheel, NOWHERE } from "../../src/elector/deadline-wheel.ts";
import type { ElectorInstance, HostContext, HostId, HostRandom, Message, Observer, PartitionId, ZkEvent } from "../../src/elector/api.ts";
import { CoalescedHeartbeats } from "./coalesced-heartbeats.ts";
import { FOLLOWER, GroupLayout, LEADER } from "./layout.ts";
import { COALESCED, COALESCED_RESP, HOST_PING, HOST_PING_BYTES, type HostPing, type RaftMessage } from "./messages.ts";
import type { RaftOptions } from "./options.ts";
import type { RaftPort } from "./port.ts";
import { RaftCore } from "./raft-core.ts";
import type { RaftSettled } from "./settled.ts";

export { CANDIDATE, FOLLOWER, LEADER, PRE_CANDIDATE } from "./layout.ts";

const TICK = 1;
const PING: HostPing = { type: HOST_PING };

// fsync tags (ctx.persist), bits: one fsync per step covers both.
/** Messages held since this fsync was asked for wait for it (term, vote or a follower's log changed). */
const SYNC_MESSAGES = 1;
/** The leader's own appends: it counts itself as storing them once flushed; its messages do not wait. */
const SYNC_LEADER_LOG = 2;

export class RaftHost implements ElectorInstance, RaftPort {
  private readonly layout: GroupLayout;
  private readonly core: RaftCore;
  private readonly wheel: DeadlineWheel;
  private readonly coalesced: CoalescedHeartbeats;
  private readonly coalescing: boolean;

  // ---- host-level liveness, per peer host ----
  /** Last time any message arrived from the host; a host silent for electionTimeoutMin is inactive. */
  private readonly heardFrom: Float64Array;
  private readonly silent: Uint8Array;

  private readonly wheelScratch: Int32Array;

  // ---- quiesce: host-level liveness pings (CockroachDB's node liveness stands behind its quiescence) ----
  private nextPingAt = 0;

  // ---- persist before replying (Figure 2; ctx.persist) ----
  /** Term, vote or a follower's log changed in the current step. */
  private dirty = false;
  /** This host appended entries as a leader in the current step. */
  private leaderAppended = false;
  /** Messages waiting for an fsync, in send order. */
  private readonly outbox: FsyncOutbox;
  private readonly persisting: boolean;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: RaftOptions,
  ) {
    this.outbox = new FsyncOutbox(ctx, false);
    const layout = new GroupLayout(ctx.cluster, ctx.host);
    this.layout = layout;
    this.coalescing = o.coalescedHeartbeats;
    this.core = new RaftCore(layout, this, o, ctx.durable);
    // Slots cover the longest deadline (an election timeout) and a heartbeat, plus rounding.
    const width = Math.ceil((o.electionTimeoutMax + o.heartbeatInterval) / o.tickMs) + 2;
    this.wheel = new DeadlineWheel({
      entries: layout.n,
      resolutionMs: o.tickMs,
      slots: width,
      firstTick: Math.floor(ctx.now() / o.tickMs),
      holdingLists: layout.brokers, // groups parked on the host they follow (coalesced heartbeats)
    });
    this.coalesced = new CoalescedHeartbeats(layout, this.core, this.wheel, this, o, ctx.durable);
    this.heardFrom = new Float64Array(layout.brokers);
    this.silent = new Uint8Array(layout.brokers);
    this.wheelScratch = new Int32Array(layout.n);
    this.persisting = o.persistBeforeReply && ctx.persist !== undefined;
  }

  start(): void {
    const now = this.ctx.now();
    this.coalesced.start(now);
    this.heardFrom.fill(now);
    this.core.start(now);
    this.ctx.setTimer(this.o.tickMs, TICK);
    this.endStep();
  }

  /** Settled start (lab addition, settled.ts): as a quiet start leaves this host. */
  startSettled(settled: unknown): void {
    const s = settled as RaftSettled;
    const now = this.ctx.now();
    this.coalesced.start(now);
    this.heardFrom.fill(now);
    const leaders = s.leadersByHost[this.layout.self];
    this.core.startSettled(now, leaders, s.termsByHost[this.layout.self]);
    this.coalesced.settled(leaders);
    this.ctx.setTimer(this.o.tickMs, TICK);
    this.endStep();
  }

  onZk(_event: ZkEvent): void {}

  // ---- time: one tick per host ----

  onTimer(tag: number): void {
    if (tag !== TICK) return;
    const now = this.ctx.now();
    this.peerTick(now);
    this.wheelTick(now);
    this.ctx.setTimer(this.o.tickMs, TICK);
    this.endStep();
  }

  /** Host-level liveness: a peer silent for a minimum election timeout is inactive (check-quorum, parked groups). */
  private peerTick(now: number): void {
    const min = this.o.electionTimeoutMin;
    for (let h = 0; h < this.layout.brokers; h++) {
      if (h === this.layout.self) continue;
      if (this.silent[h] === 0 && now - this.heardFrom[h] >= min) {
        this.silent[h] = 1;
        if (this.o.checkQuorum) this.checkQuorumWith(h);
        if (this.o.quiesce) this.core.hostSilent(h, now);
      }
      if (this.coalescing) this.coalesced.wakeParked(h, now);
    }
    if (this.coalescing) this.coalesced.beat(now);
    if (this.o.quiesce && now >= this.nextPingAt) {
      this.nextPingAt = now + this.o.heartbeatInterval;
      for (let h = 0; h < this.layout.brokers; h++) if (h !== this.layout.self) this.ctx.send(h, PING, HOST_PING_BYTES);
    }
  }

  /** Visits only the groups whose wheel slot came due; fires those whose exact deadline passed. */
  private wheelTick(now: number): void {
    const wheel = this.wheel;
    const core = this.core;
    const cur = wheel.tickOf(now);
    wheel.catchUp(cur); // a paused host: every slot once
    const scratch = this.wheelScratch;
    while (wheel.doneTick < cur) {
      const count = wheel.drainNextSlot(scratch);
      for (let i = 0; i < count; i++) {
        const g = scratch[i];
        if (core.deadline[g] > now) wheel.visitBy(g, core.deadline[g]);
        else if (!(this.coalescing && core.role[g] === FOLLOWER && this.coalesced.keepsAlive(g, now))) core.onDeadline(g, now);
      }
    }
  }

  /** `h` has been silent for an election timeout: leaders that no longer hear from a majority step down. */
  private checkQuorumWith(h: HostId): void {
    const core = this.core;
    for (let g = 0; g < this.layout.n; g++) {
      if (core.role[g] === LEADER && this.layout.replicaIndex(g, h) >= 0) core.checkQuorum(g);
    }
  }

  private heard(from: HostId): void {
    this.heardFrom[from] = this.ctx.now();
    if (this.silent[from] === 1) {
      this.silent[from] = 0;
      if (this.coalescing) this.peerRevived(from);
      if (this.o.quiesce) this.core.hostBack(from, this.ctx.now());
    }
  }

  /** Coalesced: a host we had given up on answers again; resume announcing and retransmitting to it. */
  private peerRevived(h: HostId): void {
    const now = this.ctx.now();
    const core = this.core;
    for (let g = 0; g < this.layout.n; g++) {
      if (core.role[g] !== LEADER) continue;
      const j = this.layout.replicaIndex(g, h);
      if (j < 0) continue;
      if (core.replication.lagging(g, j) || (core.answered[g] & (1 << j)) === 0) {
        core.deadline[g] = now;
        this.wheel.ensureBy(g, now);
      }
    }
  }

  // ---- messages and writes ----

  onMessage(from: HostId, message: Message): void {
    if (from < 0 || from >= this.layout.brokers || from === this.layout.self) return;
    this.heard(from);
    const m = message as RaftMessage;
    if (m.type === COALESCED) this.coalesced.onHeartbeat(from, m);
    else if (m.type === COALESCED_RESP) this.coalesced.onResponse(from, m);
    else if (m.type !== HOST_PING) this.core.step(from, m);
    this.endStep();
  }

  onWrite(p: PartitionId, writeId: number): void {
    this.core.write(p, writeId);
    this.endStep();
  }

  /**
   * End of a step (etcd's Ready): if term, vote or log changed, ask for one fsync and hold this
   * step's messages (and any later ones) until it completes; otherwise send what waits, unless an
   * earlier fsync is still pending (nothing overtakes state that is not yet durable). No time
   * passes within a step, so sending at its end is sending when the rule produced the message.
   */
  private endStep(): void {
    if (!this.persisting) return;
    let tag = 0;
    if (this.outbox.endOfStep(this.dirty)) tag |= SYNC_MESSAGES;
    this.dirty = false;
    if (this.leaderAppended) {
      this.leaderAppended = false;
      this.core.replication.flushRequested();
      tag |= SYNC_LEADER_LOG;
    }
    if (tag !== 0) this.ctx.persist!(tag);
  }

  /**
   * An fsync completed (FIFO per host): send the messages it covered (everything, if it was the
   * last holding any), then let the leader count the entries it flushed.
   */
  onPersisted(tag: number): void {
    if ((tag & SYNC_MESSAGES) !== 0) this.outbox.synced();
    if ((tag & SYNC_LEADER_LOG) !== 0) {
      this.core.leaderLogFlushed();
      this.endStep();
    }
  }

  // ---- RaftPort: the core's outputs and questions ----

  now(): number {
    return this.ctx.now();
  }

  get random(): HostRandom {
    return this.ctx.random;
  }

  get observer(): Observer {
    return this.ctx.observer;
  }

  send(to: HostId, message: Message, bytes: number): void {
    if (!this.persisting) {
      this.ctx.send(to, message, bytes);
      return;
    }
    this.outbox.hold(to, message, bytes);
  }

  durableChanged(): void {
    this.dirty = true;
  }

  leaderLogged(): boolean {
    if (!this.persisting) return false;
    this.leaderAppended = true;
    return true;
  }

  deadlineEarlier(g: number): void {
    if (this.wheel.heldIn(g) < 0) this.wheel.ensureBy(g, this.core.deadline[g]);
  }

  deadlineSet(g: number): void {
    if (this.wheel.where[g] === NOWHERE) this.wheel.visitBy(g, this.core.deadline[g]);
  }

  waitsNowhere(g: number): boolean {
    return this.wheel.where[g] === NOWHERE;
  }

  leaderChanged(g: number): void {
    this.coalesced.leaderChanged(g);
  }

  leaderAsserted(g: number, gen: number): void {
    this.coalesced.leaderAsserted(g, gen);
  }

  generationTowards(h: HostId): number {
    return this.coalescing ? this.coalesced.outGen[h] : 0;
  }

  peerSilent(h: HostId): boolean {
    return this.silent[h] === 1;
  }

  leaderHostHeardSince(g: number, l: HostId, since: number): boolean {
    return this.coalesced.heardSince(g, l, since);
  }

  termRaised(g: number): void {
    this.coalesced.termRaised(g);
  }

  leadershipStarted(g: number): void {
    this.coalesced.leadershipStarted(g);
  }

  leadershipEnded(g: number): void {
    this.coalesced.leadershipEnded(g);
  }

  // ---- introspection for tests (not used by the lab) ----

  /** The write ids in partition p's log on this host, in log order. */
  logOf(p: PartitionId): readonly number[] {
    const g = this.layout.local(p);
    return g < 0 ? [] : this.core.replication.writeIdsOf(g);
  }

  /** Role, term, vote and known leader of partition p on this host (undefined if not a replica). */
  inspect(p: PartitionId): { role: number; term: number; votedFor: number; leader: number; lastIndex: number } | undefined {
    const g = this.layout.local(p);
    if (g < 0) return undefined;
    const c = this.core;
    return { role: c.role[g], term: c.term[g], votedFor: c.votedFor[g], leader: c.leader[g], lastIndex: c.replication.lastIndex(g) };
  }
}
