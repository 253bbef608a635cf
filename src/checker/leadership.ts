/**
 * Leadership intervals rebuilt from declared beliefs: host h believed it led partition p in
 * epoch e from `from` to `to`. A belief ends when the host declares something else for the
 * partition (follows, steps down, leads in another epoch) or crashes; a pause does not end it —
 * a paused host still believes it leads, which is exactly the zombie leader. Kept in typed
 * arrays grouped by partition (CSR layout) so a million partitions stay cheap.
 */
import type { ClusterView } from "../elector/api.ts";
import { Obs, type ObservationLog } from "../record/observation-log.ts";
import { Slot, type Scratch } from "./scratch.ts";

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

/**
 * `scratch`: take the working arrays from there (the judge's; see scratch.ts) — then the result is
 * only valid until that judgement returns.
 */
export function leadershipIntervals(log: ObservationLog, cluster: ClusterView, endTime: number, withBeliefs = false, scratch?: Scratch): LeadershipIntervals {
  const P = cluster.partitions;
  const rf = cluster.replicationFactor;
  const replicas = cluster.assignment;
  const { kind, host: logHost, partition: logPartition, time, a } = log;
  // Every interval is opened by a Lead declaration, so each partition's count of them bounds its
  // intervals: slots are reserved per partition up front (CSR, start[p] .. start[p+1]-1) and the
  // intervals are born grouped, in opening order, with nothing to regroup or permute afterwards.
  // Sized once (at 1M partitions each 64 MiB of new typed arrays costs a full collection).
  const start = scratch?.int32(Slot.IntervalStart, P + 1) ?? new Int32Array(P + 1);
  const records = log.length;
  for (let i = 0; i < records; i++) {
    if (kind[i] !== Obs.Lead) continue; // the partition is read for Lead declarations only
    const p = logPartition[i];
    if (p >= 0 && p < P) start[p + 1]++;
  }
  for (let p = 0; p < P; p++) start[p + 1] += start[p];
  const cap = start[P];
  // -1: a reserved slot no interval took. The other three are read only at taken slots, each written
  // when taken (`to` when closed, or at the end), so scratch ones need not be zeroed.
  const ih = (scratch?.int32(Slot.IntervalHost, cap, false) ?? new Int32Array(cap)).fill(-1);
  const ie = scratch?.float64(Slot.IntervalEpoch, cap, false) ?? new Float64Array(cap);
  const ifrom = scratch?.float64(Slot.IntervalFrom, cap, false) ?? new Float64Array(cap);
  const ito = scratch?.float64(Slot.IntervalTo, cap, false) ?? new Float64Array(cap);
  // One row per partition: its replicas' hosts, then one word per replica slot j, read and written
  // by every declaration of that replica: >= 0 the interval it has open (it believes it leads), -1
  // no belief, <= -2 it follows host -(v + 2). A run's declarations land anywhere in the table (at
  // 1M partitions far past the cache): with the hosts beside the states a declaration misses once,
  // not once for the replica list and again for its state. (A settled start's millions of
  // declarations come first and partition by partition, src/world/host-order-stage.ts, so those
  // read the table in order.) The final beliefs are decoded from the same words.
  const S = 2 * rf;
  const state = scratch?.int32(Slot.ReplicaRows, P * S, false) ?? new Int32Array(P * S); // every word written below
  for (let p = 0; p < P; p++) {
    for (let j = 0; j < rf; j++) {
      state[p * S + j] = replicas[p * rf + j];
      state[p * S + rf + j] = -1;
    }
  }
  // start[p] is partition p's fill cursor until the end (see "Compact" below).
  for (let i = 0; i < records; i++) {
    const k = kind[i];
    if (k === Obs.Lead || k === Obs.Follow || k === Obs.StepDown) {
      const p = logPartition[i];
      if (!(p >= 0 && p < P)) continue;
      const h = logHost[i];
      const row = p * S;
      let j = 0;
      while (j < rf && state[row + j] !== h) j++;
      if (j === rf) continue; // not a replica of p: it never has an interval open there
      const base = row + rf;
      const x = state[base + j];
      if (x >= 0) {
        if (k === Obs.Lead && ie[x] === a[i]) continue; // a repeated declaration
        ito[x] = time[i];
      }
      if (k === Obs.Lead) {
        const n = start[p]++;
        ih[n] = h;
        ie[n] = a[i];
        ifrom[n] = time[i];
        state[base + j] = n;
      } else state[base + j] = k === Obs.Follow ? -(a[i] + 2) : -1;
    } else if (k === Obs.Crash) {
      const h = logHost[i];
      if (!(h >= 0 && h < cluster.brokers)) continue;
      const t = time[i];
      for (const p of cluster.partitionsOf(h)) {
        const slot = p * S + rf + cluster.replicaIndex(p, h);
        const x = state[slot];
        if (x >= 0) ito[x] = t;
        state[slot] = -1;
      }
    }
  }
  // Intervals still open run to the end; the table turns into the final beliefs (p * rf + j) in
  // place (each is written at or before its row, after every word before it was read).
  for (let p = 0; p < P; p++) {
    for (let j = 0; j < rf; j++) {
      const x = state[p * S + rf + j];
      if (x >= 0) ito[x] = endTime;
      state[p * rf + j] = x >= 0 ? replicas[p * rf + j] : x < -1 ? -(x + 2) : -1;
    }
  }
  // Compact: partition p's intervals are the taken slots from its reservation's first to its cursor
  // (start[p] now); the reserved slots it did not take (repeated or non-replica Lead declarations)
  // lie between the previous cursor and its first taken slot, all marked -1, so a forward pass finds
  // each partition's first taken slot without the reservation's bounds. Each group is then ordered
  // by `from` (then host), stably: two intervals of one partition with the same `from` and host are
  // of one replica slot, one closed before the next opened, so opening order is also closing order.
  let w = 0;
  let r = 0;
  for (let p = 0; p < P; p++) {
    const cursor = start[p];
    while (r < cursor && ih[r] < 0) r++;
    start[p] = w;
    for (; r < cursor; r++, w++) {
      if (w === r) continue;
      ih[w] = ih[r];
      ie[w] = ie[r];
      ifrom[w] = ifrom[r];
      ito[w] = ito[r];
    }
    sortGroup(ih, ie, ifrom, ito, start[p], w);
  }
  start[P] = w;
  const intervals = { start, host: ih.subarray(0, w), epoch: ie.subarray(0, w), from: ifrom.subarray(0, w), to: ito.subarray(0, w), count: w };
  return withBeliefs ? { ...intervals, finalBelief: state.subarray(0, P * rf) } : intervals;
}

/**
 * Insertion sort of intervals s .. e-1 by (from, host), stable. A group is in opening order, which
 * is `from` order when the log is in time order (as the world appends it): only intervals opened at
 * one instant by different hosts move, so this costs a comparison per interval.
 */
function sortGroup(ih: Int32Array, ie: Float64Array, ifrom: Float64Array, ito: Float64Array, s: number, e: number): void {
  for (let k = s + 1; k < e; k++) {
    const f = ifrom[k];
    const h = ih[k];
    if (ifrom[k - 1] < f || (ifrom[k - 1] === f && ih[k - 1] <= h)) continue;
    const ep = ie[k];
    const t = ito[k];
    let m = k;
    while (m > s && (ifrom[m - 1] > f || (ifrom[m - 1] === f && ih[m - 1] > h))) {
      ih[m] = ih[m - 1];
      ie[m] = ie[m - 1];
      ifrom[m] = ifrom[m - 1];
      ito[m] = ito[m - 1];
      m--;
    }
    ih[m] = h;
    ie[m] = ep;
    ifrom[m] = f;
    ito[m] = t;
  }
}

/** Each host's pauses as [from, to) pairs (a pause still open at the end runs to endTime). */
export function pauseIntervals(log: ObservationLog, hostCount: number, endTime: number): PauseIntervals {
  const out: number[][] = Array.from({ length: hostCount }, () => []);
  const open = new Float64Array(hostCount).fill(-1);
  const { host, kind, time } = log;
  const length = log.length;
  for (let i = 0; i < length; i++) {
    const k = kind[i];
    if (k !== Obs.Pause && k !== Obs.Resume && k !== Obs.Crash) continue; // most records: read no more
    const h = host[i];
    if (h < 0 || h >= hostCount) continue;
    if (k === Obs.Pause) open[h] = time[i];
    else if (open[h] >= 0) {
      out[h].push(open[h], time[i]);
      open[h] = -1;
    }
  }
  for (let h = 0; h < hostCount; h++) if (open[h] >= 0) out[h].push(open[h], endTime);
  return out;
}
