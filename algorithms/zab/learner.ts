/**
 * The learner's side of discovery, synchronisation and broadcast (Learner.registerWithLeader,
 * syncWithLeader, Follower.followLeader / processPacket): FOLLOWERINFO with acceptedEpoch; on
 * LEADERINFO accept a higher epoch (durable) and answer ACKEPOCH; apply the leader's TRUNC and
 * DIFF to the log; on NEWLEADER set currentEpoch (durable) and ACK; on UPTODATE commit the
 * synchronised history and follow; log and ACK each PROPOSAL; commit on each COMMIT.
 * Each wait lasts at most initLimit ticks (the core's deadline).
 */
import type { CorePort } from "./core-port.ts";
import type { ZabDurable } from "./durable-state.ts";
import { epochOfZxid, makeZxid } from "./fle.ts";
import {
  F_DECLARED_FOLLOW,
  S_F_BROADCAST,
  S_F_DISCOVERY,
  S_F_SYNC,
  S_F_SYNC_GUARD,
  S_F_SYNCED,
  isFollowing,
  type GroupTable,
} from "./group-table.ts";
import { T } from "./messages.ts";
import type { StaleAckGuard } from "./stale-ack-guard.ts";
import type { Transitions } from "./transitions.ts";
import { ZRULE } from "./rules.ts";

export class LearnerRole {
  constructor(
    private readonly t: GroupTable,
    private readonly d: ZabDurable,
    private readonly port: CorePort,
    private readonly roles: Transitions,
    private readonly guard: StaleAckGuard,
    private readonly initLimitMs: number,
  ) {}

  /** registerWithLeader: connect to the leader in replica slot `leader`, send FOLLOWERINFO. */
  become(g: number, leader: number): void {
    const t = this.t;
    t.st[g] = S_F_DISCOVERY;
    t.flags[g] = 0;
    t.mConn[g] = 0;
    t.maxAccepted[g] = -1;
    this.port.relationUp(t.hostOf(g, leader));
    this.port.emit2(t.hostOf(g, leader), T.FollowerInfo, t.parts[g], this.d.acceptedEpoch[g]);
    this.port.schedule(g, this.port.now() + this.initLimitMs);
  }

  /** Leaving FOLLOWING: the relation to the leader ends, the follow is withdrawn. */
  leave(g: number): void {
    const t = this.t;
    this.port.relationDown(t.hostOf(g, t.pLeader[g]));
    if ((t.flags[g] & F_DECLARED_FOLLOW) !== 0) this.port.observer.follow(t.parts[g], -1, -1);
  }

  private fromLeader(g: number, j: number): boolean {
    return isFollowing(this.t.st[g]) && this.t.pLeader[g] === j;
  }

  /** LEADERINFO: accept a higher epoch, ack an equal one without being counted, give up on a lower one. */
  onLeaderInfo(g: number, j: number, newEpoch: number): void {
    const t = this.t;
    if (!this.fromLeader(g, j) || t.st[g] !== S_F_DISCOVERY) return;
    const accepted = this.d.acceptedEpoch[g];
    let reported: number;
    if (newEpoch > accepted) {
      this.port.observer.rule?.(ZRULE.acceptEpoch);
      reported = this.d.currentEpoch[g];
      this.d.acceptedEpoch[g] = newEpoch; // setAcceptedEpoch: durable
      this.port.durableChanged?.();
    } else if (newEpoch === accepted) {
      reported = -1; // already accepted this epoch: ack, but do not count again
    } else {
      this.port.observer.rule?.(ZRULE.refuseOlderEpoch);
      this.roles.startLooking(g); // "Leaders epoch is less than accepted epoch"
      return;
    }
    this.port.emit3(t.hostOf(g, j), T.AckEpoch, t.parts[g], reported, this.d.lastZxid.get(g));
    t.st[g] = S_F_SYNC;
    this.port.schedule(g, this.port.now() + this.initLimitMs);
  }

  /** NEWLEADER: synchronise to the leader's history, set currentEpoch, ACK (after the guard). */
  onNewLeader(g: number, j: number, epoch: number, leaderZxid: number): void {
    const t = this.t;
    if (!this.fromLeader(g, j) || t.st[g] !== S_F_SYNC) return;
    if (epoch !== this.d.acceptedEpoch[g]) {
      this.port.observer.rule?.(ZRULE.refuseNewLeader);
      this.roles.startLooking(g);
      return;
    }
    this.port.observer.rule?.(ZRULE.ackNewLeader);
    // The TRUNC / DIFF before it made our log end where the leader's does.
    this.d.lastZxid.set(g, leaderZxid);
    this.port.durableChanged?.();
    this.d.currentEpoch[g] = epoch; // setCurrentEpoch: durable
    this.port.durableChanged?.();
    const now = this.port.now();
    const guard = this.guard.until(g);
    if (now >= guard) {
      this.ackNewLeader(g);
    } else {
      t.st[g] = S_F_SYNC_GUARD;
      this.port.schedule(g, guard);
    }
  }

  private ackNewLeader(g: number): void {
    const t = this.t;
    this.port.emit2(t.hostOf(g, t.pLeader[g]), T.Ack, t.parts[g], makeZxid(this.d.currentEpoch[g], 0));
    t.st[g] = S_F_SYNCED;
    this.port.schedule(g, this.port.now() + this.initLimitMs);
  }

  /** UPTODATE: synchronisation is over; follow. */
  onUpToDate(g: number, j: number, epoch: number): void {
    const t = this.t;
    if (!this.fromLeader(g, j) || t.st[g] !== S_F_SYNCED || epoch !== this.d.currentEpoch[g]) return;
    t.st[g] = S_F_BROADCAST;
    this.port.observer.rule?.(ZRULE.upToDate);
    this.port.cancel(g);
    t.flags[g] |= F_DECLARED_FOLLOW;
    this.port.observer.follow(t.parts[g], t.hostOf(g, j), epoch);
    // The history synchronised before NEWLEADER (every entry of an older epoch) is committed.
    this.d.log.commit(g, this.d.log.countUpTo(g, makeZxid(epoch, 0)), t.parts[g], this.port.observer);
  }

  /** TRUNC during synchronisation: drop every entry above `zxid`. */
  onTrunc(g: number, j: number, zxid: number): void {
    const t = this.t;
    if (!this.fromLeader(g, j) || t.st[g] !== S_F_SYNC) return;
    this.port.observer.rule?.(ZRULE.truncate);
    this.d.log.truncateAbove(g, zxid, t.parts[g], this.port.observer);
    this.d.lastZxid.set(g, zxid);
    this.port.durableChanged?.();
  }

  /** One entry of a DIFF during synchronisation: log it unless we have it; commit it with the leader's COMMIT. */
  onDiff(g: number, j: number, zxid: number, writeId: number, committed: number): void {
    const t = this.t;
    if (!this.fromLeader(g, j) || t.st[g] !== S_F_SYNC) return;
    const log = this.d.log;
    const n = log.lengthOf(g);
    if (n === 0 || log.zxidAt(g, n - 1) < zxid) {
      this.port.observer.rule?.(ZRULE.diff);
      log.append(g, zxid, writeId, t.parts[g], this.port.observer);
      this.d.lastZxid.set(g, zxid);
      this.port.durableChanged?.();
    }
    if (committed === 1) log.commit(g, log.countUpTo(g, zxid), t.parts[g], this.port.observer);
  }

  /** COMMIT from our leader: everything up to `zxid` is committed. */
  onCommit(g: number, j: number, zxid: number): void {
    const t = this.t;
    if (!this.fromLeader(g, j) || t.st[g] < S_F_SYNC_GUARD || epochOfZxid(zxid) !== this.d.currentEpoch[g]) return;
    this.d.log.commit(g, this.d.log.countUpTo(g, zxid), t.parts[g], this.port.observer);
  }

  /** PROPOSAL: log it and ACK (held back while our NEWLEADER ACK waits for the guard). */
  onProposal(g: number, j: number, zxid: number, writeId: number): void {
    const t = this.t;
    if (!this.fromLeader(g, j)) return;
    const s = t.st[g];
    if (epochOfZxid(zxid) !== this.d.currentEpoch[g]) return;
    if (s !== S_F_SYNC_GUARD && s !== S_F_SYNCED && s !== S_F_BROADCAST) return;
    if (zxid > this.d.lastZxid.get(g)) {
      this.d.log.append(g, zxid, writeId, t.parts[g], this.port.observer);
      this.d.lastZxid.set(g, zxid);
      this.port.durableChanged?.();
    }
    if (s === S_F_SYNC_GUARD) return; // logged; ACKs wait for NEWLEADER's
    this.port.observer.rule?.(ZRULE.logProposal);
    this.guard.noteAck(g, this.port.now());
    this.port.emit2(t.hostOf(g, j), T.Ack, t.parts[g], zxid);
  }

  /** The deadline of a learner's wait: initLimit passed (or, in S_F_SYNC_GUARD, the guard ended). */
  onDeadline(g: number): void {
    if (this.t.st[g] === S_F_SYNC_GUARD) this.ackNewLeader(g);
    else {
      this.port.observer.rule?.(ZRULE.limitPassed);
      this.roles.startLooking(g); // initLimit passed without progress
    }
  }
}
