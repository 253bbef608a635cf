/**
 * Fencing acknowledgements with ZooKeeper (the `fencing` option; the `fenced` variant).
 *
 * Sources: Apache Curator's LeaderLatch / LeaderSelector documentation (once the connection is
 * SUSPENDED a client cannot be certain it still leads) and the usual fencing advice for ZooKeeper
 * recipes: guard an action with a transaction (multi) that checks the leadership node, so the
 * action commits only if the node is still ours. The naive race's action (acknowledging a
 * write) happens outside ZooKeeper, so only the check remains: before answering, the leader sends
 * multi([check(/leaders/<p>, version 0)]) from its own session. ZooKeeper refuses any request of an
 * expired or closing session (SessionTracker.checkSession), and while our session lives our
 * ephemeral znode can be neither deleted nor re-created by anyone else, so a successful check
 * proves we owned the znode at that zxid. A multi is a write, ordered by ZooKeeper's atomic
 * broadcast; a read (exists, getData) may be served stale by a follower server, which is why the
 * fence is a versioned write and not a read.
 *
 * What it does not prove: that we still own the znode when the client hears the answer. Between
 * the check's zxid and the acknowledgement our session can expire and a successor be elected
 * (check-then-act). And it says nothing about replication: with acks=1 a fenced write that no
 * follower has fetched is lost with its leader all the same (README.md, "Claims").
 *
 * Writes are checked in batches (group commit): those arriving while a check is in flight wait for
 * the next one, since the check in flight was sent before they were appended.
 */
import type { HostContext, PartitionId, ZkResult } from "../../src/elector/api.ts";

/** What the fence needs from the host. */
export interface FencedLeader {
  path(i: number): string;
  partitionAt(i: number): PartitionId;
  epochOf(i: number): number;
  isLeading(i: number): boolean;
}

/** Request tag operation of a fence check: tag = partition * 8 + OP_FENCE (race-host.ts's tag scheme). */
export const OP_FENCE = 3;
/** We never setData the leader znode, so its version stays 0 for its whole life. */
const LEADER_ZNODE_VERSION = 0;

export class Fence {
  /** Writes covered by the check in flight, and the epoch they were written in. */
  private readonly inFlight = new Map<number, { epoch: number; writes: number[] }>();
  /** Writes waiting for the next check. */
  private readonly next = new Map<number, number[]>();

  constructor(
    private readonly ctx: HostContext,
    private readonly leader: FencedLeader,
  ) {}

  request(i: number, writeIds: number[]): void {
    if (this.inFlight.has(i)) {
      const waiting = this.next.get(i);
      if (waiting === undefined) this.next.set(i, writeIds.slice());
      else for (const w of writeIds) waiting.push(w);
      return;
    }
    this.send(i, writeIds.slice());
  }

  private send(i: number, writes: number[]): void {
    this.inFlight.set(i, { epoch: this.leader.epochOf(i), writes });
    this.ctx.zk.multi([{ op: "check", path: this.leader.path(i), version: LEADER_ZNODE_VERSION }], this.leader.partitionAt(i) * 8 + OP_FENCE);
  }

  checked(i: number, r: ZkResult): void {
    const batch = this.inFlight.get(i);
    if (batch === undefined) return; // leadership changed meanwhile: those writes stay unanswered
    if (r.err === "ConnectionLoss") {
      // Not run, or run and its answer lost: ask again (queued by the client until reconnected).
      this.ctx.zk.multi([{ op: "check", path: this.leader.path(i), version: LEADER_ZNODE_VERSION }], this.leader.partitionAt(i) * 8 + OP_FENCE);
      return;
    }
    this.inFlight.delete(i);
    const p = this.leader.partitionAt(i);
    if (r.err === "ok" && this.leader.isLeading(i) && this.leader.epochOf(i) === batch.epoch) {
      for (const w of batch.writes) this.ctx.observer.acknowledged(p, w, batch.epoch);
    }
    // A failed check (SessionExpired, NoNode, BadVersion) leaves its writes unanswered: they are in
    // our log and a successor may have fetched them, so "not written" could be false.
    const waiting = this.next.get(i);
    if (waiting !== undefined) {
      this.next.delete(i);
      if (this.leader.isLeading(i)) this.send(i, waiting);
    }
  }

  leadershipChanged(i: number): void {
    this.inFlight.delete(i);
    this.next.delete(i);
  }
}
