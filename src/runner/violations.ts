/**
 * Which of its own claims an elector broke in one run (ElectorDefinition.claims): same-epoch
 * leaders and stale acknowledgements are safety failures for a design that promises otherwise.
 * Overlap alone is not (Kafka's and the naive race's zombie leaders overlap by design; the
 * question is whether anything unsafe came of it). The CLI exits 1 when this list is non-empty.
 */
import type { ElectorClaims } from "../elector/api.ts";
import type { RunMetrics } from "../checker/metrics.ts";

export function claimViolations(claims: ElectorClaims, metrics: RunMetrics): string[] {
  const out: string[] = [];
  const sb = metrics.splitBrain;
  if (claims.noSameEpochLeaders && sb.sameEpoch.count > 0) {
    out.push(`same-epoch leaders: ${sb.sameEpoch.count} (in ${sb.sameEpoch.partitions} partitions), but the design claims none`);
  }
  if (claims.noStaleAcknowledgements === true && sb.staleAcks.count > 0) {
    out.push(`stale acknowledgements: ${sb.staleAcks.count} (in ${sb.staleAcks.partitions} partitions), but the design claims none`);
  }
  return out;
}
