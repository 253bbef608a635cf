/**
 * The Zab protocol core of one host: every group this host replicates, each a ZooKeeper ensemble
 * of its replicas. Pure: its inputs are group messages (already unpacked from frames, with the
 * sender's replica slot), deadlines coming due, client writes, lost peers and the persisted state
 * it is built on; its outputs go through the CorePort (queued messages, deadlines, relations,
 * declarations) and the durable arrays it writes before replying. Transport, ticks, pings,
 * connections and the deadline wheel are the host's (zab-host.ts).
 *
 * Per group a peer is LOOKING (election.ts: FastLeaderElection.lookForLeader), FOLLOWING
 * (learner.ts: Learner.registerWithLeader -> syncWithLeader -> Follower.followLeader) or LEADING
 * (leader.ts: Leader.lead: getEpochToPropose -> waitForEpochAck -> waitForNewLeaderAck, then
 * broadcast.ts: propose / processAck / tryToCommit), the Zab paper's phases 0-3.
 */
import type { PartitionId } from "../../src/elector/api.ts";
import { Broadcast } from "./broadcast.ts";
import type { CorePort } from "./core-port.ts";
import type { ZabDurable } from "./durable-state.ts";
import { FastLeaderElection } from "./election.ts";
import {
  PHASE_NAMES,
  S_FINALIZING,
  S_F_DISCOVERY,
  S_F_SYNC,
  S_F_SYNC_GUARD,
  S_F_SYNCED,
  S_L_BROADCAST,
  S_L_DISCOVERY,
  S_L_EPOCHACK,
  S_L_SYNC,
  S_LOOKING,
  isFollowing,
  isLeading,
  isLooking,
  type GroupTable,
} from "./group-table.ts";
import { LeaderRole } from "./leader.ts";
import { LearnerRole } from "./learner.ts";
import { T } from "./messages.ts";
import type { ZabOptions } from "./options.ts";
import { StaleAckGuard } from "./stale-ack-guard.ts";
import type { Transitions } from "./transitions.ts";
import { ZRULE } from "./rules.ts";

export class ZabCore implements Transitions {
  private readonly election: FastLeaderElection;
  private readonly leader: LeaderRole;
  private readonly learner: LearnerRole;
  private readonly broadcast: Broadcast;

  constructor(
    readonly table: GroupTable,
    readonly durable: ZabDurable,
    private readonly port: CorePort,
    o: ZabOptions,
  ) {
    const initLimitMs = o.initLimit * o.tickTimeMs;
    const guard = new StaleAckGuard(table.groups, durable, o.staleAckGuardMs);
    this.election = new FastLeaderElection(table, durable, port, this, {
      finalizeWaitMs: o.finalizeWaitMs,
      minNotificationIntervalMs: o.minNotificationIntervalMs,
      maxNotificationIntervalMs: o.maxNotificationIntervalMs,
      answerLosingVotes: o.answerLosingVotes,
    });
    this.broadcast = new Broadcast(table, durable, port, guard);
    this.leader = new LeaderRole(table, durable, port, this, this.broadcast, guard, initLimitMs);
    this.learner = new LearnerRole(table, durable, port, this, guard, initLimitMs);
  }

  // ---- inputs ----

  /** Boot: every peer starts LOOKING (QuorumPeer.run -> lookForLeader). */
  start(): void {
    for (let g = 0; g < this.table.groups; g++) this.startLooking(g);
  }

  /**
   * One group message of `type` (messages.ts) from replica slot j of group g; its fields are
   * items[i + 1 ..] (items[i] is the partition).
   */
  step(type: number, g: number, j: number, items: readonly number[], i: number): void {
    switch (type) {
      case T.Notification:
        this.election.onNotification(g, j, items[i + 1], items[i + 2], items[i + 3], items[i + 4], items[i + 5]);
        break;
      case T.FollowerInfo:
        this.leader.onFollowerInfo(g, j, items[i + 1]);
        break;
      case T.LeaderInfo:
        this.learner.onLeaderInfo(g, j, items[i + 1]);
        break;
      case T.AckEpoch:
        this.leader.onAckEpoch(g, j, items[i + 1], items[i + 2]);
        break;
      case T.NewLeader:
        this.learner.onNewLeader(g, j, items[i + 1], items[i + 2]);
        break;
      case T.Ack:
        this.leader.onAck(g, j, items[i + 1]);
        break;
      case T.UpToDate:
        this.learner.onUpToDate(g, j, items[i + 1]);
        break;
      case T.Proposal:
        this.learner.onProposal(g, j, items[i + 1], items[i + 2]);
        break;
      case T.Commit:
        this.learner.onCommit(g, j, items[i + 1]);
        break;
      case T.Trunc:
        this.learner.onTrunc(g, j, items[i + 1]);
        break;
      case T.Diff:
        this.learner.onDiff(g, j, items[i + 1], items[i + 2], items[i + 3]);
        break;
    }
  }

  /** Group g's deadline came due: what it means depends on the phase. */
  onDeadline(g: number): void {
    switch (this.table.st[g]) {
      case S_LOOKING:
        this.election.onNotificationTimeout(g);
        return;
      case S_FINALIZING:
        this.election.onFinalizeWait(g);
        return;
      case S_F_DISCOVERY:
      case S_F_SYNC:
      case S_F_SYNC_GUARD:
      case S_F_SYNCED:
        this.learner.onDeadline(g);
        return;
      case S_L_DISCOVERY:
      case S_L_EPOCHACK:
      case S_L_SYNC:
        this.leader.onDeadline(g);
        return;
      default:
        return;
    }
  }

  /** A client write for group g: only an established leader takes it (Leader.propose); everyone else refuses. */
  onWrite(g: number, partition: PartitionId, writeId: number): void {
    if (g < 0 || this.table.st[g] !== S_L_BROADCAST) {
      this.port.observer.rejected(partition, writeId);
      return;
    }
    this.broadcast.propose(g, writeId);
  }

  /** The connection to the peer in replica slot j of group g is gone: every relation through it ends. */
  peerLost(g: number, j: number): void {
    const t = this.table;
    const s = t.st[g];
    if (isFollowing(s)) {
      if (t.pLeader[g] === j) {
        this.port.observer.rule?.(ZRULE.leaderLost);
        this.startLooking(g);
      }
    } else if (isLeading(s)) {
      this.dropLearner(g, j);
    } else if (isLooking(s)) {
      t.mConn[g] &= ~(1 << j);
    }
  }

  /** The host asks its disk to flush what this host appended as a leader (see CorePort.leaderLogged). */
  leaderFlushRequested(): void {
    this.broadcast.flushRequested();
  }

  /** That flush completed: the leader's own ACKs of the proposals it covered. */
  leaderLogFlushed(): void {
    this.broadcast.flushed();
  }

  /** Periodic: refuse writes whose quorum missed the stale-ack guard. */
  expireLateWrites(): void {
    this.broadcast.expireLate();
  }

  // ---- transitions (QuorumPeer's state changes) ----

  startLooking(g: number): void {
    this.port.observer.rule?.(ZRULE.startLooking);
    this.leaveRole(g);
    this.election.begin(g);
  }

  becomeLeader(g: number): void {
    this.leader.become(g);
  }

  becomeFollower(g: number, leaderSlot: number): void {
    this.learner.become(g, leaderSlot);
  }

  leaveRole(g: number): void {
    const t = this.table;
    const s = t.st[g];
    if (isLeading(s)) this.leader.leave(g);
    else if (isFollowing(s)) this.learner.leave(g);
    t.clearLearnerSets(g);
  }

  dropLearner(g: number, j: number): void {
    this.leader.dropLearner(g, j);
  }

  // ---- introspection for tests (never read by the lab) ----

  /** The group's phase name. */
  phaseOf(g: number): string {
    return PHASE_NAMES[this.table.st[g]] ?? "NONE";
  }

  /** The group's current notification timeout (ms). */
  notificationTimeoutOf(g: number): number {
    return this.election.notTimeout(g);
  }
}
