/**
 * Each host's replica lists, in the host's group order: hosts[g * rf + j] is the host in replica
 * slot j of the host's group g (partition partitionsOf(host)[g]), and mySlot[g] the host's own slot
 * in it. Built for every host of a cluster at once, in one pass over the assignment in partition
 * order, and kept per cluster: the layout is read-only, so every incarnation of every host shares
 * it. Why: a host's groups lie at a stride of about brokers / rf partitions in the assignment, so
 * reading it host by host (the slot of each group, the peers to connect to, the leader's host)
 * misses the cache once per group when the assignment outgrows the cache (12 MiB at 1M
 * partitions); the per-host copy is read in order. Its own slot is known where the copy is written,
 * so no host scans its lists for it.
 */
import type { ClusterView, HostId } from "../../src/elector/api.ts";

/**
 * Host ids: 1 byte each up to 256 brokers, 2 up to 65,536 (the memory the build writes: 9 ids a
 * partition at RF 3, 9 MiB at 1M partitions in bytes).
 */
export type HostIds = Uint8Array | Uint16Array | Int32Array;

export interface HostLayout {
  /** Replica lists of the host's groups, flat (group-major, rf entries a group). */
  readonly hosts: HostIds;
  /** The host's replica slot in each of its groups. */
  readonly mySlot: Uint8Array;
}

const byCluster = new WeakMap<ClusterView, readonly HostLayout[]>();

/** The layout of `host`'s groups. */
export function layoutOf(cluster: ClusterView, host: HostId): HostLayout {
  let layouts = byCluster.get(cluster);
  if (layouts === undefined) {
    layouts = build(cluster);
    byCluster.set(cluster, layouts);
  }
  return layouts[host];
}

function build(cluster: ClusterView): HostLayout[] {
  const n = cluster.brokers;
  const rf = cluster.replicationFactor;
  const a = cluster.assignment;
  // One buffer for all hosts' lists and one for their slots (two allocations), each host's a view;
  // written through per-host cursors into the flat buffers.
  const all: HostIds = n <= 0x100 ? new Uint8Array(a.length * rf) : n <= 0x10000 ? new Uint16Array(a.length * rf) : new Int32Array(a.length * rf);
  const slots = new Uint8Array(a.length);
  const layouts: HostLayout[] = [];
  // at[h]: where host h's next group goes in `slots` (its next list starts at rf times that).
  const at = new Int32Array(n);
  for (let h = 0, from = 0; h < n; h++) {
    const groups = cluster.partitionsOf(h).length;
    layouts.push({ hosts: all.subarray(from * rf, (from + groups) * rf), mySlot: slots.subarray(from, from + groups) });
    at[h] = from;
    from += groups;
  }
  // Partitions ascend within each host's list, so the next group of host h is the next partition
  // naming h: one cursor per host.
  for (let base = 0; base < a.length; base += rf) {
    for (let j = 0; j < rf; j++) {
      const h = a[base + j];
      const g = at[h]++;
      for (let i = 0, k = g * rf; i < rf; i++) all[k++] = a[base + i];
      slots[g] = j;
    }
  }
  return layouts;
}
