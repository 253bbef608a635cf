/**
 * Availability as the clients saw it, from the history alone (docs/metrics.md). Per partition, in
 * invocation order: once the partition has had an ok write, a write that fails (refused, or not
 * sent) or whose outcome became unknown (timed out, connection reset) opens an unavailability
 * window at its invocation — a write still awaited when the run ends opens none: the client has
 * not seen it fail; the next ok write closes it at the moment
 * the client received that ok. Windows still open at the end are counted apart (their length is
 * unknown) and add to the unavailable partition-seconds up to the run's end.
 */
import { Outcome, type History } from "../record/history.ts";
import type { ClientAvailabilityMetrics } from "./metrics.ts";
import { ClientSeriesBuilder } from "./client-series.ts";
import { historyByPartition, type HistoryByPartition } from "./replicas.ts";

/** Nearest-rank percentile of a sorted array; null when it is empty (no sample is not 0 ms). */
export function percentileOrNull(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** `byPartition`: the history already grouped (judgeSafety groups it once for this and judgeData). */
export function judgeClientAvailability(history: History, partitions: number, endMs: number, byPartition?: HistoryByPartition): ClientAvailabilityMetrics {
  const { start, rows } = byPartition ?? historyByPartition(history, partitions);
  const samples: number[] = [];
  let openAtEnd = 0;
  let unavailableMs = 0;
  let written = 0;
  let failed = 0;
  let unanswered = 0;
  const series = new ClientSeriesBuilder(endMs);
  for (let p = 0; p < partitions; p++) {
    if (start[p] === start[p + 1]) continue;
    written++;
    let seenOk = false;
    let openedAt = -1;
    for (let k = start[p]; k < start[p + 1]; k++) {
      const r = rows[k];
      const outcome = history.outcome[r];
      series.outcome(outcome, history.invokeAt[r], history.completeAt[r]);
      if (outcome === Outcome.Fail) failed++;
      else if (outcome === Outcome.Info || outcome === Outcome.Pending) unanswered++;
      if (outcome === Outcome.Ok) {
        if (openedAt >= 0) {
          const length = history.completeAt[r] - openedAt;
          samples.push(length);
          unavailableMs += length;
          series.window(p, openedAt, history.completeAt[r]);
          openedAt = -1;
        }
        seenOk = true;
      } else if (seenOk && openedAt < 0 && outcome !== Outcome.Pending) {
        // A write still awaited at the end is not a failure the client has seen (yet).
        openedAt = history.invokeAt[r];
      }
    }
    if (openedAt >= 0) {
      openAtEnd++;
      unavailableMs += Math.max(0, endMs - openedAt);
      series.window(p, openedAt, endMs);
    }
  }
  const sorted = Float64Array.from(samples).sort();
  return {
    partitionsWritten: written,
    samples: sorted.length,
    p50Ms: percentileOrNull(sorted, 0.5),
    p99Ms: percentileOrNull(sorted, 0.99),
    maxMs: sorted.length === 0 ? null : sorted[sorted.length - 1],
    openAtEnd,
    unavailablePartitionSeconds: unavailableMs / 1000,
    failed,
    unanswered,
    overTime: series.result(),
  };
}
