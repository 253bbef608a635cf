/**
 * Zab's messages on the wire. Every message is a stream frame (ZooKeeper's peers talk over TCP)
 * from one host to another carrying one or more group messages of one type, flattened into
 * `items` (the fields of each group message in order, the partition first). With coalescing on,
 * the group messages a host sends to one peer while handling one event share a frame; with it
 * off, every group message is its own frame.
 *
 * `conn` and `seq` model the TCP connection between the two hosts: `conn` names the sender's
 * connection (its incarnation and how many times it tore the connection down), `seq` numbers
 * frames on it. A new `conn` or a gap in `seq` (the network dropped a frame: the connection
 * broke) makes the receiver treat every relation with the sender as disconnected, as a
 * ZooKeeper peer does when its socket to the leader or a learner fails.
 */
import type { Message } from "../../src/elector/api.ts";

export interface ZabFrame extends Message {
  readonly conn: number;
  readonly seq: number;
  readonly items: number[];
}

export const T = {
  /** FLE notification: p, state, proposed leader, proposed zxid, election round, proposed peer epoch. */
  Notification: 0,
  /** Learner -> leader: p, acceptedEpoch (Leader.FOLLOWERINFO). */
  FollowerInfo: 1,
  /** Leader -> learner: p, new epoch (Leader.LEADERINFO). */
  LeaderInfo: 2,
  /** Learner -> leader: p, currentEpoch (-1: already accepted this epoch), last zxid (Leader.ACKEPOCH). */
  AckEpoch: 3,
  /** Leader -> learner: p, epoch, the leader's last zxid, after the TRUNC / DIFF that synchronised the learner (Leader.NEWLEADER). */
  NewLeader: 4,
  /** Learner -> leader: p, zxid (Leader.ACK; counter 0 acknowledges NEWLEADER). */
  Ack: 5,
  /** Leader -> learner: p, epoch (Leader.UPTODATE). */
  UpToDate: 6,
  /** Leader -> follower: p, zxid, write id (Leader.PROPOSAL carrying a one-record transaction). */
  Proposal: 7,
  /** Leader -> follower: p, zxid (Leader.COMMIT). */
  Commit: 8,
  /** Host -> host, once per tick for all groups the pair shares (Leader.PING, batched): no items. */
  Ping: 9,
  /** Leader -> learner in synchronisation: p, zxid: drop every entry above it (Leader.TRUNC). */
  Trunc: 10,
  /** Leader -> learner in synchronisation: p, zxid, write id, committed (1/0): one entry of the leader's history (a DIFF's PROPOSAL, with its COMMIT when committed). */
  Diff: 11,
} as const;

export const TYPE_NAMES: readonly string[] = [
  "zab.Notification",
  "zab.FollowerInfo",
  "zab.LeaderInfo",
  "zab.AckEpoch",
  "zab.NewLeader",
  "zab.Ack",
  "zab.UpToDate",
  "zab.Proposal",
  "zab.Commit",
  "zab.Ping",
  "zab.Trunc",
  "zab.Diff",
];

export const TYPE_OF: ReadonlyMap<string, number> = new Map(TYPE_NAMES.map((n, i) => [n, i]));

/** Fields per group message, by type. */
export const WIDTH: readonly number[] = [6, 2, 2, 3, 3, 2, 2, 3, 2, 0, 2, 4];

/**
 * Estimated bytes per group message (guesses from ZooKeeper's encodings, plus 4 bytes naming the
 * partition): a notification is FLE's 44-byte buffer plus a short config string; QuorumPackets
 * are a type, a zxid and a small payload; a proposal carries a one-record transaction.
 */
export const ITEM_BYTES: readonly number[] = [80, 40, 28, 32, 36, 24, 24, 140, 24, 0, 24, 164];

/** Bytes per frame on top of its group messages: length prefix, type, connection header. */
export const FRAME_BYTES = 16;

/** A ping frame: QuorumPacket PING with a small session payload. */
export const PING_BYTES = 32;
