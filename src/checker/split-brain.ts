/**
 * Split-brain, three grades per partition (docs/metrics.md):
 *  - overlap: two hosts believe they lead at the same instant, whatever their epochs;
 *  - same-epoch: two distinct hosts lead with one epoch (a safety bug in any epoch-based design);
 *  - late acknowledgement: a write acknowledged in an epoch older than a leader already declared
 *    for the partition. A timing observation, never a loss by itself: whether the write survived
 *    is judged from the final replica state (replicas.ts).
 */
import { Obs, type ObservationLog } from "../record/observation-log.ts";
import type { LeadershipIntervals } from "./leadership.ts";
import { Slot, type Scratch } from "./scratch.ts";
import type { SplitBrainFinding, SplitBrainMetrics } from "./metrics.ts";

export const FINDINGS_PER_GRADE = 50;

/**
 * Lead declarations grouped by partition in time order, for "newest epoch elected by time t" —
 * only of the partitions with at least one acknowledgement in the log, the only ones asked about
 * (a settled start at 1M declares a million leaders and acknowledges writes on a few thousand
 * partitions: indexing every declaration cost ~28 MiB of fresh arrays and, on a large heap, a full
 * collection). Other partitions have an empty range.
 */
interface LeadIndex {
  readonly start: Int32Array;
  readonly time: Float64Array;
  /** Highest epoch declared up to and including this declaration (prefix maximum). */
  readonly maxEpoch: Float64Array;
  readonly host: Int32Array;
  readonly epoch: Float64Array;
}

function leadIndex(log: ObservationLog, partitions: number, scratch?: Scratch): LeadIndex {
  const { kind, partition } = log;
  const length = log.length;
  const acked = scratch?.uint8(Slot.Acked, partitions) ?? new Uint8Array(partitions);
  // The kind first: the partition column is read only for the few records asked about.
  for (let i = 0; i < length; i++) {
    if (kind[i] !== Obs.Ack) continue;
    const p = partition[i];
    if (p >= 0 && p < partitions) acked[p] = 1;
  }
  // The indexed declarations' positions in the log, in log order: the scatter below walks these,
  // not the whole log a third time (3-7M records at 1M partitions, a few thousand of them indexed).
  const indexed: number[] = [];
  const start = scratch?.int32(Slot.LeadStart, partitions + 1) ?? new Int32Array(partitions + 1);
  for (let i = 0; i < length; i++) {
    if (kind[i] !== Obs.Lead) continue;
    const p = partition[i];
    if (p >= 0 && acked[p] === 1) {
      start[p + 1]++;
      indexed.push(i);
    }
  }
  const n = indexed.length;
  for (let p = 0; p < partitions; p++) start[p + 1] += start[p];
  // Every element of these four is written below.
  const time = scratch?.float64(Slot.LeadTime, n, false) ?? new Float64Array(n);
  const maxEpoch = scratch?.float64(Slot.LeadMaxEpoch, n, false) ?? new Float64Array(n);
  const host = scratch?.int32(Slot.LeadHost, n, false) ?? new Int32Array(n);
  const epoch = scratch?.float64(Slot.LeadEpoch, n, false) ?? new Float64Array(n);
  // Scatter with start[p] as partition p's cursor (no second P-sized array), then shift back.
  for (let x = 0; x < n; x++) {
    const i = indexed[x];
    const k = start[partition[i]]++;
    time[k] = log.time[i];
    epoch[k] = log.a[i];
    host[k] = log.host[i];
  }
  start.copyWithin(1, 0, partitions);
  start[0] = 0;
  for (let p = 0; p < partitions; p++) {
    let m = -Infinity;
    for (let k = start[p]; k < start[p + 1]; k++) {
      if (epoch[k] > m) m = epoch[k];
      maxEpoch[k] = m;
    }
  }
  return { start, time, maxEpoch, host, epoch };
}

export interface LateAckCheck {
  /** Whether an acknowledgement in `epoch` at `time` on `partition` came after a newer leader was declared. */
  isLate(partition: number, epoch: number, time: number): boolean;
  /** The newest leader elected before `time`: index into the lead declarations, or -1 (also for a partition with no acknowledgement: not indexed). */
  newestBefore(partition: number, time: number): number;
  readonly leads: LeadIndex;
}

/** `scratch`: the judge's working arrays (scratch.ts); the check is then valid until its judgement returns. */
export function lateAckCheck(log: ObservationLog, partitions: number, scratch?: Scratch): LateAckCheck {
  const leads = leadIndex(log, partitions, scratch);
  const newestBefore = (partition: number, time: number): number => {
    // Last declaration strictly before `time` (binary search in the partition's range).
    let lo = leads.start[partition];
    let hi = leads.start[partition + 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (leads.time[mid] < time) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1 >= leads.start[partition] ? lo - 1 : -1;
  };
  return {
    leads,
    newestBefore,
    isLate(partition, epoch, time) {
      const k = newestBefore(partition, time);
      return k >= 0 && leads.maxEpoch[k] > epoch;
    },
  };
}

export function judgeSplitBrain(log: ObservationLog, intervals: LeadershipIntervals, partitions: number, scratch?: Scratch): SplitBrainMetrics {
  const findings: SplitBrainFinding[] = [];
  const kept = { overlap: 0, "same-epoch": 0, "late-ack": 0 };
  const keep = (f: SplitBrainFinding): void => {
    if (kept[f.grade]++ < FINDINGS_PER_GRADE) findings.push(f);
  };

  let overlapCount = 0;
  let overlapTotal = 0;
  let overlapLongest = 0;
  let overlapPartitions = 0;
  let sameEpochCount = 0;
  let sameEpochPartitions = 0;
  const { start, host, epoch, from, to } = intervals;
  for (let p = 0; p < partitions; p++) {
    let overlapped = false;
    let sameEpoch = false;
    for (let x = start[p]; x < start[p + 1]; x++) {
      for (let y = x + 1; y < start[p + 1]; y++) {
        if (host[x] === host[y]) continue;
        if (from[y] >= to[x] && epoch[x] !== epoch[y]) continue;
        const a = Math.max(from[x], from[y]);
        const b = Math.min(to[x], to[y]);
        if (b > a) {
          overlapCount++;
          overlapTotal += b - a;
          if (b - a > overlapLongest) overlapLongest = b - a;
          overlapped = true;
          keep({ grade: "overlap", partition: p, hosts: [host[x], host[y]], epochs: [epoch[x], epoch[y]], from: a, to: b });
        }
        if (epoch[x] === epoch[y]) {
          sameEpochCount++;
          sameEpoch = true;
          keep({ grade: "same-epoch", partition: p, hosts: [host[x], host[y]], epochs: [epoch[x], epoch[y]], from: from[x], to: from[y] });
        }
      }
    }
    if (overlapped) overlapPartitions++;
    if (sameEpoch) sameEpochPartitions++;
  }

  const late = lateAckCheck(log, partitions, scratch);
  let lateCount = 0;
  const latePartitions = new Set<number>();
  const { kind } = log;
  for (let i = 0, n = log.length; i < n; i++) {
    if (kind[i] !== Obs.Ack) continue;
    const p = log.partition[i];
    const e = log.a[i];
    const t = log.time[i];
    if (!late.isLate(p, e, t)) continue;
    lateCount++;
    latePartitions.add(p);
    // Name the first leader whose epoch beat the acknowledging one.
    let k = late.leads.start[p];
    while (late.leads.epoch[k] <= e) k++;
    keep({
      grade: "late-ack",
      partition: p,
      hosts: [log.host[i], late.leads.host[k]],
      epochs: [e, late.leads.epoch[k]],
      from: late.leads.time[k],
      to: t,
      writeId: log.b[i],
    });
  }
  findings.sort((f, g) => f.from - g.from || f.partition - g.partition);
  return {
    overlap: { count: overlapCount, totalMs: overlapTotal, longestMs: overlapLongest, partitions: overlapPartitions },
    sameEpoch: { count: sameEpochCount, partitions: sameEpochPartitions },
    lateAcks: { count: lateCount, partitions: latePartitions.size },
    findings,
  };
}
