/**
 * Discovery and synchronisation on the prospective leader (Leader.lead with its LearnerHandlers):
 *  1. getEpochToPropose: a quorum of FOLLOWERINFO (the leader counts itself) gives the new epoch,
 *     max(acceptedEpoch) + 1, which the leader accepts (durable) and sends in LEADERINFO;
 *  2. waitForEpochAck: a quorum of ACKEPOCH, refusing a follower more recent than the leader;
 *     then currentEpoch is set (durable), and each learner is synchronised
 *     (LearnerHandler.syncFollower: TRUNC and/or DIFF from the last zxid its ACKEPOCH reported)
 *     and sent NEWLEADER;
 *  3. waitForNewLeaderAck: a quorum ACKs NEWLEADER; only then does the leader lead, and UPTODATE
 *     lets the learners follow. Each wait lasts at most initLimit ticks (the core's deadline).
 * A learner lost while leading ends the leadership when fewer than a quorum remain
 * ("Not sufficient followers synced").
 */
import type { Broadcast } from "./broadcast.ts";
import type { CorePort } from "./core-port.ts";
import type { ZabDurable } from "./durable-state.ts";
import { counterOfZxid, epochOfZxid, isMoreRecentThan } from "./fle.ts";
import {
  F_DECLARED_LEAD,
  F_SELF_GUARD,
  S_L_BROADCAST,
  S_L_DISCOVERY,
  S_L_EPOCHACK,
  S_L_SYNC,
  isLeading,
  isLooking,
  popcount,
  type GroupTable,
} from "./group-table.ts";
import { T } from "./messages.ts";
import type { StaleAckGuard } from "./stale-ack-guard.ts";
import type { Transitions } from "./transitions.ts";
import { ZRULE } from "./rules.ts";

export class LeaderRole {
  constructor(
    private readonly t: GroupTable,
    private readonly d: ZabDurable,
    private readonly port: CorePort,
    private readonly roles: Transitions,
    private readonly broadcast: Broadcast,
    private readonly guard: StaleAckGuard,
    private readonly initLimitMs: number,
  ) {}

  /** Leader.lead begins: discovery, with ourselves as the first connected follower. */
  become(g: number): void {
    const t = this.t;
    t.st[g] = S_L_DISCOVERY;
    t.flags[g] = 0;
    const me = t.mySlot[g];
    for (let j = 0; j < t.rf; j++) if (j !== me) this.port.relationUp(t.hostOf(g, j));
    // getEpochToPropose(self): the leader is one of the connecting followers, with its acceptedEpoch.
    t.mConn[g] |= 1 << me;
    if (this.d.acceptedEpoch[g] > t.maxAccepted[g]) t.maxAccepted[g] = this.d.acceptedEpoch[g];
    t.clearLearnerSets(g);
    this.port.schedule(g, this.port.now() + this.initLimitMs);
    this.tryProposeEpoch(g);
  }

  /** Leaving LEADING: relations end, the lead is withdrawn, pending writes fail. */
  leave(g: number): void {
    const t = this.t;
    const me = t.mySlot[g];
    for (let j = 0; j < t.rf; j++) if (j !== me) this.port.relationDown(t.hostOf(g, j));
    if ((t.flags[g] & F_DECLARED_LEAD) !== 0) this.port.observer.stepDown(t.parts[g]);
    this.broadcast.forgetPending(g);
  }

  /** getEpochToPropose: once a quorum (with us) connected, epoch = max(acceptedEpoch) + 1. */
  private tryProposeEpoch(g: number): void {
    const t = this.t;
    if (t.st[g] !== S_L_DISCOVERY || popcount(t.mConn[g]) < t.quorum) return;
    const epoch = t.maxAccepted[g] + 1;
    this.port.observer.rule?.(ZRULE.proposeEpoch);
    this.d.acceptedEpoch[g] = epoch; // self.setAcceptedEpoch(epoch): durable
    this.port.durableChanged?.();
    t.st[g] = S_L_EPOCHACK;
    const me = t.mySlot[g];
    // waitForEpochAck(self.getId(), leaderStateSummary): the leader counts itself.
    t.mEpochReplied[g] = 1 << me;
    t.mEpochCounted[g] = 1 << me;
    this.port.schedule(g, this.port.now() + this.initLimitMs);
    const conn = t.mConn[g];
    for (let j = 0; j < t.rf; j++) {
      if (j !== me && (conn & (1 << j)) !== 0) this.port.emit2(t.hostOf(g, j), T.LeaderInfo, t.parts[g], epoch);
    }
    this.tryEpochQuorum(g);
  }

  /** waitForEpochAck done: set currentEpoch, synchronise the learners, send NEWLEADER. */
  private tryEpochQuorum(g: number): void {
    const t = this.t;
    if (t.st[g] !== S_L_EPOCHACK || popcount(t.mEpochCounted[g]) < t.quorum) return;
    const epoch = this.d.acceptedEpoch[g];
    this.port.observer.rule?.(ZRULE.epochQuorum);
    this.d.currentEpoch[g] = epoch; // self.setCurrentEpoch(epoch): durable
    this.port.durableChanged?.();
    t.st[g] = S_L_SYNC;
    const me = t.mySlot[g];
    const now = this.port.now();
    t.mAcked[g] = 0;
    // waitForNewLeaderAck(self.getId(), zxid): the leader counts itself, after the stale-ack guard.
    const guard = this.guard.until(g);
    if (now >= guard) {
      t.mAcked[g] = 1 << me;
      this.port.schedule(g, now + this.initLimitMs);
    } else {
      t.flags[g] |= F_SELF_GUARD;
      this.port.schedule(g, guard);
    }
    const targets = t.mEpochReplied[g] & t.mConn[g];
    for (let j = 0; j < t.rf; j++) {
      if (j !== me && (targets & (1 << j)) !== 0) this.sendNewLeader(g, j);
    }
    this.tryEstablish(g);
  }

  private sendNewLeader(g: number, j: number): void {
    const t = this.t;
    t.mSynced[g] |= 1 << j;
    this.syncFollower(g, j);
    this.port.emit3(t.hostOf(g, j), T.NewLeader, t.parts[g], this.d.currentEpoch[g], this.d.lastZxid.get(g));
  }

  /**
   * LearnerHandler.syncFollower, from the learner's last zxid (its ACKEPOCH): nothing if it ends
   * where we do; TRUNC to our last zxid if it is ahead; otherwise TRUNC to the last zxid we share
   * when its last one is not in our log, then DIFF: every entry of ours after it (with its COMMIT
   * when we committed it). The leader keeps
   * its whole log, so SNAP is never needed.
   */
  private syncFollower(g: number, j: number): void {
    const t = this.t;
    const log = this.d.log;
    const to = t.hostOf(g, j);
    const p = t.parts[g];
    const k = t.row(g) * t.rf + j;
    const peer = t.peerZxid[k];
    const last = this.d.lastZxid.get(g);
    if (peer === last) return;
    if (peer > last) {
      this.port.emit2(to, T.Trunc, p, last);
      return;
    }
    const from = log.countUpTo(g, peer);
    if (from === 0 ? peer !== 0 : log.zxidAt(g, from - 1) !== peer) this.port.emit2(to, T.Trunc, p, from === 0 ? 0 : log.zxidAt(g, from - 1));
    const n = log.lengthOf(g);
    const committed = log.committedOf(g);
    for (let i = from; i < n; i++) this.port.emit4(to, T.Diff, p, log.zxidAt(g, i), log.writeAt(g, i), i < committed ? 1 : 0);
  }

  /** waitForNewLeaderAck done: a quorum acknowledged NEWLEADER. Only now does the leader lead. */
  private tryEstablish(g: number): void {
    const t = this.t;
    if (t.st[g] !== S_L_SYNC || popcount(t.mAcked[g]) < t.quorum) return;
    t.st[g] = S_L_BROADCAST;
    this.port.observer.rule?.(ZRULE.established);
    this.port.cancel(g);
    t.flags[g] |= F_DECLARED_LEAD;
    const epoch = this.d.currentEpoch[g];
    this.port.observer.lead(t.parts[g], epoch);
    // The new epoch's initial history (our whole log) is committed once a quorum holds it.
    this.d.log.commit(g, this.d.log.lengthOf(g), t.parts[g], this.port.observer);
    const me = t.mySlot[g];
    const targets = t.mAcked[g] & t.mConn[g];
    for (let j = 0; j < t.rf; j++) {
      if (j !== me && (targets & (1 << j)) !== 0) this.port.emit2(t.hostOf(g, j), T.UpToDate, t.parts[g], epoch);
    }
  }

  /** The initLimit deadline in discovery or synchronisation (or the end of our own stale-ack guard). */
  onDeadline(g: number): void {
    const t = this.t;
    if (t.st[g] === S_L_SYNC && (t.flags[g] & F_SELF_GUARD) !== 0) {
      t.flags[g] &= ~F_SELF_GUARD;
      t.mAcked[g] |= 1 << t.mySlot[g];
      this.port.schedule(g, this.port.now() + this.initLimitMs);
      this.tryEstablish(g);
      return;
    }
    // "Timeout while waiting for NEWLEADER to be acked by quorum", or for epoch acks / followers.
    this.port.observer.rule?.(ZRULE.limitPassed);
    this.roles.startLooking(g);
  }

  /** FOLLOWERINFO from replica slot j (LearnerHandler's first packet). */
  onFollowerInfo(g: number, j: number, accepted: number): void {
    const t = this.t;
    const s = t.st[g];
    const bit = 1 << j;
    if (isLooking(s)) {
      // Not leading yet: keep it for when we do (the learner's connect would be retried).
      t.mConn[g] |= bit;
      if (accepted > t.maxAccepted[g]) t.maxAccepted[g] = accepted;
    } else if (s === S_L_DISCOVERY) {
      t.mConn[g] |= bit;
      if (accepted > t.maxAccepted[g]) t.maxAccepted[g] = accepted;
      this.tryProposeEpoch(g);
    } else if (isLeading(s)) {
      // A learner connecting after the epoch was chosen gets it at once (getEpochToPropose returns it).
      t.mConn[g] |= bit;
      t.mEpochReplied[g] &= ~bit;
      t.mSynced[g] &= ~bit;
      t.mAcked[g] &= ~bit;
      this.port.emit2(t.hostOf(g, j), T.LeaderInfo, t.parts[g], this.d.acceptedEpoch[g]);
    }
    // Following: we are not a leader; the learner's connection is refused (it times out).
  }

  /** ACKEPOCH from replica slot j. */
  onAckEpoch(g: number, j: number, epoch: number, zxid: number): void {
    const t = this.t;
    const s = t.st[g];
    const bit = 1 << j;
    if (s < S_L_EPOCHACK || s > S_L_BROADCAST || (t.mConn[g] & bit) === 0) return;
    t.mEpochReplied[g] |= bit;
    const k = t.row(g) * t.rf + j;
    t.peerZxid[k] = zxid; // where its log ends: the start of its synchronisation
    if (s === S_L_EPOCHACK) {
      if (epoch !== -1) {
        // waitForEpochAck: a follower more recent than the leader is refused (its LearnerHandler
        // dies); the leader must be at least as up to date as every peer it counts.
        if (isMoreRecentThan(epoch, zxid, this.d.currentEpoch[g], this.d.lastZxid.get(g))) {
          t.mConn[g] &= ~bit;
          t.mEpochReplied[g] &= ~bit;
          return;
        }
        t.mEpochCounted[g] |= bit;
        this.tryEpochQuorum(g);
      }
      // epoch -1: it already accepted this epoch; it is synchronised but not counted.
    } else {
      this.sendNewLeader(g, j);
    }
  }

  /** ACK from replica slot j: of NEWLEADER (counter 0) or of a proposal. */
  onAck(g: number, j: number, zxid: number): void {
    const t = this.t;
    const s = t.st[g];
    const bit = 1 << j;
    const epoch = epochOfZxid(zxid);
    if (counterOfZxid(zxid) === 0) {
      // ACK of NEWLEADER.
      if (s < S_L_SYNC || s > S_L_BROADCAST || epoch !== this.d.currentEpoch[g] || (t.mSynced[g] & bit) === 0) return;
      t.mAcked[g] |= bit;
      if (s === S_L_SYNC) this.tryEstablish(g);
      else if ((t.mConn[g] & bit) !== 0) this.port.emit2(t.hostOf(g, j), T.UpToDate, t.parts[g], epoch);
      return;
    }
    if (s !== S_L_BROADCAST || epoch !== this.d.currentEpoch[g]) return;
    this.broadcast.onAck(g, j, zxid);
  }

  /** A learner is gone (connection closed, or it is LOOKING again). */
  dropLearner(g: number, j: number): void {
    const t = this.t;
    const bit = 1 << j;
    if ((t.mConn[g] & bit) === 0) return;
    t.mConn[g] &= ~bit;
    t.mSynced[g] &= ~bit;
    // Leader.lead's tick: "Not sufficient followers synced" -> shutdown -> LOOKING.
    if (t.st[g] === S_L_BROADCAST && popcount(t.mConn[g]) < t.quorum) {
      this.port.observer.rule?.(ZRULE.quorumLost);
      this.roles.startLooking(g);
    }
  }
}
