/**
 * The report's view of a set of results: electors (with their option variants) as columns,
 * scenario x partitions as rows, the runs of each cell (one per seed), and means over seeds.
 * Renderers read only this and RunResult.
 */
import type { RunResult } from "../runner/result.ts";
import type { FaultImpact } from "../checker/metrics.ts";
import { canonicalJson, fmt } from "./format.ts";

export interface Row {
  readonly key: string;
  readonly scenario: string;
  readonly partitions: number;
  readonly brokers: number;
  readonly replicationFactor: number;
}

export interface ReportModel {
  readonly results: readonly RunResult[];
  /** Column labels: the elector's name, with the options that tell its variants apart. */
  readonly electors: readonly string[];
  /** Scenario x cluster rows: scenarios in first-seen order, then partitions ascending. */
  readonly rows: readonly Row[];
  readonly scenarios: readonly string[];
  readonly seeds: readonly number[];
  /** The most seeds any one cell has: means over seeds when above 1. */
  readonly maxSeedsPerCell: number;
  /** Whether broker count or replication factor differ between rows of the same partition count. */
  readonly clusterVaries: boolean;
  labelOf(r: RunResult): string;
  rowOf(r: RunResult): Row;
  /** The runs of one cell, by seed; empty when that elector did not run that row. */
  runs(row: Row, elector: string): readonly RunResult[];
}

function rowKey(r: RunResult): string {
  const c = r.cluster;
  return `${r.scenario}\u0000${c.partitions}\u0000${c.brokers}\u0000${c.replicationFactor}`;
}

/** Short text for an option value in a column label. */
function optionValue(v: unknown): string {
  return typeof v === "string" ? v : canonicalJson(v);
}

/**
 * Labels each run's elector. An elector run with one set of options is labelled by its name; one
 * run with several gets the options that differ, e.g. `naive-race (stepDownOn=expired)`.
 */
function electorLabeller(results: readonly RunResult[]): (r: RunResult) => string {
  const variants = new Map<string, Map<string, unknown>>();
  for (const r of results) {
    let m = variants.get(r.elector);
    if (m === undefined) variants.set(r.elector, (m = new Map()));
    const k = canonicalJson(r.options);
    if (!m.has(k)) m.set(k, r.options);
  }
  const labels = new Map<string, Map<string, string>>();
  for (const [elector, m] of variants) {
    const byOptions = new Map<string, string>();
    labels.set(elector, byOptions);
    if (m.size === 1) {
      for (const k of m.keys()) byOptions.set(k, elector);
      continue;
    }
    const all = [...m.values()];
    const objects = all.every((o) => o !== null && typeof o === "object" && !Array.isArray(o));
    let i = 0;
    for (const [k, o] of m) {
      i++;
      if (!objects) {
        byOptions.set(k, `${elector} (${k})`);
        continue;
      }
      const rec = o as Record<string, unknown>;
      const keys = [...new Set(all.flatMap((x) => Object.keys(x as object)))].sort();
      const differing = keys.filter((key) => {
        const v0 = canonicalJson((all[0] as Record<string, unknown>)[key]);
        return all.some((x) => canonicalJson((x as Record<string, unknown>)[key]) !== v0);
      });
      const parts = differing.filter((key) => key in rec).map((key) => `${key}=${optionValue(rec[key])}`);
      byOptions.set(k, parts.length > 0 ? `${elector} (${parts.join(", ")})` : `${elector} #${i}`);
    }
  }
  return (r) => labels.get(r.elector)?.get(canonicalJson(r.options)) ?? r.elector;
}

export function buildModel(results: readonly RunResult[]): ReportModel {
  const labelOf = electorLabeller(results);
  const electors: string[] = [];
  const scenarios: string[] = [];
  const rowsByKey = new Map<string, Row>();
  const cells = new Map<string, RunResult[]>();
  const seeds = new Set<number>();
  for (const r of results) {
    const label = labelOf(r);
    if (!electors.includes(label)) electors.push(label);
    if (!scenarios.includes(r.scenario)) scenarios.push(r.scenario);
    const key = rowKey(r);
    if (!rowsByKey.has(key)) {
      rowsByKey.set(key, {
        key,
        scenario: r.scenario,
        partitions: r.cluster.partitions,
        brokers: r.cluster.brokers,
        replicationFactor: r.cluster.replicationFactor,
      });
    }
    const cellKey = `${key}\u0001${label}`;
    const list = cells.get(cellKey) ?? [];
    list.push(r);
    cells.set(cellKey, list);
    seeds.add(r.seed);
  }
  for (const list of cells.values()) list.sort((a, b) => a.seed - b.seed);
  const rows = [...rowsByKey.values()].sort(
    (a, b) =>
      scenarios.indexOf(a.scenario) - scenarios.indexOf(b.scenario) ||
      a.partitions - b.partitions ||
      a.brokers - b.brokers ||
      a.replicationFactor - b.replicationFactor,
  );
  const shapes = new Map<number, string>();
  let clusterVaries = false;
  for (const row of rows) {
    const shape = `${row.brokers}/${row.replicationFactor}`;
    const seen = shapes.get(row.partitions);
    if (seen !== undefined && seen !== shape) clusterVaries = true;
    shapes.set(row.partitions, shape);
  }
  if (new Set(rows.map((r) => `${r.brokers}/${r.replicationFactor}`)).size > 1) clusterVaries = true;
  let maxSeedsPerCell = 0;
  for (const list of cells.values()) maxSeedsPerCell = Math.max(maxSeedsPerCell, list.length);
  return {
    results,
    electors,
    rows,
    scenarios,
    seeds: [...seeds].sort((a, b) => a - b),
    maxSeedsPerCell,
    clusterVaries,
    labelOf,
    rowOf: (r) => rowsByKey.get(rowKey(r)) as Row,
    runs: (row, elector) => cells.get(`${row.key}\u0001${elector}`) ?? [],
  };
}

/** Mean of f over the runs, skipping runs where f is not a finite number; NaN when none is. */
export function mean(runs: readonly RunResult[], f: (r: RunResult) => number | undefined): number {
  let sum = 0;
  let n = 0;
  for (const r of runs) {
    const v = f(r);
    if (v !== undefined && Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}

/** The impact of the run's first injected fault (the herd it set off), if there was a fault. */
export function firstFault(r: RunResult): FaultImpact | undefined {
  return r.metrics.herd[0];
}

/** Herd size: watch notifications plus campaigns in the first fault's window. */
export function herdSize(r: RunResult): number | undefined {
  const h = firstFault(r);
  return h === undefined ? undefined : h.watchNotifications + h.campaigns;
}

/** Split-brain findings of every grade. */
export function splitBrainCount(r: RunResult): number {
  const s = r.metrics.splitBrain;
  return s.overlap.count + s.sameEpoch.count + s.lateAcks.count;
}

/** Message types by mean count over the runs, largest first. */
export function topMessageTypes(runs: readonly RunResult[], n: number): { type: string; count: number }[] {
  const sums = new Map<string, number>();
  for (const r of runs) {
    for (const [type, v] of Object.entries(r.metrics.messages.byType)) sums.set(type, (sums.get(type) ?? 0) + v.count);
  }
  return [...sums]
    .map(([type, sum]) => ({ type, count: sum / Math.max(1, runs.length) }))
    .sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
    .slice(0, n);
}

/** Row label parts: scenario, then partitions (and the cluster's shape where it varies). */
export function rowClusterLabel(model: ReportModel, row: Row): string {
  const p = fmt(row.partitions);
  return model.clusterVaries ? `${p} (${row.brokers} brokers, RF ${row.replicationFactor})` : p;
}
