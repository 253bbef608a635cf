/**
 * Raft's messages (paper Figure 2, etcd's raftpb.Message kinds) and their estimated wire sizes.
 *
 * Every per-group message names its group by partition id. Sizes are guesses in the spirit of
 * etcd's protobuf encoding: a 16-byte frame (type, from, to, length) plus fixed-width fields;
 * they only need to be consistent across designs, and are documented in README.md.
 */
import type { Message, PartitionId } from "../../src/elector/api.ts";

export const RV = "raft.RequestVote";
export const RV_RESP = "raft.RequestVoteResponse";
export const PRE_VOTE = "raft.PreVote";
export const PRE_VOTE_RESP = "raft.PreVoteResponse";
export const APPEND = "raft.AppendEntries";
export const APPEND_RESP = "raft.AppendEntriesResponse";
export const HEARTBEAT = "raft.Heartbeat";
export const HEARTBEAT_RESP = "raft.HeartbeatResponse";
export const COALESCED = "raft.CoalescedHeartbeat";
export const COALESCED_RESP = "raft.CoalescedHeartbeatResponse";
/** Host-level liveness ping (quiesce): one per host pair per heartbeat interval, no group in it. */
export const HOST_PING = "raft.HostPing";

/** RequestVote (§5.2) or, with `PRE_VOTE`, the pre-vote of thesis §9.6 for term `term` (= ours + 1). */
export interface VoteRequest extends Message {
  readonly type: typeof RV | typeof PRE_VOTE;
  readonly p: PartitionId;
  readonly term: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
}

export interface VoteResponse extends Message {
  readonly type: typeof RV_RESP | typeof PRE_VOTE_RESP;
  readonly p: PartitionId;
  /** The voter's term; for a granted pre-vote, the term it was asked about (as etcd). */
  readonly term: number;
  readonly granted: boolean;
}

/**
 * An empty AppendEntries (§5.2 heartbeat). `gen` is the leader's leadership generation towards
 * the receiving host (coalesced mode, see README.md; 0 otherwise).
 */
export interface Heartbeat extends Message {
  readonly type: typeof HEARTBEAT;
  readonly p: PartitionId;
  readonly term: number;
  readonly gen: number;
  /** The leader's clock when it sent this, echoed back (its lease, thesis §6.4.1). */
  readonly sentAt: number;
  /** min(the receiver's matchIndex, the leader's commit index), as etcd's MsgHeartbeat. */
  readonly commit: number;
  /** Set on the one heartbeat with which a leader quiesces the group (CockroachDB's Quiesce flag). */
  readonly quiesce?: true;
}

export interface HeartbeatResponse extends Message {
  readonly type: typeof HEARTBEAT_RESP;
  readonly p: PartitionId;
  readonly term: number;
  /** `sentAt` of the message answered (-1 when the responder did not accept it as from its leader). */
  readonly echo: number;
}

/** AppendEntries with entries (§5.3). The log carries no payload: term and producer write id. */
export interface AppendEntries extends Message {
  readonly type: typeof APPEND;
  readonly p: PartitionId;
  readonly term: number;
  readonly gen: number;
  readonly sentAt: number;
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly terms: readonly number[];
  readonly writeIds: readonly number[];
  /** The leader's commit index (Figure 2 leaderCommit). */
  readonly commit: number;
}

export interface AppendEntriesResponse extends Message {
  readonly type: typeof APPEND_RESP;
  readonly p: PartitionId;
  readonly term: number;
  readonly success: boolean;
  /** Success: the follower's log matches up to here. Failure: a hint, the last index that may match. */
  readonly index: number;
  /** The prevIndex of the request this answers (stale rejections are ignored, as etcd's MaybeDecrTo). */
  readonly rejected: number;
  /** `sentAt` of the request answered (-1 when the responder's term was higher). */
  readonly echo: number;
}

/**
 * One heartbeat for every group the sender leads with the receiver (CockroachDB's coalesced
 * heartbeats). Carries the sender's leadership generation towards the receiver; when the
 * receiver has not acknowledged that generation it also lists every (partition, term) the
 * sender leads with it.
 */
export interface CoalescedHeartbeat extends Message {
  readonly type: typeof COALESCED;
  readonly gen: number;
  readonly parts: Int32Array | null;
  readonly terms: Int32Array | null;
}

export interface CoalescedHeartbeatResponse extends Message {
  readonly type: typeof COALESCED_RESP;
  /** The generation the responder holds for the sender (-1: none, e.g. after a restart). */
  readonly gen: number;
  /**
   * Groups the sender had led with the responder whose term the responder has since raised
   * past it, with the responder's current term (§5.1: a reply carries the term, so a deposed
   * leader learns it was superseded); null when there are none.
   */
  readonly parts: Int32Array | null;
  readonly terms: Int32Array | null;
}

export interface HostPing extends Message {
  readonly type: typeof HOST_PING;
}

export type RaftMessage =
  | VoteRequest
  | VoteResponse
  | Heartbeat
  | HeartbeatResponse
  | AppendEntries
  | AppendEntriesResponse
  | CoalescedHeartbeat
  | CoalescedHeartbeatResponse
  | HostPing;

const FRAME = 16;
export const VOTE_BYTES = FRAME + 4 + 8 + 8 + 8;
export const VOTE_RESP_BYTES = FRAME + 4 + 8 + 1;
export const HEARTBEAT_BYTES = FRAME + 4 + 8 + 8 + 4 + 8; // + commit, as etcd's MsgHeartbeat
export const HEARTBEAT_RESP_BYTES = FRAME + 4 + 8 + 8;
export const APPEND_BYTES = FRAME + 4 + 8 + 4 + 8 + 8 + 8 + 8; // + commit
export const ENTRY_BYTES = 8 + 8 + 8; // term, index, write id
export const APPEND_RESP_BYTES = FRAME + 4 + 8 + 1 + 8 + 8 + 8;
export const COALESCED_BYTES = FRAME + 4;
export const COALESCED_ENTRY_BYTES = 4 + 8;
export const COALESCED_RESP_BYTES = FRAME + 4;
export const HOST_PING_BYTES = FRAME;
