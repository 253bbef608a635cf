/**
 * The partitions a broker replicates, as the broker-side modules (replica-manager.ts,
 * replica-fetcher.ts, delayed-fetch.ts) share them: typed arrays indexed by the partition's local
 * position (its index in cluster.partitionsOf(host)), owned by the ReplicaManager.
 */
import type { HostId, PartitionId } from "../../src/elector/api.ts";
import type { ReplicaLogs } from "./replica-log.ts";

export const NOT_LEADING = 0;
export const LEADING = 1;
/** Told to lead, waiting out the lab's acknowledgement lease (ackLeaseMs). */
export const PROMOTING = 2;

/** followerEpochQuery: no question pending. */
export const NO_QUERY = -2;

export interface LocalReplicas {
  readonly rf: number;
  /** Partition ids, by local position. */
  readonly parts: Int32Array;
  /** The leader epoch this broker knows per partition. */
  readonly leaderEpoch: Int32Array;
  /** NOT_LEADING, LEADING or PROMOTING. */
  readonly role: Uint8Array;
  /** Log end offset: the length of the partition's log. */
  readonly leo: Float64Array;
  /** The partitions' logs (declared to the Observer). */
  readonly log: ReplicaLogs;
  /** 1: a new leader; the log is truncated by leader epoch before fetching (KIP-101). */
  readonly truncating: Uint8Array;
  /** Host this partition is fetched from (-1 none). */
  readonly fetchFrom: Int32Array;
  /** Leadership may not be taken before this time (the lease promise to earlier leaders). */
  readonly promiseUntil: Float64Array;
  /** Leader side, per local partition x replica index: the follower's fetch offset (-1 unknown). */
  readonly followerLeo: Float64Array;
  /** Leader side, per local partition x replica index: the epoch a truncating follower asked about (NO_QUERY: none). */
  readonly followerEpochQuery: Int32Array;
  /** Local position of a partition, or -1 if this host does not replicate it. */
  local(p: PartitionId): number;
  /** local(p), checking position `near` first (lists of partitions in ascending order: the last one's position + 1). */
  localNear(p: PartitionId, near: number): number;
  /** Position of `host` in local partition i's replica list, or -1. */
  replicaIndex(i: number, host: HostId): number;
}
