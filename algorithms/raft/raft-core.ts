/**
 * The Raft rules for every group one host serves, as a pure state machine in the shape of
 * etcd-io/raft's raft.go: `step` on a message, `onDeadline` when a group's election timeout or
 * heartbeat interval ran out (etcd's tick), `become*` for role changes, outputs through the
 * RaftPort (port.ts). Per-group state lives in typed arrays indexed by the local group index.
 *
 * "§" numbers refer to the Raft paper (Ongaro and Ousterhout, 2014) unless marked "thesis"
 * (Ongaro's dissertation, 2014). Log replication and commitment are in replication.ts; ticks,
 * the deadline wheel and coalesced heartbeats in the host layer (raft-host.ts).
 *
 * About 630 lines, over the ~500 guide: roles, elections, heartbeats and quiescence (which
 * suspends those same timers) are one state machine whose handlers call become*; splitting them
 * would trade a file for an interface between them.
 */
import type { DurableStore, HostId, PartitionId } from "../../src/elector/api.ts";
import { CANDIDATE, FOLLOWER, LEADER, PRE_CANDIDATE, popcount, type GroupLayout } from "./layout.ts";
import { RULE } from "./rules.ts";
import {
  APPEND,
  APPEND_RESP,
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
  type Heartbeat,
  type HeartbeatResponse,
  type RaftMessage,
  type VoteRequest,
  type VoteResponse,
} from "./messages.ts";
import type { RaftOptions } from "./options.ts";
import type { RaftPort } from "./port.ts";
import { durable } from "./durable.ts";
import { Replication } from "./replication.ts";

export class RaftCore {
  private readonly self: HostId;
  private readonly coalesced: boolean;
  readonly replication: Replication;

  // ---- durable (Figure 2 "persistent state on all servers"): survive crash and restart ----
  /** currentTerm per group. */
  readonly term: Int32Array;
  /** Host voted for in the current term, -1 none. */
  readonly votedFor: Int32Array;

  // ---- volatile, per group ----
  readonly role: Uint8Array;
  /** Known leader of the current term (self when leading), -1 none. */
  readonly leader: Int32Array;
  /** Randomized election timeout, drawn anew at every reset (§5.2). */
  readonly timeout: Float32Array;
  /**
   * Follower: last leader contact (or vote granted) + timeout. Candidate: end of the round.
   * Leader: next heartbeat / retransmission. The host layer may move a follower's deadline later
   * when its leader's host heartbeats keep it alive (coalesced heartbeats).
   */
  readonly deadline: Float64Array;
  /** (Pre-)candidate: replicas that granted the vote. Bit = replica index. */
  readonly votes: Int32Array;
  /** Leader: replicas that answered this leader in its term (coalesced: announcement done). Candidate: replicas that answered its RequestVote. */
  readonly answered: Int32Array;
  /** Candidate, with option retryRequestVote: when its round ends (its deadline is then the next retry, §5.1). */
  private readonly roundEnd: Float64Array;
  /** Quiesced (option quiesce): neither heartbeats (leader) nor times out (follower) until woken. */
  readonly quiescent: Uint8Array;
  /** Leader: when it last proposed (or took office): it quiesces 6 ticks after (CockroachDB's quiesceAfterTicks). */
  private readonly lastProposalAt: Float64Array;
  private readonly quiescing: boolean;
  /** When this instance started (a restart forgets whom it heard from). */
  private bootAt = 0;
  /** Whether durable state from an earlier run of this host existed (a restart, not the first boot). */
  private readonly restarted: boolean;

  constructor(
    private readonly layout: GroupLayout,
    private readonly port: RaftPort,
    private readonly o: RaftOptions,
    store: DurableStore,
  ) {
    const n = layout.n;
    this.self = layout.self;
    this.coalesced = o.coalescedHeartbeats;
    this.restarted = store.get("raft.term") !== undefined;
    this.term = durable(store, "raft.term", () => new Int32Array(n));
    // Bug zoo (forget-vote-on-restart): votedFor in volatile memory, against Figure 2's
    // "persistent state": a restarted host has forgotten its vote and may vote again in the term.
    this.votedFor =
      o.zooBug === "forget-vote-on-restart" ? new Int32Array(n).fill(-1) : durable(store, "raft.votedFor", () => new Int32Array(n).fill(-1));
    this.replication = new Replication(layout, this.term, port, o, store);
    this.role = new Uint8Array(n);
    this.leader = new Int32Array(n).fill(-1);
    this.timeout = new Float32Array(n);
    this.deadline = new Float64Array(n);
    this.votes = new Int32Array(n);
    this.answered = new Int32Array(n);
    this.roundEnd = new Float64Array(o.retryRequestVote ? n : 0);
    this.quiescing = o.quiesce;
    this.quiescent = new Uint8Array(o.quiesce ? n : 0);
    this.lastProposalAt = new Float64Array(o.quiesce ? n : 0);
  }

  /** Every group starts as a follower with a fresh randomized timeout (§5.2). */
  start(now: number): void {
    this.bootAt = now;
    for (let g = 0; g < this.layout.n; g++) {
      this.timeout[g] = this.drawTimeout();
      this.deadline[g] = now + this.timeout[g];
      this.port.deadlineSet(g);
    }
  }

  /**
   * Settled start (lab addition, settled.ts): every group in the term its leader won, having voted
   * for it, the leader's empty entry committed; deadlines drawn as at boot. `leaders` and `terms`
   * are per local group (RaftSettled's by-host tables).
   */
  startSettled(now: number, leaders: Int32Array, terms: Int32Array): void {
    this.bootAt = now;
    const all = (1 << this.layout.rf) - 1;
    for (let g = 0; g < this.layout.n; g++) {
      const p = this.layout.parts[g];
      const l = leaders[g];
      this.term[g] = terms[g];
      this.votedFor[g] = l;
      this.leader[g] = l;
      this.timeout[g] = this.drawTimeout();
      if (l === this.self) {
        this.role[g] = LEADER;
        this.answered[g] = all;
        this.port.observer.lead(p, terms[g]);
        this.replication.settleGroup(g, true);
        this.port.leadershipStarted(g);
        this.deadline[g] = now + this.o.heartbeatInterval;
      } else {
        this.role[g] = FOLLOWER;
        this.port.observer.follow(p, l, terms[g]);
        this.replication.settleGroup(g, false);
        this.deadline[g] = now + this.timeout[g];
      }
      this.port.deadlineSet(g);
    }
  }

  // ======================================================================================
  // Time (etcd's tick): a group's deadline ran out
  // ======================================================================================

  onDeadline(g: number, now: number): void {
    if (this.quiescing && this.quiescent[g] === 1) return; // not ticked while quiesced
    if (this.role[g] === LEADER) {
      this.heartbeatDue(g, now);
      return;
    }
    // §5.1: a candidate re-sends RequestVote to the replicas that have not answered, until its round ends.
    if (this.o.retryRequestVote && this.role[g] === CANDIDATE && now < this.roundEnd[g]) {
      this.retryVotes(g, now);
      return;
    }
    // §5.2: election timeout elapsed without hearing from a leader (or granting a vote): campaign.
    // A candidate whose round timed out starts a new one (split vote).
    if (this.o.preVote) this.becomePreCandidate(g, now);
    else this.becomeCandidate(g, now);
  }

  private heartbeatDue(g: number, now: number): void {
    if (this.quiescing && this.maybeQuiesce(g, now)) return;
    const { rf } = this.layout;
    const rep = this.replication;
    let pending = false;
    for (let j = 0; j < rf; j++) {
      const r = this.layout.replica(g, j);
      if (r === this.self) continue;
      const lagging = rep.lagging(g, j);
      if (!this.coalesced) {
        // §5.2: heartbeats (empty AppendEntries) to every follower every interval; §5.3: retry lagging ones.
        if (lagging) rep.retransmit(g, j);
        else this.sendHeartbeat(g, j);
        continue;
      }
      // Coalesced: the host-level heartbeat keeps followers quiet; per group we only announce a new
      // leadership until each follower answered, and retransmit entries to live lagging followers.
      if (!lagging && (this.answered[g] & (1 << j)) !== 0) continue;
      if (this.port.peerSilent(r)) continue; // resumed when the host is heard from again
      pending = true;
      if (lagging) rep.retransmit(g, j);
      else this.sendHeartbeat(g, j);
    }
    if (!this.coalesced || pending) {
      this.deadline[g] = now + this.o.heartbeatInterval;
      this.port.deadlineSet(g);
    }
  }

  // ======================================================================================
  // Roles (etcd's become*)
  // ======================================================================================

  /** §5.1: on a higher term (or a leader of our term) revert to follower; `l` is the leader if known. */
  becomeFollower(g: number, t: number, l: HostId): void {
    const now = this.port.now();
    if (this.role[g] === LEADER) this.leaderStepDown(g);
    const termChanged = t > this.term[g];
    if (termChanged) {
      this.port.observer.rule?.(RULE.higherTerm);
      this.term[g] = t;
      this.votedFor[g] = -1;
      this.port.durableChanged?.();
    }
    this.role[g] = FOLLOWER;
    this.votes[g] = 0;
    this.answered[g] = 0;
    if (this.quiescing) this.quiescent[g] = 0;
    this.timeout[g] = this.drawTimeout();
    const old = this.leader[g];
    if (old !== l || termChanged) {
      this.leader[g] = l;
      this.port.leaderChanged(g);
      const p = this.layout.parts[g];
      if (l >= 0) this.port.observer.follow(p, l, t);
      else if (old >= 0) this.port.observer.follow(p, -1, -1);
    }
    if (termChanged) this.port.termRaised(g);
    this.deadline[g] = now + this.timeout[g];
    this.port.deadlineEarlier(g);
  }

  /** Forget the leader of the current term (a campaign starts, or its host stopped asserting it). */
  clearLeader(g: number): void {
    const old = this.leader[g];
    if (old < 0) return;
    this.leader[g] = -1;
    this.port.leaderChanged(g);
    if (old !== this.self) this.port.observer.follow(this.layout.parts[g], -1, -1);
  }

  /** The leader's host no longer asserts leadership of g: forget it and wait out a full timeout. */
  leaderGone(g: number, now: number): void {
    this.clearLeader(g);
    this.deadline[g] = now + this.timeout[g];
    this.port.deadlineSet(g);
  }

  /** Thesis §9.6 pre-vote: ask for votes for term+1 without raising our term. */
  private becomePreCandidate(g: number, now: number): void {
    this.port.observer.rule?.(RULE.preCandidate);
    this.role[g] = PRE_CANDIDATE;
    this.votes[g] = 1 << this.layout.selfIdx[g];
    // etcd-io/raft a0f9a7b (etcd-io/etcd#9586): a pre-candidate forgets its leader, or its own
    // campaign would count as leader contact (the lease below) and it would refuse other pre-votes.
    // Bug zoo (pre-candidate-keeps-leader): etcd's pre-candidate before that fix — it keeps the
    // leader, and (as etcd's becomePreCandidate always did: it calls no reset()) the randomized
    // timeout of its last reset, so two followers that time out in the same tick with the same
    // timeout stay in step, each in its own lease when the other asks, until the leader returns.
    const etcdBefore9586 = this.o.zooBug === "pre-candidate-keeps-leader";
    if (!etcdBefore9586) this.clearLeader(g);
    this.resetRound(g, now, !etcdBefore9586);
    if (popcount(this.votes[g]) >= this.layout.majority) {
      this.becomeCandidate(g, now);
      return;
    }
    this.requestVotes(g, PRE_VOTE, this.term[g] + 1);
  }

  /** §5.2: increment currentTerm, vote for self, reset the election timer, send RequestVote. */
  private becomeCandidate(g: number, now: number): void {
    this.port.observer.rule?.(RULE.candidate);
    this.term[g]++;
    this.votedFor[g] = this.self;
    this.port.durableChanged?.();
    this.role[g] = CANDIDATE;
    this.votes[g] = 1 << this.layout.selfIdx[g];
    this.answered[g] = this.votes[g];
    this.clearLeader(g);
    this.port.termRaised(g);
    this.port.observer.campaign(this.layout.parts[g]);
    this.resetRound(g, now);
    if (popcount(this.votes[g]) >= this.layout.majority) {
      this.becomeLeader(g, now);
      return;
    }
    this.requestVotes(g, RV, this.term[g]);
    if (this.o.retryRequestVote) {
      this.roundEnd[g] = this.deadline[g];
      this.deadline[g] = Math.min(this.roundEnd[g], now + this.o.heartbeatInterval);
      this.port.deadlineEarlier(g);
    }
  }

  /**
   * §5.1 "Servers retry RPCs if they do not receive a response in a timely manner" (option
   * retryRequestVote): RequestVote again to each replica that has not answered this round, every
   * heartbeat interval (raft.tla: RequestVote(i, j) for any j not in votesResponded; LogCabin
   * re-sends until requestVoteDone). A voter that lost the first one (crashed, restarted) hears it.
   */
  private retryVotes(g: number, now: number): void {
    this.port.observer.rule?.(RULE.retryVote);
    const rep = this.replication;
    const msg: VoteRequest = { type: RV, p: this.layout.parts[g], term: this.term[g], lastIndex: rep.lastIndex(g), lastTerm: rep.lastTerm(g) };
    for (let j = 0; j < this.layout.rf; j++) {
      if ((this.answered[g] & (1 << j)) === 0) this.port.send(this.layout.replica(g, j), msg, VOTE_BYTES);
    }
    this.deadline[g] = Math.min(this.roundEnd[g], now + this.o.heartbeatInterval);
    this.port.deadlineSet(g);
  }

  private resetRound(g: number, now: number, redraw = true): void {
    if (this.quiescing) this.quiescent[g] = 0;
    if (redraw) this.timeout[g] = this.drawTimeout();
    this.deadline[g] = now + this.timeout[g];
    this.port.deadlineEarlier(g);
  }

  private requestVotes(g: number, type: typeof RV | typeof PRE_VOTE, t: number): void {
    const p = this.layout.parts[g];
    const rep = this.replication;
    const msg: VoteRequest = { type, p, term: t, lastIndex: rep.lastIndex(g), lastTerm: rep.lastTerm(g) };
    for (let j = 0; j < this.layout.rf; j++) {
      const r = this.layout.replica(g, j);
      if (r !== this.self) this.port.send(r, msg, VOTE_BYTES);
    }
  }

  /**
   * §5.2: a candidate with votes from a majority becomes leader; it appends an empty entry of its
   * term (thesis §6.4, etcd's becomeLeader) and sends it to every follower at once.
   */
  private becomeLeader(g: number, now: number): void {
    this.port.observer.rule?.(RULE.leader);
    this.role[g] = LEADER;
    this.leader[g] = this.self;
    this.answered[g] = 1 << this.layout.selfIdx[g];
    if (this.quiescing) {
      this.quiescent[g] = 0;
      this.lastProposalAt[g] = now;
    }
    this.port.observer.lead(this.layout.parts[g], this.term[g]);
    const rep = this.replication;
    rep.startLeading(g);
    this.port.leadershipStarted(g);
    for (let j = 0; j < this.layout.rf; j++) {
      if (this.layout.replica(g, j) !== this.self) rep.sendAppend(g, j, rep.nextFor(g, j));
    }
    this.deadline[g] = now + this.o.heartbeatInterval;
    this.port.deadlineEarlier(g);
  }

  /** A leader reverts to follower (higher term seen, or check-quorum). */
  private leaderStepDown(g: number): void {
    this.replication.stopLeading(g);
    this.role[g] = FOLLOWER;
    this.leader[g] = -1;
    this.port.leadershipEnded(g);
    this.port.observer.stepDown(this.layout.parts[g]);
  }

  /**
   * Check-quorum (thesis §6.2 / §4.2.3, etcd CheckQuorum): a leader that no longer hears from a
   * majority of its group steps down. Activity is the host layer's (per peer host).
   */
  checkQuorum(g: number): void {
    if (this.role[g] !== LEADER) return;
    let active = 0;
    for (let j = 0; j < this.layout.rf; j++) {
      const r = this.layout.replica(g, j);
      if (r === this.self || !this.port.peerSilent(r)) active++;
    }
    if (active < this.layout.majority) {
      this.port.observer.rule?.(RULE.checkQuorumStepDown);
      this.becomeFollower(g, this.term[g], -1);
    }
  }

  // ======================================================================================
  // Quiescence (option quiesce; CockroachDB's replica_raft_quiesce.go)
  // ======================================================================================

  /**
   * shouldReplicaQuiesce: a leader with no proposal for 6 ticks (quiesceAfterTicks), its whole log
   * committed, and every follower caught up unless its host is silent (not live), sends one
   * heartbeat marked quiesce to the caught-up followers (a plain one to a lagging follower: it
   * must not quiesce) and stops heartbeating.
   */
  private maybeQuiesce(g: number, now: number): boolean {
    if (now - this.lastProposalAt[g] < 6 * this.o.tickMs) return false;
    const rep = this.replication;
    if (rep.commit[g] !== rep.lastIndex(g)) return false;
    const { rf } = this.layout;
    for (let j = 0; j < rf; j++) {
      const r = this.layout.replica(g, j);
      if (r !== this.self && rep.lagging(g, j) && !this.port.peerSilent(r)) return false;
    }
    this.quiescent[g] = 1;
    this.port.observer.rule?.(RULE.quiesce);
    for (let j = 0; j < rf; j++) {
      if (this.layout.replica(g, j) !== this.self) this.sendHeartbeat(g, j, !rep.lagging(g, j));
    }
    return true;
  }

  /** maybeUnquiesce: the group ticks again (a leader heartbeats, a follower's election timer restarts). */
  private wake(g: number, now: number): void {
    this.quiescent[g] = 0;
    this.deadline[g] = now + (this.role[g] === LEADER ? this.o.heartbeatInterval : this.timeout[g]);
    this.port.deadlineEarlier(g);
  }

  /**
   * Host h went silent (not live): quiesced followers of its groups wake and campaign at once
   * (CockroachDB's maybeUnquiesce with mayCampaign: the leader is not live).
   */
  hostSilent(h: HostId, now: number): void {
    for (let g = 0; g < this.layout.n; g++) {
      if (this.quiescent[g] !== 1 || this.role[g] === LEADER || this.leader[g] !== h) continue;
      this.quiescent[g] = 0;
      this.deadline[g] = now;
      this.port.deadlineEarlier(g);
    }
  }

  /** Host h is heard from again: quiesced leaders with a lagging replica there wake to catch it up (nodeIsLiveCallback). */
  hostBack(h: HostId, now: number): void {
    for (let g = 0; g < this.layout.n; g++) {
      if (this.quiescent[g] !== 1 || this.role[g] !== LEADER) continue;
      const j = this.layout.replicaIndex(g, h);
      if (j >= 0 && this.replication.lagging(g, j)) this.wake(g, now);
    }
  }

  // ======================================================================================
  // Messages (etcd's Step)
  // ======================================================================================

  step(from: HostId, m: RaftMessage): void {
    if (this.quiescing && m.type !== HEARTBEAT) {
      // CockroachDB: any Raft message of a quiesced group unquiesces it (a quiesce heartbeat is judged in onHeartbeat).
      const g = this.layout.local((m as { p: PartitionId }).p);
      if (g >= 0 && this.quiescent[g] === 1) this.wake(g, this.port.now());
    }
    switch (m.type) {
      case HEARTBEAT:
        this.onHeartbeat(from, m);
        break;
      case HEARTBEAT_RESP:
        this.onHeartbeatResponse(from, m);
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
  leaderContact(g: number, l: HostId, t: number, gen: number): void {
    if (t > this.term[g] || this.role[g] !== FOLLOWER || this.leader[g] !== l) {
      if (this.role[g] === LEADER && t === this.term[g]) {
        throw new Error(`raft: two leaders for partition ${this.layout.parts[g]} in term ${t} (hosts ${this.self} and ${l})`);
      }
      // §5.2: a candidate that hears from a leader of its term (or newer) returns to follower.
      if (t === this.term[g] && this.role[g] !== FOLLOWER) this.port.observer.rule?.(RULE.leaderOfTerm);
      this.becomeFollower(g, t, l);
    }
    this.port.leaderAsserted(g, gen);
    this.deadline[g] = this.port.now() + this.timeout[g];
    this.port.deadlineSet(g);
  }

  // ---- heartbeats (§5.2: empty AppendEntries) ----

  private onHeartbeat(from: HostId, m: Heartbeat): void {
    const g = this.layout.local(m.p);
    if (g < 0) return;
    if (this.quiescing && this.quiescent[g] === 1) this.quiescent[g] = 0; // judged anew below
    if (m.term >= this.term[g]) {
      this.leaderContact(g, from, m.term, m.gen);
      this.replication.followCommit(g, m.commit);
      if (m.quiesce === true && this.quiescing && this.replication.commit[g] === m.commit && this.leader[g] === from && this.term[g] === m.term) {
        // CockroachDB's shouldFollowerQuiesceOnNotify: same term, same leader, same commit index:
        // stop the election timer; the quiesce heartbeat is not answered.
        this.quiescent[g] = 1;
        return;
      }
      this.replyHeartbeat(from, m.p, this.term[g], m.sentAt);
    } else {
      // §5.1: the reply carries our term, so a stale leader learns it has been superseded.
      this.replyHeartbeat(from, m.p, this.term[g], -1);
    }
  }

  replyHeartbeat(to: HostId, p: PartitionId, t: number, echo: number): void {
    const resp: HeartbeatResponse = { type: HEARTBEAT_RESP, p, term: t, echo };
    this.port.send(to, resp, HEARTBEAT_RESP_BYTES);
  }

  private onHeartbeatResponse(from: HostId, m: HeartbeatResponse): void {
    const g = this.layout.local(m.p);
    if (g < 0) return;
    if (m.term > this.term[g]) {
      this.becomeFollower(g, m.term, -1);
      return;
    }
    if (this.role[g] === LEADER && m.term === this.term[g]) {
      const j = this.layout.replicaIndex(g, from);
      if (j < 0) return;
      this.answered[g] |= 1 << j;
      this.replication.onHeartbeatEcho(g, j, m.echo);
    }
  }

  /** §5.2: an empty AppendEntries to replica j, with what it may learn is committed. */
  private sendHeartbeat(g: number, j: number, quiesce = false): void {
    const to = this.layout.replica(g, j);
    const msg: Heartbeat = quiesce
      ? {
          type: HEARTBEAT,
          p: this.layout.parts[g],
          term: this.term[g],
          gen: this.port.generationTowards(to),
          sentAt: this.port.now(),
          commit: this.replication.commitFor(g, j),
          quiesce: true,
        }
      : {
          type: HEARTBEAT,
          p: this.layout.parts[g],
          term: this.term[g],
          gen: this.port.generationTowards(to),
          sentAt: this.port.now(),
          commit: this.replication.commitFor(g, j),
        };
    this.port.send(to, msg, HEARTBEAT_BYTES);
  }

  // ---- log replication (§5.3), the role checks around replication.ts ----

  /** A producer's write: only a leader takes it (§5.3); anyone else refuses (etcd's ErrProposalDropped). */
  write(p: PartitionId, writeId: number): void {
    const g = this.layout.local(p);
    if (g < 0 || this.role[g] !== LEADER) {
      this.port.observer.rejected(p, writeId);
      return;
    }
    if (this.quiescing) {
      // A proposal unquiesces the leader; its AppendEntries wake the followers.
      this.lastProposalAt[g] = this.port.now();
      if (this.quiescent[g] === 1) this.wake(g, this.port.now());
    }
    this.replication.propose(g, writeId, this.coalesced);
    if (this.layout.rf > 1 && this.coalesced && this.port.waitsNowhere(g)) {
      // An idle coalesced leader: retransmit on the heartbeat interval until every follower has it.
      this.deadline[g] = this.port.now() + this.o.heartbeatInterval;
      this.port.deadlineSet(g);
    }
  }

  private onAppend(from: HostId, m: AppendEntries): void {
    const g = this.layout.local(m.p);
    if (g < 0) return;
    if (m.term < this.term[g]) {
      this.port.observer.rule?.(RULE.appendStale);
      this.replication.refuseStale(g, from, m);
      return;
    }
    this.leaderContact(g, from, m.term, m.gen);
    this.replication.onAppend(g, from, m);
  }

  private onAppendResponse(from: HostId, m: AppendEntriesResponse): void {
    const g = this.layout.local(m.p);
    if (g < 0) return;
    if (m.term > this.term[g]) {
      this.becomeFollower(g, m.term, -1);
      return;
    }
    if (this.role[g] !== LEADER || m.term !== this.term[g]) return;
    const j = this.layout.replicaIndex(g, from);
    if (j < 0) return;
    this.answered[g] |= 1 << j;
    this.replication.onAppendResponse(g, j, m);
  }

  // ---- elections (§5.2, §5.4.1, thesis §4.2.3 and §9.6) ----

  /**
   * Thesis §4.2.3 / §9.6, etcd's `inLease`: a leader is known and was heard from within the
   * minimum election timeout (etcd: r.lead != None && electionElapsed < electionTimeout; a
   * leader is always in its own lease). At first boot, or with no leader known, nobody is.
   */
  private heardLeaderRecently(g: number, now: number): boolean {
    if (this.role[g] === LEADER) return true;
    // Lab addition (ackLease): a restarted host cannot know whom it promised a lease before the
    // crash; it keeps any such promise (see Replication.maybeAck) by waiting one minimum timeout.
    if (this.o.ackLease && this.restarted && now < this.bootAt + this.o.electionTimeoutMin) return true;
    const l = this.leader[g];
    if (l < 0) return false;
    const since = now - this.o.electionTimeoutMin;
    if (this.deadline[g] - this.timeout[g] > since) return true;
    return this.port.leaderHostHeardSince(g, l, since);
  }

  private onVoteRequest(from: HostId, m: VoteRequest): void {
    const g = this.layout.local(m.p);
    if (g < 0 || this.layout.replicaIndex(g, from) < 0) return;
    const now = this.port.now();
    if (m.type === PRE_VOTE) {
      // Thesis §9.6: grant a pre-vote iff we would grant the vote at that term, and we have not
      // heard from a leader recently. Our own term and vote are untouched.
      const t = this.term[g];
      const couldVote = m.term > t || (m.term === t && (this.votedFor[g] === -1 || this.votedFor[g] === from));
      const grant = couldVote && this.logUpToDate(g, m) && !this.heardLeaderRecently(g, now);
      this.port.observer.rule?.(grant ? RULE.grantPreVote : RULE.refusePreVote);
      this.replyVote(from, PRE_VOTE_RESP, m.p, grant ? m.term : t, grant);
      if (!grant) this.answerAsLeader(g, from);
      return;
    }
    if (m.term > this.term[g]) {
      if (this.o.checkQuorum && this.heardLeaderRecently(g, now)) {
        // Thesis §4.2.3: within the minimum election timeout of hearing from a current leader,
        // neither update the term nor grant the vote (etcd: "lease is not expired").
        this.port.observer.rule?.(RULE.ignoreVoteLease);
        this.answerAsLeader(g, from);
        return;
      }
      this.becomeFollower(g, m.term, -1); // §5.1
    }
    if (m.term < this.term[g]) {
      this.port.observer.rule?.(RULE.refuseVoteStale);
      this.replyVote(from, RV_RESP, m.p, this.term[g], false);
      this.answerAsLeader(g, from);
      return;
    }
    // §5.2: at most one vote per term, first come first served; §5.4.1: only to an up-to-date log.
    const voted = this.votedFor[g];
    const mayVote = voted === -1 || voted === from;
    const grant = mayVote && this.logUpToDate(g, m);
    this.port.observer.rule?.(grant ? RULE.grantVote : mayVote ? RULE.refuseVoteLog : RULE.refuseVoteVoted);
    if (grant) {
      if (voted !== from) {
        this.votedFor[g] = from; // durable before the reply leaves (a repeated grant changes nothing)
        this.port.durableChanged?.();
      }
      this.deadline[g] = now + this.timeout[g]; // §5.2: granting a vote resets the election timer
      this.port.deadlineEarlier(g);
    }
    this.replyVote(from, RV_RESP, m.p, this.term[g], grant);
    if (!grant) this.answerAsLeader(g, from);
  }

  /**
   * §5.4.1 election restriction: the candidate's log is at least as up-to-date as ours (last term,
   * then last index). Bug zoo (vote-without-log-check): skipped, so a replica missing committed
   * entries can win and overwrite them.
   */
  private logUpToDate(g: number, m: VoteRequest): boolean {
    return this.o.zooBug === "vote-without-log-check" || this.replication.upToDate(g, m.lastTerm, m.lastIndex);
  }

  /**
   * Coalesced: there is no per-group heartbeat that would tell a campaigning replica who leads,
   * so a leader that refuses its (pre-)vote sends one heartbeat — what it would have received
   * anyway without coalescing.
   */
  private answerAsLeader(g: number, to: HostId): void {
    if (this.coalesced && this.role[g] === LEADER) this.sendHeartbeat(g, this.layout.replicaIndex(g, to));
  }

  private replyVote(to: HostId, type: typeof RV_RESP | typeof PRE_VOTE_RESP, p: PartitionId, t: number, granted: boolean): void {
    const resp: VoteResponse = { type, p, term: t, granted };
    this.port.send(to, resp, VOTE_RESP_BYTES);
  }

  private onVoteResponse(from: HostId, m: VoteResponse): void {
    const g = this.layout.local(m.p);
    if (g < 0) return;
    const j = this.layout.replicaIndex(g, from);
    if (j < 0) return;
    const now = this.port.now();
    const majority = this.layout.majority;
    if (m.type === RV_RESP) {
      if (m.term > this.term[g]) {
        this.becomeFollower(g, m.term, -1);
        return;
      }
      if (this.role[g] === CANDIDATE && m.term === this.term[g]) this.answered[g] |= 1 << j;
      if (this.role[g] === CANDIDATE && m.term === this.term[g] && m.granted) {
        this.votes[g] |= 1 << j;
        // §5.2: votes from a majority of the group win the election.
        if (popcount(this.votes[g]) >= majority) this.becomeLeader(g, now);
      }
      return;
    }
    if (m.granted) {
      if (this.role[g] === PRE_CANDIDATE && m.term === this.term[g] + 1) {
        this.votes[g] |= 1 << j;
        if (popcount(this.votes[g]) >= majority) this.becomeCandidate(g, now);
      }
    } else if (m.term > this.term[g]) {
      this.becomeFollower(g, m.term, -1);
    }
  }

  /** The host's flush of what this host appended as a leader completed (RaftPort.leaderLogged). */
  leaderLogFlushed(): void {
    this.replication.flushed(this.role);
  }

  // ---- helpers ----

  private drawTimeout(): number {
    const { electionTimeoutMin: min, electionTimeoutMax: max } = this.o;
    return max > min ? this.port.random.uniform(min, max) : min;
  }
}
