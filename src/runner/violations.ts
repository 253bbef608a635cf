/**
 * Which of its own claims an elector broke in one run (ElectorDefinition.claims): lost
 * acknowledged writes, divergence and same-epoch leaders are safety failures for a design that
 * promises otherwise. Overlap alone is not (Kafka's and the naive race's zombie leaders overlap by
 * design; the question is whether anything unsafe came of it), and neither is a late
 * acknowledgement (a timing observation: the lost-write grade says whether the write survived).
 * The CLI exits 1 when this list is non-empty.
 */
import type { ElectorClaims } from "../elector/api.ts";
import type { RunMetrics } from "../checker/metrics.ts";

export function claimViolations(claims: ElectorClaims, metrics: RunMetrics): string[] {
  const out: string[] = [];
  const sb = metrics.splitBrain;
  const data = metrics.data;
  if (claims.noLostAcknowledgedWrites && (data.lostWrites.count ?? 0) > 0) {
    const ids = data.findings.flatMap((f) => (f.grade === "lost-write" ? [f.writeId] : [])).slice(0, 10);
    out.push(
      `lost acknowledged writes: ${data.lostWrites.count} (in ${data.lostWrites.partitions} partitions; write ids ${ids.join(", ")}${(data.lostWrites.count ?? 0) > ids.length ? ", ..." : ""}), but the design claims none`,
    );
  }
  if (claims.noDivergence && (data.divergence.count ?? 0) > 0) {
    out.push(`divergent committed replicas: ${data.divergence.count} pairs (in ${data.divergence.partitions} partitions), but the design claims none`);
  }
  if (claims.noSameEpochLeaders && sb.sameEpoch.count > 0) {
    out.push(`same-epoch leaders: ${sb.sameEpoch.count} (in ${sb.sameEpoch.partitions} partitions), but the design claims none`);
  }
  return out;
}
