/**
 * Message (Lamport) diagrams of a comparison's findings, for the report: the most severe finding
 * of each elector and scenario in a small run (at most MAX_DIAGRAM_PARTITIONS partitions) is run
 * again with the message trace on — the same run: the trace reads nothing random — and drawn
 * around the finding (properties/diagram.ts). Each is written to diagrams/cell-<index>.svg in the
 * run's folder, listed in diagrams/index.json, and embedded in index.html by the report.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Schema } from "effect";
import { diagramOf } from "../../properties/diagram.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import type { EmbeddedDiagram } from "../report/html.ts";
import type { Cell } from "../runner/cell.ts";
import { writeFileAtomic } from "../runner/files.ts";
import type { RunResult } from "../runner/result.ts";
import { buildCell } from "../runner/run-cell.ts";
import { readRegularFile } from "../scenario/read-file.ts";

export const MAX_DIAGRAMS = 8;
export const MAX_DIAGRAM_PARTITIONS = 1_000;

/** Severity of a run's worst finding (lower is worse); undefined when it has none. */
function severity(r: RunResult): number | undefined {
  const d = r.metrics.data;
  if ((d.lostWrites.count ?? 0) > 0) return 0;
  if ((d.divergence.count ?? 0) > 0) return 1;
  const sb = r.metrics.splitBrain;
  if (sb.sameEpoch.count > 0) return 2;
  if (sb.lateAcks.count > 0) return 3;
  if (sb.overlap.count > 0) return 4;
  return undefined;
}

/** The runs to draw: per elector (variant) and scenario, the worst finding in the smallest run; then worst first. */
export function pickDiagramRuns(results: readonly RunResult[], limit = MAX_DIAGRAMS): RunResult[] {
  const best = new Map<string, { r: RunResult; s: number }>();
  for (const r of results) {
    const s = severity(r);
    if (s === undefined || r.cluster.partitions > MAX_DIAGRAM_PARTITIONS || r.cell === undefined) continue;
    const key = `${r.elector}\u0000${canonical(r.options)}\u0000${r.scenario}`;
    const held = best.get(key);
    if (held === undefined || s < held.s || (s === held.s && (r.cluster.partitions < held.r.cluster.partitions || (r.cluster.partitions === held.r.cluster.partitions && r.seed < held.r.seed)))) {
      best.set(key, { r, s });
    }
  }
  return [...best.values()]
    .sort((a, b) => a.s - b.s || (a.r.cell?.index ?? 0) - (b.r.cell?.index ?? 0))
    .slice(0, limit)
    .map((x) => x.r);
}

function canonical(v: unknown): string {
  return JSON.stringify(v) ?? "";
}

const DiagramIndex = Schema.Array(Schema.Struct({ cell: Schema.Int, title: Schema.String, file: Schema.String }));

/** Draws the picked runs' diagrams into `outDir`/diagrams/ (cells by index from `cells`). */
export function writeRunDiagrams(results: readonly RunResult[], cells: readonly Cell[], outDir: string, catalog: readonly ElectorDefinition[]): void {
  const byIndex = new Map(cells.map((c) => [c.index, c]));
  const index: { cell: number; title: string; file: string }[] = [];
  for (const r of pickDiagramRuns(results)) {
    const cell = byIndex.get(r.cell!.index);
    if (cell === undefined) continue;
    const title = `${r.elector}, ${r.scenario}, ${r.cluster.partitions} partitions, seed ${r.seed}`;
    const diagram = diagramOf(buildCell(cell, catalog).config, r.metrics, title);
    const file = `diagrams/cell-${cell.index}.svg`;
    mkdirSync(join(outDir, "diagrams"), { recursive: true });
    writeFileAtomic(join(outDir, file), diagram.svg);
    index.push({ cell: cell.index, title, file });
  }
  if (index.length > 0) writeFileAtomic(join(outDir, "diagrams", "index.json"), `${JSON.stringify(index, null, 2)}\n`);
}

/** The diagrams written beside a run's results (none when there are none or the index is unreadable). */
export function readRunDiagrams(dir: string): EmbeddedDiagram[] {
  const path = join(dir, "diagrams", "index.json");
  if (!existsSync(path)) return [];
  let entries: readonly { cell: number; title: string; file: string }[];
  try {
    // A damaged index only loses the diagrams, never the report.
    entries = Schema.decodeUnknownSync(DiagramIndex)(JSON.parse(readRegularFile(path, 1 << 20, "diagram index")));
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    if (!/^diagrams\/cell-\d+\.svg$/.test(e.file) || !existsSync(join(dir, e.file))) return [];
    return [{ cell: e.cell, title: e.title, file: e.file, svg: readRegularFile(join(dir, e.file), 16 << 20, "diagram") }];
  });
}

/** Writes diagrams read from another run's folder into `outDir` (a report written elsewhere keeps its links). */
export function copyRunDiagrams(diagrams: readonly EmbeddedDiagram[], outDir: string): void {
  if (diagrams.length === 0) return;
  mkdirSync(join(outDir, "diagrams"), { recursive: true });
  for (const d of diagrams) writeFileAtomic(join(outDir, d.file), d.svg);
  writeFileAtomic(join(outDir, "diagrams", "index.json"), `${JSON.stringify(diagrams.map(({ cell, title, file }) => ({ cell, title, file })), null, 2)}\n`);
}
