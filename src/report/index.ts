/**
 * Reports from results (DESIGN.md §1 job 3, §7): results.json, summary.md and a self-contained
 * index.html, plus a plain-text table for the CLI. Reads only RunResult (src/runner/result.ts).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, writeResultsJson } from "../runner/files.ts";
import type { RunResult } from "../runner/result.ts";
import { renderModelHtml, type EmbeddedDiagram } from "./html.ts";
import { renderModelMarkdown } from "./markdown.ts";
import { buildModel } from "./model.ts";

export { renderHtml, type EmbeddedDiagram } from "./html.ts";
export { renderSummaryMarkdown } from "./markdown.ts";
export { renderTable } from "./text-table.ts";

/**
 * Writes results.json, summary.md and index.html into outDir (created if missing), each whole.
 * `record`: what results.json holds, when it differs from what the report draws (a sweep's
 * results with their timelines kept beside in timelines.jsonl, a few of them read back to draw).
 */
export async function buildReports(
  results: readonly RunResult[],
  outDir: string,
  record: readonly RunResult[] = results,
  diagrams: readonly EmbeddedDiagram[] = [],
): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const model = buildModel(results);
  writeResultsJson(join(outDir, "results.json"), record);
  writeFileAtomic(join(outDir, "summary.md"), renderModelMarkdown(model));
  writeFileAtomic(join(outDir, "index.html"), renderModelHtml(model, diagrams));
}
