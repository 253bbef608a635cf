/**
 * Reports from results (DESIGN.md §1 job 3, §7): results.json, summary.md and a self-contained
 * index.html, plus a plain-text table for the CLI. Reads only RunResult (src/runner/result.ts).
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunResult } from "../runner/result.ts";
import { renderModelHtml } from "./html.ts";
import { renderModelMarkdown } from "./markdown.ts";
import { buildModel } from "./model.ts";

export { renderHtml } from "./html.ts";
export { renderSummaryMarkdown } from "./markdown.ts";
export { renderTable } from "./text-table.ts";

/** Writes a file whole: to a temporary name beside it, then renamed over the target. */
async function writeWhole(path: string, content: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    await writeFile(tmp, content, "utf8");
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Writes results.json, summary.md and index.html into outDir (created if missing). */
export async function buildReports(results: readonly RunResult[], outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const model = buildModel(results);
  const json = JSON.stringify(results, null, 2) + "\n";
  const markdown = renderModelMarkdown(model);
  const html = renderModelHtml(model);
  await writeWhole(join(outDir, "results.json"), json);
  await writeWhole(join(outDir, "summary.md"), markdown);
  await writeWhole(join(outDir, "index.html"), html);
}
