/**
 * Which Raft groups one host serves and where it sits in each: the host's partitions (its local
 * group index g is the position in that list), its replica index per group, and the quorum size.
 * Read-only; built once per host from the lab's ClusterView.
 */
import type { ClusterView, HostId, PartitionId } from "../../src/elector/api.ts";

/** Role codes (Figure 2; the pre-candidate of thesis §9.6). */
export const FOLLOWER = 0;
export const PRE_CANDIDATE = 1;
export const CANDIDATE = 2;
export const LEADER = 3;

export class GroupLayout {
  readonly self: HostId;
  readonly brokers: number;
  readonly rf: number;
  /** Votes (or matching replicas) that make a majority of a group, counting ourselves. */
  readonly majority: number;
  /** Replica j of partition p is assignment[p * rf + j]. */
  readonly assignment: Int32Array;
  /** Partitions this host replicates, ascending; the local group index is the position here. */
  readonly parts: Int32Array;
  /** Groups served by this host. */
  readonly n: number;
  /** This host's replica index in each group (the cluster's, read-only). */
  readonly selfIdx: Uint8Array;

  constructor(
    private readonly cluster: ClusterView,
    self: HostId,
  ) {
    this.self = self;
    this.brokers = cluster.brokers;
    this.rf = cluster.replicationFactor;
    // Vote and answer sets are 32-bit masks indexed by replica index.
    if (this.rf > 30) throw new Error("raft: replication factor above 30 is not supported");
    this.majority = (this.rf >> 1) + 1;
    this.assignment = cluster.assignment;
    this.parts = cluster.partitionsOf(self);
    this.n = this.parts.length;
    this.selfIdx = cluster.replicaIndexesOf(self);
  }

  /** Local group index of partition p, -1 if we do not replicate it. */
  local(p: PartitionId): number {
    return this.cluster.localIndex(this.self, p);
  }

  /** Replica index of host h in group g, -1 if h does not replicate it. */
  replicaIndex(g: number, h: HostId): number {
    return this.cluster.replicaIndex(this.parts[g], h);
  }

  /** Host of replica j of group g. */
  replica(g: number, j: number): HostId {
    return this.assignment[this.parts[g] * this.rf + j];
  }
}

export function popcount(x: number): number {
  let c = 0;
  for (let v = x; v !== 0; v &= v - 1) c++;
  return c;
}
