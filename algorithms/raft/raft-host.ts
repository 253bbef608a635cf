/**
 * One host's Raft: every consensus group (partition) the host replicates, as one plain state
 * machine in the shape of etcd-io/raft's raft.go (Step on messages, tick on time, become*), with
 * per-group state in typed arrays indexed by the host's local group index.
 *
 * Rules are named where they are applied: "§" numbers refer to the Raft paper (Ongaro and
 * Ousterhout, 2014) unless marked "thesis" (Ongaro's dissertation, 2014). See SOURCES.md and
 * README.md for the design (deadline wheel, coalesced heartbeats) and what is simplified.
 */
import type { ElectorInstance, HostContext, HostId, Message, PartitionId, ZkEvent } from "../../src/elector/api.ts";
import { DeadlineWheel, NOWHERE } from "../../src/elector/deadline-wheel.ts";
import {
  APPEND,
  APPEND_BYTES,
  APPEND_RESP,
  APPEND_RESP_BYTES,
  COALESCED,
  COALESCED_BYTES,
  COALESCED_ENTRY_BYTES,
  COALESCED_RESP,
  COALESCED_RESP_BYTES,
  ENTRY_BYTES,
  HEARTBEAT,
  HEARTBEAT_BYTES,
  HEARTBEAT_RESP,
  HEARTBEAT_RESP_BYTES,
  PRE_VOTE,
  PRE_VOTE_RESP,
  RV,
  RV_RESP,
  VOTE_BYTES,
  VOTE_RESP_BYTES,
  type AppendEntries,
  type AppendEntriesResponse,
  type CoalescedHeartbeat,
  type CoalescedHeartbeatResponse,
  type Heartbeat,
  type HeartbeatResponse,
  type RaftMessage,
  type VoteRequest,
  type VoteResponse,
} from "./messages.ts";
import type { RaftOptions } from "./options.ts";

export const FOLLOWER = 0;
export const PRE_CANDIDATE = 1;
export const CANDIDATE = 2;
export const LEADER = 3;

const TICK = 1;
/** A leaderGen that matches no generation (inGen starts at -1, generations at 1). */
const NO_GEN = -2;
/** Entries per AppendEntries (etcd's MaxSizePerMsg, in entries). */
const MAX_ENTRIES = 64;

/** A group's log (durable). Entry i (1-based) is terms[i-1], writeIds[i-1]; no payload. */
interface GroupLog {
  readonly terms: number[];
  readonly writeIds: number[];
}

/** A leader's replication progress (volatile), indexed by replica index; exists once its log is non-empty. */
interface Progress {
  readonly next: Int32Array;
  readonly match: Int32Array;
  /** Latest send time of ours each follower answered as our follower (lease, check-quorum only). */
  readonly echo: Float64Array;
  /** Raft's commit index (§5.3). */
  commit: number;
  /** Entries up to here were acknowledged (or are not ours to acknowledge). */
  acked: number;
}

function durable<T>(ctx: HostContext, key: string, make: () => T): T {
  let value = ctx.durable.get<T>(key);
  if (value === undefined) {
    value = make();
    ctx.durable.set(key, value);
  }
  return value;
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v !== 0; v &= v - 1) c++;
  return c;
}

export class RaftHost implements ElectorInstance {
  private readonly self: HostId;
  private readonly brokers: number;
  private readonly rf: number;
  private readonly majority: number;
  private readonly assignment: Int32Array;
  /** Partitions this host replicates, ascending; the local group index is the position here. */
  private readonly parts: Int32Array;
  private readonly n: number;
  /** This host's replica index in each group. */
  private readonly selfIdx: Uint8Array;
  private readonly coalesced: boolean;

  // ---- durable (Figure 2 "persistent state on all servers"): survive crash and restart ----
  private readonly term: Int32Array;
  /** Host voted for in the current term, -1 none. */
  private readonly votedFor: Int32Array;
  private readonly logs: Map<number, GroupLog>;
  /** Leadership generation towards each peer host (coalesced heartbeats); bumped on every step-down and restart. */
  private readonly outGen: Int32Array;

  // ---- volatile, per group ----
  private readonly role: Uint8Array;
  /** Known leader of the current term (self when leading), -1 none. */
  private readonly leader: Int32Array;
  /** Leader's generation towards us when it last asserted leadership of the group (coalesced). */
  private readonly leaderGen: Int32Array;
  /** Randomized election timeout, drawn anew at every reset (§5.2). */
  private readonly timeout: Float32Array;
  /**
   * Follower: last leader contact (or vote granted) + timeout. Candidate: end of the round.
   * Leader: next heartbeat / retransmission.
   */
  private readonly deadline: Float64Array;
  /** Candidate: replicas that granted the vote. Leader: replicas that answered in this term. Bit = replica index. */
  private readonly votes: Int32Array;
  private readonly wheel: DeadlineWheel;
  private readonly progress = new Map<number, Progress>();

  // ---- volatile, per peer host ----
  /** Last time any message arrived from the host; a host silent for electionTimeoutMin is inactive. */
  private readonly heardFrom: Float64Array;
  private readonly silent: Uint8Array;
  /** Groups this host leads that the peer replicates. */
  private readonly ledWith: Int32Array;
  /** The peer's last acknowledged generation of ours (coalesced). */
  private readonly ackedGen: Int32Array;
  /** The peer's generation towards us that we hold, and when its last coalesced heartbeat at it arrived. */
  private readonly inGen: Int32Array;
  private readonly hbAt: Float64Array;

  private readonly wheelScratch: Int32Array;
  private readonly parkScratch: Int32Array;
  private readonly matchScratch: Float64Array;
  private nextBeatAt = 0;
  private bootAt = 0;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: RaftOptions,
  ) {
    const cluster = ctx.cluster;
    this.self = ctx.host;
    this.brokers = cluster.brokers;
    this.rf = cluster.replicationFactor;
    if (this.rf > 30) throw new Error("raft: replication factor above 30 is not supported");
    this.majority = (this.rf >> 1) + 1;
    this.assignment = cluster.assignment;
    this.parts = cluster.partitionsOf(this.self);
    const n = this.parts.length;
    this.n = n;
    this.coalesced = o.coalescedHeartbeats;

    this.selfIdx = new Uint8Array(n);
    for (let g = 0; g < n; g++) this.selfIdx[g] = this.replicaIndex(g, this.self);

    this.term = durable(ctx, "raft.term", () => new Int32Array(n));
    this.votedFor = durable(ctx, "raft.votedFor", () => new Int32Array(n).fill(-1));
    this.logs = durable(ctx, "raft.log", () => new Map<number, GroupLog>());
    this.outGen = durable(ctx, "raft.gen", () => new Int32Array(this.brokers));

    this.role = new Uint8Array(n);
    this.leader = new Int32Array(n).fill(-1);
    this.leaderGen = new Int32Array(this.coalesced ? n : 0).fill(NO_GEN);
    this.timeout = new Float32Array(n);
    this.deadline = new Float64Array(n);
    this.votes = new Int32Array(n);
    const width = Math.ceil((o.electionTimeoutMax + o.heartbeatInterval) / o.tickMs) + 2;
    this.wheel = new DeadlineWheel({
      entries: n,
      resolutionMs: o.tickMs,
      slots: width,
      firstTick: Math.floor(ctx.now() / o.tickMs),
      holdingLists: this.brokers, // groups parked on the host they follow (coalesced heartbeats)
    });

    this.heardFrom = new Float64Array(this.brokers);
    this.silent = new Uint8Array(this.brokers);
    this.ledWith = new Int32Array(this.brokers);
    this.ackedGen = new Int32Array(this.brokers).fill(-1);
    this.inGen = new Int32Array(this.brokers).fill(-1);
    this.hbAt = new Float64Array(this.brokers).fill(-Infinity);

    this.wheelScratch = new Int32Array(n);
    this.parkScratch = new Int32Array(this.coalesced ? n : 0);
    this.matchScratch = new Float64Array(this.rf);
  }

  start(): void {
    const now = this.ctx.now();
    this.bootAt = now;
    // A (re)started host leads nothing: every peer's view of our leadership is out of date.
    for (let h = 0; h < this.brokers; h++) this.outGen[h]++;
    this.heardFrom.fill(now);
    for (let g = 0; g < this.n; g++) {
      this.timeout[g] = this.drawTimeout();
      this.deadline[g] = now + this.timeout[g];
      this.wheel.visitBy(g, this.deadline[g]);
    }
    this.nextBeatAt = now + this.o.heartbeatInterval;
    this.ctx.setTimer(this.o.tickMs, TICK);
  }

  onZk(_event: ZkEvent): void {}

  // ======================================================================================
  // Time: one host-level tick drives every group (etcd's tick, not a timer per group).
  // ======================================================================================

  onTimer(tag: number): void {
    if (tag !== TICK) return;
    const now = this.ctx.now();
    this.peerTick(now);
    this.wheelTick(now);
    this.ctx.setTimer(this.o.tickMs, TICK);
  }

  private peerTick(now: number): void {
    const min = this.o.electionTimeoutMin;
    for (let h = 0; h < this.brokers; h++) {
      if (h === this.self) continue;
      if (this.silent[h] === 0 && now - this.heardFrom[h] >= min) {
        this.silent[h] = 1;
        if (this.o.checkQuorum) this.checkQuorumWith(h);
      }
      if (this.coalesced && this.wheel.heldCount[h] > 0 && now - this.hbAt[h] >= min) this.wakeParked(h);
    }
    if (this.coalesced && now >= this.nextBeatAt) {
      this.sendCoalesced();
      this.nextBeatAt += this.o.heartbeatInterval;
      if (this.nextBeatAt <= now) this.nextBeatAt = now + this.o.heartbeatInterval;
    }
  }

  /** Visits only the groups whose wheel bucket came due. */
  private wheelTick(now: number): void {
    const wheel = this.wheel;
    const cur = wheel.tickOf(now);
    wheel.catchUp(cur); // a paused host: every slot once
    const scratch = this.wheelScratch;
    while (wheel.doneTick < cur) {
      const count = wheel.drainNextSlot(scratch);
      for (let i = 0; i < count; i++) {
        const g = scratch[i];
        if (this.deadline[g] <= now) this.fire(g, now);
        else wheel.visitBy(g, this.deadline[g]);
      }
    }
  }

  private fire(g: number, now: number): void {
    const role = this.role[g];
    if (role === LEADER) {
      this.fireLeader(g, now);
      return;
    }
    if (role === FOLLOWER && this.coalesced) {
      // The leader may be alive through the host-level heartbeat alone.
      const l = this.leader[g];
      if (l >= 0 && this.leaderGen[g] === this.inGen[l]) {
        if (this.hbAt[l] + this.o.electionTimeoutMin > now) {
          this.wheel.hold(g, l);
          return;
        }
        const heard = this.hbAt[l] + this.timeout[g];
        if (heard > now) {
          this.deadline[g] = heard;
          this.wheel.visitBy(g, heard);
          return;
        }
      }
    }
    // §5.2: election timeout elapsed without hearing from a leader (or granting a vote): campaign.
    // A candidate whose round timed out starts a new one (split vote).
    if (this.o.preVote) this.becomePreCandidate(g, now);
    else this.becomeCandidate(g, now);
  }

  // ======================================================================================
  // Roles (etcd's become*)
  // ======================================================================================

  /** §5.1: on a higher term (or a leader of our term) revert to follower; `l` is the leader if known. */
  private becomeFollower(g: number, t: number, l: HostId): void {
    const now = this.ctx.now();
    if (this.role[g] === LEADER) this.leaderStepDown(g);
    const termChanged = t > this.term[g];
    if (termChanged) {
      this.term[g] = t;
      this.votedFor[g] = -1;
    }
    this.role[g] = FOLLOWER;
    this.votes[g] = 0;
    this.timeout[g] = this.drawTimeout();
    const old = this.leader[g];
    if (old !== l || termChanged) {
      this.leader[g] = l;
      if (this.coalesced) this.leaderGen[g] = NO_GEN;
      if (this.wheel.heldIn(g) >= 0) this.wheel.unlink(g);
      if (l >= 0) this.ctx.observer.follow(this.parts[g], l, t);
      else if (old >= 0) this.ctx.observer.follow(this.parts[g], -1, -1);
    }
    this.deadline[g] = now + this.timeout[g];
    if (this.wheel.heldIn(g) < 0) this.wheel.ensureBy(g, this.deadline[g]);
  }

  private clearLeader(g: number): void {
    const old = this.leader[g];
    if (old < 0) return;
    this.leader[g] = -1;
    if (this.coalesced) this.leaderGen[g] = NO_GEN;
    if (this.wheel.heldIn(g) >= 0) this.wheel.unlink(g);
    if (old !== this.self) this.ctx.observer.follow(this.parts[g], -1, -1);
  }

  /** Thesis §9.6 pre-vote: ask for votes for term+1 without raising our term. */
  private becomePreCandidate(g: number, now: number): void {
    this.role[g] = PRE_CANDIDATE;
    this.votes[g] = 1 << this.selfIdx[g];
    this.clearLeader(g);
    this.resetRound(g, now);
    if (popcount(this.votes[g]) >= this.majority) {
      this.becomeCandidate(g, now);
      return;
    }
    this.requestVotes(g, PRE_VOTE, this.term[g] + 1);
  }

  /** §5.2: increment currentTerm, vote for self, reset the election timer, send RequestVote. */
  private becomeCandidate(g: number, now: number): void {
    this.term[g]++;
    this.votedFor[g] = this.self;
    this.role[g] = CANDIDATE;
    this.votes[g] = 1 << this.selfIdx[g];
    this.clearLeader(g);
    this.ctx.observer.campaign(this.parts[g]);
    this.resetRound(g, now);
    if (popcount(this.votes[g]) >= this.majority) {
      this.becomeLeader(g, now);
      return;
    }
    this.requestVotes(g, RV, this.term[g]);
  }

  private resetRound(g: number, now: number): void {
    this.timeout[g] = this.drawTimeout();
    this.deadline[g] = now + this.timeout[g];
    this.wheel.ensureBy(g, this.deadline[g]);
  }

  private requestVotes(g: number, type: typeof RV | typeof PRE_VOTE, t: number): void {
    const p = this.parts[g];
    const log = this.logs.get(g);
    const lastIndex = log === undefined ? 0 : log.terms.length;
    const lastTerm = lastIndex === 0 ? 0 : log!.terms[lastIndex - 1];
    const msg: VoteRequest = { type, p, term: t, lastIndex, lastTerm };
    const base = p * this.rf;
    for (let j = 0; j < this.rf; j++) {
      const r = this.assignment[base + j];
      if (r !== this.self) this.ctx.send(r, msg, VOTE_BYTES);
    }
  }

  /** §5.2: a candidate with votes from a majority becomes leader and heartbeats at once. */
  private becomeLeader(g: number, now: number): void {
    const p = this.parts[g];
    this.role[g] = LEADER;
    this.leader[g] = this.self;
    // From here `votes` records which replicas have answered this leader (announce, coalesced).
    this.votes[g] = 1 << this.selfIdx[g];
    this.ctx.observer.lead(p, this.term[g]);
    const log = this.logs.get(g);
    const last = log === undefined ? 0 : log.terms.length;
    const pr = last > 0 ? this.newProgress(g, last + 1) : undefined;
    const base = p * this.rf;
    for (let j = 0; j < this.rf; j++) {
      const r = this.assignment[base + j];
      if (r === this.self) continue;
      this.ledWith[r]++;
      if (pr !== undefined) this.sendAppend(g, j, pr.next[j]);
      else this.sendHeartbeat(g, r);
    }
    this.deadline[g] = now + this.o.heartbeatInterval;
    this.wheel.ensureBy(g, this.deadline[g]);
  }

  /** A leader reverts to follower (higher term seen, or check-quorum). */
  private leaderStepDown(g: number): void {
    const p = this.parts[g];
    const pr = this.progress.get(g);
    if (pr !== undefined) {
      // Writes proposed in this term and not yet acknowledged fail, as etcd's ErrProposalDropped /
      // etcd server's ErrLeaderChanged: the producer hears a refusal, not silence. (Some may be
      // committed nonetheless: a refusal means "not known to be written", as a timeout would.)
      const log = this.logs.get(g)!;
      const t = this.term[g];
      for (let i = pr.acked + 1; i <= log.terms.length; i++) {
        if (log.terms[i - 1] === t) this.ctx.observer.rejected(p, log.writeIds[i - 1]);
      }
      this.progress.delete(g);
    }
    this.role[g] = FOLLOWER;
    this.leader[g] = -1;
    const base = p * this.rf;
    for (let j = 0; j < this.rf; j++) {
      const r = this.assignment[base + j];
      if (r === this.self) continue;
      this.ledWith[r]--;
      this.outGen[r]++;
    }
    this.ctx.observer.stepDown(p);
  }

  private fireLeader(g: number, now: number): void {
    const p = this.parts[g];
    const pr = this.progress.get(g);
    const last = pr === undefined ? 0 : this.logs.get(g)!.terms.length;
    const base = p * this.rf;
    let pending = false;
    for (let j = 0; j < this.rf; j++) {
      const r = this.assignment[base + j];
      if (r === this.self) continue;
      const lagging = pr !== undefined && pr.match[j] < last;
      if (!this.coalesced) {
        // §5.2: heartbeats (empty AppendEntries) to every follower every interval; §5.3: retry lagging ones.
        if (lagging) this.sendAppend(g, j, pr!.match[j] + 1);
        else this.sendHeartbeat(g, r);
        continue;
      }
      // Coalesced: the host-level heartbeat keeps followers quiet; per group we only announce a new
      // leadership until each follower answered, and retransmit entries to live lagging followers.
      if (!lagging && (this.votes[g] & (1 << j)) !== 0) continue;
      if (this.silent[r] === 1) continue; // resumed when the host is heard from again
      pending = true;
      if (lagging) this.sendAppend(g, j, pr!.match[j] + 1);
      else this.sendHeartbeat(g, r);
    }
    if (!this.coalesced || pending) {
      this.deadline[g] = now + this.o.heartbeatInterval;
      this.wheel.visitBy(g, this.deadline[g]);
    }
  }

  // ======================================================================================
  // Check-quorum (thesis §4.2.3, etcd CheckQuorum) and host liveness
  // ======================================================================================

  private heard(from: HostId): void {
    this.heardFrom[from] = this.ctx.now();
    if (this.silent[from] === 1) {
      this.silent[from] = 0;
      if (this.coalesced) this.peerRevived(from);
    }
  }

  /** `h` has been silent for an election timeout: leaders that no longer hear from a majority step down. */
  private checkQuorumWith(h: HostId): void {
    const rf = this.rf;
    for (let g = 0; g < this.n; g++) {
      if (this.role[g] !== LEADER || !this.groupHas(g, h)) continue;
      let active = 0;
      const base = this.parts[g] * rf;
      for (let j = 0; j < rf; j++) {
        const r = this.assignment[base + j];
        if (r === this.self || this.silent[r] === 0) active++;
      }
      if (active < this.majority) this.becomeFollower(g, this.term[g], -1);
    }
  }

  /** Coalesced: a host we had given up on answers again; resume announcing and retransmitting to it. */
  private peerRevived(h: HostId): void {
    const now = this.ctx.now();
    for (let g = 0; g < this.n; g++) {
      if (this.role[g] !== LEADER) continue;
      const j = this.replicaIndex(g, h);
      if (j < 0) continue;
      const pr = this.progress.get(g);
      const lagging = pr !== undefined && pr.match[j] < this.logs.get(g)!.terms.length;
      if (lagging || (this.votes[g] & (1 << j)) === 0) {
        this.deadline[g] = now;
        this.wheel.ensureBy(g, now);
      }
    }
  }

  // ======================================================================================
  // Coalesced heartbeats (CockroachDB): one message per host pair per interval
  // ======================================================================================

  private sendCoalesced(): void {
    const brokers = this.brokers;
    // Which peers need the list of what we lead with them (they have not acknowledged our generation)?
    let listing = 0;
    const counts = new Int32Array(brokers).fill(-1);
    for (let h = 0; h < brokers; h++) {
      if (h !== this.self && this.ackedGen[h] !== this.outGen[h]) {
        counts[h] = 0;
        listing++;
      }
    }
    let parts: Int32Array[] | undefined;
    let terms: Int32Array[] | undefined;
    if (listing > 0) {
      // One pass over our groups builds every list.
      const rf = this.rf;
      for (let g = 0; g < this.n; g++) {
        if (this.role[g] !== LEADER) continue;
        const base = this.parts[g] * rf;
        for (let j = 0; j < rf; j++) {
          const r = this.assignment[base + j];
          if (r !== this.self && counts[r] >= 0) counts[r]++;
        }
      }
      parts = new Array<Int32Array>(brokers);
      terms = new Array<Int32Array>(brokers);
      for (let h = 0; h < brokers; h++) {
        if (counts[h] >= 0) {
          parts[h] = new Int32Array(counts[h]);
          terms[h] = new Int32Array(counts[h]);
          counts[h] = 0;
        }
      }
      for (let g = 0; g < this.n; g++) {
        if (this.role[g] !== LEADER) continue;
        const base = this.parts[g] * rf;
        for (let j = 0; j < rf; j++) {
          const r = this.assignment[base + j];
          if (r === this.self || counts[r] < 0) continue;
          const k = counts[r]++;
          parts[r][k] = this.parts[g];
          terms[r][k] = this.term[g];
        }
      }
    }
    for (let h = 0; h < brokers; h++) {
      if (h === this.self) continue;
      const list = counts[h] >= 0;
      if (!list && this.ledWith[h] === 0) continue;
      const msg: CoalescedHeartbeat = {
        type: COALESCED,
        gen: this.outGen[h],
        parts: list ? parts![h] : null,
        terms: list ? terms![h] : null,
      };
      this.ctx.send(h, msg, COALESCED_BYTES + (list ? parts![h].length * COALESCED_ENTRY_BYTES : 0));
    }
  }

  private onCoalesced(from: HostId, m: CoalescedHeartbeat): void {
    const now = this.ctx.now();
    if (m.parts !== null && m.terms !== null && m.gen >= this.inGen[from]) {
      this.inGen[from] = m.gen;
      this.hbAt[from] = now;
      this.applyList(from, m.gen, m.parts, m.terms);
    } else if (m.gen === this.inGen[from]) {
      this.hbAt[from] = now;
    }
    const resp: CoalescedHeartbeatResponse = { type: COALESCED_RESP, gen: this.inGen[from] };
    this.ctx.send(from, resp, COALESCED_RESP_BYTES);
  }

  /** `l` leads exactly these groups with us at generation `gen`: a heartbeat for each, and no more for the rest. */
  private applyList(l: HostId, gen: number, parts: Int32Array, terms: Int32Array): void {
    for (let i = 0; i < parts.length; i++) {
      const g = this.local(parts[i]);
      if (g < 0) continue;
      const t = terms[i];
      if (t < this.term[g]) {
        // §5.1: a stale leader learns our term from the reply and steps down.
        this.replyHeartbeat(l, parts[i], this.term[g], -1);
        continue;
      }
      this.leaderContact(g, l, t, gen);
    }
    // Groups parked on `l` that it no longer leads lose their leader and wait out a timeout.
    const count = this.wheel.drainHeld(l, this.parkScratch);
    const now = this.ctx.now();
    for (let i = 0; i < count; i++) {
      const g = this.parkScratch[i];
      if (this.leader[g] === l && this.leaderGen[g] === gen) {
        this.wheel.hold(g, l);
        continue;
      }
      this.clearLeader(g);
      this.deadline[g] = now + this.timeout[g];
      this.wheel.visitBy(g, this.deadline[g]);
    }
  }

  private wakeParked(h: HostId): void {
    const count = this.wheel.drainHeld(h, this.parkScratch);
    for (let i = 0; i < count; i++) {
      const g = this.parkScratch[i];
      const heard = this.hbAt[h] + this.timeout[g];
      if (heard > this.deadline[g]) this.deadline[g] = heard;
      this.wheel.visitBy(g, this.deadline[g]);
    }
  }

  private onCoalescedResponse(from: HostId, m: CoalescedHeartbeatResponse): void {
    this.ackedGen[from] = m.gen;
  }

  // ======================================================================================
  // Messages (etcd's Step)
  // ======================================================================================

  onMessage(from: HostId, message: Message): void {
    if (from < 0 || from >= this.brokers || from === this.self) return;
    this.heard(from);
    const m = message as RaftMessage;
    switch (m.type) {
      case HEARTBEAT:
        this.onHeartbeat(from, m);
        break;
      case HEARTBEAT_RESP:
        this.onHeartbeatResponse(from, m);
        break;
      case COALESCED:
        this.onCoalesced(from, m);
        break;
      case COALESCED_RESP:
        this.onCoalescedResponse(from, m);
        break;
      case APPEND:
        this.onAppend(from, m);
        break;
      case APPEND_RESP:
        this.onAppendResponse(from, m);
        break;
      case RV:
      case PRE_VOTE:
        this.onVoteRequest(from, m);
        break;
      case RV_RESP:
      case PRE_VOTE_RESP:
        this.onVoteResponse(from, m);
        break;
    }
  }

  /** A leader of term `t` (>= ours) asserted leadership of group g: follow it and reset the election timer. */
  private leaderContact(g: number, l: HostId, t: number, gen: number): void {
    if (t > this.term[g] || this.role[g] !== FOLLOWER || this.leader[g] !== l) {
      if (this.role[g] === LEADER && t === this.term[g]) {
        throw new Error(`raft: two leaders for partition ${this.parts[g]} in term ${t} (hosts ${this.self} and ${l})`);
      }
      // §5.2: a candidate that hears from a leader of its term (or newer) returns to follower.
      this.becomeFollower(g, t, l);
    }
    if (this.coalesced && gen > this.leaderGen[g]) this.leaderGen[g] = gen;
    this.deadline[g] = this.ctx.now() + this.timeout[g];
    if (this.wheel.where[g] === NOWHERE) this.wheel.visitBy(g, this.deadline[g]);
  }

  private onHeartbeat(from: HostId, m: Heartbeat): void {
    const g = this.local(m.p);
    if (g < 0) return;
    if (m.term >= this.term[g]) {
      this.leaderContact(g, from, m.term, m.gen);
      this.replyHeartbeat(from, m.p, this.term[g], m.sentAt);
    } else {
      // §5.1: the reply carries our term, so a stale leader learns it has been superseded.
      this.replyHeartbeat(from, m.p, this.term[g], -1);
    }
  }

  private replyHeartbeat(to: HostId, p: PartitionId, t: number, echo: number): void {
    const resp: HeartbeatResponse = { type: HEARTBEAT_RESP, p, term: t, echo };
    this.ctx.send(to, resp, HEARTBEAT_RESP_BYTES);
  }

  private onHeartbeatResponse(from: HostId, m: HeartbeatResponse): void {
    const g = this.local(m.p);
    if (g < 0) return;
    if (m.term > this.term[g]) {
      this.becomeFollower(g, m.term, -1);
      return;
    }
    if (this.role[g] === LEADER && m.term === this.term[g]) {
      const j = this.replicaIndex(g, from);
      if (j < 0) return;
      this.votes[g] |= 1 << j;
      const pr = this.progress.get(g);
      if (pr !== undefined && m.echo > pr.echo[j]) {
        pr.echo[j] = m.echo;
        this.maybeAck(g, pr, this.logs.get(g)!);
      }
    }
  }

  private sendHeartbeat(g: number, to: HostId): void {
    const msg: Heartbeat = {
      type: HEARTBEAT,
      p: this.parts[g],
      term: this.term[g],
      gen: this.coalesced ? this.outGen[to] : 0,
      sentAt: this.ctx.now(),
    };
    this.ctx.send(to, msg, HEARTBEAT_BYTES);
  }

  // ---- elections ----

  /** Thesis §4.2.3 / §9.6: has this replica heard from a current leader within the minimum election timeout? */
  private heardLeaderRecently(g: number, now: number): boolean {
    if (this.role[g] === LEADER) return true;
    // After a restart we cannot know whom we heard from before the crash: with check-quorum,
    // keep any lease we may have promised (see maybeAck) by waiting one minimum election timeout.
    if (this.o.checkQuorum && now < this.bootAt + this.o.electionTimeoutMin) return true;
    const l = this.leader[g];
    if (l < 0) return false;
    const since = now - this.o.electionTimeoutMin;
    if (this.deadline[g] - this.timeout[g] > since) return true;
    return this.coalesced && this.leaderGen[g] === this.inGen[l] && this.hbAt[l] > since;
  }

  /** §5.4.1 election restriction: the candidate's log is at least as up-to-date (last term, then index). */
  private upToDate(g: number, lastTerm: number, lastIndex: number): boolean {
    const log = this.logs.get(g);
    const myIndex = log === undefined ? 0 : log.terms.length;
    const myTerm = myIndex === 0 ? 0 : log!.terms[myIndex - 1];
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= myIndex);
  }

  private onVoteRequest(from: HostId, m: VoteRequest): void {
    const g = this.local(m.p);
    if (g < 0 || this.replicaIndex(g, from) < 0) return;
    const now = this.ctx.now();
    if (m.type === PRE_VOTE) {
      // Thesis §9.6: grant a pre-vote iff we would grant the vote at that term, and we have not
      // heard from a leader recently. Our own term and vote are untouched.
      const t = this.term[g];
      const couldVote = m.term > t || (m.term === t && (this.votedFor[g] === -1 || this.votedFor[g] === from));
      const grant = couldVote && this.upToDate(g, m.lastTerm, m.lastIndex) && !this.heardLeaderRecently(g, now);
      this.replyVote(from, PRE_VOTE_RESP, m.p, grant ? m.term : t, grant);
      if (!grant) this.answerAsLeader(g, from);
      return;
    }
    if (m.term > this.term[g]) {
      if (this.o.checkQuorum && this.heardLeaderRecently(g, now)) {
        // Thesis §4.2.3: within the minimum election timeout of hearing from a current leader,
        // neither update the term nor grant the vote (etcd: "lease is not expired").
        this.answerAsLeader(g, from);
        return;
      }
      this.becomeFollower(g, m.term, -1); // §5.1
    }
    if (m.term < this.term[g]) {
      this.replyVote(from, RV_RESP, m.p, this.term[g], false);
      this.answerAsLeader(g, from);
      return;
    }
    // §5.2: at most one vote per term, first come first served; §5.4.1: only to an up-to-date log.
    const voted = this.votedFor[g];
    const grant = (voted === -1 || voted === from) && this.upToDate(g, m.lastTerm, m.lastIndex);
    if (grant) {
      this.votedFor[g] = from; // durable before the reply leaves
      this.deadline[g] = now + this.timeout[g]; // §5.2: granting a vote resets the election timer
      if (this.wheel.heldIn(g) < 0) this.wheel.ensureBy(g, this.deadline[g]);
    }
    this.replyVote(from, RV_RESP, m.p, this.term[g], grant);
    if (!grant) this.answerAsLeader(g, from);
  }

  /**
   * Coalesced: there is no per-group heartbeat that would tell a campaigning replica who leads,
   * so a leader that refuses its (pre-)vote sends one heartbeat — what it would have received
   * anyway without coalescing.
   */
  private answerAsLeader(g: number, to: HostId): void {
    if (this.coalesced && this.role[g] === LEADER) this.sendHeartbeat(g, to);
  }

  private replyVote(to: HostId, type: typeof RV_RESP | typeof PRE_VOTE_RESP, p: PartitionId, t: number, granted: boolean): void {
    const resp: VoteResponse = { type, p, term: t, granted };
    this.ctx.send(to, resp, VOTE_RESP_BYTES);
  }

  private onVoteResponse(from: HostId, m: VoteResponse): void {
    const g = this.local(m.p);
    if (g < 0) return;
    const j = this.replicaIndex(g, from);
    if (j < 0) return;
    const now = this.ctx.now();
    if (m.type === RV_RESP) {
      if (m.term > this.term[g]) {
        this.becomeFollower(g, m.term, -1);
        return;
      }
      if (this.role[g] === CANDIDATE && m.term === this.term[g] && m.granted) {
        this.votes[g] |= 1 << j;
        // §5.2: votes from a majority of the group win the election.
        if (popcount(this.votes[g]) >= this.majority) this.becomeLeader(g, now);
      }
      return;
    }
    if (m.granted) {
      if (this.role[g] === PRE_CANDIDATE && m.term === this.term[g] + 1) {
        this.votes[g] |= 1 << j;
        if (popcount(this.votes[g]) >= this.majority) this.becomeCandidate(g, now);
      }
    } else if (m.term > this.term[g]) {
      this.becomeFollower(g, m.term, -1);
    }
  }

  // ---- log replication (§5.3) and commitment (§5.4.2) ----

  onWrite(p: PartitionId, writeId: number): void {
    const g = this.local(p);
    if (g < 0 || this.role[g] !== LEADER) {
      this.ctx.observer.rejected(p, writeId);
      return;
    }
    let log = this.logs.get(g);
    if (log === undefined) {
      log = { terms: [], writeIds: [] };
      this.logs.set(g, log);
    }
    // §5.3: the leader appends the command to its log as a new entry, then replicates it.
    log.terms.push(this.term[g]);
    log.writeIds.push(writeId);
    const pr = this.progress.get(g) ?? this.newProgress(g, 1);
    if (this.rf === 1) {
      this.maybeCommit(g, pr, log);
      this.maybeAck(g, pr, log);
      return;
    }
    const base = p * this.rf;
    for (let j = 0; j < this.rf; j++) {
      const r = this.assignment[base + j];
      if (r === this.self || (this.coalesced && this.silent[r] === 1)) continue;
      this.sendAppend(g, j, pr.next[j]);
    }
    if (this.coalesced && this.wheel.where[g] === NOWHERE) {
      this.deadline[g] = this.ctx.now() + this.o.heartbeatInterval;
      this.wheel.visitBy(g, this.deadline[g]);
    }
  }

  private newProgress(g: number, next: number): Progress {
    const pr: Progress = {
      next: new Int32Array(this.rf).fill(next),
      match: new Int32Array(this.rf),
      echo: new Float64Array(this.rf).fill(-Infinity),
      commit: 0,
      acked: 0,
    };
    this.progress.set(g, pr);
    return pr;
  }

  /** Sends entries from index `from` on (optimistically advancing next, as etcd's replicate state). */
  private sendAppend(g: number, j: number, from: number): void {
    const pr = this.progress.get(g)!;
    const log = this.logs.get(g)!;
    const last = log.terms.length;
    const prev = from - 1;
    const count = Math.min(last - prev, MAX_ENTRIES);
    const r = this.assignment[this.parts[g] * this.rf + j];
    const msg: AppendEntries = {
      type: APPEND,
      p: this.parts[g],
      term: this.term[g],
      gen: this.coalesced ? this.outGen[r] : 0,
      sentAt: this.ctx.now(),
      prevIndex: prev,
      prevTerm: prev > 0 ? log.terms[prev - 1] : 0,
      terms: count > 0 ? log.terms.slice(prev, prev + count) : [],
      writeIds: count > 0 ? log.writeIds.slice(prev, prev + count) : [],
    };
    if (count > 0) pr.next[j] = prev + count + 1;
    this.ctx.send(r, msg, APPEND_BYTES + count * ENTRY_BYTES);
  }

  private onAppend(from: HostId, m: AppendEntries): void {
    const g = this.local(m.p);
    if (g < 0) return;
    if (m.term < this.term[g]) {
      // §5.1 / Figure 2: reply false if term < currentTerm (with our term, so the sender steps down).
      this.replyAppend(from, m.p, this.term[g], false, 0, m.prevIndex, -1);
      return;
    }
    this.leaderContact(g, from, m.term, m.gen);
    let log = this.logs.get(g);
    const last = log === undefined ? 0 : log.terms.length;
    // §5.3 consistency check: our log must contain an entry at prevIndex with prevTerm.
    if (m.prevIndex > last || (m.prevIndex > 0 && log!.terms[m.prevIndex - 1] !== m.prevTerm)) {
      this.replyAppend(from, m.p, this.term[g], false, Math.min(last, m.prevIndex - 1), m.prevIndex, m.sentAt);
      return;
    }
    if (m.terms.length > 0) {
      if (log === undefined) {
        log = { terms: [], writeIds: [] };
        this.logs.set(g, log);
      }
      for (let k = 0; k < m.terms.length; k++) {
        const idx = m.prevIndex + 1 + k;
        if (idx <= log.terms.length) {
          if (log.terms[idx - 1] === m.terms[k]) continue; // already there (a duplicate or reordered message)
          // §5.3: an existing entry conflicts with a new one: delete it and all that follow.
          log.terms.length = idx - 1;
          log.writeIds.length = idx - 1;
        }
        log.terms.push(m.terms[k]);
        log.writeIds.push(m.writeIds[k]);
      }
    }
    this.replyAppend(from, m.p, this.term[g], true, m.prevIndex + m.terms.length, 0, m.sentAt);
  }

  private replyAppend(to: HostId, p: PartitionId, t: number, success: boolean, index: number, rejected: number, echo: number): void {
    const resp: AppendEntriesResponse = { type: APPEND_RESP, p, term: t, success, index, rejected, echo };
    this.ctx.send(to, resp, APPEND_RESP_BYTES);
  }

  private onAppendResponse(from: HostId, m: AppendEntriesResponse): void {
    const g = this.local(m.p);
    if (g < 0) return;
    if (m.term > this.term[g]) {
      this.becomeFollower(g, m.term, -1);
      return;
    }
    if (this.role[g] !== LEADER || m.term !== this.term[g]) return;
    const j = this.replicaIndex(g, from);
    if (j < 0) return;
    this.votes[g] |= 1 << j;
    const pr = this.progress.get(g);
    if (pr === undefined) return;
    const log = this.logs.get(g)!;
    if (m.echo > pr.echo[j]) pr.echo[j] = m.echo;
    if (m.success) {
      if (m.index > pr.match[j]) {
        pr.match[j] = m.index;
        if (pr.next[j] <= m.index) pr.next[j] = m.index + 1;
        this.maybeCommit(g, pr, log);
      }
      this.maybeAck(g, pr, log);
      return;
    }
    if (m.rejected <= pr.match[j]) return; // stale rejection
    // §5.3: after a rejection, decrement nextIndex (to the follower's hint) and retry.
    const next = Math.max(pr.match[j] + 1, Math.min(m.index + 1, m.rejected));
    this.sendAppend(g, j, next);
  }

  /**
   * §5.3/§5.4.2: an entry of the leader's current term is committed once a majority stores it
   * (and with it every earlier entry); only then is the producer's write acknowledged.
   */
  private maybeCommit(g: number, pr: Progress, log: GroupLog): void {
    const last = log.terms.length;
    const m = this.matchScratch;
    const si = this.selfIdx[g];
    for (let j = 0; j < this.rf; j++) m[j] = j === si ? last : pr.match[j];
    m.sort();
    const n = m[this.rf - this.majority];
    const t = this.term[g];
    if (n <= pr.commit || log.terms[n - 1] !== t) return;
    pr.commit = n;
  }

  /**
   * Acknowledges the committed writes of this term. With check-quorum, only while the leader
   * holds a lease (thesis §6.4.1): a majority (counting itself) answered messages it sent less
   * than electionTimeoutMin ago, and those followers refuse votes until then (§4.2.3), so no
   * newer leader can have been elected yet. Without it, Raft acknowledges at commit: safe by
   * Leader Completeness (§5.4.3) — the newer leader holds the entry — but possibly after a newer
   * leader was elected (see README.md).
   */
  private maybeAck(g: number, pr: Progress, log: GroupLog): void {
    if (pr.commit <= pr.acked) return;
    if (this.o.checkQuorum && this.rf > 1) {
      const e = this.matchScratch;
      const si = this.selfIdx[g];
      for (let j = 0; j < this.rf; j++) e[j] = j === si ? Infinity : pr.echo[j];
      e.sort();
      // The majority-th largest, counting ourselves as the largest.
      if (e[this.rf - this.majority] + this.o.electionTimeoutMin <= this.ctx.now()) return;
    }
    const p = this.parts[g];
    const t = this.term[g];
    for (let i = pr.acked + 1; i <= pr.commit; i++) {
      if (log.terms[i - 1] === t) this.ctx.observer.acknowledged(p, log.writeIds[i - 1], t);
    }
    pr.acked = pr.commit;
  }

  // ---- helpers ----

  private drawTimeout(): number {
    const { electionTimeoutMin: min, electionTimeoutMax: max } = this.o;
    return max > min ? this.ctx.random.uniform(min, max) : min;
  }

  /** Local group index of partition p, -1 if we do not replicate it. */
  private local(p: PartitionId): number {
    return this.ctx.cluster.localIndex(this.ctx.host, p);
  }

  private replicaIndex(g: number, h: HostId): number {
    return this.ctx.cluster.replicaIndex(this.parts[g], h);
  }

  private groupHas(g: number, h: HostId): boolean {
    return this.replicaIndex(g, h) >= 0;
  }

  // ---- introspection for tests (not used by the lab) ----

  /** The write ids in partition p's log on this host, in log order. */
  logOf(p: PartitionId): readonly number[] {
    const g = this.local(p);
    return g < 0 ? [] : (this.logs.get(g)?.writeIds ?? []);
  }

  /** Role, term, vote and known leader of partition p on this host (undefined if not a replica). */
  inspect(p: PartitionId): { role: number; term: number; votedFor: number; leader: number; lastIndex: number } | undefined {
    const g = this.local(p);
    if (g < 0) return undefined;
    const log = this.logs.get(g);
    return {
      role: this.role[g],
      term: this.term[g],
      votedFor: this.votedFor[g],
      leader: this.leader[g],
      lastIndex: log === undefined ? 0 : log.terms.length,
    };
  }
}
