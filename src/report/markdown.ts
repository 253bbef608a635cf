/** summary.md: a short intro, then one table per metric with the electors side by side. */
import type { RunResult } from "../runner/result.ts";
import { escapeMarkdown as md } from "./format.ts";
import { buildModel, rowClusterLabel, type ReportModel } from "./model.ts";
import { SECTIONS, cellOf, seedsSentence, workloadSentence, type MetricTable } from "./tables.ts";
import { buildVerdict, rankingText } from "./verdict.ts";

function mdTable(header: readonly string[], rows: readonly (readonly string[])[], numericFrom: number): string {
  const align = header.map((_, i) => (i >= numericFrom ? "---:" : "---"));
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(align), ...rows.map(line)].join("\n");
}

function metricTable(model: ReportModel, table: MetricTable): string {
  const partitionsHeader = model.clusterVaries ? "Partitions (cluster)" : "Partitions";
  const header = ["Scenario", partitionsHeader, ...model.electors.map(md)];
  const rows = model.rows.map((row) => [
    md(row.scenario),
    md(rowClusterLabel(model, row)),
    ...model.electors.map((e) => md(cellOf(model, table, row, e).text)),
  ]);
  return mdTable(header, rows, 1);
}

/** The anchor GitHub and most renderers give a heading. */
function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replace(/ /g, "-");
}

export function renderModelMarkdown(model: ReportModel): string {
  const out: string[] = [];
  out.push("# Electorate: leader election compared", "");
  if (model.results.length === 0) {
    out.push("No results to report.", "");
    return out.join("\n");
  }
  const runs = model.results.length;
  const clusters = model.clusterVaries
    ? "clusters of several shapes"
    : `${model.rows[0].brokers} brokers, replication factor ${model.rows[0].replicationFactor}`;
  out.push(
    `${runs} run${runs === 1 ? "" : "s"} of ${model.electors.length} elector${model.electors.length === 1 ? "" : "s"} ` +
      `(${model.electors.map(md).join(", ")}) over ${model.scenarios.length} ` +
      `scenario${model.scenarios.length === 1 ? "" : "s"} (${clusters}). ` +
      "Rows are scenario x partitions, columns are electors; \"–\" marks a cell that was not run. " +
      seedsSentence(model),
    "",
  );
  const v = model.results[0].versions;
  out.push(`Electorate ${md(v.electorate)}, Node ${md(v.node)}. The same data with charts and split-brain timelines: \`index.html\`; raw results: \`results.json\`.`, "");
  // Partitions that never had a leader in a whole run: nothing was elected there (issue 17).
  const neverLed = model.results.filter((r) => r.metrics.failover.neverLed > 0);
  if (neverLed.length > 0) {
    const worst = neverLed.reduce((a, r) => (r.metrics.failover.neverLed / r.cluster.partitions > a.metrics.failover.neverLed / a.cluster.partitions ? r : a));
    out.push(
      `**Partitions that never had a leader:** in ${neverLed.length} of ${runs} runs some partitions were never led at all ` +
        `(most: ${worst.metrics.failover.neverLed} of ${worst.cluster.partitions} in ${md(worst.elector)} ${md(worst.scenario)} p=${worst.cluster.partitions} seed ${worst.seed}; \`metrics.failover.neverLed\`).`,
      "",
    );
  }
  out.push("## Contents", "", "- [Verdict](#verdict)");
  for (const s of SECTIONS) out.push(`- [${s.title}](#${slug(s.title)})`);
  out.push("", ...verdictMarkdown(model));
  out.push("");
  for (const s of SECTIONS) {
    out.push(`## ${s.title}`, "", s.id === "clients" ? `${s.intro} ${workloadSentence(model)}` : s.intro, "");
    for (const t of s.tables) {
      out.push(`### ${t.title}`, "", t.note, "", metricTable(model, t), "");
    }
  }
  return out.join("\n");
}

/** The verdict: per scenario, one line per elector, the rankings and the why. */
function verdictMarkdown(model: ReportModel): string[] {
  const out: string[] = ["## Verdict", ""];
  out.push("Per scenario, the worst value over its partition counts (means over seeds). Bold marks lost acknowledged data.", "");
  for (const v of buildVerdict(model)) {
    out.push(`### ${md(v.scenario)} (${v.partitions.map((p) => p.toLocaleString("en-US")).join(", ")} partitions)`, "");
    for (const l of v.lines) {
      const safety = (l.safety.lost ?? 0) > 0 ? `**${md(l.safety.text)}**` : md(l.safety.text);
      out.push(`- **${md(l.elector)}**: ${safety}; ${md(l.availability.text)}; ${md(l.coordinator.text)}; ${md(l.herd.text)}; ${md(l.messages.text)}.`);
      if (l.why !== "") out.push(`  Why: ${md(l.why)}.`);
    }
    out.push("");
    for (const r of v.rankings) out.push(`- ${md(r.question)}: ${md(rankingText(r))}`);
    out.push("");
  }
  return out;
}

/** The Markdown summary of a set of results (pure). */
export function renderSummaryMarkdown(results: readonly RunResult[]): string {
  return renderModelMarkdown(buildModel(results));
}
