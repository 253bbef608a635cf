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
  /**
   * When asked for (withBeliefs): each replica slot's (p * rf + j) last declared belief — the leader
   * it names (itself when leading), -1 for none; a crash forgets everything the host believed.
   */
  readonly finalBelief?: Int32Array;
}

/** Pause intervals per host: [from, to) pairs flattened, in time order. */
export type PauseIntervals = number[][];

export function leadershipIntervals(log: ObservationLog, cluster: ClusterView, endTime: number, withBeliefs = false): LeadershipIntervals {
  const P = cluster.partitions;
  const rf = cluster.replicationFactor;
  // The final beliefs come from the same declarations: one pass over the log serves both.
  const belief = withBeliefs ? new Int32Array(cluster.assignment.length).fill(-1) : undefined;
  const { kind, host: logHost, partition: logPartition, time, a } = log;
  // Every interval is opened by a Lead declaration: their count bounds the intervals, so the
  // arrays are sized once (growing them by doubling allocated twice the memory, and at 1M
  // partitions each 64 MiB of new typed arrays costs a full collection of the whole heap).
  let cap = 0;
  for (let i = 0; i < log.length; i++) if (kind[i] === Obs.Lead) cap++;
  // Intervals in the order they were opened; those still open hang off their partition's list:
  // open[2p] is its first, next[k] the one after k. open[2p + 1] names the host of the only open
  // one (SOLE_NONE: none open, SOLE_MANY: several), so a declaration usually reads one pair of
  // words per partition and nothing else (the log of a settled start is in host order: these
  // reads are scattered over the whole table, where two 8-byte words per replica slot were).
  const open = new Int32Array(2 * P);
  for (let p = 0; p < P; p++) {
    open[2 * p] = -1;
    open[2 * p + 1] = SOLE_NONE;
  }
  const next = new Int32Array(cap);
  const ip = new Int32Array(cap);
  const ih = new Int32Array(cap);
  const ie = new Float64Array(cap);
  const ifrom = new Float64Array(cap);
  const ito = new Float64Array(cap);
  let n = 0;
  for (let i = 0; i < log.length; i++) {
    const k = kind[i];
    if (k === Obs.Lead || k === Obs.Follow || k === Obs.StepDown) {
      const p = logPartition[i];
      const h = logHost[i];
      if (belief !== undefined) {
        const j = cluster.replicaIndex(p, h);
        if (j < 0) continue;
        belief[p * rf + j] = k === Obs.Lead ? h : k === Obs.Follow ? a[i] : -1;
      } else if (k === Obs.Lead) {
        if (cluster.replicaIndex(p, h) < 0) continue;
      } else if (!(p >= 0 && p < P)) continue; // a host that is no replica never has one open
      const x = openOf(open, next, ih, p, h);
      if (x >= 0) {
        if (k === Obs.Lead && ie[x] === a[i]) continue; // a repeated declaration
        ito[x] = time[i];
        unlink(open, next, ih, p, x);
      }
      if (k === Obs.Lead) {
        ip[n] = p;
        ih[n] = h;
        ie[n] = a[i];
        ifrom[n] = time[i];
        const first = open[2 * p];
        next[n] = first;
        open[2 * p] = n;
        open[2 * p + 1] = first < 0 ? h : SOLE_MANY;
        n++;
      }
    } else if (k === Obs.Crash) {
      const h = logHost[i];
      if (!(h >= 0 && h < cluster.brokers)) continue;
      const t = time[i];
      for (const p of cluster.partitionsOf(h)) {
        if (belief !== undefined) belief[p * rf + cluster.replicaIndex(p, h)] = -1;
        const x = openOf(open, next, ih, p, h);
        if (x < 0) continue;
        ito[x] = t;
        unlink(open, next, ih, p, x);
      }
    }
  }
  for (let p = 0; p < P; p++) for (let x = open[2 * p]; x >= 0; x = next[x]) ito[x] = endTime;
  // Group by partition (counting sort, stable in opening order), then order each group by `from`
  // (then host). Two intervals of one partition with the same `from` and host are of one replica
  // slot, one closed before the next opened: opening order is also their closing order.
  const start = new Int32Array(P + 1);
  for (let x = 0; x < n; x++) start[ip[x] + 1]++;
  for (let p = 0; p < P; p++) start[p + 1] += start[p];
  const fill = open.subarray(0, P); // free now: reused as the fill cursor
  fill.set(start.subarray(0, P));
  const order = next; // free now: reused as the permutation
  for (let x = 0; x < n; x++) order[fill[ip[x]]++] = x;
  for (let p = 0; p < P; p++) {
    const s = start[p];
    const e = start[p + 1];
    if (e - s > 1) {
      const part = Array.from(order.subarray(s, e)).sort((x, y) => ifrom[x] - ifrom[y] || ih[x] - ih[y]);
      order.set(part, s);
    }
  }
  // Apply the permutation in place (position k takes interval order[k]), cycle by cycle; a done
  // position is marked by complementing its order entry.
  for (let k0 = 0; k0 < n; k0++) {
    if (order[k0] < 0 || order[k0] === k0) continue;
    const h0 = ih[k0];
    const e0 = ie[k0];
    const f0 = ifrom[k0];
    const t0 = ito[k0];
    let k = k0;
    for (;;) {
      const src = order[k];
      order[k] = ~src;
      if (src === k0) {
        ih[k] = h0;
        ie[k] = e0;
        ifrom[k] = f0;
        ito[k] = t0;
        break;
      }
      ih[k] = ih[src];
      ie[k] = ie[src];
      ifrom[k] = ifrom[src];
      ito[k] = ito[src];
      k = src;
    }
  }
  const intervals = { start, host: ih.subarray(0, n), epoch: ie.subarray(0, n), from: ifrom.subarray(0, n), to: ito.subarray(0, n), count: n };
  return belief !== undefined ? { ...intervals, finalBelief: belief } : intervals;
}

const SOLE_NONE = -1;
const SOLE_MANY = -2;

/** The interval host h has open on partition p, or -1 (leadershipIntervals' open lists). */
function openOf(open: Int32Array, next: Int32Array, ih: Int32Array, p: number, h: number): number {
  const sole = open[2 * p + 1];
  if (sole === h) return open[2 * p];
  if (sole !== SOLE_MANY) return -1;
  let x = open[2 * p];
  while (x >= 0 && ih[x] !== h) x = next[x];
  return x;
}

/** Takes open interval x off partition p's list, and names the only one left, if so. */
function unlink(open: Int32Array, next: Int32Array, ih: Int32Array, p: number, x: number): void {
  let first = open[2 * p];
  if (first === x) first = open[2 * p] = next[x];
  else {
    let prev = first;
    while (next[prev] !== x) prev = next[prev];
    next[prev] = next[x];
  }
  open[2 * p + 1] = first < 0 ? SOLE_NONE : next[first] < 0 ? ih[first] : SOLE_MANY;
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
