/**
 * The client's view over time, one pair of charts per scenario (Jepsen's rate and availability
 * plots): writes acknowledged per second, and partitions unavailable to their clients, per elector
 * on one run each, with the fault periods shaded. Every elector is drawn from the same row (the
 * largest partition count all of them ran in that scenario) and the first seed, so the lines are
 * comparable; the caption names both.
 */
import * as Plot from "@observablehq/plot";
import type { ClientSeries } from "../checker/client-series.ts";
import type { RunResult } from "../runner/result.ts";
import { electorScale, render, short } from "./charts.ts";
import { fmt } from "./format.ts";
import type { ReportModel, Row } from "./model.ts";

export interface FaultPeriod {
  readonly from: number;
  readonly to: number;
  readonly what: string;
}

/**
 * When each fault disturbed the cluster: a crash until its restart, a pause or clog for its length,
 * a partition, cut or isolation until the next heal; instant faults (a session expiry, a clock jump,
 * a shutdown request) are periods of zero length, drawn as a rule.
 */
export function faultPeriods(result: RunResult): FaultPeriod[] {
  const end = result.durationMs;
  const faults = [...result.faults].sort((a, b) => a.at - b.at);
  const out: FaultPeriod[] = [];
  faults.forEach((f, i) => {
    const later = faults.slice(i + 1);
    const host = "host" in f ? ` ${String(f.host)}` : "";
    switch (f.type) {
      case "crash": {
        const restart = later.find((g) => g.type === "restart" && g.host === f.host);
        out.push({ from: f.at, to: restart?.at ?? end, what: `crash${host}` });
        break;
      }
      case "pause":
      case "clog":
        out.push({ from: f.at, to: Math.min(end, f.at + f.for), what: `${f.type}${host}` });
        break;
      case "partition":
      case "cut":
      case "isolate": {
        const heal = later.find((g) => g.type === "heal");
        out.push({ from: f.at, to: heal?.at ?? end, what: `${f.type}${host}` });
        break;
      }
      case "restart":
      case "heal":
        break;
      default:
        out.push({ from: f.at, to: f.at, what: `${f.type}${host}` });
    }
  });
  return out;
}

interface Pick {
  readonly row: Row;
  readonly seed: number;
  readonly runs: readonly { readonly elector: string; readonly result: RunResult; readonly series: ClientSeries }[];
}

/** The row and seed drawn for a scenario: the largest partition count at which every elector ran it (with a series). */
export function clientChartPick(model: ReportModel, scenario: string): Pick | undefined {
  const rows = model.rows.filter((r) => r.scenario === scenario).sort((a, b) => b.partitions - a.partitions);
  const electors = model.electors.filter((e) => rows.some((row) => model.runs(row, e).length > 0));
  for (const row of rows) {
    const runs = electors.map((elector) => {
      const result = model.runs(row, elector)[0];
      const series = result?.metrics.clientAvailability?.overTime;
      return result === undefined || series === undefined ? undefined : { elector, result, series };
    });
    if (runs.every((r) => r !== undefined)) {
      const present = runs as NonNullable<(typeof runs)[number]>[];
      if (present.length > 0) return { row, seed: present[0].result.seed, runs: present };
    }
  }
  return undefined;
}

/** 0, then powers of ten (and their fives) from the decade of `from` up to `max`. */
function decades(from: number, max: number): number[] {
  const out = [0];
  for (let p = 10 ** Math.floor(Math.log10(Math.max(1, from))); p <= max; p *= 10) {
    out.push(p);
    if (5 * p <= max) out.push(5 * p);
  }
  return out;
}

interface Point {
  readonly elector: string;
  readonly t: number;
  readonly value: number;
}

/** Acknowledged writes per second, or partitions unavailable, over time. */
export function clientChart(model: ReportModel, pick: Pick, scenario: string, what: "rate" | "unavailable"): string {
  const data: Point[] = [];
  for (const { elector, series } of pick.runs) {
    const perSecond = 1000 / series.bucketMs;
    const values = what === "rate" ? series.ok.map((n) => n * perSecond) : series.unavailable;
    values.forEach((value, i) => data.push({ elector, t: (i * series.bucketMs) / 1000, value }));
  }
  // A backlog flushed after recovery can spike far above the steady rate: a symlog axis keeps both readable.
  const positive = data.map((d) => d.value).filter((v) => v > 0).sort((a, b) => a - b);
  const spiky = what === "rate" && positive.length > 0 && positive[positive.length - 1] > 5 * positive[Math.floor(positive.length / 2)];
  const periods = faultPeriods(pick.runs[0].result).map((p) => ({ ...p, from: p.from / 1000, to: p.to / 1000 }));
  const label = what === "rate" ? "writes acknowledged / s" : "partitions unavailable";
  const title = `${what === "rate" ? "Acknowledged writes per second" : "Partitions unavailable to clients"}: ${scenario}`;
  const description = `${label} over time per elector in scenario ${scenario} at ${fmt(pick.row.partitions)} partitions, seed ${pick.seed}; fault periods shaded grey.`;
  return render(
    {
      width: 620,
      height: 220,
      marginLeft: 60,
      marginRight: 20,
      style: { fontSize: "11px" },
      x: { label: "time (s)", grid: true },
      y: spiky ? { label: `${label} (symlog)`, grid: true, type: "symlog", constant: positive[Math.floor(positive.length / 2)] / 4, ticks: decades(positive[Math.floor(positive.length / 2)] / 4, positive[positive.length - 1]), tickFormat: short } : { label, grid: true, zero: true },
      color: electorScale(model),
      marks: [
        Plot.rectX(
          periods.filter((p) => p.to > p.from),
          { x1: "from", x2: "to", fill: "#adb5bd", fillOpacity: 0.3, title: (p: FaultPeriod) => `${p.what}: ${fmt(p.from)}-${fmt(p.to)} s` },
        ),
        Plot.ruleX(
          periods.filter((p) => p.to === p.from),
          { x: "from", stroke: "#868e96", strokeDasharray: "3,3", title: (p: FaultPeriod) => `${p.what} at ${fmt(p.from)} s` },
        ),
        Plot.ruleY([0], { stroke: "#adb5bd" }),
        Plot.line(data, { x: "t", y: "value", z: "elector", stroke: "elector", strokeWidth: 1.5, curve: what === "unavailable" ? "step-after" : "linear" }),
      ],
    },
    title,
    description,
  );
}
