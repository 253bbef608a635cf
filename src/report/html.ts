/**
 * index.html: one self-contained page (inline CSS and SVG, no scripts, no network) with charts,
 * the metric tables of summary.md, and a timeline of each split-brain finding (up to 12).
 */
import type { RunResult } from "../runner/result.ts";
import { describeFault } from "../sim/faults.ts";
import {
  GRADE_COLOR,
  GRADE_LABEL,
  GRADES,
  HOST_PALETTE,
  electorColor,
  pickTimelineFindings,
  scalingAllZero,
  scalingEmpty,
  scalingChart,
  splitBrainChart,
  summarizeOthers,
  timelineChart,
  type ScalingChart,
  type TimelineFinding,
} from "./charts.ts";
import { clientChart, clientChartPick } from "./client-charts.ts";
import { canonicalJson, escapeHtml as h, fmt } from "./format.ts";
import { buildModel, firstFault, herdSize, mean, rowClusterLabel, type ReportModel } from "./model.ts";
import { SECTIONS, cellOf, seedsSentence, workloadSentence, type MetricTable, type Section } from "./tables.ts";
import { verdictHtml } from "./verdict-html.ts";

const CSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-soft: #f6f8fa; --accent: #4269d0; --bad: #c92a2a; --bad-bg: #fff0f0; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
.page { max-width: 1400px; margin: 0 auto; padding: 28px 32px 64px; }
header.top { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
h1 { font-size: 28px; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 22px; margin: 40px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 16px; margin: 26px 0 6px; }
p { margin: 6px 0 10px; max-width: 80ch; }
.lede { color: var(--muted); font-size: 16px; }
.meta { color: var(--muted); font-size: 13px; }
nav.toc { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 8px; padding: 10px 18px; margin: 18px 0; }
nav.toc h2 { font-size: 14px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); border: 0; margin: 4px 0; padding: 0; }
nav.toc ol { margin: 4px 0; padding-left: 20px; columns: 2; column-gap: 40px; }
nav.toc li { break-inside: avoid; }
nav.toc ol ol { columns: 1; font-size: 13px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.table-wrap { overflow-x: auto; margin: 6px 0 16px; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; }
caption .note { font-weight: 400; color: var(--muted); margin-left: .5em; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 10px; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody tr:nth-child(even) td, tbody tr:nth-child(even) th { background: #fbfcfd; }
tbody th { font-weight: 500; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.bad { color: var(--bad); background: var(--bad-bg) !important; font-weight: 600; }
td.missing, td.zero { color: #9aa4ae; }
.swatch.hatch { background: repeating-linear-gradient(45deg, #868e96 0 2px, #f1f3f5 2px 5px); }
table.verdict td { font-size: 13px; vertical-align: top; }
table.verdict td.why { color: var(--muted); max-width: 28em; }
ol.rankings { font-size: 14px; }
ol.rankings .note { color: var(--muted); }
.tables { display: flex; flex-wrap: wrap; gap: 0 28px; align-items: flex-start; }
.tables > div { max-width: 100%; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
th .swatch { margin-right: 5px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 13px; margin: 8px 0; align-items: center; }
.legend .line { display: inline-block; width: 26px; height: 0; border-top: 2px solid var(--fg); margin-right: 6px; vertical-align: middle; }
.legend .line.dashed { border-top-style: dashed; }
.legend .tick { display: inline-block; width: 3px; height: 13px; margin: 0 6px 0 4px; vertical-align: -2px; background: #212529; }
.legend .tick.stale { background: var(--bad); width: 4px; }
.legend .rule { display: inline-block; width: 0; height: 14px; border-left: 1px dashed #495057; margin: 0 8px 0 4px; vertical-align: -2px; }
.legend .shade { display: inline-block; width: 20px; height: 12px; background: rgba(245,159,0,.25); margin-right: 6px; vertical-align: -1px; }
figure { margin: 12px 0 20px; }
.diagram { max-height: 80vh; overflow: auto; border: 1px solid var(--line); border-radius: 4px; }
figure.chart-fig.fit { width: fit-content; max-width: 100%; }
figure.chart-fig { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 8px; }
figure h4 { margin: 0 0 2px; font-size: 14px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 14px; }
.grid figure { margin: 0; }
svg.chart { max-width: 100%; height: auto; display: block; }
.finding-title { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: baseline; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg-soft); padding: 1px 4px; border-radius: 4px; word-break: break-word; }
details { margin: 8px 0 16px; }
summary { cursor: pointer; color: var(--accent); font-weight: 500; }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; }
@media print { .page { max-width: none; padding: 0; } nav.toc { display: none; } figure { break-inside: avoid; } }
`;

interface TocEntry {
  readonly id: string;
  readonly title: string;
  readonly children?: readonly TocEntry[];
}

function tableHtml(caption: string, note: string, header: readonly string[], rows: readonly string[][], numericFrom: number): string {
  const th = header.map((c, i) => `<th scope="col"${i >= numericFrom ? ' class="num"' : ""}>${c}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.join("")}</tr>`).join("\n");
  return (
    `<div class="table-wrap"><table>` +
    `<caption>${caption}${note === "" ? "" : ` <span class="note">${note}</span>`}</caption>` +
    `<thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table></div>`
  );
}

function electorHeader(model: ReportModel, e: string): string {
  return `<span class="swatch" style="background:${electorColor(model, e)}"></span>${h(e)}`;
}

function metricTableHtml(model: ReportModel, table: MetricTable): string {
  const header = ["Scenario", model.clusterVaries ? "Partitions (cluster)" : "Partitions", ...model.electors.map((e) => electorHeader(model, e))];
  const rows = model.rows.map((row) => [
    `<th scope="row">${h(row.scenario)}</th>`,
    `<td class="num">${h(rowClusterLabel(model, row))}</td>`,
    ...model.electors.map((e) => {
      const c = cellOf(model, table, row, e);
      const cls = c.text === "–" ? "num missing" : c.bad === true ? "num bad" : /^0( \/ 0)*$/.test(c.text) ? "num zero" : "num";
      return `<td class="${cls}">${h(c.text)}</td>`;
    }),
  ]);
  return `<div id="table-${table.id}">${tableHtml(h(table.title), h(table.note), header, rows, 1)}</div>`;
}

function electorLegend(model: ReportModel, extra = ""): string {
  return (
    `<div class="legend" aria-hidden="true">` +
    model.electors.map((e) => `<span><span class="swatch" style="background:${electorColor(model, e)}"></span>${h(e)}</span>`).join("") +
    extra +
    `</div>`
  );
}

function figure(id: string, title: string, svg: string, caption: string, fit = false): string {
  return `<figure class="chart-fig${fit ? " fit" : ""}" id="${id}"><h4>${h(title)}</h4>${svg}<figcaption>${caption}</figcaption></figure>`;
}

/** Per scenario, writes acknowledged per second and partitions unavailable over time; an all-zero chart becomes a sentence. */
function clientFigures(model: ReportModel): string {
  const figures: string[] = [];
  const notes: string[] = [];
  model.scenarios.forEach((scenario, i) => {
    const pick = clientChartPick(model, scenario);
    if (pick === undefined) {
      notes.push(`${scenario}: no run of every elector with a client series (results written before it existed, or no common row).`);
      return;
    }
    const caption = h(`${fmt(pick.row.partitions)} partitions, seed ${pick.seed}, one run per elector; grey: fault periods (a dashed rule: an instant fault).`);
    for (const what of ["rate", "unavailable"] as const) {
      const allZero = pick.runs.every(({ series }) => (what === "rate" ? series.ok : series.unavailable).every((v) => v === 0));
      const name = what === "rate" ? "Acknowledged writes per second" : "Partitions unavailable to clients";
      if (allZero) notes.push(`${name}: every elector 0 in ${scenario} at ${fmt(pick.row.partitions)} partitions (no chart drawn).`);
      else figures.push(figure(`chart-clients-${what}-${i}`, `${name}: ${scenario}`, clientChart(model, pick, scenario, what), caption));
    }
  });
  return `<div class="grid">${figures.join("\n")}</div>` + notes.map((n) => `<p class="empty">${h(n)}</p>`).join("");
}

function scalingFigures(model: ReportModel, idPrefix: string, spec: ScalingChart, caption: string): string {
  // A chart whose every value is 0 says nothing a sentence cannot: it is not drawn.
  const zero = model.scenarios.filter((s) => scalingAllZero(model, s, spec));
  const empty = model.scenarios.filter((s) => scalingEmpty(model, s, spec));
  const drawn = model.scenarios.map((s, i) => ({ s, i })).filter(({ s }) => !zero.includes(s) && !empty.includes(s));
  return (
    `<div class="grid">` +
    drawn.map(({ s, i }) => figure(`${idPrefix}-${i}`, `${spec.title}: ${s}`, scalingChart(model, s, spec), caption)).join("\n") +
    `</div>` +
    (zero.length > 0 ? `<p class="empty">${h(`${spec.title}: every elector 0 in ${zero.join(", ")} (no chart drawn).`)}</p>` : "") +
    (empty.length > 0 ? `<p class="empty">${h(`${spec.title}: nothing measured in ${empty.join(", ")} (${spec.noValue ?? "no value"}; no chart drawn).`)}</p>` : "")
  );
}

const FAILOVER_CHART: ScalingChart = {
  title: "Failover time",
  yLabel: "failover (ms)",
  unit: " ms",
  noValue: "no partition lost its leader after a fault",
  series: [
    // No spell after the fault (no partition lost its leader) is no point, not a 0 ms failover.
    { name: "p50", value: (r) => (r.metrics.failover.samples > 0 ? r.metrics.failover.p50Ms : undefined) },
    { name: "p99", dash: "6,4", value: (r) => (r.metrics.failover.samples > 0 ? r.metrics.failover.p99Ms : undefined) },
  ],
};
const WRITES_CHART: ScalingChart = {
  title: "Coordinator writes per failover",
  yLabel: "coordinator writes",
  unit: " writes",
  logY: true,
  series: [{ name: "writes", value: (r) => firstFault(r)?.coordinatorWrites }],
};
const HERD_CHART: ScalingChart = {
  title: "Herd size",
  yLabel: "notifications + campaigns",
  unit: "",
  logY: true,
  series: [{ name: "herd", value: herdSize }],
};
const MESSAGES_CHART: ScalingChart = {
  title: "Messages",
  yLabel: "messages sent",
  unit: " messages",
  logY: true,
  series: [{ name: "messages", value: (r) => r.metrics.messages.sent }],
};

function sectionTables(model: ReportModel, section: Section): string {
  return `<div class="tables">${section.tables.map((t) => metricTableHtml(model, t)).join("\n")}</div>`;
}

function sectionOf(id: string): Section {
  const s = SECTIONS.find((x) => x.id === id);
  if (s === undefined) throw new Error(`no section ${id}`);
  return s;
}

function glance(model: ReportModel): string {
  const header = [
    "Elector",
    "Runs",
    "Overlaps",
    "Same-epoch",
    "Late acks",
    "Worst failover p99 (ms)",
    "Most coordinator writes per failover",
    "Largest herd",
  ];
  const rows = model.electors.map((e) => {
    let runs = 0;
    const sums = [0, 0, 0];
    let p99 = NaN;
    let writes = NaN;
    let herd = NaN;
    const max = (a: number, b: number): number => (Number.isFinite(b) ? (Number.isFinite(a) ? Math.max(a, b) : b) : a);
    for (const row of model.rows) {
      const rs = model.runs(row, e);
      if (rs.length === 0) continue;
      runs += rs.length;
      sums[0] += mean(rs, (r) => r.metrics.splitBrain.overlap.count);
      sums[1] += mean(rs, (r) => r.metrics.splitBrain.sameEpoch.count);
      sums[2] += mean(rs, (r) => r.metrics.splitBrain.lateAcks.count);
      p99 = max(p99, mean(rs, (r) => r.metrics.failover.p99Ms));
      writes = max(writes, mean(rs, (r) => firstFault(r)?.coordinatorWrites));
      herd = max(herd, mean(rs, herdSize));
    }
    const num = (v: number, bad = false): string => `<td class="num${bad && v > 0 ? " bad" : ""}">${h(fmt(v))}</td>`;
    return [
      `<th scope="row">${electorHeader(model, e)}</th>`,
      num(runs),
      num(sums[0], true),
      num(sums[1], true),
      num(sums[2], true),
      num(p99),
      num(writes),
      num(herd),
    ];
  });
  return tableHtml(
    "Each elector over all scenarios and partition counts",
    h("Split-brain counts are summed over rows; the other columns are the largest row value."),
    header,
    rows,
    1,
  );
}

function findingsTable(model: ReportModel): string {
  const rows: string[][] = [];
  let total = 0;
  const LIMIT = 100;
  for (const r of model.results) {
    for (const f of r.metrics.splitBrain.findings) {
      total++;
      if (rows.length >= LIMIT) continue;
      rows.push([
        `<td>${h(model.labelOf(r))}</td>`,
        `<td>${h(r.scenario)}</td>`,
        `<td class="num">${h(fmt(r.cluster.partitions))}</td>`,
        `<td class="num">${h(String(r.seed))}</td>`,
        `<td><span class="swatch" style="background:${GRADE_COLOR[f.grade]}"></span>${h(GRADE_LABEL[f.grade])}</td>`,
        `<td class="num">${h(String(f.partition))}</td>`,
        `<td>${h(`host ${f.hosts[0]} (epoch ${f.epochs[0]}), host ${f.hosts[1]} (epoch ${f.epochs[1]})`)}</td>`,
        `<td class="num">${h(`${fmt(f.from)}–${fmt(f.to)}`)}</td>`,
        `<td class="num">${h(fmt(f.to - f.from))}</td>`,
        `<td class="num">${f.writeId === undefined ? "" : h(String(f.writeId))}</td>`,
      ]);
    }
  }
  if (total === 0) return `<p class="empty">No split-brain finding in any run.</p>`;
  const note = total > rows.length ? `The first ${rows.length} of ${total} recorded findings.` : `${total} recorded finding${total === 1 ? "" : "s"}.`;
  return (
    `<details${total <= 12 ? " open" : ""}><summary>${h(`Every recorded finding (${total})`)}</summary>` +
    tableHtml(
      "Findings",
      h(note + " Each run lists only its first findings of each grade; the counts in the tables above are complete."),
      ["Elector", "Scenario", "Partitions", "Seed", "Grade", "Partition", "Hosts (epochs)", "Interval (ms)", "Length (ms)", "Write"],
      rows,
      99,
    ) +
    `</details>`
  );
}

function timelineTitle(model: ReportModel, t: TimelineFinding): string {
  const f = t.finding;
  return `${GRADE_LABEL[f.grade]} on partition ${f.partition}: ${model.labelOf(t.result)}, ${t.result.scenario}`;
}

function timelineSection(model: ReportModel, picked: readonly TimelineFinding[]): string {
  if (picked.length === 0) return `<p class="empty">No split-brain finding to draw.</p>`;
  const legend =
    `<div class="legend" aria-hidden="true">` +
    `<span><span class="swatch" style="background:${HOST_PALETTE[0]}"></span>leadership interval (colour per host, epoch inside)</span>` +
    `<span><span class="tick"></span>acknowledged write</span>` +
    `<span><span class="tick stale"></span>late acknowledgement</span>` +
    `<span><span class="rule"></span>fault or host event</span>` +
    `<span><span class="shade"></span>the finding's interval</span>` +
    `<span><span class="swatch hatch"></span>host crashed or paused</span>` +
    `</div>`;
  const figs = picked.map((t, i) => {
    const f = t.finding;
    const r = t.result;
    const title = timelineTitle(model, t);
    const what =
      `${GRADE_LABEL[f.grade]} between host ${f.hosts[0]} (epoch ${f.epochs[0]}) and host ${f.hosts[1]} (epoch ${f.epochs[1]}), ` +
      `from ${fmt(f.from)} to ${fmt(f.to)} ms (${fmt(f.to - f.from)} ms)` +
      (f.writeId === undefined ? "" : `, write ${f.writeId}`);
    // Every late acknowledgement on the partition is in its recorded acks, not only the listed findings.
    const lateHere = (t.partition?.acks ?? []).filter((a) => a.late).length - (f.grade === "late-ack" ? 1 : 0);
    const others = t.others.length === 0 ? "" : ` Also on this partition: ${summarizeOthers(t.others, { "late-ack": lateHere })}.`;
    const sb = r.metrics.splitBrain;
    const totals = ` In the whole run: ${fmt(sb.overlap.count)} overlaps, ${fmt(sb.sameEpoch.count)} same-epoch pairs, ${fmt(sb.lateAcks.count)} late acknowledgements.`;
    const where = `${model.labelOf(r)} · ${r.scenario} · ${fmt(r.cluster.partitions)} partitions · seed ${r.seed}`;
    const svg =
      t.partition === undefined
        ? `<p class="empty">${h(`The run recorded no timeline for partition ${f.partition}.`)}</p>`
        : timelineChart(t, title, `${what}. ${where}.${others}`);
    return (
      `<figure class="chart-fig" id="timeline-${i + 1}">` +
      `<h4 class="finding-title"><span class="badge" style="background:${GRADE_COLOR[f.grade]}">${h(GRADE_LABEL[f.grade])}</span>` +
      `<span>${h(`Partition ${f.partition}`)}</span><span class="meta">${h(where)}</span></h4>` +
      svg +
      `<figcaption>${h(`${what}.${others}${totals}`)}</figcaption></figure>`
    );
  });
  return legend + figs.join("\n");
}

function herdDetails(model: ReportModel): string {
  const rows: string[][] = [];
  const LIMIT = 300;
  let total = 0;
  for (const row of model.rows) {
    for (const e of model.electors) {
      const r = model.runs(row, e)[0];
      if (r === undefined) continue;
      for (const f of r.metrics.herd) {
        total++;
        if (rows.length >= LIMIT) continue;
        rows.push([
          `<td>${h(e)}</td>`,
          `<td>${h(row.scenario)}</td>`,
          `<td class="num">${h(rowClusterLabel(model, row))}</td>`,
          `<td>${h(f.description)}</td>`,
          `<td class="num">${h(fmt(f.at))}–${h(fmt(f.until))}</td>`,
          `<td class="num">${h(fmt(f.hostsWoken))}</td>`,
          `<td class="num">${h(fmt(f.watchNotifications))}</td>`,
          `<td class="num">${h(fmt(f.campaigns))}</td>`,
          `<td class="num">${h(fmt(f.leadershipChanges))}</td>`,
          `<td class="num">${h(fmt(f.coordinatorWrites))}</td>`,
          `<td class="num">${h(fmt(f.coordinatorReads))}</td>`,
          `<td class="num">${h(fmt(f.coordinatorPeakPerSecond["100ms"]))}</td>`,
          `<td class="num">${h(fmt(f.hostPeakPerSecond["100ms"]))}</td>`,
          `<td class="num">${h(fmt(f.messages))}</td>`,
        ]);
      }
    }
  }
  if (total === 0) return "";
  return (
    `<details><summary>Every fault's impact (${total} fault windows, the lowest seed of each cell)</summary>` +
    tableHtml(
      "Impact per fault",
      h(total > rows.length ? `The first ${rows.length} of ${total}.` : "Peaks are per second over a sliding 100 ms window."),
      ["Elector", "Scenario", "Partitions", "Fault", "Window (ms)", "Hosts woken", "Notifications", "Campaigns", "Leader changes", "ZK writes", "ZK reads", "ZK peak/s", "Host peak/s", "Messages"],
      rows,
      99,
    ) +
    `</details>`
  );
}

function runsTable(model: ReportModel): string {
  const LIMIT = 200;
  const rows = model.results.slice(0, LIMIT).map((r) => [
    `<td>${h(r.elector)}</td>`,
    `<td><code>${h(canonicalJson(r.options))}</code></td>`,
    `<td>${h(r.scenario)}</td>`,
    `<td class="num">${h(String(r.seed))}</td>`,
    `<td class="num">${h(`${r.cluster.brokers} / ${fmt(r.cluster.partitions)} / ${r.cluster.replicationFactor}`)}</td>`,
    `<td class="num">${h(fmt(r.durationMs))}</td>`,
    `<td>${r.faults.length === 0 ? "none" : r.faults.map((f) => h(`${fmt(f.at)} ms: ${describeFault(f)}`)).join("<br>")}</td>`,
    `<td><code>${h(r.metrics.traceHash)}</code></td>`,
  ]);
  const note = model.results.length > LIMIT ? `The first ${LIMIT} of ${model.results.length} runs.` : `${model.results.length} runs.`;
  return tableHtml(
    "Runs",
    h(note),
    ["Elector", "Options", "Scenario", "Seed", "Brokers / partitions / RF", "Duration (ms)", "Faults", "Trace hash"],
    rows,
    99,
  );
}

/** A message diagram drawn beside the run's results (src/cli/run-diagrams.ts), embedded as is. */
export interface EmbeddedDiagram {
  readonly cell: number;
  readonly title: string;
  /** Path relative to index.html. */
  readonly file: string;
  readonly svg: string;
}

function diagramSection(diagrams: readonly EmbeddedDiagram[]): string {
  if (diagrams.length === 0) return "";
  return (
    `<p>${h(
      `The worst finding of each elector and scenario in a run of at most 1,000 partitions, run again with the message trace on (the same run) and drawn around the finding: hosts as lanes, time downwards, messages as arrows with their types, faults across, crashed or paused periods hatched, the violating write in red. Scroll inside a diagram, or open it alone to zoom.`,
    )}</p>` +
    diagrams
      .map(
        (d, i) =>
          `<figure class="chart-fig" id="diagram-${i + 1}"><h4>${h(d.title)}</h4>` +
          `<div class="diagram">${d.svg}</div>` +
          `<figcaption><a href="${h(d.file)}">open full size</a> · <code>${h(`electorate replay <this folder> --cell ${d.cell}`)}</code> runs it again</figcaption></figure>`,
      )
      .join("\n")
  );
}

export function renderModelHtml(model: ReportModel, diagrams: readonly EmbeddedDiagram[] = []): string {
  const toc: TocEntry[] = [];
  const body: string[] = [];
  const section = (id: string, title: string, html: string, children?: TocEntry[]): void => {
    toc.push({ id, title, ...(children === undefined ? {} : { children }) });
    body.push(`<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${h(title)}</h2>\n${html}\n</section>`);
  };

  if (model.results.length === 0) {
    section("overview", "No results", `<p class="empty">There are no results to report.</p>`);
  } else {
    section("verdict", "Verdict", verdictHtml(model));
    const clusters = model.clusterVaries
      ? "clusters of several shapes"
      : `${model.rows[0].brokers} brokers, replication factor ${model.rows[0].replicationFactor}`;
    section(
      "overview",
      "At a glance",
      `<p>${h(
        `${model.results.length} runs of ${model.electors.length} electors over ${model.scenarios.length} scenarios ` +
          `(${clusters}; partitions ${[...new Set(model.rows.map((r) => r.partitions))].sort((a, b) => a - b).map(fmt).join(", ")}). ` +
          seedsSentence(model),
      )}</p>` + glance(model),
    );

    const picked = pickTimelineFindings(model);
    const sb = sectionOf("split-brain");
    section(
      sb.id,
      sb.title,
      `<p>${h(sb.intro)}</p>` +
        figure(
          "chart-split-brain",
          "Split-brain findings per elector",
          splitBrainChart(model),
          h("Bars stack the grades; the number on top is the total over every scenario and partition count (means over seeds)."),
          true,
        ) +
        `<div class="legend" aria-hidden="true">${GRADES.map((g) => `<span><span class="swatch" style="background:${GRADE_COLOR[g]}"></span>${h(GRADE_LABEL[g])}</span>`).join("")}</div>` +
        sectionTables(model, sb) +
        findingsTable(model) +
        `<h3 id="timelines">Timelines of split-brain findings</h3>` +
        `<p>${h(
          picked.length === 0
            ? "Nothing to draw."
            : `${picked.length} finding${picked.length === 1 ? "" : "s"}, varied over electors and grades (one per partition of a run). Each shows the partition's leadership intervals per host, acknowledged writes, and the faults around the finding.`,
        )}</p>` +
        timelineSection(model, picked) +
        (diagrams.length === 0 ? "" : `<h3 id="diagrams">Message diagrams of findings</h3>${diagramSection(diagrams)}`),
      [
        { id: "chart-split-brain", title: "Findings per elector" },
        { id: "timelines", title: `Timelines (${picked.length})` },
        ...(diagrams.length === 0 ? [] : [{ id: "diagrams", title: `Message diagrams (${diagrams.length})` }]),
      ],
    );

    const fo = sectionOf("failover");
    section(
      fo.id,
      fo.title,
      `<p>${h(fo.intro)}</p>` +
        electorLegend(model, `<span><span class="line"></span>p50</span><span><span class="line dashed"></span>p99</span>`) +
        scalingFigures(model, "chart-failover", FAILOVER_CHART, h("Failover time against partitions (log scale): solid p50, dashed p99.")) +
        sectionTables(model, fo),
    );

    const clients = sectionOf("clients");
    section(
      clients.id,
      clients.title,
      `<p>${h(`${clients.intro} ${workloadSentence(model)}`)}</p>` + electorLegend(model) + clientFigures(model) + sectionTables(model, clients),
    );

    const zk = sectionOf("coordinator");
    section(
      zk.id,
      zk.title,
      `<p>${h(zk.intro)}</p>` +
        electorLegend(model) +
        scalingFigures(
          model,
          "chart-writes",
          WRITES_CHART,
          h("Coordinator writes in the first fault's window against partitions (log y when the values span more than a decade; zeros then sit on the bottom line, labelled 0)."),
        ) +
        sectionTables(model, zk),
    );

    const herd = sectionOf("herd");
    section(
      herd.id,
      herd.title,
      `<p>${h(herd.intro)}</p>` +
        electorLegend(model) +
        scalingFigures(model, "chart-herd", HERD_CHART, h("Watch notifications plus campaigns in the first fault's window against partitions (log y when the values span more than a decade).")) +
        sectionTables(model, herd) +
        herdDetails(model),
    );

    const msg = sectionOf("messages");
    section(
      msg.id,
      msg.title,
      `<p>${h(msg.intro)}</p>` +
        electorLegend(model) +
        scalingFigures(model, "chart-messages", MESSAGES_CHART, h("Messages sent over the run against partitions (log y when the values span more than a decade).")) +
        sectionTables(model, msg),
    );

    for (const id of ["balance", "cost"]) {
      const s = sectionOf(id);
      section(s.id, s.title, `<p>${h(s.intro)}</p>` + sectionTables(model, s));
    }
    section("runs", "Runs", runsTable(model));
  }

  const tocHtml = (entries: readonly TocEntry[]): string =>
    `<ol>${entries
      .map((e) => `<li><a href="#${e.id}">${h(e.title)}</a>${e.children === undefined ? "" : tocHtml(e.children)}</li>`)
      .join("")}</ol>`;
  const v = model.results[0]?.versions;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Electorate report: leader election compared</title>
<style>${CSS}</style>
</head>
<body>
<div class="page">
<header class="top">
<h1>Electorate: leader election compared</h1>
<p class="lede">Split-brain, failover time, coordinator (ZooKeeper) load and herd effect for each elector, from the same simulated faults.</p>
</header>
<nav class="toc" aria-label="Table of contents"><h2>Contents</h2>${tocHtml(toc)}</nav>
<main>
${body.join("\n")}
</main>
<footer>${v === undefined ? "Electorate" : h(`Electorate ${v.electorate}, Node ${v.node}.`)} Raw data: results.json; the same tables in summary.md.</footer>
</div>
</body>
</html>
`;
}

/** The self-contained HTML report of a set of results (pure). */
export function renderHtml(results: readonly RunResult[]): string {
  return renderModelHtml(buildModel(results));
}
