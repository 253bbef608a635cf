/**
 * The verdict at the top of every report, derived from the data: per scenario, one line per
 * elector (variant) answering the questions users bring — did clients lose acknowledged data,
 * how long were they without service, what did a failover cost the coordinator, how big was the
 * herd, how many messages — then a ranking per question, and the "why": the options that bound
 * each design's failover (session timeout, election timeout, syncLimit x tickTime, acks and
 * min.insync.replicas), read from the runs' own options.
 *
 * Values are taken over the scenario's partition counts (worst row) and seeds (mean per row);
 * a value that was not measured or does not apply says so and is never ranked as a win.
 */
import type { RunResult } from "../runner/result.ts";
import { fmt } from "./format.ts";
import { firstFault, herdSize, mean, type ReportModel } from "./model.ts";

/** One figure: a number to rank by, or why there is none. */
export interface Figure {
  readonly value: number | null;
  readonly text: string;
}

export interface VerdictLine {
  readonly elector: string;
  readonly safety: Figure & { readonly lost: number | null; readonly divergent: number | null; readonly overlaps: number };
  readonly availability: Figure;
  readonly coordinator: Figure;
  readonly herd: Figure;
  readonly messages: Figure;
  readonly why: string;
}

export interface Ranking {
  readonly question: string;
  /** Best first; electors with no value are listed apart with the reason. */
  readonly order: readonly { readonly elector: string; readonly text: string }[];
  readonly unranked: readonly { readonly elector: string; readonly text: string }[];
}

export interface ScenarioVerdict {
  readonly scenario: string;
  readonly partitions: readonly number[];
  readonly lines: readonly VerdictLine[];
  readonly rankings: readonly Ranking[];
}

const NOT_RUN: Figure = { value: null, text: "not run" };

/** Whether the scenario's faults touch only the coordinator (cuts to or from "zk"). */
function coordinatorOnlyFaults(r: RunResult): boolean {
  const faults = r.faults.filter((f) => f.type !== "heal");
  return (
    faults.length > 0 &&
    faults.every((f) => {
      const x = f as { from?: unknown; to?: unknown };
      return f.type === "cut" && (x.from === "zk" || x.to === "zk");
    })
  );
}

const usesCoordinator = (r: RunResult): boolean => r.metrics.coordinator.reads + r.metrics.coordinator.writes > 0;

/** The largest of per-row means over seeds, or null when no row has a finite value. */
function worst(rows: readonly (readonly RunResult[])[], f: (r: RunResult) => number | null | undefined): number | null {
  let best: number | null = null;
  for (const runs of rows) {
    const v = mean(runs, (r) => f(r) ?? undefined);
    if (Number.isFinite(v)) best = best === null ? v : Math.max(best, v);
  }
  return best;
}

function sum(rows: readonly (readonly RunResult[])[], f: (r: RunResult) => number | null | undefined): number | null {
  let total: number | null = null;
  for (const runs of rows) {
    const v = mean(runs, (r) => f(r) ?? undefined);
    if (Number.isFinite(v)) total = (total ?? 0) + v;
  }
  return total;
}

const ms = (v: number): string => (v >= 10_000 ? `${fmt(v / 1000)} s` : `${fmt(v)} ms`);

function safetyOf(rows: readonly (readonly RunResult[])[]): VerdictLine["safety"] {
  const all = rows.flat();
  const measured = all.length > 0 && all.every((r) => r.metrics.data !== undefined && r.metrics.data.measured);
  const lost = measured ? sum(rows, (r) => r.metrics.data.lostWrites.count) : null;
  const divergent = measured ? sum(rows, (r) => r.metrics.data.divergence.count) : null;
  const overlaps = sum(rows, (r) => r.metrics.splitBrain.overlap.count) ?? 0;
  const parts: string[] = [];
  if (!measured) parts.push("data loss not measured (no replica state declared)");
  else if ((lost ?? 0) > 0) parts.push(`LOST ${fmt(lost!)} acknowledged write${lost === 1 ? "" : "s"}`);
  else parts.push("no acknowledged write lost");
  if (measured && (divergent ?? 0) > 0) parts.push(`${fmt(divergent!)} divergent replica pair${divergent === 1 ? "" : "s"}`);
  if (overlaps > 0) parts.push(`${fmt(overlaps)} overlapping-leader spell${overlaps === 1 ? "" : "s"}`);
  // Rank by lost writes, then divergence, then overlaps (a lexicographic score).
  const value = measured ? (lost ?? 0) * 1e12 + (divergent ?? 0) * 1e6 + overlaps : null;
  return { value, text: parts.join("; "), lost, divergent, overlaps };
}

function availabilityOf(rows: readonly (readonly RunResult[])[], notApplicable: boolean): Figure {
  if (notApplicable) return { value: null, text: "n/a: the fault touches only ZooKeeper, which this design does not use" };
  const all = rows.flat();
  const sent = sum(rows, (r) => r.metrics.workload.sent) ?? 0;
  const unanswered = sum(rows, (r) => r.metrics.clientAvailability?.unanswered) ?? 0;
  const failed = sum(rows, (r) => r.metrics.clientAvailability?.failed) ?? 0;
  const samples = all.reduce((n, r) => n + (r.metrics.clientAvailability?.samples ?? 0), 0);
  const openAtEnd = all.reduce((n, r) => n + (r.metrics.clientAvailability?.openAtEnd ?? 0), 0);
  const p99 = worst(rows, (r) => r.metrics.clientAvailability?.p99Ms);
  const share = sent > 0 ? `${fmt((100 * (unanswered + failed)) / sent)} % of writes failed or unanswered` : "no writes";
  // A window still open at the end may only be a write in flight when the run stopped: said, not ranked on.
  const open = openAtEnd > 0 ? `; ${openAtEnd} outage window${openAtEnd === 1 ? "" : "s"} still open when the run ended` : "";
  if (p99 === null || samples === 0) {
    // Nothing closed: either no outage at all, or every one was still open at the end (not a win).
    return openAtEnd > 0 ? { value: null, text: `no outage window closed (${share}${open})` } : { value: 0, text: `no client-visible outage (${share})` };
  }
  return { value: p99, text: `clients without service p99 ${ms(p99)} (${samples} window${samples === 1 ? "" : "s"}; ${share}${open})` };
}

function coordinatorOf(rows: readonly (readonly RunResult[])[]): Figure {
  const all = rows.flat();
  if (all.length > 0 && !all.some(usesCoordinator)) return { value: null, text: "n/a: no coordinator" };
  const w = worst(rows, (r) => firstFault(r)?.coordinatorWrites);
  if (w === null) return { value: null, text: "n/a: no fault" };
  return { value: w, text: `${fmt(w)} ZooKeeper writes in the fault's window` };
}

function herdOf(rows: readonly (readonly RunResult[])[]): Figure {
  const v = worst(rows, herdSize);
  if (v === null) return { value: null, text: "n/a: no fault" };
  return { value: v, text: `herd ${fmt(v)} (watch notifications + campaigns)` };
}

function messagesOf(rows: readonly (readonly RunResult[])[]): Figure {
  const v = worst(rows, (r) => r.metrics.messages.sent);
  return v === null ? NOT_RUN : { value: v, text: `${fmt(v)} messages` };
}

/**
 * The options that bound a design's failover, named as the real systems name them, from the
 * runs' own options (whatever elector: matched by option name).
 */
export function whyOf(options: unknown): string {
  if (options === null || typeof options !== "object") return "";
  const o = options as Record<string, unknown>;
  const num = (k: string): number | undefined => (typeof o[k] === "number" ? (o[k] as number) : undefined);
  const parts: string[] = [];
  const session = Object.keys(o).find((k) => /session/i.test(k) && /timeout/i.test(k) && typeof o[k] === "number");
  if (session !== undefined) parts.push(`a dead leader is noticed when its ZooKeeper session expires (${session} ${ms(o[session] as number)})`);
  const eMin = num("electionTimeoutMin");
  const eMax = num("electionTimeoutMax");
  if (eMin !== undefined && eMax !== undefined) parts.push(`followers wait an election timeout of ${ms(eMin)}-${ms(eMax)} before campaigning`);
  const sync = num("syncLimit");
  const tick = num("tickTimeMs") ?? num("tickTime");
  if (sync !== undefined && tick !== undefined) parts.push(`followers drop a silent leader after syncLimit x tickTime = ${ms(sync * tick)}`);
  if (typeof o.acks === "string" || typeof o.acks === "number") {
    const isr = num("minInsyncReplicas");
    const unclean = o.uncleanLeaderElectionEnable === true;
    parts.push(`acks=${String(o.acks)}${isr !== undefined ? `, min.insync.replicas=${isr}` : ""}${unclean ? ", unclean leader election on" : ""} decide what an acknowledgement promises`);
  }
  return parts.join("; ");
}

function rank(question: string, lines: readonly VerdictLine[], pick: (l: VerdictLine) => Figure): Ranking {
  const ranked = lines.filter((l) => pick(l).value !== null);
  ranked.sort((a, b) => (pick(a).value as number) - (pick(b).value as number) || (a.elector < b.elector ? -1 : 1));
  return {
    question,
    order: ranked.map((l) => ({ elector: l.elector, text: pick(l).text })),
    unranked: lines.filter((l) => pick(l).value === null).map((l) => ({ elector: l.elector, text: pick(l).text })),
  };
}

export function buildVerdict(model: ReportModel): ScenarioVerdict[] {
  return model.scenarios.map((scenario) => {
    const rows = model.rows.filter((r) => r.scenario === scenario);
    const lines: VerdictLine[] = [];
    for (const elector of model.electors) {
      const cells = rows.map((row) => model.runs(row, elector)).filter((runs) => runs.length > 0);
      if (cells.length === 0) continue;
      const all = cells.flat();
      const notApplicable = all.every((r) => coordinatorOnlyFaults(r) && !usesCoordinator(r));
      lines.push({
        elector,
        safety: safetyOf(cells),
        availability: availabilityOf(cells, notApplicable),
        coordinator: coordinatorOf(cells),
        herd: notApplicable ? { value: null, text: "n/a: the fault does not reach this design" } : herdOf(cells),
        messages: messagesOf(cells),
        why: whyOf(all[0].options),
      });
    }
    return {
      scenario,
      partitions: rows.map((r) => r.partitions),
      lines,
      rankings: [
        rank("Keeps acknowledged data (fewest lost writes, then divergence, then overlaps)", lines, (l) => l.safety),
        rank("Serves clients through the fault (shortest client-visible outage, p99)", lines, (l) => l.availability),
        rank("Costs the coordinator least per failover", lines, (l) => l.coordinator),
        rank("Smallest herd per failover", lines, (l) => l.herd),
        rank("Fewest messages", lines, (l) => l.messages),
      ],
    };
  });
}

/** A ranking as one line: "1. raft, 2. zab; not ranked: naive-race (n/a: ...)". */
export function rankingText(r: Ranking): string {
  const order = r.order.map((x, i) => `${i + 1}. ${x.elector}`).join(", ");
  const rest = r.unranked.map((x) => `${x.elector} (${x.text})`).join(", ");
  return `${order === "" ? "nobody ranked" : order}${rest === "" ? "" : `; not ranked: ${rest}`}`;
}
