/**
 * Failover: per partition, the spells without a leader that is up (not crashed, not paused).
 * A spell that begins at or after a fault is one failover sample, measured until some live host
 * declares leadership again (or the run ends). Unavailable partition-seconds add up every spell
 * after the partition's first leader. Paused leaders count as absent: they cannot answer.
 */
import type { LeadershipIntervals, PauseIntervals } from "./leadership.ts";
import type { FailoverMetrics } from "./metrics.ts";

export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** Leaderless spells per partition as flat [partition, from, to] triples. */
export function leaderlessSpells(intervals: LeadershipIntervals, pauses: PauseIntervals, partitions: number, endTime: number): number[] {
  const out: number[] = [];
  const { start, host, from, to } = intervals;
  // Reused for every partition, its length kept apart: setting an array's length to 0 is a slow call
  // that also frees its storage, a reallocation per partition (a million at 1M partitions).
  const segments: number[] = [];
  const NO_PAUSES: number[] = [];
  for (let p = 0; p < partitions; p++) {
    const first = start[p];
    const last = start[p + 1];
    if (last === first + 1) {
      const hp = pauses[host[first]];
      if (hp === undefined || hp.length === 0) {
        // One interval, its host never paused (most partitions): one stretch with a live leader when
        // it is not empty, as below without the segment list (stop 34: 1M iterations of the general
        // path cost ~25 ms).
        const b = to[first];
        if (from[first] < b && b < endTime) out.push(p, b, endTime);
        continue;
      }
    }
    let n = 0;
    // Each interval minus its host's pauses gives the times a live leader existed.
    for (let k = start[p]; k < start[p + 1]; k++) {
      let a = from[k];
      const b = to[k];
      const hp = pauses[host[k]] ?? NO_PAUSES;
      for (let i = 0; i < hp.length && a < b; i += 2) {
        if (hp[i + 1] <= a || hp[i] >= b) continue;
        if (hp[i] > a) {
          segments[n++] = a;
          segments[n++] = hp[i];
        }
        a = Math.max(a, hp[i + 1]);
      }
      if (a < b) {
        segments[n++] = a;
        segments[n++] = b;
      }
    }
    if (n === 0) continue;
    if (n === 2) {
      // One stretch with a live leader (most partitions): no pairs to build and sort.
      if (segments[1] < endTime) out.push(p, segments[1], endTime);
      continue;
    }
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i += 2) pairs.push([segments[i], segments[i + 1]]);
    pairs.sort((x, y) => x[0] - y[0]);
    let covered = pairs[0][1];
    for (let i = 1; i < pairs.length; i++) {
      if (pairs[i][0] > covered) out.push(p, covered, pairs[i][0]);
      covered = Math.max(covered, pairs[i][1]);
    }
    if (covered < endTime) out.push(p, covered, endTime);
  }
  return out;
}

export function judgeFailover(
  intervals: LeadershipIntervals,
  pauses: PauseIntervals,
  partitions: number,
  faultTimes: readonly number[],
  endTime: number,
): FailoverMetrics {
  const spells = leaderlessSpells(intervals, pauses, partitions, endTime);
  const firstFault = faultTimes.length === 0 ? Infinity : Math.min(...faultTimes);
  const samples: number[] = [];
  let unavailable = 0;
  for (let i = 0; i < spells.length; i += 3) {
    const d = spells[i + 2] - spells[i + 1];
    unavailable += d;
    if (spells[i + 1] >= firstFault) samples.push(d);
  }
  let neverLed = 0;
  for (let p = 0; p < partitions; p++) if (intervals.start[p] === intervals.start[p + 1]) neverLed++;
  const sorted = Float64Array.from(samples).sort();
  return {
    samples: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length === 0 ? 0 : sorted[sorted.length - 1],
    unavailablePartitionSeconds: unavailable / 1000,
    neverLed,
  };
}
