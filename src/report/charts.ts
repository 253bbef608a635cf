/**
 * Inline SVG charts made with Observable Plot, rendered in Node against a linkedom document (no
 * browser, no scripts in the page). Each function returns the chart's SVG markup, with a <title>
 * and <desc> for screen readers; text in it is escaped by the DOM serializer.
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import type { SplitBrainFinding, SplitBrainGrade } from "../checker/metrics.ts";
import type { AcknowledgedWrite, HostEvent, PartitionTimeline, RunResult } from "../runner/result.ts";
import { fmt } from "./format.ts";
import { mean, type ReportModel } from "./model.ts";

/**
 * Elector colours, by name, the same in every report whatever the order of `--algorithms`: the
 * registry's electors have their own; a variant ("raft:etcd", "raft (checkQuorum=true)") takes a
 * shade of its elector's colour; any other name a colour from the rest of the palette by a hash
 * of the name. None is red, orange or purple: those mark findings.
 */
export const ELECTOR_COLORS: Readonly<Record<string, string>> = {
  "naive-race": "#ff8ab7",
  "kafka-controller": "#efb118",
  raft: "#4269d0",
  zab: "#3ca951",
};
export const ELECTOR_PALETTE = ["#6cc5b0", "#9c6b4e", "#97bbf5", "#9498a0", "#1b7f79", "#8c8c2e"] as const;

/** Host colours in timelines: slates and earths, disjoint from every elector and finding colour. */
export const HOST_PALETTE = ["#1e3a5f", "#5b7083", "#2d6a4f", "#8d99ae", "#495057", "#b08968", "#3a5a40", "#7f8c8d", "#343a40"] as const;

export const GRADES: readonly SplitBrainGrade[] = ["overlap", "same-epoch", "late-ack"];
export const GRADE_LABEL: Readonly<Record<SplitBrainGrade, string>> = {
  overlap: "overlap",
  "same-epoch": "same epoch",
  "late-ack": "late acknowledgement",
};
export const GRADE_COLOR: Readonly<Record<SplitBrainGrade, string>> = {
  overlap: "#f59f00",
  "same-epoch": "#862e9c",
  "late-ack": "#e03131",
};
const STALE = "#e03131";

/** FNV-1a: a stable small hash of a name. */
function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function hexToHsl(hex: string): [number, number, number] {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  if (max === min) return [0, 0, l];
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  const h = max === r ? (g - b) / d + (g < b ? 6 : 0) : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return [h * 60, s, l];
}

function hslToHex(h: number, s: number, l: number): string {
  const k = (n: number): number => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return `#${[0, 8, 4].map((n) => Math.round(f(n) * 255).toString(16).padStart(2, "0")).join("")}`;
}

/**
 * A variant's colour: its elector's hue at one of VARIANT_TONES (lightness x saturation), picked by
 * a hash of the variant's full name, so it is the same in every report. The tones are spaced so
 * the registry's variants of one elector get clearly different colours (a test checks).
 */
const VARIANT_TONES: readonly (readonly [number, number])[] = [
  [0.26, 0.9],
  [0.38, 0.9],
  [0.72, 0.9],
  [0.84, 0.9],
  [0.3, 0.45],
  [0.45, 0.45],
  [0.62, 0.45],
  [0.78, 0.45],
];

export function variantColor(baseHex: string, label: string): string {
  const [h] = hexToHsl(baseHex);
  const [l, sat] = VARIANT_TONES[nameHash(label) % VARIANT_TONES.length];
  return hslToHex(h, sat, l);
}

/** An elector's colour from its label alone (the model is not consulted: colours never depend on order). */
export function colorOfElector(label: string): string {
  const fixed = ELECTOR_COLORS[label];
  if (fixed !== undefined) return fixed;
  const base = /^[a-z0-9-]+/i.exec(label)?.[0] ?? label;
  const baseColor = ELECTOR_COLORS[base];
  if (baseColor !== undefined) {
    return variantColor(baseColor, label);
  }
  return ELECTOR_PALETTE[nameHash(label) % ELECTOR_PALETTE.length];
}

export function electorColor(_model: ReportModel, elector: string): string {
  return colorOfElector(elector);
}

export function electorScale(model: ReportModel): Plot.ScaleOptions {
  return { domain: [...model.electors], range: model.electors.map((e) => electorColor(model, e)) };
}

/** A fresh document per render: Plot appends nothing to it, but keeps no state across reports. */
type PlotDocument = NonNullable<Plot.PlotOptions["document"]>;

function newDocument(): PlotDocument {
  return parseHTML("<!doctype html><html><body></body></html>").document as unknown as PlotDocument;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Renders a Plot and returns its <svg>, labelled for assistive technology. */
export function render(options: Plot.PlotOptions, title: string, description: string): string {
  const document = newDocument();
  // The accessible name and description come from <title> and <desc> (text content, which the
  // serializer escapes), not from attributes.
  const node = Plot.plot({ ...options, document });
  const svg = node.tagName.toLowerCase() === "svg" ? node : node.querySelector("svg");
  if (svg === null) throw new Error("Plot rendered no <svg>");
  svg.setAttribute("role", "img");
  svg.setAttribute("class", `${svg.getAttribute("class") ?? ""} chart`.trim());
  const desc = document.createElementNS(SVG_NS, "desc");
  desc.textContent = description;
  svg.insertBefore(desc, svg.firstChild);
  const t = document.createElementNS(SVG_NS, "title");
  t.textContent = title;
  svg.insertBefore(t, svg.firstChild);
  return svg.outerHTML;
}

interface ScalingPoint {
  readonly elector: string;
  readonly partitions: number;
  readonly value: number;
  readonly series: string;
}

export interface ScalingSeries {
  readonly name: string;
  /** SVG dash array; undefined for a solid line. */
  readonly dash?: string;
  readonly value: (r: RunResult) => number | undefined;
}

export interface ScalingChart {
  readonly title: string;
  readonly yLabel: string;
  readonly unit: string;
  readonly series: readonly ScalingSeries[];
  /** Log y when the values span more than a decade (zeros on a floor labelled 0), for counts that grow with the partition count. */
  readonly logY?: boolean;
  /** Why a scenario can have no value (every series undefined in every run): said instead of an empty chart. */
  readonly noValue?: string;
}

/** Short axis labels: 0, 950, 1.5k, 20k, 1M. */
export function short(v: number): string {
  const a = Math.abs(v);
  const units: [number, string][] = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [n, u] of units) {
    if (a >= n) return `${Number((v / n).toPrecision(3))}${u}`;
  }
  return String(Number(v.toPrecision(3)));
}

/**
 * The y scale of a scaling chart. Log when asked and the values span more than a decade; zeros
 * then sit on a floor one decade below the smallest positive value, labelled "0".
 */
function yAxis(values: readonly number[], log: boolean, label: string): { scale: Plot.ScaleOptions; floor?: number } {
  const positive = values.filter((v) => v > 0);
  const max = Math.max(0, ...values);
  const minPos = positive.length === 0 ? 0 : Math.min(...positive);
  if (!log || positive.length === 0 || max / minPos < 10) {
    return { scale: { type: "linear", label, grid: true, zero: true, nice: true, tickFormat: short } };
  }
  const hasZero = positive.length < values.length;
  const lowDecade = Math.floor(Math.log10(minPos));
  const floor = hasZero ? 10 ** (lowDecade - 1) : undefined;
  const lo = floor ?? 10 ** lowDecade;
  const hi = 10 ** Math.ceil(Math.log10(max * 1.05));
  const ticks: number[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) ticks.push(10 ** e);
  return {
    scale: {
      type: "log",
      label,
      grid: true,
      domain: [lo, hi],
      ticks,
      tickFormat: (v: number) => (floor !== undefined && Math.abs(v - floor) < floor / 1e6 ? "0" : short(v)),
    },
    ...(floor === undefined ? {} : { floor }),
  };
}

function xDomain(values: readonly number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return [Math.max(1, lo / 1.6), hi * 1.6];
}

/** Whether every value a scaling chart would draw is 0 (such a chart is not drawn: a sentence says so). */
export function scalingAllZero(model: ReportModel, scenario: string, spec: ScalingChart): boolean {
  const data = scalingData(model, scenario, spec);
  return data.length > 0 && data.every((d) => d.value === 0);
}

/** Whether a scaling chart would have no value at all to draw (none measured: a sentence says why). */
export function scalingEmpty(model: ReportModel, scenario: string, spec: ScalingChart): boolean {
  return scalingData(model, scenario, spec).length === 0;
}

function scalingData(model: ReportModel, scenario: string, spec: ScalingChart): ScalingPoint[] {
  const data: ScalingPoint[] = [];
  for (const row of model.rows) {
    if (row.scenario !== scenario) continue;
    for (const elector of model.electors) {
      const runs = model.runs(row, elector);
      if (runs.length === 0) continue;
      for (const s of spec.series) {
        const value = mean(runs, s.value);
        if (Number.isFinite(value)) data.push({ elector, partitions: row.partitions, value, series: s.name });
      }
    }
  }
  return data;
}

/** One metric against partitions (log x) for one scenario: a line per elector and series. */
export function scalingChart(model: ReportModel, scenario: string, spec: ScalingChart): string {
  const data = scalingData(model, scenario, spec);
  const title = `${spec.title}: ${scenario}`;
  const description =
    `${spec.yLabel} against partitions (log scale) per elector in scenario ${scenario}` +
    (spec.series.length > 1 ? `; ${spec.series.map((s) => `${s.dash === undefined ? "solid" : "dashed"} line ${s.name}`).join(", ")}.` : ".");
  if (data.length === 0) {
    return render({ width: 620, height: 120, marks: [Plot.frame(), Plot.text(["no data"], { frameAnchor: "middle" })] }, title, description);
  }
  const y = yAxis(data.map((d) => d.value), spec.logY === true, spec.yLabel);
  const plotted = (v: number): number => (y.floor !== undefined && v <= 0 ? y.floor : v);
  const xs = [...new Set(data.map((d) => d.partitions))].sort((a, b) => a - b);
  const marks: Plot.Markish[] = [];
  marks.push(Plot.ruleY([y.floor ?? 0], { stroke: "#adb5bd" }));

  for (const s of spec.series) {
    const points = data.filter((d) => d.series === s.name).map((d) => ({ ...d, y: plotted(d.value) }));
    marks.push(
      Plot.line(points, {
        x: "partitions",
        y: "y",
        z: "elector",
        stroke: "elector",
        strokeWidth: 2,
        ...(s.dash === undefined ? {} : { strokeDasharray: s.dash }),
        sort: "partitions",
      }),
      Plot.dot(points, {
        x: "partitions",
        y: "y",
        stroke: "elector",
        fill: "white",
        r: 3.5,
        strokeWidth: 1.5,
        title: (d: ScalingPoint) =>
          `${d.elector}, ${fmt(d.partitions)} partitions: ${spec.series.length > 1 ? `${d.series} ` : ""}${fmt(d.value)}${spec.unit}`,
      }),
    );
  }
  return render(
    {
      width: 620,
      height: 280,
      marginLeft: 60,
      marginRight: 20,
      style: { fontSize: "11px" },
      x: { type: "log", label: "partitions", domain: xDomain(xs), ticks: xs, grid: true, tickFormat: short },
      y: y.scale,
      color: electorScale(model),
      marks,
    },
    title,
    description,
  );
}

/** Split-brain findings per elector, stacked by grade (sums over rows of means over seeds). */
export function splitBrainChart(model: ReportModel): string {
  const data: { elector: string; grade: SplitBrainGrade; count: number }[] = [];
  const totals: { elector: string; total: number }[] = [];
  for (const elector of model.electors) {
    let total = 0;
    for (const grade of GRADES) {
      let count = 0;
      for (const row of model.rows) {
        const runs = model.runs(row, elector);
        if (runs.length === 0) continue;
        const v = mean(runs, (r) => {
          const s = r.metrics.splitBrain;
          return grade === "overlap" ? s.overlap.count : grade === "same-epoch" ? s.sameEpoch.count : s.lateAcks.count;
        });
        if (Number.isFinite(v)) count += v;
      }
      total += count;
      if (count > 0) data.push({ elector, grade, count });
    }
    totals.push({ elector, total });
  }
  const title = "Split-brain findings per elector";
  const description =
    "Findings per elector stacked by grade (overlap, same epoch, late acknowledgement), summed over scenarios and partition counts. " +
    totals.map((t) => `${t.elector}: ${fmt(t.total)}`).join("; ") +
    ".";
  const max = Math.max(1, ...totals.map((t) => t.total));
  const width = Math.max(360, Math.min(900, 140 * model.electors.length + 100));
  // Names wider than their band (variants such as "kafka-controller:all-minisr1", ~6 px a
  // character at 11 px) would overlap their neighbours: slant them all and make room below.
  const longest = 6 * Math.max(0, ...model.electors.map((e) => e.length));
  const slant = longest > (width - 70) / Math.max(1, model.electors.length);
  return render(
    {
      width,
      height: slant ? 260 + Math.round(longest * 0.5) : 260,
      marginLeft: 50,
      marginTop: 24,
      ...(slant ? { marginBottom: 16 + Math.round(longest * 0.5) } : {}),
      style: { fontSize: "11px" },
      x: { domain: [...model.electors], label: null, padding: 0.35, ...(slant ? { tickRotate: -30 } : {}) },
      y: { label: "findings", grid: true, domain: [0, max * 1.15], tickFormat: short },
      color: { domain: GRADES.map((g) => GRADE_LABEL[g]), range: GRADES.map((g) => GRADE_COLOR[g]) },
      marks: [
        Plot.barY(data, {
          x: "elector",
          y: "count",
          fill: (d: (typeof data)[number]) => GRADE_LABEL[d.grade],
          order: GRADES.map((g) => GRADE_LABEL[g]),
          title: (d: (typeof data)[number]) => `${d.elector}: ${fmt(d.count)} ${GRADE_LABEL[d.grade]}`,
        }),
        Plot.text(totals, { x: "elector", y: "total", text: (d: (typeof totals)[number]) => fmt(d.total), dy: -8, fontWeight: "bold" }),
        Plot.ruleY([0]),
      ],
    },
    title,
    description,
  );
}

/** A finding chosen for a timeline, with its run. */
export interface TimelineFinding {
  readonly result: RunResult;
  readonly finding: SplitBrainFinding;
  /** Other findings of the same run on the same partition. */
  readonly others: readonly SplitBrainFinding[];
  readonly partition: PartitionTimeline | undefined;
}

export const MAX_TIMELINES = 12;

/** Grades by severity, most severe first: a safety bug, then data at risk, then overlap alone. */
const SEVERITY: readonly SplitBrainGrade[] = ["same-epoch", "late-ack", "overlap"];

/**
 * Up to `limit` findings for timelines, varied: round-robin over (elector, grade) groups, most
 * severe grade first; within a group the first finding of each run before the second of any, so
 * partition counts and scenarios alternate. At most one timeline per run and partition (further
 * findings there are summed up in its caption). Findings whose partition has a recorded timeline
 * come first; the others only fill remaining places.
 */
export function pickTimelineFindings(model: ReportModel, limit = MAX_TIMELINES): TimelineFinding[] {
  const rowOrder = new Map(model.rows.map((r, i) => [r.key, i]));
  const runs = model.results
    .map((result, index) => ({ result, index }))
    .filter(({ result }) => result.metrics.splitBrain.findings.length > 0)
    .sort(
      (a, b) =>
        model.electors.indexOf(model.labelOf(a.result)) - model.electors.indexOf(model.labelOf(b.result)) ||
        (rowOrder.get(model.rowOf(a.result).key) ?? 0) - (rowOrder.get(model.rowOf(b.result).key) ?? 0) ||
        a.result.seed - b.result.seed ||
        a.index - b.index,
    );
  interface Candidate {
    readonly result: RunResult;
    readonly index: number;
    readonly finding: SplitBrainFinding;
    readonly rank: number;
    readonly runOrder: number;
    readonly timeline: PartitionTimeline | undefined;
  }
  const groups = new Map<string, Candidate[]>();
  runs.forEach(({ result, index }, runOrder) => {
    const timelines = new Map(result.timeline.partitions.map((p) => [p.partition, p]));
    const rankOf = new Map<SplitBrainGrade, number>();
    for (const finding of result.metrics.splitBrain.findings) {
      const rank = rankOf.get(finding.grade) ?? 0;
      rankOf.set(finding.grade, rank + 1);
      const key = `${SEVERITY.indexOf(finding.grade)}\u0000${model.electors.indexOf(model.labelOf(result))}`;
      const list = groups.get(key) ?? [];
      list.push({ result, index, finding, rank, runOrder, timeline: timelines.get(finding.partition) });
      groups.set(key, list);
    }
  });
  // Round-robin over electors first, then grades by severity.
  const keys = [...groups.keys()].sort((a, b) => {
    const [ga, ea] = a.split("\u0000").map(Number);
    const [gb, eb] = b.split("\u0000").map(Number);
    return ga - gb || ea - eb;
  });
  for (const list of groups.values()) list.sort((a, b) => a.rank - b.rank || a.runOrder - b.runOrder);

  const picked: TimelineFinding[] = [];
  const seen = new Set<string>();
  for (const withTimeline of [true, false]) {
    const cursor = new Map<string, number>();
    let progress = true;
    while (picked.length < limit && progress) {
      progress = false;
      for (const key of keys) {
        if (picked.length >= limit) break;
        const list = groups.get(key) ?? [];
        let i = cursor.get(key) ?? 0;
        while (i < list.length) {
          const c = list[i++];
          if ((c.timeline !== undefined) !== withTimeline) continue;
          const where = `${c.index}:${c.finding.partition}`;
          if (seen.has(where)) continue;
          seen.add(where);
          picked.push({
            result: c.result,
            finding: c.finding,
            others: c.result.metrics.splitBrain.findings.filter((f) => f !== c.finding && f.partition === c.finding.partition),
            partition: c.timeline,
          });
          progress = true;
          break;
        }
        cursor.set(key, i);
      }
    }
  }
  return picked;
}

/** The other findings on a timeline's partition, by grade: "1 overlap (26,022–35,227 ms); 15 stale acknowledgements (…)". */
export function summarizeOthers(others: readonly SplitBrainFinding[], exactCount: Partial<Record<SplitBrainGrade, number>> = {}): string {
  const parts: string[] = [];
  for (const grade of SEVERITY) {
    const list = others.filter((o) => o.grade === grade);
    if (list.length === 0) continue;
    // The run keeps only the first findings of each grade; where the partition's own record has
    // the true count (late acknowledgements are in its acks), say that count.
    const exact = exactCount[grade];
    if (exact !== undefined && exact > list.length) {
      const from = Math.min(...list.map((o) => o.from));
      parts.push(`${exact} ${exact === 1 ? GRADE_LABEL[grade] : GRADE_PLURAL[grade]} (the first from ${fmt(from)} ms)`);
      continue;
    }
    const from = Math.min(...list.map((o) => o.from));
    const to = Math.max(...list.map((o) => o.to));
    const name = list.length === 1 ? GRADE_LABEL[grade] : GRADE_PLURAL[grade];
    parts.push(`${list.length} ${name} (${list.length === 1 ? "" : "within "}${fmt(from)}–${fmt(to)} ms)`);
  }
  return parts.join("; ");
}

const GRADE_PLURAL: Readonly<Record<SplitBrainGrade, string>> = {
  overlap: "overlaps",
  "same-epoch": "same-epoch pairs",
  "late-ack": "late acknowledgements",
};

function hostName(h: number | "zk"): string {
  return h === "zk" ? "zk" : `host ${h}`;
}

/** A label for a timeline event: faults (host -1) by their description, others by host. */
export function eventLabel(e: HostEvent): string {
  if (e.host === "zk") return `zk ${e.what}`;
  if (typeof e.host === "number" && e.host >= 0) return `host ${e.host} ${e.what}`;
  return e.what;
}

/**
 * The time window a finding's timeline shows: the finding and the others on its partition, the
 * latest event before them (the likely cause, looking back up to 30 s or ten times the span), and a
 * margin.
 */
export function timelineWindow(t: TimelineFinding): [number, number] {
  const all = [t.finding, ...t.others];
  const from = Math.min(...all.map((f) => f.from));
  let end = Math.max(...all.map((f) => f.to));
  const span = Math.max(1, end - from);
  const lookback = Math.max(10 * span, 30_000);
  let start = from;
  for (const e of t.result.timeline.events) {
    if (e.at <= from && e.at >= from - lookback && e.at < start) start = e.at;
  }
  // Until the problem resolves: the first fault or host event after the finding (a heal, a resume,
  // a restart) is in view, as long as it is within the run.
  const after = t.result.timeline.events.find((e) => e.at > end && e.at <= t.result.durationMs);
  if (after !== undefined && after.at - end <= Math.max(10 * span, 30_000)) end = after.at;
  const pad = Math.max(0.06 * (end - start), 50);
  start = Math.max(0, start - pad);
  end = Math.min(Math.max(t.result.durationMs, end), end + pad);
  if (end <= start) end = start + 1;
  return [start, end];
}

/** A host that could not act for a while: crashed until restarted, or paused until resumed. */
export interface OffPeriod {
  readonly host: number;
  readonly from: number;
  readonly to: number;
  readonly what: "down" | "paused";
}

/** Crash-to-restart and pause-to-resume periods of each host, from a run's host events (open ones end at the run's end). */
export function offPeriods(result: RunResult): OffPeriod[] {
  const open = new Map<string, number>();
  const out: OffPeriod[] = [];
  for (const e of result.timeline.events) {
    if (typeof e.host !== "number" || e.host < 0) continue;
    const start = e.what === "crashed" ? "down" : e.what === "paused" ? "paused" : undefined;
    const stop = e.what === "restarted" ? "down" : e.what === "resumed" ? "paused" : undefined;
    if (start !== undefined) open.set(`${e.host}:${start}`, e.at);
    if (stop !== undefined) {
      const from = open.get(`${e.host}:${stop}`);
      if (from !== undefined) out.push({ host: e.host, from, to: e.at, what: stop });
      open.delete(`${e.host}:${stop}`);
    }
  }
  for (const [key, from] of open) {
    const [host, what] = key.split(":");
    out.push({ host: Number(host), from, to: result.durationMs, what: what as OffPeriod["what"] });
  }
  return out.sort((a, b) => a.from - b.from || a.host - b.host);
}

/** The hatch pattern off periods are drawn with (defined inside each timeline's SVG). */
const HATCH_ID = "electorate-hatch";
const HATCH_DEFS =
  `<defs><pattern id="${HATCH_ID}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
  `<rect width="6" height="6" fill="#f1f3f5"></rect><line x1="0" y1="0" x2="0" y2="6" stroke="#868e96" stroke-width="2"></line></pattern></defs>`;

interface AckMark {
  readonly at: number;
  readonly y: string;
  readonly host: number;
  readonly count: number;
  readonly stale: number;
  readonly first: AcknowledgedWrite;
}

/**
 * Acknowledged writes binned per host into buckets a few pixels wide, so thousands of writes draw
 * as a bounded number of ticks; a bucket with any stale acknowledgement is stale.
 */
function binAcks(acks: readonly AcknowledgedWrite[], x0: number, msPerBucket: number, label: (h: number) => string): AckMark[] {
  const buckets = new Map<string, { host: number; bucket: number; count: number; stale: number; first: AcknowledgedWrite; firstStale?: AcknowledgedWrite }>();
  for (const a of acks) {
    const bucket = Math.floor((a.at - x0) / msPerBucket);
    const key = `${a.host}:${bucket}`;
    const b = buckets.get(key);
    if (b === undefined) {
      buckets.set(key, { host: a.host, bucket, count: 1, stale: a.late ? 1 : 0, first: a, ...(a.late ? { firstStale: a } : {}) });
    } else {
      b.count++;
      if (a.late) {
        b.stale++;
        b.firstStale ??= a;
      }
    }
  }
  return [...buckets.values()].map((b) => {
    const first = b.firstStale ?? b.first;
    return { at: b.count === 1 ? first.at : x0 + (b.bucket + 0.5) * msPerBucket, y: label(b.host), host: b.host, count: b.count, stale: b.stale, first };
  });
}

/**
 * The timeline of one finding's partition: leadership intervals per host (bars coloured by host,
 * labelled with the epoch), acknowledged writes as ticks in a lane under each host's bar (stale
 * ones red and taller), fault and host events as dashed rules with labels, and the finding's
 * interval shaded.
 */
export function timelineChart(t: TimelineFinding, title: string, description: string): string {
  const f = t.finding;
  const p = t.partition;
  const [x0, x1] = timelineWindow(t);
  const hosts = new Set<number>([...f.hosts]);
  for (const h of p?.replicas ?? []) hosts.add(h);
  for (const iv of p?.intervals ?? []) hosts.add(iv.host);
  const hostList = [...hosts].sort((a, b) => a - b);
  const preferred = p?.replicas[0];
  const label = (h: number): string => `host ${h}${h === preferred ? " (pref.)" : ""}`;
  const yDomain = hostList.map(label);
  const width = 1180;
  const marginLeft = 100;
  const marginRight = 24;
  const plotWidth = width - marginLeft - marginRight;
  const pxPerMs = plotWidth / (x1 - x0);
  const band = 48;
  const intervals = (p?.intervals ?? [])
    .filter((iv) => iv.to >= x0 && iv.from <= x1)
    .map((iv) => ({ ...iv, x1: Math.max(iv.from, x0), x2: Math.min(iv.to, x1), y: label(iv.host) }));
  const inWindow = (p?.acks ?? []).filter((a) => a.at >= x0 && a.at <= x1);
  const acks = binAcks(inWindow, x0, 3 / pxPerMs, label);
  // One stale acknowledgement gets a label: the finding's write if it is in view, else the first.
  const named = inWindow.find((a) => a.late && a.writeId === f.writeId) ?? inWindow.find((a) => a.late);
  const staleCount = inWindow.filter((a) => a.late).length;
  const events = t.result.timeline.events
    .filter((e) => e.at >= x0 && e.at <= x1)
    .slice(0, 12)
    .map((e, i) => ({ at: e.at, text: eventLabel(e), level: i % 3, end: (e.at - x0) * pxPerMs > plotWidth * 0.7 }));
  const ackTitle = (a: AckMark): string =>
    a.count === 1
      ? `${a.stale > 0 ? "LATE: " : ""}write ${a.first.writeId} acknowledged by ${hostName(a.host)} in epoch ${a.first.epoch} at ${fmt(a.first.at)} ms`
      : `${a.count} writes acknowledged by ${hostName(a.host)} around ${fmt(a.at)} ms${a.stale > 0 ? `, ${a.stale} late` : ""}`;
  const shade = { x1: Math.max(f.from, x0), x2: Math.min(Math.max(f.to, f.from + 2 / pxPerMs), x1) };
  // Crashed or paused: hatched across the host's band, so a paused leader's bar is not read as leading.
  const off = offPeriods(t.result)
    .filter((o) => hosts.has(o.host) && o.to >= x0 && o.from <= x1)
    .map((o) => ({ ...o, x1: Math.max(o.from, x0), x2: Math.min(o.to, x1), y: label(o.host) }));
  const marks: Plot.Markish[] = [
    Plot.rectX([shade], { x1: "x1", x2: "x2", fill: GRADE_COLOR[f.grade], fillOpacity: 0.14 }),
    Plot.barX(intervals, {
      x1: "x1",
      x2: "x2",
      y: "y",
      fill: "y",
      insetTop: 6,
      insetBottom: 20,
      title: (d: (typeof intervals)[number]) => `${hostName(d.host)} leads in epoch ${d.epoch} from ${fmt(d.from)} to ${fmt(d.to)} ms`,
    }),
    Plot.barX(off, {
      x1: "x1",
      x2: "x2",
      y: "y",
      fill: `url(#${HATCH_ID})`,
      fillOpacity: 0.85,
      insetTop: 2,
      insetBottom: 2,
      title: (d: (typeof off)[number]) => `${hostName(d.host)} ${d.what === "down" ? "crashed (down)" : "paused"} from ${fmt(d.from)} to ${fmt(d.to)} ms`,
    }),
    Plot.text(
      off.filter((d) => (d.x2 - d.x1) * pxPerMs >= 50),
      { x: (d: (typeof off)[number]) => (d.x1 + d.x2) / 2, y: "y", dy: 12, text: "what", fill: "#343a40", stroke: "white", strokeWidth: 3, paintOrder: "stroke" },
    ),
    Plot.text(
      intervals.filter((d) => (d.x2 - d.x1) * pxPerMs >= 60),
      {
        x: (d: (typeof intervals)[number]) => (d.x1 + d.x2) / 2,
        y: "y",
        dy: -7,
        text: (d: (typeof intervals)[number]) => `epoch ${d.epoch}`,
        fill: "white",
        fontWeight: "bold",
        stroke: "rgba(0,0,0,0.35)",
        strokeWidth: 2,
        paintOrder: "stroke",
      },
    ),
    Plot.tickX(acks.filter((a) => a.stale === 0), {
      x: "at",
      y: "y",
      stroke: "#343a40",
      strokeOpacity: 0.75,
      strokeWidth: 1.2,
      insetTop: band - 18,
      insetBottom: 4,
      title: ackTitle,
    }),
    Plot.tickX(acks.filter((a) => a.stale > 0), {
      x: "at",
      y: "y",
      stroke: STALE,
      strokeWidth: 2,
      insetTop: band - 22,
      insetBottom: 2,
      title: ackTitle,
    }),
    Plot.ruleX(events, { x: "at", stroke: "#495057", strokeDasharray: "4,3" }),
  ];
  if (named !== undefined) {
    marks.push(
      Plot.text([named], {
        x: "at",
        y: (a: AcknowledgedWrite) => label(a.host),
        text: () => `late ack w${named.writeId}${staleCount > 1 ? ` (+${staleCount - 1} more)` : ""}`,
        fill: STALE,
        fontWeight: "bold",
        textAnchor: (named.at - x0) * pxPerMs > plotWidth * 0.7 ? "end" : "start",
        dx: (named.at - x0) * pxPerMs > plotWidth * 0.7 ? -4 : 4,
        dy: 19,
        stroke: "white",
        strokeWidth: 3,
        paintOrder: "stroke",
      }),
    );
  }
  for (let level = 0; level < 3; level++) {
    for (const end of [false, true]) {
      marks.push(
        Plot.text(
          events.filter((e) => e.level === level && e.end === end),
          { x: "at", text: "text", frameAnchor: "top", textAnchor: end ? "end" : "start", dx: end ? -3 : 3, dy: -40 + 13 * level, fill: "#343a40" },
        ),
      );
    }
  }
  return withHatch(render(
    {
      width,
      height: 46 + 30 + band * hostList.length,
      marginLeft,
      marginRight,
      marginTop: 46,
      marginBottom: 30,
      style: { fontSize: "11px" },
      x: { domain: [x0, x1], label: "time (ms)", grid: true, tickFormat: short },
      y: { domain: yDomain, label: null, padding: 0 },
      // A host keeps its colour from one timeline to the next.
      color: { domain: yDomain, range: hostList.map((h) => HOST_PALETTE[h % HOST_PALETTE.length]) },
      marks,
    },
    title,
    description,
  ));
}

/** Puts the hatch pattern's definition inside a rendered SVG (right after its opening tag). */
function withHatch(svg: string): string {
  const i = svg.indexOf(">", svg.indexOf("<svg"));
  return i < 0 ? svg : svg.slice(0, i + 1) + HATCH_DEFS + svg.slice(i + 1);
}
