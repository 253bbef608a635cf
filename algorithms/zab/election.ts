/**
 * Fast Leader Election per group (FastLeaderElection.lookForLeader and its WorkerReceiver): the
 * stateful half. The pure rules (vote order, backoff) are in fle.ts. Votes name the proposed
 * leader by replica slot inside the group and by host id on the wire.
 */
import type { ZabDurable } from "./durable-state.ts";
import { FOLLOWING, LEADING, LOOKING, notificationTimeout, totalOrderPredicate } from "./fle.ts";
import { S_FINALIZING, S_LOOKING, isFollowing, isLeading, isLooking, type GroupTable } from "./group-table.ts";
import { T } from "./messages.ts";
import type { CorePort } from "./core-port.ts";
import type { Transitions } from "./transitions.ts";
import { ZRULE } from "./rules.ts";

export interface ElectionTimes {
  readonly finalizeWaitMs: number;
  readonly minNotificationIntervalMs: number;
  readonly maxNotificationIntervalMs: number;
  /** Lab deviation: answer a same-round LOOKING notification whose vote loses to ours. */
  readonly answerLosingVotes: boolean;
}

export class FastLeaderElection {
  constructor(
    private readonly t: GroupTable,
    private readonly d: ZabDurable,
    private readonly port: CorePort,
    private readonly roles: Transitions,
    private readonly o: ElectionTimes,
  ) {}

  /** lookForLeader's start: logicalclock.incrementAndGet(), vote for ourselves, sendNotifications(). */
  begin(g: number): void {
    const t = this.t;
    t.st[g] = S_LOOKING;
    t.flags[g] = 0;
    t.round[g]++; // logicalclock.incrementAndGet()
    this.clearRecvset(g);
    this.clearOutOfElection(g);
    t.mConn[g] = 0;
    t.maxAccepted[g] = -1;
    const r = t.row(g);
    t.backoff[r] = 0; // notTimeout = minNotificationInterval
    this.port.observer.campaign(t.parts[g]);
    // updateProposal(getInitId(), getInitLastLoggedZxid(), getPeerEpoch()); sendNotifications()
    this.setProposal(g, t.mySlot[g], this.d.lastZxid.get(g), this.d.currentEpoch[g]);
    this.sendNotifications(g);
    if (!this.checkLookingQuorum(g)) this.port.schedule(g, this.port.now() + this.notTimeout(g));
  }

  notTimeout(g: number): number {
    const r = this.t.row(g);
    return notificationTimeout(this.t.backoff[r], this.o.minNotificationIntervalMs, this.o.maxNotificationIntervalMs);
  }

  /** recvqueue.poll(notTimeout) timed out: send again, back off (notTimeout * 2, capped). */
  onNotificationTimeout(g: number): void {
    this.sendNotifications(g);
    const r = this.t.row(g);
    if (this.notTimeout(g) < this.o.maxNotificationIntervalMs) this.t.backoff[r]++;
    this.port.schedule(g, this.port.now() + this.notTimeout(g));
  }

  /** finalizeWait passed with no better vote: the vote is settled. */
  onFinalizeWait(g: number): void {
    const t = this.t;
    const r = t.row(g);
    this.decide(g, t.pLeader[g], t.pZxid[r], t.pEpoch[r]);
  }

  /** updateProposal, and our own notification lands in our recvset (ZooKeeper delivers it to itself). */
  private setProposal(g: number, leader: number, zxid: number, epoch: number): void {
    const t = this.t;
    const r = t.row(g);
    t.pLeader[g] = leader;
    t.pZxid[r] = zxid;
    t.pEpoch[r] = epoch;
    const k = r * t.rf + t.mySlot[g];
    t.vLeader[k] = leader;
    t.vZxid[k] = zxid;
    t.vEpoch[k] = epoch;
    t.vState[k] = LOOKING;
  }

  /** sendNotifications: our current vote to every other peer of the group. */
  private sendNotifications(g: number): void {
    const t = this.t;
    const r = t.row(g);
    t.lastBroadcast[r] = Math.floor(this.port.now());
    const me = t.mySlot[g];
    for (let j = 0; j < t.rf; j++) if (j !== me) this.sendVote(g, j, LOOKING);
  }

  private sendVote(g: number, j: number, state: number): void {
    const t = this.t;
    const r = t.row(g);
    this.port.emit6(t.hostOf(g, j), T.Notification, t.parts[g], state, t.hostOf(g, t.pLeader[g]), t.pZxid[r], t.round[g], t.pEpoch[r]);
  }

  /** A notification from replica slot j: WorkerReceiver's answer, then lookForLeader's loop body. */
  onNotification(g: number, j: number, nState: number, nLeaderHost: number, nZxid: number, nRound: number, nEpoch: number): void {
    const t = this.t;
    const nLeader = t.slotOf(g, nLeaderHost);
    if (nLeader < 0) return; // validVoter(n.leader)
    const r = t.row(g);
    let s = t.st[g];
    if (!isLooking(s)) {
      if (nState !== LOOKING) return;
      if (isFollowing(s) && j === t.pLeader[g]) {
        // Our leader is LOOKING: it no longer leads us (its connection to us is gone). Look too,
        // and take its notification as the first of the new election.
        this.roles.startLooking(g);
        s = t.st[g];
        if (!isLooking(s)) return;
      } else {
        // WorkerReceiver: not LOOKING, the sender is: send back what we believe the leader is.
        this.sendVote(g, j, isLeading(s) ? LEADING : FOLLOWING);
        if (isLeading(s)) this.roles.dropLearner(g, j); // a learner that is LOOKING has left us
        return;
      }
    }
    const sender = (1 << j) & 0xff;
    if (nState === LOOKING) {
      t.mConn[g] &= ~sender; // a stashed FOLLOWERINFO from it is void: it is looking again
      // WorkerReceiver: answer a LOOKING peer whose round lags ours (and, as a lab deviation,
      // one of our round whose vote loses to ours, unless we sent our vote to everyone within
      // minNotificationInterval: it is on its way or it arrived before the peer's round began,
      // and the peer's next timeout brings the question back).
      if (
        nRound < t.round[g] ||
        (this.o.answerLosingVotes &&
          nRound === t.round[g] &&
          this.port.now() - t.lastBroadcast[r] >= this.o.minNotificationIntervalMs &&
          !totalOrderPredicate(nLeaderHost, nZxid, nEpoch, t.hostOf(g, t.pLeader[g]), t.pZxid[r], t.pEpoch[r]) &&
          !(nLeader === t.pLeader[g] && nZxid === t.pZxid[r] && nEpoch === t.pEpoch[r]))
      ) {
        this.sendVote(g, j, LOOKING);
      }
    }
    const now = this.port.now();
    if (s === S_FINALIZING) {
      // The finalizeWait poll: a better vote ends the wait and is processed as usual; anything
      // else is consumed and the wait starts again.
      if (!totalOrderPredicate(nLeaderHost, nZxid, nEpoch, t.hostOf(g, t.pLeader[g]), t.pZxid[r], t.pEpoch[r])) {
        this.port.schedule(g, now + this.o.finalizeWaitMs);
        return;
      }
      t.st[g] = S_LOOKING;
    }
    const base = r * t.rf;
    if (nState === LOOKING) {
      if (nRound > t.round[g]) {
        // A newer election: adopt its round, forget the old votes, vote afresh.
        this.port.observer.rule?.(ZRULE.newerRound);
        t.round[g] = nRound;
        this.clearRecvset(g);
        const me = t.mySlot[g];
        if (totalOrderPredicate(nLeaderHost, nZxid, nEpoch, t.me, this.d.lastZxid.get(g), this.d.currentEpoch[g])) {
          this.setProposal(g, nLeader, nZxid, nEpoch);
        } else {
          this.setProposal(g, me, this.d.lastZxid.get(g), this.d.currentEpoch[g]);
        }
        this.sendNotifications(g);
      } else if (nRound < t.round[g]) {
        this.port.observer.rule?.(ZRULE.staleRound);
        this.port.schedule(g, now + this.notTimeout(g));
        return; // a stale notification
      } else if (totalOrderPredicate(nLeaderHost, nZxid, nEpoch, t.hostOf(g, t.pLeader[g]), t.pZxid[r], t.pEpoch[r])) {
        this.port.observer.rule?.(ZRULE.betterVote);
        this.setProposal(g, nLeader, nZxid, nEpoch);
        this.sendNotifications(g);
      }
      const k = base + j;
      t.vLeader[k] = nLeader;
      t.vZxid[k] = nZxid;
      t.vEpoch[k] = nEpoch;
      t.vState[k] = LOOKING;
      if (this.checkLookingQuorum(g)) return;
      this.port.schedule(g, now + this.notTimeout(g));
      return;
    }
    // FOLLOWING or LEADING: a peer that already left the election.
    if (nRound === t.round[g]) {
      const k = base + j;
      t.vLeader[k] = nLeader;
      t.vZxid[k] = nZxid;
      t.vEpoch[k] = nEpoch;
      t.vState[k] = nState;
      if (this.recvsetQuorum(g, nLeader, nZxid, nEpoch, nState) && this.checkLeaderRecvset(g, nLeader, nRound)) {
        this.port.observer.rule?.(ZRULE.joinInRound);
        this.decide(g, nLeader, nZxid, nEpoch);
        return;
      }
    }
    // outofelection: before joining an established ensemble, a quorum must follow that leader.
    const k = base + j;
    t.oLeader[k] = nLeader;
    t.oEpoch[k] = nEpoch;
    t.oState[k] = nState;
    if (this.outOfElectionQuorum(g, nLeader, nEpoch) && this.checkLeaderOutOfElection(g, nLeader, nRound)) {
      t.round[g] = nRound;
      this.port.observer.rule?.(ZRULE.joinOutOfElection);
      this.decide(g, nLeader, nZxid, nEpoch);
      return;
    }
    this.port.schedule(g, now + this.notTimeout(g));
  }

  /** After a change to the recvset in the LOOKING path: a quorum agreeing with our vote starts finalizeWait. */
  private checkLookingQuorum(g: number): boolean {
    const t = this.t;
    const r = t.row(g);
    if (!this.recvsetQuorum(g, t.pLeader[g], t.pZxid[r], t.pEpoch[r], LOOKING)) return false;
    this.port.observer.rule?.(ZRULE.finalizeWait);
    t.st[g] = S_FINALIZING;
    this.port.schedule(g, this.port.now() + this.o.finalizeWaitMs);
    return true;
  }

  /** getVoteTracker(recvset, vote).hasAllQuorums(), with Vote.equals' two notions of equality. */
  private recvsetQuorum(g: number, leader: number, zxid: number, epoch: number, state: number): boolean {
    const t = this.t;
    const base = t.row(g) * t.rf;
    let n = 0;
    for (let j = 0; j < t.rf; j++) {
      const k = base + j;
      if (t.vLeader[k] !== leader || t.vEpoch[k] !== epoch) continue;
      if ((t.vState[k] === LOOKING || state === LOOKING) && t.vZxid[k] !== zxid) continue;
      n++;
    }
    return n >= t.quorum;
  }

  private outOfElectionQuorum(g: number, leader: number, epoch: number): boolean {
    const t = this.t;
    const base = t.row(g) * t.rf;
    let n = 0;
    for (let j = 0; j < t.rf; j++) {
      const k = base + j;
      if (t.oState[k] !== 0 && t.oLeader[k] === leader && t.oEpoch[k] === epoch) n++;
    }
    return n >= t.quorum;
  }

  /** checkLeader: the proposed leader must itself have said it is LEADING (or be us, in this round). */
  private checkLeaderRecvset(g: number, leader: number, electionEpoch: number): boolean {
    const t = this.t;
    if (leader !== t.mySlot[g]) {
      const k = t.row(g) * t.rf + leader;
      return t.vLeader[k] !== -1 && t.vState[k] === LEADING;
    }
    return t.round[g] === electionEpoch;
  }

  private checkLeaderOutOfElection(g: number, leader: number, electionEpoch: number): boolean {
    const t = this.t;
    if (leader !== t.mySlot[g]) {
      const k = t.row(g) * t.rf + leader;
      return t.oState[k] === LEADING;
    }
    return t.round[g] === electionEpoch;
  }

  private clearRecvset(g: number): void {
    const t = this.t;
    const base = t.row(g) * t.rf;
    for (let j = 0; j < t.rf; j++) t.vLeader[base + j] = -1;
  }

  private clearOutOfElection(g: number): void {
    const t = this.t;
    const base = t.row(g) * t.rf;
    for (let j = 0; j < t.rf; j++) {
      t.oLeader[base + j] = -1;
      t.oState[base + j] = 0;
    }
  }

  /** FLE returns the end vote: setPeerState(proposedLeader) -> LEADING or FOLLOWING. */
  private decide(g: number, leader: number, zxid: number, epoch: number): void {
    const t = this.t;
    const r = t.row(g);
    t.pLeader[g] = leader;
    t.pZxid[r] = zxid;
    t.pEpoch[r] = epoch;
    this.clearRecvset(g);
    this.clearOutOfElection(g);
    this.port.observer.rule?.(leader === t.mySlot[g] ? ZRULE.electedLeader : ZRULE.electedFollower);
    if (leader === t.mySlot[g]) this.roles.becomeLeader(g);
    else this.roles.becomeFollower(g, leader);
  }
}
