/**
 * Each host's replica lists, in the host's group order: hosts[g * rf + j] is the host in replica
 * slot j of the host's group g (partition partitionsOf(host)[g]). Built for every host of a cluster
 * at once, in one pass over the assignment in partition order, and kept per cluster: the layout
 * is read-only, so every incarnation of every host shares it. Why: a host's groups lie at a stride
 * of about brokers / rf partitions in the assignment, so reading it host by host (the slot of each
 * group, the peers to connect to, the leader's host) misses the cache once per group when the
 * assignment outgrows the cache (12 MiB at 1M partitions); the per-host copy is read in order.
 */
import type { ClusterView, HostId } from "../../src/elector/api.ts";

/** Host ids: 2 bytes each up to 65,536 brokers (half the memory, touched at build). */
export type HostIds = Uint16Array | Int32Array;

const byCluster = new WeakMap<ClusterView, readonly HostIds[]>();

/** The replica lists of `host`'s groups, flat (group-major, rf entries a group). */
export function replicaListsOf(cluster: ClusterView, host: HostId): HostIds {
  let lists = byCluster.get(cluster);
  if (lists === undefined) {
    lists = build(cluster);
    byCluster.set(cluster, lists);
  }
  return lists[host];
}

function build(cluster: ClusterView): HostIds[] {
  const n = cluster.brokers;
  const rf = cluster.replicationFactor;
  const a = cluster.assignment;
  // One buffer for all hosts (one allocation), each host's list a view of it.
  const all: HostIds = n <= 0x10000 ? new Uint16Array(a.length * rf) : new Int32Array(a.length * rf);
  const lists: HostIds[] = [];
  for (let h = 0, from = 0; h < n; h++) {
    const len = cluster.partitionsOf(h).length * rf;
    lists.push(all.subarray(from, from + len));
    from += len;
  }
  // Partitions ascend within each host's list, so the next group of host h is the next partition
  // naming h: one cursor per host.
  const at = new Int32Array(n);
  for (let base = 0; base < a.length; base += rf) {
    for (let j = 0; j < rf; j++) {
      const h = a[base + j];
      const dst = lists[h];
      let k = at[h];
      for (let i = 0; i < rf; i++) dst[k++] = a[base + i];
      at[h] = k;
    }
  }
  return lists;
}
