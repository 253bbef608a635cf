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
  /** Follower slots per partition in the leader-side columns (followerLeo, ...): rf - 1. */
  readonly fs: number;
  /** Partition ids, by local position. */
  readonly parts: Int32Array;
  /** The leader epoch this broker knows per partition. */
  readonly leaderEpoch: Int32Array;
  /** NOT_LEADING, LEADING or PROMOTING. */
  readonly role: Uint8Array;
  /** Log end offset: the length of the partition's log. */
  readonly leo: Int32Array;
  /** The partitions' logs (declared to the Observer). */
  readonly log: ReplicaLogs;
  /** 1: a new leader; the log is truncated by leader epoch before fetching (KIP-101). */
  readonly truncating: Uint8Array;
  /** Host this partition is fetched from (-1 none). */
  readonly fetchFrom: Int32Array;
  /** Leadership may not be taken before this time (the lease promise to earlier leaders). */
  readonly promiseUntil: Float64Array;
  /** Leader side, per follower slot (i * fs + the follower's position among i's other replicas): its fetch offset (-1 unknown). */
  readonly followerLeo: Int32Array;
  /** Leader side, per follower slot: the epoch a truncating follower asked about (NO_QUERY: none). */
  readonly followerEpochQuery: Int32Array;
  /** Local position of a partition, or -1 if this host does not replicate it. */
  local(p: PartitionId): number;
  /** local(p), checking position `near` first (lists of partitions in ascending order: the last one's position + 1). */
  localNear(p: PartitionId, near: number): number;
  /** Position of `host` in local partition i's replica list, or -1. */
  replicaIndex(i: number, host: HostId): number;
}

/**
 * Position of partition p in a host's ascending partition ids (`parts`, of P partitions in all), or
 * -1: the answer of a binary search, found with few cache misses. Position `near` first (a request
 * listing partitions in ascending order has the next one right after the last), then where p would
 * sit if the host's partitions were evenly spread (they nearly are: placement is round robin),
 * widening from there by doubling steps before bisecting. A plain binary search over 30k partitions
 * missed cache at most probes.
 */
export function findLocal(parts: Int32Array, p: PartitionId, near: number, P: number): number {
  if (parts[near] === p) return near;
  const n = parts.length;
  if (n === 0) return -1;
  let g = Math.floor((p * n) / P);
  if (g >= n) g = n - 1;
  if (g < 0) g = 0;
  if (parts[g] === p) return g;
  let lo: number;
  let hi: number;
  let step = 1;
  if (parts[g] < p) {
    lo = g + 1;
    hi = g + step;
    while (hi < n && parts[hi] < p) {
      lo = hi + 1;
      step *= 2;
      hi = g + step;
    }
    if (hi >= n) hi = n - 1;
  } else {
    hi = g - 1;
    lo = g - step;
    while (lo >= 0 && parts[lo] > p) {
      hi = lo - 1;
      step *= 2;
      lo = g - step;
    }
    if (lo < 0) lo = 0;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = parts[mid];
    if (v === p) return mid;
    if (v < p) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
