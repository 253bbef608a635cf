/**
 * Leadership intervals rebuilt from declared beliefs: host h believed it led partition p in
 * epoch e from `from` to `to`. A belief ends when the host declares something else for the
 * partition (follows, steps down, leads in another epoch) or crashes; a pause does not end it —
 * a paused host still believes it leads, which is exactly the zombie leader. Kept in typed
 * arrays grouped by partition (CSR layout) so a million partitions stay cheap.
 */
import type { ClusterView } from "../elector/api.ts";
import { Obs, type ObservationLog } from "../record/observation-log.ts";

export interface LeadershipIntervals {
  /** Intervals of partition p are indices start[p] .. start[p+1]-1, ordered by `from`. */
  readonly start: Int32Array;
  readonly host: Int32Array;
  readonly epoch: Float64Array;
  readonly from: Float64Array;
  readonly to: Float64Array;
  readonly count: number;
}

/** Pause intervals per host: [from, to) pairs flattened, in time order. */
export type PauseIntervals = number[][];

export function leadershipIntervals(log: ObservationLog, cluster: ClusterView, endTime: number): LeadershipIntervals {
  const rf = cluster.replicationFactor;
  const openFrom = new Float64Array(cluster.assignment.length).fill(-1);
  const openEpoch = new Float64Array(cluster.assignment.length);
  // Raw intervals in closing order; grouped by partition afterwards.
  let n = 0;
  let cap = 1024;
  let rp: Int32Array = new Int32Array(cap);
  let rh: Int32Array = new Int32Array(cap);
  let re: Float64Array = new Float64Array(cap);
  let rf0: Float64Array = new Float64Array(cap);
  let rt: Float64Array = new Float64Array(cap);
  const close = (slot: number, partition: number, host: number, to: number): void => {
    if (openFrom[slot] < 0) return;
    if (n === cap) {
      cap *= 2;
      const g32 = (a: Int32Array): Int32Array => {
        const b = new Int32Array(cap);
        b.set(a);
        return b;
      };
      const g64 = (a: Float64Array): Float64Array => {
        const b = new Float64Array(cap);
        b.set(a);
        return b;
      };
      rp = g32(rp);
      rh = g32(rh);
      re = g64(re);
      rf0 = g64(rf0);
      rt = g64(rt);
    }
    rp[n] = partition;
    rh[n] = host;
    re[n] = openEpoch[slot];
    rf0[n] = openFrom[slot];
    rt[n] = to;
    n++;
    openFrom[slot] = -1;
  };
  for (let i = 0; i < log.length; i++) {
    const kind = log.kind[i];
    const host = log.host[i];
    const t = log.time[i];
    if (kind === Obs.Lead || kind === Obs.Follow || kind === Obs.StepDown) {
      const p = log.partition[i];
      const j = cluster.replicaIndex(p, host);
      if (j < 0) continue;
      const slot = p * rf + j;
      if (kind === Obs.Lead) {
        if (openFrom[slot] >= 0 && openEpoch[slot] === log.a[i]) continue; // a repeated declaration
        close(slot, p, host, t);
        openFrom[slot] = t;
        openEpoch[slot] = log.a[i];
      } else {
        close(slot, p, host, t);
      }
    } else if (kind === Obs.Crash && host >= 0 && host < cluster.brokers) {
      for (const p of cluster.partitionsOf(host)) close(p * rf + cluster.replicaIndex(p, host), p, host, t);
    }
  }
  for (let p = 0; p < cluster.partitions; p++) {
    for (let j = 0; j < rf; j++) close(p * rf + j, p, cluster.replica(p, j), endTime);
  }
  // Group by partition (counting sort), then order each group by `from`.
  const start = new Int32Array(cluster.partitions + 1);
  for (let i = 0; i < n; i++) start[rp[i] + 1]++;
  for (let p = 0; p < cluster.partitions; p++) start[p + 1] += start[p];
  const fill = start.slice(0, cluster.partitions);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[rp[i]]++] = i;
  for (let p = 0; p < cluster.partitions; p++) {
    const s = start[p];
    const e = start[p + 1];
    if (e - s > 1) {
      const part = Array.from(order.subarray(s, e)).sort((x, y) => rf0[x] - rf0[y] || rh[x] - rh[y]);
      order.set(part, s);
    }
  }
  const host = new Int32Array(n);
  const epoch = new Float64Array(n);
  const from = new Float64Array(n);
  const to = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k];
    host[k] = rh[i];
    epoch[k] = re[i];
    from[k] = rf0[i];
    to[k] = rt[i];
  }
  return { start, host, epoch, from, to, count: n };
}

/** Each host's pauses as [from, to) pairs (a pause still open at the end runs to endTime). */
export function pauseIntervals(log: ObservationLog, hostCount: number, endTime: number): PauseIntervals {
  const out: number[][] = Array.from({ length: hostCount }, () => []);
  const open = new Float64Array(hostCount).fill(-1);
  for (let i = 0; i < log.length; i++) {
    const h = log.host[i];
    if (h < 0 || h >= hostCount) continue;
    if (log.kind[i] === Obs.Pause) open[h] = log.time[i];
    else if ((log.kind[i] === Obs.Resume || log.kind[i] === Obs.Crash) && open[h] >= 0) {
      out[h].push(open[h], log.time[i]);
      open[h] = -1;
    }
  }
  for (let h = 0; h < hostCount; h++) if (open[h] >= 0) out[h].push(open[h], endTime);
  return out;
}
