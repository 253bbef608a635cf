/** A compact plain-text table for the CLI's stdout: one row per elector x scenario x partitions. */
import type { RunResult } from "../runner/result.ts";
import { fmt, plainText } from "./format.ts";
import { buildModel, herdSize, mean, rowClusterLabel } from "./model.ts";

interface Column {
  readonly title: string;
  readonly right: boolean;
}

const COLUMNS: readonly Column[] = [
  { title: "scenario", right: false },
  { title: "partitions", right: true },
  { title: "elector", right: false },
  { title: "seeds", right: true },
  { title: "overlaps", right: true },
  { title: "overlap ms", right: true },
  { title: "late acks", right: true },
  { title: "same-epoch", right: true },
  { title: "fo p50", right: true },
  { title: "fo p99", right: true },
  { title: "fo max", right: true },
  { title: "zk writes", right: true },
  { title: "herd", right: true },
  { title: "messages", right: true },
  { title: "wall ms", right: true },
];

/**
 * The table as text. Failover (fo) in ms, "–" where no partition lost its leader after a fault (no
 * spell to measure, not a 0 ms failover); herd = watch notifications + campaigns in the first
 * fault's window; numbers are means over seeds where a cell has several (over the seeds with a spell
 * for fo).
 */
/** A failover percentile only where there was a spell to measure; undefined is left out of the mean. */
function failoverMs(r: RunResult, ms: number): number | undefined {
  return r.metrics.failover.samples > 0 ? ms : undefined;
}

export function renderTable(results: readonly RunResult[]): string {
  const model = buildModel(results);
  const body: string[][] = [];
  for (const row of model.rows) {
    for (const elector of model.electors) {
      const runs = model.runs(row, elector);
      if (runs.length === 0) continue;
      const m = (f: (r: RunResult) => number | undefined): string => fmt(mean(runs, f));
      body.push([
        plainText(row.scenario),
        rowClusterLabel(model, row),
        plainText(elector),
        String(runs.length),
        m((r) => r.metrics.splitBrain.overlap.count),
        m((r) => r.metrics.splitBrain.overlap.totalMs),
        m((r) => r.metrics.splitBrain.lateAcks.count),
        m((r) => r.metrics.splitBrain.sameEpoch.count),
        m((r) => failoverMs(r, r.metrics.failover.p50Ms)),
        m((r) => failoverMs(r, r.metrics.failover.p99Ms)),
        m((r) => failoverMs(r, r.metrics.failover.maxMs)),
        m((r) => r.metrics.coordinator.writes),
        m(herdSize),
        m((r) => r.metrics.messages.sent),
        m((r) => r.cost.wallMs),
      ]);
    }
  }
  if (body.length === 0) return "(no results)\n";
  const header = COLUMNS.map((c) => c.title);
  const widths = COLUMNS.map((_, i) => Math.max(header[i].length, ...body.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (COLUMNS[i].right ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...body.map(line)].join("\n") + "\n";
}
