/**
 * The per-group state of one host's Zab peers, as typed arrays indexed by the group's local index
 * g (no object per group: a host may serve 30,000 groups). Votes and learner sets are indexed by
 * replica slot j (the position of a host in the partition's replica list), so a peer set is a
 * bit mask of at most 8 slots. The layout (who replicates what) is read-only.
 *
 * Phases (`st`) name where a peer is in ZooKeeper's code: FastLeaderElection.lookForLeader,
 * Learner.registerWithLeader / syncWithLeader / Follower.followLeader, or Leader.lead.
 */
import type { ClusterView, HostId, PartitionId } from "../../src/elector/api.ts";
import { replicaListsOf } from "./layout.ts";

// ---- per-group phase (st) ----
export const S_LOOKING = 0; // FLE: exchanging notifications
export const S_FINALIZING = 1; // FLE: a quorum agrees; waiting finalizeWait for a better vote
export const S_F_DISCOVERY = 2; // follower: sent FOLLOWERINFO, waiting for LEADERINFO
export const S_F_SYNC = 3; // follower: sent ACKEPOCH, waiting for NEWLEADER
export const S_F_SYNC_GUARD = 4; // follower: got NEWLEADER, its ACK held by the stale-ack guard (lab addition)
export const S_F_SYNCED = 5; // follower: ACKed NEWLEADER, waiting for UPTODATE
export const S_F_BROADCAST = 6; // follower: following
export const S_L_DISCOVERY = 7; // leader: collecting FOLLOWERINFO (getEpochToPropose)
export const S_L_EPOCHACK = 8; // leader: sent LEADERINFO, collecting ACKEPOCH (waitForEpochAck)
export const S_L_SYNC = 9; // leader: sent NEWLEADER, collecting ACKs (waitForNewLeaderAck)
export const S_L_BROADCAST = 10; // leader: established, serving
export const S_NONE = 255;

export const PHASE_NAMES: readonly string[] = [
  "LOOKING",
  "FINALIZING",
  "F_DISCOVERY",
  "F_SYNC",
  "F_SYNC_GUARD",
  "F_SYNCED",
  "FOLLOWING",
  "L_DISCOVERY",
  "L_EPOCHACK",
  "L_SYNC",
  "LEADING",
];

export const isLooking = (s: number): boolean => s <= S_FINALIZING;
export const isFollowing = (s: number): boolean => s >= S_F_DISCOVERY && s <= S_F_BROADCAST;
export const isLeading = (s: number): boolean => s >= S_L_DISCOVERY && s <= S_L_BROADCAST;

// ---- per-group flags ----
export const F_DECLARED_LEAD = 1;
export const F_DECLARED_FOLLOW = 2;
export const F_SELF_GUARD = 4; // leader: its own NEWLEADER acknowledgement waits for the guard

/** Bits set in a replica-slot mask (at most 8 slots). */
export function popcount(m: number): number {
  m = m - ((m >> 1) & 0x55);
  m = (m & 0x33) + ((m >> 2) & 0x33);
  return (m + (m >> 4)) & 0x0f;
}

export class GroupTable {
  readonly me: HostId;
  readonly rf: number;
  readonly quorum: number;
  /** The replica list of each group, flat (layout.ts): hosts[g * rf + j]. */
  private readonly hosts: Int32Array;
  /** Partitions of this host, ascending: local group g is parts[g]. */
  readonly parts: Int32Array;
  readonly groups: number;
  /** This host's replica slot in each group. */
  readonly mySlot: Uint8Array;

  readonly st: Uint8Array;
  readonly flags: Uint8Array;
  /** FLE logicalclock (election round). */
  readonly round: Int32Array;
  /** Current vote (proposedLeader as a replica slot, proposedZxid, proposedEpoch); after FLE, the end vote. */
  readonly pLeader: Int8Array;
  readonly pZxid: Float64Array;
  readonly pEpoch: Int32Array;
  /** Notification timeouts so far in this election (the backoff exponent). */
  readonly backoff: Uint8Array;
  /** When this peer last sent its vote to all (floor ms), for answerLosingVotes. */
  readonly lastBroadcast: Int32Array;
  /** FLE recvset, per sender slot: votes of the current round (leader slot, zxid, peer epoch, sender state). */
  readonly vLeader: Int8Array;
  readonly vZxid: Float64Array;
  readonly vEpoch: Int32Array;
  readonly vState: Uint8Array;
  /** FLE outofelection, per sender slot: FOLLOWING/LEADING votes of any round. */
  readonly oLeader: Int8Array;
  readonly oEpoch: Int32Array;
  readonly oState: Uint8Array;
  /** Leader: learners connected (FOLLOWERINFO received; while LOOKING, a stash of early ones). */
  readonly mConn: Uint8Array;
  /** Leader: learners that sent ACKEPOCH (any), and those counted toward the epoch quorum. */
  readonly mEpochReplied: Uint8Array;
  readonly mEpochCounted: Uint8Array;
  /** Leader: learners sent NEWLEADER (they get proposals), and those that ACKed it. */
  readonly mSynced: Uint8Array;
  readonly mAcked: Uint8Array;
  /** Leader: each learner's last zxid, from its ACKEPOCH (where its synchronisation starts). */
  readonly peerZxid: Float64Array;
  /** Leader in discovery: max acceptedEpoch seen (getEpochToPropose). */
  readonly maxAccepted: Int32Array;

  constructor(
    private readonly cluster: ClusterView,
    host: HostId,
  ) {
    this.me = host;
    this.rf = cluster.replicationFactor;
    if (this.rf > 8) throw new Error("zab: replication factors above 8 are not supported");
    this.quorum = (this.rf >> 1) + 1;
    this.hosts = replicaListsOf(cluster, host);
    this.parts = cluster.partitionsOf(host);
    const G = this.parts.length;
    this.groups = G;
    const rf = this.rf;
    // One ArrayBuffer per host for every per-group array (8-byte fields first, so every view is
    // aligned): an ArrayBuffer allocation of hundreds of KiB costs far more than carving a view,
    // and a host at 1M partitions would otherwise make 25 of them.
    const arena = new ArrayBuffer(G * (8 * (1 + 2 * rf) + 4 * (4 + 2 * rf) + (10 + 4 * rf)));
    let at = 0;
    const f64 = (n: number): Float64Array => {
      const a = new Float64Array(arena, at, n);
      at += n * 8;
      return a;
    };
    const i32 = (n: number): Int32Array => {
      const a = new Int32Array(arena, at, n);
      at += n * 4;
      return a;
    };
    const u8 = (n: number): Uint8Array => {
      const a = new Uint8Array(arena, at, n);
      at += n;
      return a;
    };
    const i8 = (n: number): Int8Array => {
      const a = new Int8Array(arena, at, n);
      at += n;
      return a;
    };
    this.pZxid = f64(G);
    this.vZxid = f64(G * rf);
    this.peerZxid = f64(G * rf);
    this.round = i32(G);
    this.pEpoch = i32(G);
    this.lastBroadcast = i32(G);
    this.maxAccepted = i32(G).fill(-1);
    this.vEpoch = i32(G * rf);
    this.oEpoch = i32(G * rf);
    this.mySlot = u8(G);
    this.st = u8(G).fill(S_NONE);
    this.flags = u8(G);
    this.pLeader = i8(G).fill(-1);
    this.backoff = u8(G);
    this.vLeader = i8(G * rf).fill(-1);
    this.vState = u8(G * rf);
    this.oLeader = i8(G * rf).fill(-1);
    this.oState = u8(G * rf);
    this.mConn = u8(G);
    this.mEpochReplied = u8(G);
    this.mEpochCounted = u8(G);
    this.mSynced = u8(G);
    this.mAcked = u8(G);
    if (at !== arena.byteLength) throw new Error("zab group table: arena size mismatch");
    for (let g = 0; g < G; g++) {
      const base = g * rf;
      for (let j = 0; j < rf; j++) if (this.hosts[base + j] === host) this.mySlot[g] = j;
    }
  }

  /** Local group index of a partition, or -1. */
  localIndex(p: PartitionId): number {
    return this.cluster.localIndex(this.me, p);
  }

  /** The host in replica slot j of group g. */
  hostOf(g: number, j: number): HostId {
    return this.hosts[g * this.rf + j];
  }

  /** The replica slot of host h in group g, or -1. */
  slotOf(g: number, h: HostId): number {
    const base = g * this.rf;
    for (let j = 0; j < this.rf; j++) if (this.hosts[base + j] === h) return j;
    return -1;
  }

  /** Clears the learner sets a leader builds in discovery and synchronisation. */
  clearLearnerSets(g: number): void {
    this.mEpochReplied[g] = 0;
    this.mEpochCounted[g] = 0;
    this.mSynced[g] = 0;
    this.mAcked[g] = 0;
  }
}
