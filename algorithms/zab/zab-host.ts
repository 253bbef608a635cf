/**
 * One host's Zab instance: every group (partition) this host replicates, each a ZooKeeper
 * ensemble of its replicas, run as a plain state machine over typed arrays indexed by the
 * group's local index. Rules are named after the ZooKeeper code they come from (SOURCES.md).
 *
 * Per group a peer is LOOKING (FastLeaderElection.lookForLeader), FOLLOWING (Learner:
 * registerWithLeader -> syncWithLeader -> broadcast) or LEADING (Leader.lead: getEpochToPropose
 * -> waitForEpochAck -> waitForNewLeaderAck -> broadcast). One host-level deadline wheel drives
 * every group's timeouts; one ping timer per host sends one ping per peer host and checks the
 * host pair's liveness; connections between host pairs are modelled by (conn, seq) on frames.
 */
import type { ElectorInstance, HostContext, HostId, Message, PartitionId, ZkEvent } from "../../src/elector/api.ts";
import {
  FOLLOWING,
  LEADING,
  LOOKING,
  ZXID_EPOCH,
  counterOfZxid,
  epochOfZxid,
  isMoreRecentThan,
  makeZxid,
  notificationTimeout,
  totalOrderPredicate,
} from "./fle.ts";
import { FRAME_BYTES, ITEM_BYTES, PING_BYTES, T, TYPE_NAMES, TYPE_OF, WIDTH, type ZabFrame } from "./messages.ts";
import type { ZabOptions } from "./options.ts";
import { DeadlineWheel } from "./wheel.ts";

// ---- per-group phase (st) ----
const S_LOOKING = 0; // FLE: exchanging notifications
const S_FINALIZING = 1; // FLE: a quorum agrees; waiting finalizeWait for a better vote
const S_F_DISCOVERY = 2; // follower: sent FOLLOWERINFO, waiting for LEADERINFO
const S_F_SYNC = 3; // follower: sent ACKEPOCH, waiting for NEWLEADER
const S_F_SYNC_GUARD = 4; // follower: got NEWLEADER, its ACK held by the stale-ack guard
const S_F_SYNCED = 5; // follower: ACKed NEWLEADER, waiting for UPTODATE
const S_F_BROADCAST = 6; // follower: following
const S_L_DISCOVERY = 7; // leader: collecting FOLLOWERINFO (getEpochToPropose)
const S_L_EPOCHACK = 8; // leader: sent LEADERINFO, collecting ACKEPOCH (waitForEpochAck)
const S_L_SYNC = 9; // leader: sent NEWLEADER, collecting ACKs (waitForNewLeaderAck)
const S_L_BROADCAST = 10; // leader: established, serving
const S_NONE = 255;

// ---- per-group flags ----
const F_DECLARED_LEAD = 1;
const F_DECLARED_FOLLOW = 2;
const F_SELF_GUARD = 4; // leader: its own NEWLEADER acknowledgement waits for the guard

// ---- host timers ----
const TAG_WHEEL = 1;
const TAG_PING = 2;

/** Deadline wheel resolution: deadlines fire on the first 10 ms boundary at or after them. */
export const WHEEL_RESOLUTION_MS = 10;

const CONN_SPACE = 65536;
const NO_TIME = -2147483648;

function popcount(m: number): number {
  m = m - ((m >> 1) & 0x55);
  m = (m & 0x33) + ((m >> 2) & 0x33);
  return (m + (m >> 4)) & 0x0f;
}

/** A write proposed by a leader and not yet answered. */
interface PendingWrite {
  readonly g: number;
  readonly writeId: number;
  readonly zxid: number;
  readonly epoch: number;
  readonly proposedAt: number;
  mask: number;
}

const isLooking = (s: number): boolean => s <= S_FINALIZING;
const isFollowing = (s: number): boolean => s >= S_F_DISCOVERY && s <= S_F_BROADCAST;
const isLeading = (s: number): boolean => s >= S_L_DISCOVERY && s <= S_L_BROADCAST;

export class ZabHost implements ElectorInstance {
  private readonly me: HostId;
  private readonly brokers: number;
  private readonly rf: number;
  private readonly quorum: number;
  private readonly assignment: Int32Array;
  /** Partitions of this host, ascending: local group g is parts[g]. */
  private readonly parts: Int32Array;
  private readonly G: number;

  // Options, resolved.
  private readonly initLimitMs: number;
  private readonly syncLimitMs: number;
  private readonly pingIntervalMs: number;
  private readonly finalizeWaitMs: number;
  private readonly minNotifMs: number;
  private readonly maxNotifMs: number;
  private readonly guardMs: number;
  private readonly answerLosingVotes: boolean;
  private readonly coalesce: boolean;

  // ---- durable (ctx.durable: typed arrays stored once, mutated in place) ----
  /** Zab's acceptedEpoch per group: the last epoch this peer accepted in LEADERINFO (or proposed). */
  private readonly acceptedEpoch: Int32Array;
  /** Zab's currentEpoch per group: the last epoch whose NEWLEADER this peer acknowledged. */
  private readonly currentEpoch: Int32Array;
  /** Last zxid in the group's log (the log is durable). */
  private readonly lastZxid: Float64Array;
  /** [0]: boot count (names connections); durable. */
  private readonly incarnation: Int32Array;
  /** [0]: time of this host's last proposal ACK in any group; durable (the boot guard). */
  private readonly lastAckAnyDurable: Float64Array;
  private readonly bootGuardFrom: number;

  // ---- volatile, per group ----
  private readonly mySlot: Uint8Array;
  private readonly st: Uint8Array;
  private readonly flags: Uint8Array;
  /** FLE logicalclock (election round). */
  private readonly round: Int32Array;
  /** Current vote (proposedLeader as a replica slot, proposedZxid, proposedEpoch); after FLE, the end vote. */
  private readonly pLeader: Int8Array;
  private readonly pZxid: Float64Array;
  private readonly pEpoch: Int32Array;
  /** Notification timeouts so far in this election (the backoff exponent). */
  private readonly backoff: Uint8Array;
  /** When this peer last sent its vote to all (floor ms), for answerLosingVotes. */
  private readonly lastBroadcast: Int32Array;
  /** FLE recvset, per sender slot: votes of the current round (leader slot, zxid, peer epoch, sender state). */
  private readonly vLeader: Int8Array;
  private readonly vZxid: Float64Array;
  private readonly vEpoch: Int32Array;
  private readonly vState: Uint8Array;
  /** FLE outofelection, per sender slot: FOLLOWING/LEADING votes of any round. */
  private readonly oLeader: Int8Array;
  private readonly oEpoch: Int32Array;
  private readonly oState: Uint8Array;
  /** Leader: learners connected (FOLLOWERINFO received; while LOOKING, a stash of early ones). */
  private readonly mConn: Uint8Array;
  /** Leader: learners that sent ACKEPOCH (any), and those counted toward the epoch quorum. */
  private readonly mEpochReplied: Uint8Array;
  private readonly mEpochCounted: Uint8Array;
  /** Leader: learners sent NEWLEADER (they get proposals), and those that ACKed it. */
  private readonly mSynced: Uint8Array;
  private readonly mAcked: Uint8Array;
  /** Leader in discovery: max acceptedEpoch seen (getEpochToPropose). */
  private readonly maxAccepted: Int32Array;
  /** Time (ceil ms) of this peer's last proposal ACK in the group, this incarnation. */
  private readonly lastAck: Int32Array;
  private readonly wheel: DeadlineWheel;

  // ---- volatile, per peer host ----
  private readonly relCount: Int32Array;
  private readonly lastHeard: Float64Array;
  private readonly outConn: Float64Array;
  private readonly outSeq: Float64Array;
  private readonly inConn: Float64Array;
  private readonly inSeq: Float64Array;
  /** Groups shared with each peer host (CSR): sharedGroup[sharedStart[h] .. sharedStart[h+1]). */
  private readonly sharedStart: Int32Array;
  private readonly sharedGroup: Int32Array;
  private readonly sharedSlot: Uint8Array;
  private readonly peers: Int32Array;

  // ---- outbox ----
  private readonly openType: Int8Array;
  private readonly openItems: (number[] | undefined)[];
  private readonly dirty: number[] = [];

  private readonly pending = new Map<number, PendingWrite>();
  private wheelTimer = -1;
  private wheelTimerTick = -1;

  constructor(
    private readonly ctx: HostContext,
    o: ZabOptions,
  ) {
    const cluster = ctx.cluster;
    this.me = ctx.host;
    this.brokers = cluster.brokers;
    this.rf = cluster.replicationFactor;
    if (this.rf > 8) throw new Error("zab: replication factors above 8 are not supported");
    this.quorum = (this.rf >> 1) + 1;
    this.assignment = cluster.assignment;
    this.parts = cluster.partitionsOf(this.me);
    const G = this.parts.length;
    this.G = G;

    this.initLimitMs = o.initLimit * o.tickTimeMs;
    this.syncLimitMs = o.syncLimit * o.tickTimeMs;
    this.pingIntervalMs = o.tickTimeMs / 2;
    this.finalizeWaitMs = o.finalizeWaitMs;
    this.minNotifMs = o.minNotificationIntervalMs;
    this.maxNotifMs = o.maxNotificationIntervalMs;
    this.guardMs = o.staleAckGuardMs;
    this.answerLosingVotes = o.answerLosingVotes;
    this.coalesce = o.coalesce;

    const d = ctx.durable;
    const durableArray = <A>(key: string, make: () => A): A => {
      let a = d.get<A>(key);
      if (a === undefined) {
        a = make();
        d.set(key, a);
      }
      return a;
    };
    this.acceptedEpoch = durableArray("zab.acceptedEpoch", () => new Int32Array(G));
    this.currentEpoch = durableArray("zab.currentEpoch", () => new Int32Array(G));
    this.lastZxid = durableArray("zab.lastZxid", () => new Float64Array(G));
    this.incarnation = durableArray("zab.incarnation", () => new Int32Array(1));
    this.lastAckAnyDurable = durableArray("zab.lastAckAny", () => new Float64Array(1).fill(-Infinity));
    this.bootGuardFrom = this.lastAckAnyDurable[0];

    const rf = this.rf;
    this.mySlot = new Uint8Array(G);
    this.st = new Uint8Array(G).fill(S_NONE);
    this.flags = new Uint8Array(G);
    this.round = new Int32Array(G);
    this.pLeader = new Int8Array(G).fill(-1);
    this.pZxid = new Float64Array(G);
    this.pEpoch = new Int32Array(G);
    this.backoff = new Uint8Array(G);
    this.lastBroadcast = new Int32Array(G);
    this.vLeader = new Int8Array(G * rf).fill(-1);
    this.vZxid = new Float64Array(G * rf);
    this.vEpoch = new Int32Array(G * rf);
    this.vState = new Uint8Array(G * rf);
    this.oLeader = new Int8Array(G * rf).fill(-1);
    this.oEpoch = new Int32Array(G * rf);
    this.oState = new Uint8Array(G * rf);
    this.mConn = new Uint8Array(G);
    this.mEpochReplied = new Uint8Array(G);
    this.mEpochCounted = new Uint8Array(G);
    this.mSynced = new Uint8Array(G);
    this.mAcked = new Uint8Array(G);
    this.maxAccepted = new Int32Array(G).fill(-1);
    this.lastAck = new Int32Array(G).fill(NO_TIME);
    this.wheel = new DeadlineWheel(G, WHEEL_RESOLUTION_MS, ctx.now());

    const n = this.brokers;
    this.relCount = new Int32Array(n);
    this.lastHeard = new Float64Array(n);
    this.outConn = new Float64Array(n);
    this.outSeq = new Float64Array(n);
    this.inConn = new Float64Array(n).fill(-1);
    this.inSeq = new Float64Array(n);
    this.openType = new Int8Array(n).fill(-1);
    this.openItems = new Array<number[] | undefined>(n).fill(undefined);

    // Groups shared with each peer host.
    const counts = new Int32Array(n + 1);
    for (let g = 0; g < G; g++) {
      const base = this.parts[g] * rf;
      for (let j = 0; j < rf; j++) {
        const h = this.assignment[base + j];
        if (h === this.me) this.mySlot[g] = j;
        else counts[h + 1]++;
      }
    }
    for (let h = 0; h < n; h++) counts[h + 1] += counts[h];
    this.sharedStart = counts;
    this.sharedGroup = new Int32Array(counts[n]);
    this.sharedSlot = new Uint8Array(counts[n]);
    const fill = counts.slice(0, n);
    let peerCount = 0;
    for (let h = 0; h < n; h++) if (counts[h + 1] > counts[h]) peerCount++;
    this.peers = new Int32Array(peerCount);
    for (let h = 0, k = 0; h < n; h++) if (counts[h + 1] > counts[h]) this.peers[k++] = h;
    for (let g = 0; g < G; g++) {
      const base = this.parts[g] * rf;
      for (let j = 0; j < rf; j++) {
        const h = this.assignment[base + j];
        if (h === this.me) continue;
        const k = fill[h]++;
        this.sharedGroup[k] = g;
        this.sharedSlot[k] = j;
      }
    }
  }

  // =====================================================================================
  // ElectorInstance
  // =====================================================================================

  start(): void {
    this.incarnation[0]++;
    const conn = this.incarnation[0] * CONN_SPACE;
    this.outConn.fill(conn);
    const now = this.ctx.now();
    this.lastHeard.fill(now);
    // Every peer boots LOOKING (QuorumPeer.run -> lookForLeader).
    for (let g = 0; g < this.G; g++) this.startLooking(g);
    this.ctx.setTimer(this.pingIntervalMs, TAG_PING);
    this.endOfEvent();
  }

  onMessage(from: HostId, message: Message): void {
    const type = TYPE_OF.get(message.type);
    if (type === undefined) return;
    const frame = message as ZabFrame;
    this.receiveFrameHeader(from, frame);
    const items = frame.items;
    const w = WIDTH[type];
    for (let i = 0; i < items.length; i += w) {
      const g = this.localIndex(items[i]);
      if (g < 0) continue;
      const j = this.slotOf(g, from);
      if (j < 0) continue;
      switch (type) {
        case T.Notification:
          this.onNotification(g, j, items[i + 1], items[i + 2], items[i + 3], items[i + 4], items[i + 5]);
          break;
        case T.FollowerInfo:
          this.onFollowerInfo(g, j, items[i + 1]);
          break;
        case T.LeaderInfo:
          this.onLeaderInfo(g, j, items[i + 1]);
          break;
        case T.AckEpoch:
          this.onAckEpoch(g, j, items[i + 1], items[i + 2]);
          break;
        case T.NewLeader:
          this.onNewLeader(g, j, items[i + 1], items[i + 2]);
          break;
        case T.Ack:
          this.onAck(g, j, items[i + 1]);
          break;
        case T.UpToDate:
          this.onUpToDate(g, j, items[i + 1]);
          break;
        case T.Proposal:
          this.onProposal(g, j, items[i + 1]);
          break;
        case T.Commit:
          break; // the write is already acknowledged by the leader; followers keep no commit point here
      }
    }
    this.endOfEvent();
  }

  onTimer(tag: number): void {
    if (tag === TAG_WHEEL) {
      this.wheelTimer = -1;
      this.wheelTimerTick = -1;
      const { entries, count } = this.wheel.advance(this.ctx.now());
      for (let k = 0; k < count; k++) this.onDeadline(entries[k]);
    } else if (tag === TAG_PING) {
      this.pingTick();
      this.ctx.setTimer(this.pingIntervalMs, TAG_PING);
    }
    this.endOfEvent();
  }

  onZk(_event: ZkEvent): void {}

  /** Leader.propose: only an established leader takes writes; everyone else refuses them. */
  onWrite(partition: PartitionId, writeId: number): void {
    const g = this.localIndex(partition);
    if (g < 0 || this.st[g] !== S_L_BROADCAST) {
      this.ctx.observer.rejected(partition, writeId);
      this.endOfEvent();
      return;
    }
    const epoch = this.currentEpoch[g];
    const last = this.lastZxid[g];
    const zxid = epochOfZxid(last) === epoch ? last + 1 : makeZxid(epoch, 1);
    this.lastZxid[g] = zxid; // the leader logs its own proposal (and counts as its first ACK)
    this.noteAck(g);
    const me = this.mySlot[g];
    const w: PendingWrite = { g, writeId, zxid, epoch, proposedAt: this.ctx.now(), mask: 1 << me };
    this.pending.set(this.pendingKey(g, zxid), w);
    const targets = this.mSynced[g] & this.mConn[g];
    for (let j = 0; j < this.rf; j++) {
      if (j !== me && (targets & (1 << j)) !== 0) this.emit2(this.hostOf(g, j), T.Proposal, this.parts[g], zxid);
    }
    this.tryCommit(w);
    this.endOfEvent();
  }

  // =====================================================================================
  // Fast Leader Election (FastLeaderElection.lookForLeader and its WorkerReceiver)
  // =====================================================================================

  /** QuorumPeer enters LOOKING: leave the old role, start a new round, vote for itself. */
  private startLooking(g: number): void {
    this.leaveRole(g);
    this.st[g] = S_LOOKING;
    this.flags[g] = 0;
    this.round[g]++; // logicalclock.incrementAndGet()
    this.clearRecvset(g);
    this.clearOutOfElection(g);
    this.mConn[g] = 0;
    this.maxAccepted[g] = -1;
    this.backoff[g] = 0; // notTimeout = minNotificationInterval
    this.ctx.observer.campaign(this.parts[g]);
    // updateProposal(getInitId(), getInitLastLoggedZxid(), getPeerEpoch()); sendNotifications()
    this.setProposal(g, this.mySlot[g], this.lastZxid[g], this.currentEpoch[g]);
    this.sendNotifications(g);
    if (!this.checkLookingQuorum(g)) this.wheel.schedule(g, this.ctx.now() + this.notTimeout(g));
  }

  private notTimeout(g: number): number {
    return notificationTimeout(this.backoff[g], this.minNotifMs, this.maxNotifMs);
  }

  /** The notification timeout of group `g` now (exposed for tests). */
  notificationTimeoutOf(partition: PartitionId): number {
    return this.notTimeout(this.localIndex(partition));
  }

  /** updateProposal, and our own notification lands in our recvset (ZooKeeper delivers it to itself). */
  private setProposal(g: number, leader: number, zxid: number, epoch: number): void {
    this.pLeader[g] = leader;
    this.pZxid[g] = zxid;
    this.pEpoch[g] = epoch;
    const k = g * this.rf + this.mySlot[g];
    this.vLeader[k] = leader;
    this.vZxid[k] = zxid;
    this.vEpoch[k] = epoch;
    this.vState[k] = LOOKING;
  }

  /** sendNotifications: our current vote to every other peer of the group. */
  private sendNotifications(g: number): void {
    this.lastBroadcast[g] = Math.floor(this.ctx.now());
    const me = this.mySlot[g];
    for (let j = 0; j < this.rf; j++) if (j !== me) this.sendVote(g, j, LOOKING);
  }

  private sendVote(g: number, j: number, state: number): void {
    this.emit6(
      this.hostOf(g, j),
      T.Notification,
      this.parts[g],
      state,
      this.hostOf(g, this.pLeader[g]),
      this.pZxid[g],
      this.round[g],
      this.pEpoch[g],
    );
  }

  private onNotification(g: number, j: number, nState: number, nLeaderHost: number, nZxid: number, nRound: number, nEpoch: number): void {
    const nLeader = this.slotOf(g, nLeaderHost);
    if (nLeader < 0) return; // validVoter(n.leader)
    let s = this.st[g];
    if (!isLooking(s)) {
      if (nState !== LOOKING) return;
      if (isFollowing(s) && j === this.pLeader[g]) {
        // Our leader is LOOKING: it no longer leads us (its connection to us is gone). Look too,
        // and take its notification as the first of the new election.
        this.startLooking(g);
        s = this.st[g];
        if (!isLooking(s)) return;
      } else {
        // WorkerReceiver: not LOOKING, the sender is: send back what we believe the leader is.
        this.sendVote(g, j, isLeading(s) ? LEADING : FOLLOWING);
        if (isLeading(s)) this.dropLearner(g, j); // a learner that is LOOKING has left us
        return;
      }
    }
    const sender = (1 << j) & 0xff;
    if (nState === LOOKING) {
      this.mConn[g] &= ~sender; // a stashed FOLLOWERINFO from it is void: it is looking again
      // WorkerReceiver: answer a LOOKING peer whose round lags ours (and, as a lab deviation,
      // one of our round whose vote loses to ours, unless we sent our vote to everyone within
      // minNotificationInterval: it is on its way or it arrived before the peer's round began,
      // and the peer's next timeout brings the question back).
      if (
        nRound < this.round[g] ||
        (this.answerLosingVotes &&
          nRound === this.round[g] &&
          this.ctx.now() - this.lastBroadcast[g] >= this.minNotifMs &&
          !totalOrderPredicate(nLeaderHost, nZxid, nEpoch, this.hostOf(g, this.pLeader[g]), this.pZxid[g], this.pEpoch[g]) &&
          !(nLeader === this.pLeader[g] && nZxid === this.pZxid[g] && nEpoch === this.pEpoch[g]))
      ) {
        this.sendVote(g, j, LOOKING);
      }
    }
    const now = this.ctx.now();
    if (s === S_FINALIZING) {
      // The finalizeWait poll: a better vote ends the wait and is processed as usual; anything
      // else is consumed and the wait starts again.
      if (!totalOrderPredicate(nLeaderHost, nZxid, nEpoch, this.hostOf(g, this.pLeader[g]), this.pZxid[g], this.pEpoch[g])) {
        this.wheel.schedule(g, now + this.finalizeWaitMs);
        return;
      }
      this.st[g] = S_LOOKING;
    }
    const base = g * this.rf;
    if (nState === LOOKING) {
      if (nRound > this.round[g]) {
        // A newer election: adopt its round, forget the old votes, vote afresh.
        this.round[g] = nRound;
        this.clearRecvset(g);
        const me = this.mySlot[g];
        if (totalOrderPredicate(nLeaderHost, nZxid, nEpoch, this.me, this.lastZxid[g], this.currentEpoch[g])) {
          this.setProposal(g, nLeader, nZxid, nEpoch);
        } else {
          this.setProposal(g, me, this.lastZxid[g], this.currentEpoch[g]);
        }
        this.sendNotifications(g);
      } else if (nRound < this.round[g]) {
        this.wheel.schedule(g, now + this.notTimeout(g));
        return; // a stale notification
      } else if (totalOrderPredicate(nLeaderHost, nZxid, nEpoch, this.hostOf(g, this.pLeader[g]), this.pZxid[g], this.pEpoch[g])) {
        this.setProposal(g, nLeader, nZxid, nEpoch);
        this.sendNotifications(g);
      }
      const k = base + j;
      this.vLeader[k] = nLeader;
      this.vZxid[k] = nZxid;
      this.vEpoch[k] = nEpoch;
      this.vState[k] = LOOKING;
      if (this.checkLookingQuorum(g)) return;
      this.wheel.schedule(g, now + this.notTimeout(g));
      return;
    }
    // FOLLOWING or LEADING: a peer that already left the election.
    if (nRound === this.round[g]) {
      const k = base + j;
      this.vLeader[k] = nLeader;
      this.vZxid[k] = nZxid;
      this.vEpoch[k] = nEpoch;
      this.vState[k] = nState;
      if (this.recvsetQuorum(g, nLeader, nZxid, nEpoch, nState) && this.checkLeaderRecvset(g, nLeader, nRound)) {
        this.decide(g, nLeader, nZxid, nEpoch);
        return;
      }
    }
    // outofelection: before joining an established ensemble, a quorum must follow that leader.
    const k = base + j;
    this.oLeader[k] = nLeader;
    this.oEpoch[k] = nEpoch;
    this.oState[k] = nState;
    if (this.outOfElectionQuorum(g, nLeader, nEpoch) && this.checkLeaderOutOfElection(g, nLeader, nRound)) {
      this.round[g] = nRound;
      this.decide(g, nLeader, nZxid, nEpoch);
      return;
    }
    this.wheel.schedule(g, now + this.notTimeout(g));
  }

  /** After a change to the recvset in the LOOKING path: a quorum agreeing with our vote starts finalizeWait. */
  private checkLookingQuorum(g: number): boolean {
    if (!this.recvsetQuorum(g, this.pLeader[g], this.pZxid[g], this.pEpoch[g], LOOKING)) return false;
    this.st[g] = S_FINALIZING;
    this.wheel.schedule(g, this.ctx.now() + this.finalizeWaitMs);
    return true;
  }

  /** getVoteTracker(recvset, vote).hasAllQuorums(), with Vote.equals' two notions of equality. */
  private recvsetQuorum(g: number, leader: number, zxid: number, epoch: number, state: number): boolean {
    const base = g * this.rf;
    let n = 0;
    for (let j = 0; j < this.rf; j++) {
      const k = base + j;
      if (this.vLeader[k] !== leader || this.vEpoch[k] !== epoch) continue;
      if ((this.vState[k] === LOOKING || state === LOOKING) && this.vZxid[k] !== zxid) continue;
      n++;
    }
    return n >= this.quorum;
  }

  private outOfElectionQuorum(g: number, leader: number, epoch: number): boolean {
    const base = g * this.rf;
    let n = 0;
    for (let j = 0; j < this.rf; j++) {
      const k = base + j;
      if (this.oState[k] !== 0 && this.oLeader[k] === leader && this.oEpoch[k] === epoch) n++;
    }
    return n >= this.quorum;
  }

  /** checkLeader: the proposed leader must itself have said it is LEADING (or be us, in this round). */
  private checkLeaderRecvset(g: number, leader: number, electionEpoch: number): boolean {
    if (leader !== this.mySlot[g]) {
      const k = g * this.rf + leader;
      return this.vLeader[k] !== -1 && this.vState[k] === LEADING;
    }
    return this.round[g] === electionEpoch;
  }

  private checkLeaderOutOfElection(g: number, leader: number, electionEpoch: number): boolean {
    if (leader !== this.mySlot[g]) return this.oState[g * this.rf + leader] === LEADING;
    return this.round[g] === electionEpoch;
  }

  private clearRecvset(g: number): void {
    const base = g * this.rf;
    for (let j = 0; j < this.rf; j++) this.vLeader[base + j] = -1;
  }

  private clearOutOfElection(g: number): void {
    const base = g * this.rf;
    for (let j = 0; j < this.rf; j++) {
      this.oLeader[base + j] = -1;
      this.oState[base + j] = 0;
    }
  }

  /** FLE returns the end vote: setPeerState(proposedLeader) -> LEADING or FOLLOWING. */
  private decide(g: number, leader: number, zxid: number, epoch: number): void {
    this.pLeader[g] = leader;
    this.pZxid[g] = zxid;
    this.pEpoch[g] = epoch;
    this.clearRecvset(g);
    this.clearOutOfElection(g);
    if (leader === this.mySlot[g]) this.becomeLeader(g);
    else this.becomeFollower(g, leader);
  }

  /** Leaving LEADING or FOLLOWING: undo relations, withdraw declarations, refuse pending writes. */
  private leaveRole(g: number): void {
    const s = this.st[g];
    const p = this.parts[g];
    if (isLeading(s)) {
      const me = this.mySlot[g];
      for (let j = 0; j < this.rf; j++) if (j !== me) this.relationDown(this.hostOf(g, j));
      if ((this.flags[g] & F_DECLARED_LEAD) !== 0) this.ctx.observer.stepDown(p);
      this.failPending(g);
    } else if (isFollowing(s)) {
      this.relationDown(this.hostOf(g, this.pLeader[g]));
      if ((this.flags[g] & F_DECLARED_FOLLOW) !== 0) this.ctx.observer.follow(p, -1, -1);
    }
    this.mEpochReplied[g] = 0;
    this.mEpochCounted[g] = 0;
    this.mSynced[g] = 0;
    this.mAcked[g] = 0;
  }

  // =====================================================================================
  // Discovery and synchronisation: the prospective leader (Leader.lead, LearnerHandler)
  // =====================================================================================

  private becomeLeader(g: number): void {
    this.st[g] = S_L_DISCOVERY;
    this.flags[g] = 0;
    const me = this.mySlot[g];
    for (let j = 0; j < this.rf; j++) if (j !== me) this.relationUp(this.hostOf(g, j));
    // getEpochToPropose(self): the leader is one of the connecting followers, with its acceptedEpoch.
    this.mConn[g] |= 1 << me;
    if (this.acceptedEpoch[g] > this.maxAccepted[g]) this.maxAccepted[g] = this.acceptedEpoch[g];
    this.mEpochReplied[g] = 0;
    this.mEpochCounted[g] = 0;
    this.mSynced[g] = 0;
    this.mAcked[g] = 0;
    this.wheel.schedule(g, this.ctx.now() + this.initLimitMs);
    this.tryProposeEpoch(g);
  }

  /** getEpochToPropose: once a quorum (with us) connected, epoch = max(acceptedEpoch) + 1. */
  private tryProposeEpoch(g: number): void {
    if (this.st[g] !== S_L_DISCOVERY || popcount(this.mConn[g]) < this.quorum) return;
    const epoch = this.maxAccepted[g] + 1;
    this.acceptedEpoch[g] = epoch; // self.setAcceptedEpoch(epoch): durable
    this.st[g] = S_L_EPOCHACK;
    const me = this.mySlot[g];
    // waitForEpochAck(self.getId(), leaderStateSummary): the leader counts itself.
    this.mEpochReplied[g] = 1 << me;
    this.mEpochCounted[g] = 1 << me;
    this.wheel.schedule(g, this.ctx.now() + this.initLimitMs);
    const conn = this.mConn[g];
    for (let j = 0; j < this.rf; j++) {
      if (j !== me && (conn & (1 << j)) !== 0) this.emit2(this.hostOf(g, j), T.LeaderInfo, this.parts[g], epoch);
    }
    this.tryEpochQuorum(g);
  }

  /** waitForEpochAck done: set currentEpoch, synchronise the learners, send NEWLEADER. */
  private tryEpochQuorum(g: number): void {
    if (this.st[g] !== S_L_EPOCHACK || popcount(this.mEpochCounted[g]) < this.quorum) return;
    const epoch = this.acceptedEpoch[g];
    this.currentEpoch[g] = epoch; // self.setCurrentEpoch(epoch): durable
    this.st[g] = S_L_SYNC;
    const me = this.mySlot[g];
    const now = this.ctx.now();
    this.mAcked[g] = 0;
    // waitForNewLeaderAck(self.getId(), zxid): the leader counts itself, after the stale-ack guard.
    const guard = this.guardUntil(g);
    if (now >= guard) {
      this.mAcked[g] = 1 << me;
      this.wheel.schedule(g, now + this.initLimitMs);
    } else {
      this.flags[g] |= F_SELF_GUARD;
      this.wheel.schedule(g, guard);
    }
    const targets = this.mEpochReplied[g] & this.mConn[g];
    for (let j = 0; j < this.rf; j++) {
      if (j !== me && (targets & (1 << j)) !== 0) this.sendNewLeader(g, j);
    }
    this.tryEstablish(g);
  }

  private sendNewLeader(g: number, j: number): void {
    this.mSynced[g] |= 1 << j;
    this.emit3(this.hostOf(g, j), T.NewLeader, this.parts[g], this.currentEpoch[g], this.lastZxid[g]);
  }

  /** waitForNewLeaderAck done: a quorum acknowledged NEWLEADER. Only now does the leader lead. */
  private tryEstablish(g: number): void {
    if (this.st[g] !== S_L_SYNC || popcount(this.mAcked[g]) < this.quorum) return;
    this.st[g] = S_L_BROADCAST;
    this.wheel.cancel(g);
    this.flags[g] |= F_DECLARED_LEAD;
    const epoch = this.currentEpoch[g];
    this.ctx.observer.lead(this.parts[g], epoch);
    const me = this.mySlot[g];
    const targets = this.mAcked[g] & this.mConn[g];
    for (let j = 0; j < this.rf; j++) {
      if (j !== me && (targets & (1 << j)) !== 0) this.emit2(this.hostOf(g, j), T.UpToDate, this.parts[g], epoch);
    }
  }

  private onFollowerInfo(g: number, j: number, accepted: number): void {
    const s = this.st[g];
    const bit = 1 << j;
    if (isLooking(s)) {
      // Not leading yet: keep it for when we do (the learner's connect would be retried).
      this.mConn[g] |= bit;
      if (accepted > this.maxAccepted[g]) this.maxAccepted[g] = accepted;
    } else if (s === S_L_DISCOVERY) {
      this.mConn[g] |= bit;
      if (accepted > this.maxAccepted[g]) this.maxAccepted[g] = accepted;
      this.tryProposeEpoch(g);
    } else if (isLeading(s)) {
      // A learner connecting after the epoch was chosen gets it at once (getEpochToPropose returns it).
      this.mConn[g] |= bit;
      this.mEpochReplied[g] &= ~bit;
      this.mSynced[g] &= ~bit;
      this.mAcked[g] &= ~bit;
      this.emit2(this.hostOf(g, j), T.LeaderInfo, this.parts[g], this.acceptedEpoch[g]);
    }
    // Following: we are not a leader; the learner's connection is refused (it times out).
  }

  private onAckEpoch(g: number, j: number, epoch: number, zxid: number): void {
    const s = this.st[g];
    const bit = 1 << j;
    if (s < S_L_EPOCHACK || s > S_L_BROADCAST || (this.mConn[g] & bit) === 0) return;
    this.mEpochReplied[g] |= bit;
    if (s === S_L_EPOCHACK) {
      if (epoch !== -1) {
        // waitForEpochAck: a follower more recent than the leader is refused (its LearnerHandler
        // dies); the leader must be at least as up to date as every peer it counts.
        if (isMoreRecentThan(epoch, zxid, this.currentEpoch[g], this.lastZxid[g])) {
          this.mConn[g] &= ~bit;
          this.mEpochReplied[g] &= ~bit;
          return;
        }
        this.mEpochCounted[g] |= bit;
        this.tryEpochQuorum(g);
      }
      // epoch -1: it already accepted this epoch; it is synchronised but not counted.
    } else {
      this.sendNewLeader(g, j);
    }
  }

  private onAck(g: number, j: number, zxid: number): void {
    const s = this.st[g];
    const bit = 1 << j;
    const epoch = epochOfZxid(zxid);
    if (counterOfZxid(zxid) === 0) {
      // ACK of NEWLEADER.
      if (s < S_L_SYNC || s > S_L_BROADCAST || epoch !== this.currentEpoch[g] || (this.mSynced[g] & bit) === 0) return;
      this.mAcked[g] |= bit;
      if (s === S_L_SYNC) this.tryEstablish(g);
      else if ((this.mConn[g] & bit) !== 0) this.emit2(this.hostOf(g, j), T.UpToDate, this.parts[g], epoch);
      return;
    }
    if (s !== S_L_BROADCAST || epoch !== this.currentEpoch[g]) return;
    const w = this.pending.get(this.pendingKey(g, zxid));
    if (w === undefined) return;
    w.mask |= bit;
    this.tryCommit(w);
  }

  /** A learner is gone (connection closed, or it is LOOKING again). */
  private dropLearner(g: number, j: number): void {
    const bit = 1 << j;
    if ((this.mConn[g] & bit) === 0) return;
    this.mConn[g] &= ~bit;
    this.mSynced[g] &= ~bit;
    // Leader.lead's tick: "Not sufficient followers synced" -> shutdown -> LOOKING.
    if (this.st[g] === S_L_BROADCAST && popcount(this.mConn[g]) < this.quorum) this.startLooking(g);
  }

  // =====================================================================================
  // Broadcast (Leader.propose / processAck / tryToCommit)
  // =====================================================================================

  private pendingKey(g: number, zxid: number): number {
    return g * ZXID_EPOCH + counterOfZxid(zxid);
  }

  /** tryToCommit: a quorum ACKed, and every earlier proposal is committed (in zxid order). */
  private tryCommit(first: PendingWrite): void {
    let w: PendingWrite | undefined = first;
    while (w !== undefined && popcount(w.mask) >= this.quorum) {
      const key = this.pendingKey(w.g, w.zxid);
      if (counterOfZxid(w.zxid) > 1 && this.pending.has(key - 1)) return;
      this.pending.delete(key);
      const g = w.g;
      const p = this.parts[g];
      if (this.ctx.now() - w.proposedAt < this.guardMs) this.ctx.observer.acknowledged(p, w.writeId, w.epoch);
      else this.ctx.observer.rejected(p, w.writeId); // too late to answer safely (the stale-ack guard)
      const me = this.mySlot[g];
      const targets = this.mSynced[g] & this.mConn[g];
      for (let j = 0; j < this.rf; j++) {
        if (j !== me && (targets & (1 << j)) !== 0) this.emit2(this.hostOf(g, j), T.Commit, p, w.zxid);
      }
      w = this.pending.get(key + 1);
    }
  }

  /** The leader stepped down: its clients' requests fail. */
  private failPending(g: number): void {
    if (this.pending.size === 0) return;
    for (const [key, w] of this.pending) {
      if (w.g !== g) continue;
      this.pending.delete(key);
      this.ctx.observer.rejected(this.parts[g], w.writeId);
    }
  }

  // =====================================================================================
  // The learner (Learner.registerWithLeader / syncWithLeader, Follower.processPacket)
  // =====================================================================================

  private becomeFollower(g: number, leader: number): void {
    this.st[g] = S_F_DISCOVERY;
    this.flags[g] = 0;
    this.mConn[g] = 0;
    this.maxAccepted[g] = -1;
    this.relationUp(this.hostOf(g, leader));
    this.emit2(this.hostOf(g, leader), T.FollowerInfo, this.parts[g], this.acceptedEpoch[g]);
    this.wheel.schedule(g, this.ctx.now() + this.initLimitMs);
  }

  private fromLeader(g: number, j: number): boolean {
    return isFollowing(this.st[g]) && this.pLeader[g] === j;
  }

  private onLeaderInfo(g: number, j: number, newEpoch: number): void {
    if (!this.fromLeader(g, j) || this.st[g] !== S_F_DISCOVERY) return;
    const accepted = this.acceptedEpoch[g];
    let reported: number;
    if (newEpoch > accepted) {
      reported = this.currentEpoch[g];
      this.acceptedEpoch[g] = newEpoch; // setAcceptedEpoch: durable
    } else if (newEpoch === accepted) {
      reported = -1; // already accepted this epoch: ack, but do not count again
    } else {
      this.startLooking(g); // "Leaders epoch is less than accepted epoch"
      return;
    }
    this.emit3(this.hostOf(g, j), T.AckEpoch, this.parts[g], reported, this.lastZxid[g]);
    this.st[g] = S_F_SYNC;
    this.wheel.schedule(g, this.ctx.now() + this.initLimitMs);
  }

  private onNewLeader(g: number, j: number, epoch: number, leaderZxid: number): void {
    if (!this.fromLeader(g, j) || this.st[g] !== S_F_SYNC) return;
    if (epoch !== this.acceptedEpoch[g]) {
      this.startLooking(g);
      return;
    }
    // Synchronisation (DIFF / TRUNC / SNAP collapsed): our log now ends where the leader's does.
    this.lastZxid[g] = leaderZxid;
    this.currentEpoch[g] = epoch; // setCurrentEpoch: durable
    const now = this.ctx.now();
    const guard = this.guardUntil(g);
    if (now >= guard) {
      this.ackNewLeader(g);
    } else {
      this.st[g] = S_F_SYNC_GUARD;
      this.wheel.schedule(g, guard);
    }
  }

  private ackNewLeader(g: number): void {
    this.emit2(this.hostOf(g, this.pLeader[g]), T.Ack, this.parts[g], makeZxid(this.currentEpoch[g], 0));
    this.st[g] = S_F_SYNCED;
    this.wheel.schedule(g, this.ctx.now() + this.initLimitMs);
  }

  private onUpToDate(g: number, j: number, epoch: number): void {
    if (!this.fromLeader(g, j) || this.st[g] !== S_F_SYNCED || epoch !== this.currentEpoch[g]) return;
    this.st[g] = S_F_BROADCAST;
    this.wheel.cancel(g);
    this.flags[g] |= F_DECLARED_FOLLOW;
    this.ctx.observer.follow(this.parts[g], this.hostOf(g, j), epoch);
  }

  private onProposal(g: number, j: number, zxid: number): void {
    if (!this.fromLeader(g, j)) return;
    const s = this.st[g];
    if (epochOfZxid(zxid) !== this.currentEpoch[g]) return;
    if (s === S_F_SYNC_GUARD) {
      if (zxid > this.lastZxid[g]) this.lastZxid[g] = zxid; // logged; ACKs wait for NEWLEADER's
      return;
    }
    if (s !== S_F_SYNCED && s !== S_F_BROADCAST) return;
    if (zxid > this.lastZxid[g]) this.lastZxid[g] = zxid;
    this.noteAck(g);
    this.emit2(this.hostOf(g, j), T.Ack, this.parts[g], zxid);
  }

  // =====================================================================================
  // The stale-acknowledgement guard (a lab addition; see options.ts)
  // =====================================================================================

  private noteAck(g: number): void {
    const now = this.ctx.now();
    this.lastAck[g] = Math.ceil(now);
    this.lastAckAnyDurable[0] = now;
  }

  private guardUntil(g: number): number {
    const last = this.lastAck[g] > this.bootGuardFrom ? this.lastAck[g] : this.bootGuardFrom;
    return last + this.guardMs;
  }

  // =====================================================================================
  // Deadlines (one wheel for all groups)
  // =====================================================================================

  private onDeadline(g: number): void {
    const now = this.ctx.now();
    switch (this.st[g]) {
      case S_LOOKING:
        // recvqueue.poll timed out: send again, back off (notTimeout * 2, capped).
        this.sendNotifications(g);
        if (this.notTimeout(g) < this.maxNotifMs) this.backoff[g]++;
        this.wheel.schedule(g, now + this.notTimeout(g));
        return;
      case S_FINALIZING:
        // No better vote within finalizeWait: the vote is settled.
        this.decide(g, this.pLeader[g], this.pZxid[g], this.pEpoch[g]);
        return;
      case S_F_SYNC_GUARD:
        this.ackNewLeader(g);
        return;
      case S_L_SYNC:
        if ((this.flags[g] & F_SELF_GUARD) !== 0) {
          this.flags[g] &= ~F_SELF_GUARD;
          this.mAcked[g] |= 1 << this.mySlot[g];
          this.wheel.schedule(g, now + this.initLimitMs);
          this.tryEstablish(g);
          return;
        }
        this.startLooking(g); // "Timeout while waiting for NEWLEADER to be acked by quorum"
        return;
      case S_F_DISCOVERY:
      case S_F_SYNC:
      case S_F_SYNCED:
      case S_L_DISCOVERY:
      case S_L_EPOCHACK:
        this.startLooking(g); // initLimit passed without progress
        return;
      default:
        return;
    }
  }

  // =====================================================================================
  // Host pairs: batched pings, liveness, connections
  // =====================================================================================

  private relationUp(h: HostId): void {
    if (this.relCount[h]++ === 0) {
      const now = this.ctx.now();
      if (this.lastHeard[h] < now) this.lastHeard[h] = now;
    }
  }

  private relationDown(h: HostId): void {
    this.relCount[h]--;
  }

  /**
   * Every tickTime/2 (Leader.lead's loop): one ping to each peer host this host leads or follows
   * a group with, for all those groups at once; a peer not heard from for syncLimit ticks is
   * disconnected (the follower's socket timeout, the leader's synced() check).
   */
  private pingTick(): void {
    const now = this.ctx.now();
    for (let k = 0; k < this.peers.length; k++) {
      const h = this.peers[k];
      if (this.relCount[h] === 0) continue;
      if (now - this.lastHeard[h] > this.syncLimitMs) this.connectionLost(h, true);
      if (this.relCount[h] > 0) this.emit0(h, T.Ping);
    }
    // Writes whose quorum did not come within the guard will not be acknowledged: refuse them.
    if (this.pending.size > 0) {
      for (const [key, w] of this.pending) {
        if (now - w.proposedAt < this.guardMs) continue;
        this.pending.delete(key);
        this.ctx.observer.rejected(this.parts[w.g], w.writeId);
      }
    }
  }

  private receiveFrameHeader(from: HostId, frame: ZabFrame): void {
    const known = this.inConn[from];
    if (frame.conn !== known) {
      // A new connection from the peer (it restarted or tore the old one down).
      if (known !== -1) this.connectionLost(from, false);
      this.inConn[from] = frame.conn;
    } else if (frame.seq !== this.inSeq[from] + 1) {
      // A frame went missing: the connection broke. Tear ours down too.
      this.connectionLost(from, true);
    }
    this.inSeq[from] = frame.seq;
    this.lastHeard[from] = this.ctx.now();
  }

  /** The connection to `h` is gone: every relation through it ends. */
  private connectionLost(h: HostId, tearDown: boolean): void {
    if (tearDown) {
      this.outConn[h]++;
      this.outSeq[h] = 0;
    }
    this.lastHeard[h] = this.ctx.now();
    for (let k = this.sharedStart[h]; k < this.sharedStart[h + 1]; k++) {
      const g = this.sharedGroup[k];
      const j = this.sharedSlot[k];
      const s = this.st[g];
      if (isFollowing(s)) {
        if (this.pLeader[g] === j) this.startLooking(g);
      } else if (isLeading(s)) {
        this.dropLearner(g, j);
      } else if (isLooking(s)) {
        this.mConn[g] &= ~(1 << j);
      }
    }
  }

  // =====================================================================================
  // Outbox: per destination host, one open frame; a change of type closes it (FIFO kept)
  // =====================================================================================

  private open(to: HostId, type: number): number[] {
    const t = this.openType[to];
    if (t === type) return this.openItems[to] as number[];
    if (t !== -1) this.sendOpen(to);
    else if (this.coalesce) this.dirty.push(to);
    this.openType[to] = type;
    const items: number[] = [];
    this.openItems[to] = items;
    return items;
  }

  private sendOpen(to: HostId): void {
    const type = this.openType[to];
    const items = this.openItems[to] as number[];
    this.openType[to] = -1;
    this.openItems[to] = undefined;
    const w = WIDTH[type];
    const n = w === 0 ? 0 : items.length / w;
    const frame: ZabFrame = { type: TYPE_NAMES[type], conn: this.outConn[to], seq: ++this.outSeq[to], items };
    this.ctx.sendStream(to, frame, type === T.Ping ? PING_BYTES : FRAME_BYTES + n * ITEM_BYTES[type]);
  }

  private emit0(to: HostId, type: number): void {
    if (this.openType[to] === type) return; // one ping per frame
    this.open(to, type);
    if (!this.coalesce) this.sendOpen(to);
  }

  private emit2(to: HostId, type: number, p: number, a: number): void {
    const items = this.open(to, type);
    items.push(p, a);
    if (!this.coalesce) this.sendOpen(to);
  }

  private emit3(to: HostId, type: number, p: number, a: number, b: number): void {
    const items = this.open(to, type);
    items.push(p, a, b);
    if (!this.coalesce) this.sendOpen(to);
  }

  private emit6(to: HostId, type: number, p: number, a: number, b: number, c: number, d: number, e: number): void {
    const items = this.open(to, type);
    items.push(p, a, b, c, d, e);
    if (!this.coalesce) this.sendOpen(to);
  }

  /** End of every entry point: send the open frames, re-arm the wheel timer if it must fire sooner. */
  private endOfEvent(): void {
    const dirty = this.dirty;
    for (let i = 0; i < dirty.length; i++) if (this.openType[dirty[i]] !== -1) this.sendOpen(dirty[i]);
    dirty.length = 0;
    const wheel = this.wheel;
    if (wheel.size === 0) {
      if (this.wheelTimer !== -1) {
        this.ctx.cancelTimer(this.wheelTimer);
        this.wheelTimer = -1;
        this.wheelTimerTick = -1;
      }
      return;
    }
    // Invariant: an armed wheel timer fires no later than the earliest deadline.
    let tick: number;
    if (this.wheelTimer === -1) tick = wheel.nextOccupiedTick();
    else {
      tick = wheel.earliest;
      if (this.wheelTimerTick <= tick) return;
    }
    if (this.wheelTimer !== -1) this.ctx.cancelTimer(this.wheelTimer);
    const at = tick * wheel.resolutionMs;
    const now = this.ctx.now();
    this.wheelTimer = this.ctx.setTimer(at > now ? at - now : 0, TAG_WHEEL);
    this.wheelTimerTick = tick;
  }

  // =====================================================================================
  // Lookups
  // =====================================================================================

  /** Local group index of a partition, or -1. */
  localIndex(p: PartitionId): number {
    return this.ctx.cluster.localIndex(this.ctx.host, p);
  }

  private hostOf(g: number, j: number): HostId {
    return this.assignment[this.parts[g] * this.rf + j];
  }

  private slotOf(g: number, h: HostId): number {
    const base = this.parts[g] * this.rf;
    for (let j = 0; j < this.rf; j++) if (this.assignment[base + j] === h) return j;
    return -1;
  }

  // ---- introspection for tests (never read by the lab) ----

  /** The group's phase name. */
  phaseOf(p: PartitionId): string {
    const names = ["LOOKING", "FINALIZING", "F_DISCOVERY", "F_SYNC", "F_SYNC_GUARD", "F_SYNCED", "FOLLOWING", "L_DISCOVERY", "L_EPOCHACK", "L_SYNC", "LEADING"];
    const s = this.st[this.localIndex(p)];
    return names[s] ?? "NONE";
  }
}
