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
import { layoutOf, type HostIds } from "./layout.ts";

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
  private readonly hosts: HostIds;
  /** Partitions of this host, ascending: local group g is parts[g]. */
  readonly parts: Int32Array;
  readonly groups: number;
  /** This host's replica slot in each group (layout.ts: read-only, shared by the host's incarnations). */
  readonly mySlot: Uint8Array;

  readonly st: Uint8Array;
  readonly flags: Uint8Array;
  /** FLE logicalclock (election round). */
  readonly round: Int32Array;
  /** Current vote's leader as a replica slot (its zxid and epoch are row fields, below); after FLE, the end vote's. */
  readonly pLeader: Int8Array;
  /** Leader: learners connected (FOLLOWERINFO received; while LOOKING, a stash of early ones). */
  readonly mConn: Uint8Array;
  /** Leader: learners that sent ACKEPOCH (any), and those counted toward the epoch quorum. */
  readonly mEpochReplied: Uint8Array;
  readonly mEpochCounted: Uint8Array;
  /** Leader: learners sent NEWLEADER (they get proposals), and those that ACKed it. */
  readonly mSynced: Uint8Array;
  readonly mAcked: Uint8Array;
  /** Leader in discovery: max acceptedEpoch seen (getEpochToPropose). */
  readonly maxAccepted: Int32Array;

  // ---- row fields: indexed by the group's row r = row(g) (per sender slot: r * rf + j) ----
  // A group gets a row the first time any of these is read or written, rows in that order. A
  // settled group needs none until it elects, so a failover touches the memory of the groups that
  // elect (a few pages) instead of every page of these arrays: at 1M partitions a first touch of a
  // 4 KiB page costs more than most of the work done on it. The arrays grow (by doubling): never
  // keep one across a call that may give a group its row.
  /** Current vote's zxid and epoch (proposedZxid, proposedEpoch). */
  pZxid: Float64Array;
  pEpoch: Int32Array;
  /** Notification timeouts so far in this election (the backoff exponent). */
  backoff: Uint8Array;
  /** When this peer last sent its vote to all (floor ms), for answerLosingVotes. */
  lastBroadcast: Int32Array;
  /** FLE recvset, per sender slot: votes of the current round (leader slot, zxid, peer epoch, sender state). */
  vLeader: Int8Array;
  vZxid: Float64Array;
  vEpoch: Int32Array;
  vState: Uint8Array;
  /** FLE outofelection, per sender slot: FOLLOWING/LEADING votes of any round. */
  oLeader: Int8Array;
  oEpoch: Int32Array;
  oState: Uint8Array;
  /** Leader: each learner's last zxid, from its ACKEPOCH (where its synchronisation starts). */
  peerZxid: Float64Array;
  /** Per row: its group (the host's deadline wheel is indexed by row, zab-host.ts). */
  rowGroup: Int32Array;
  /**
   * Per group: 0 until it has a row, else 1 + its row; 2 bytes a group when rows fit (every group
   * that elects reads it, so a failover touches nearly every page of it on every host).
   */
  private readonly rowPlus1: Uint16Array | Int32Array;
  private rows = 0;
  private capacity = 0;

  constructor(
    private readonly cluster: ClusterView,
    host: HostId,
  ) {
    this.me = host;
    this.rf = cluster.replicationFactor;
    if (this.rf > 8) throw new Error("zab: replication factors above 8 are not supported");
    this.quorum = (this.rf >> 1) + 1;
    const layout = layoutOf(cluster, host);
    this.hosts = layout.hosts;
    this.mySlot = layout.mySlot;
    this.parts = cluster.partitionsOf(host);
    const G = this.parts.length;
    this.groups = G;
    // One ArrayBuffer per host for every per-group array (4-byte fields first, so every view is
    // aligned): an ArrayBuffer allocation of hundreds of KiB costs far more than carving a view.
    const rowIdBytes = G < 0x10000 ? 2 : 4;
    const arena = new ArrayBuffer(G * (4 * 2 + rowIdBytes + 8));
    let at = 0;
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
    this.round = i32(G);
    this.maxAccepted = i32(G).fill(-1);
    this.rowPlus1 = rowIdBytes === 2 ? new Uint16Array(arena, at, G) : new Int32Array(arena, at, G);
    at += G * rowIdBytes;
    this.st = u8(G).fill(S_NONE);
    this.flags = u8(G);
    this.pLeader = new Int8Array(arena, at, G).fill(-1);
    at += G;
    this.mConn = u8(G);
    this.mEpochReplied = u8(G);
    this.mEpochCounted = u8(G);
    this.mSynced = u8(G);
    this.mAcked = u8(G);
    if (at !== arena.byteLength) throw new Error("zab group table: arena size mismatch");
    this.pZxid = this.vZxid = this.peerZxid = new Float64Array(0);
    this.pEpoch = this.lastBroadcast = this.vEpoch = this.oEpoch = this.rowGroup = new Int32Array(0);
    this.backoff = this.vState = this.oState = new Uint8Array(0);
    this.vLeader = this.oLeader = new Int8Array(0);
  }

  /** The group's row (see the row fields), given to it now if it has none. */
  row(g: number): number {
    const r = this.rowPlus1[g];
    return r !== 0 ? r - 1 : this.newRow(g);
  }

  /** The group's row, or -1 if it has none (gives none). */
  rowIfAny(g: number): number {
    return this.rowPlus1[g] - 1;
  }

  /** Rows the row fields have room for (they grow by doubling when a group needs one more). */
  get rowCapacity(): number {
    return this.capacity;
  }

  private newRow(g: number): number {
    if (this.rows === this.capacity) this.grow(Math.min(this.groups, Math.max(64, this.capacity * 2)));
    const r = this.rows++;
    this.rowPlus1[g] = r + 1;
    this.rowGroup[r] = g;
    const base = r * this.rf;
    for (let j = 0; j < this.rf; j++) {
      this.vLeader[base + j] = -1;
      this.oLeader[base + j] = -1;
    }
    return r;
  }

  /** Row fields for `capacity` rows, in one ArrayBuffer (8-byte fields first), the old rows copied. */
  private grow(capacity: number): void {
    const rf = this.rf;
    const buffer = new ArrayBuffer(capacity * (8 * (1 + 2 * rf) + 4 * (3 + 2 * rf) + (1 + 4 * rf)));
    let at = 0;
    const take = <A extends Float64Array | Int32Array | Uint8Array | Int8Array>(old: A, make: (b: ArrayBuffer, at: number, n: number) => A, n: number): A => {
      const a = make(buffer, at, n);
      a.set(old as never);
      at += n * a.BYTES_PER_ELEMENT;
      return a;
    };
    const f64 = (b: ArrayBuffer, o: number, n: number): Float64Array => new Float64Array(b, o, n);
    const i32 = (b: ArrayBuffer, o: number, n: number): Int32Array => new Int32Array(b, o, n);
    const u8 = (b: ArrayBuffer, o: number, n: number): Uint8Array => new Uint8Array(b, o, n);
    const i8 = (b: ArrayBuffer, o: number, n: number): Int8Array => new Int8Array(b, o, n);
    this.pZxid = take(this.pZxid, f64, capacity);
    this.vZxid = take(this.vZxid, f64, capacity * rf);
    this.peerZxid = take(this.peerZxid, f64, capacity * rf);
    this.pEpoch = take(this.pEpoch, i32, capacity);
    this.lastBroadcast = take(this.lastBroadcast, i32, capacity);
    this.rowGroup = take(this.rowGroup, i32, capacity);
    this.vEpoch = take(this.vEpoch, i32, capacity * rf);
    this.oEpoch = take(this.oEpoch, i32, capacity * rf);
    this.backoff = take(this.backoff, u8, capacity);
    this.vLeader = take(this.vLeader, i8, capacity * rf);
    this.vState = take(this.vState, u8, capacity * rf);
    this.oLeader = take(this.oLeader, i8, capacity * rf);
    this.oState = take(this.oState, u8, capacity * rf);
    if (at !== buffer.byteLength) throw new Error("zab group table: row buffer size mismatch");
    this.capacity = capacity;
  }

  /** Local group index of a partition, or -1. */
  localIndex(p: PartitionId): number {
    return this.cluster.localIndex(this.me, p);
  }

  /** The host in replica slot j of group g. */
  hostOf(g: number, j: number): HostId {
    return this.hosts[g * this.rf + j];
  }

  /** The replica slot of the group's highest host id (whom FLE elects among equal votes). */
  highestSlot(g: number): number {
    const base = g * this.rf;
    let best = 0;
    for (let j = 1; j < this.rf; j++) if (this.hosts[base + j] > this.hosts[base + best]) best = j;
    return best;
  }

  /** The replica slot of host h in group g, or -1. */
  slotOf(g: number, h: HostId): number {
    const base = g * this.rf;
    for (let j = 0; j < this.rf; j++) if (this.hosts[base + j] === h) return j;
    return -1;
  }

  /**
   * A group's row fields in a fixed order, or what a new row holds if it has none; gives no row
   * (introspection for tests, never read by the lab: a settled group and a cold-started one have
   * the same values whether or not they have rows).
   */
  rowValues(g: number): number[] {
    const r = this.rowPlus1[g] - 1;
    const rf = this.rf;
    const out: number[] = [];
    const one = (a: ArrayLike<number>, fresh: number): void => {
      out.push(r < 0 ? fresh : a[r]);
    };
    const perSlot = (a: ArrayLike<number>, fresh: number): void => {
      for (let j = 0; j < rf; j++) out.push(r < 0 ? fresh : a[r * rf + j]);
    };
    one(this.pZxid, 0);
    one(this.pEpoch, 0);
    one(this.backoff, 0);
    one(this.lastBroadcast, 0);
    perSlot(this.vLeader, -1);
    perSlot(this.vZxid, 0);
    perSlot(this.vEpoch, 0);
    perSlot(this.vState, 0);
    perSlot(this.oLeader, -1);
    perSlot(this.oEpoch, 0);
    perSlot(this.oState, 0);
    perSlot(this.peerZxid, 0);
    return out;
  }

  /** Clears the learner sets a leader builds in discovery and synchronisation. */
  clearLearnerSets(g: number): void {
    this.mEpochReplied[g] = 0;
    this.mEpochCounted[g] = 0;
    this.mSynced[g] = 0;
    this.mAcked[g] = 0;
  }
}
