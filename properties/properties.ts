/**
 * The core properties every elector is held to (docs/properties.md), as plain checks on a judged
 * run. Shared by the vitest suite, the hunt API (the CLI's `check`) and counterexample replay.
 */
// V8's inlining budget for the process, raised before any property run is compiled (see the file).
import "./inlining.ts";
import { judge, judgeSafety, type SafetyVerdict } from "../src/checker/judge.ts";
import type { DataFinding, RunMetrics, SplitBrainFinding } from "../src/checker/metrics.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import { outcomeOf, type WorldOutcome } from "../src/world/run.ts";
import { World } from "../src/world/world.ts";
import type { WorldConfig } from "../src/world/world-config.ts";
import type { PlannedRun } from "./plan.ts";

export type PropertyName =
  | "no-exceptions"
  | "no-lost-acknowledged-writes"
  | "no-divergence"
  | "no-same-epoch-leaders"
  | "liveness"
  | "determinism";

export interface PropertyInfo {
  readonly name: PropertyName;
  readonly title: string;
}

export const PROPERTIES: readonly PropertyInfo[] = [
  { name: "no-exceptions", title: "every run completes without an exception (elector, lab or checker)" },
  { name: "no-lost-acknowledged-writes", title: "every write acknowledged to a client is in its partition's final committed log" },
  { name: "no-divergence", title: "no two replicas hold different entries at a position both have committed" },
  { name: "no-same-epoch-leaders", title: "no two leaders of one partition share an epoch" },
  { name: "liveness", title: "after recovery and the quiet period, every partition has one leader all live replicas agree on" },
  { name: "determinism", title: "the same seed gives the same trace hash and metrics" },
];

export const PROPERTY_NAMES: readonly PropertyName[] = PROPERTIES.map((p) => p.name);

export function propertyTitle(name: PropertyName): string {
  return PROPERTIES.find((p) => p.name === name)!.title;
}

export function isPropertyName(s: string): s is PropertyName {
  return (PROPERTY_NAMES as readonly string[]).includes(s);
}

/** The claim (ElectorClaims field) behind a property; undefined for properties every elector is held to. */
export function claimOf(name: PropertyName): "noLostAcknowledgedWrites" | "noDivergence" | "noSameEpochLeaders" | "liveness" | undefined {
  switch (name) {
    case "no-lost-acknowledged-writes":
      return "noLostAcknowledgedWrites";
    case "no-divergence":
      return "noDivergence";
    case "no-same-epoch-leaders":
      return "noSameEpochLeaders";
    case "liveness":
      return "liveness";
    case "no-exceptions":
    case "determinism":
      return undefined;
  }
}

/** Properties about replica state: not measured in a run where the elector declared none. */
export function needsReplicaState(name: PropertyName): boolean {
  return name === "no-lost-acknowledged-writes" || name === "no-divergence";
}

/** Whether the elector, with these options, claims a property (no-exceptions and determinism: always); if not, why. */
export function applicability(name: PropertyName, def: ElectorDefinition, options: unknown): { readonly applies: boolean; readonly reason?: string } {
  const claim = claimOf(name);
  if (claim === undefined) return { applies: true };
  return def.claims(options)[claim] ? { applies: true } : { applies: false, reason: `${def.name} does not claim ${claim} with these options` };
}

export function applicableProperties(def: ElectorDefinition, options: unknown): PropertyName[] {
  return PROPERTY_NAMES.filter((n) => applicability(n, def, options).applies);
}

export interface JudgedRun {
  readonly plan: PlannedRun;
  readonly outcome: WorldOutcome;
  /**
   * What the properties read: judgeSafety's verdict (the same values as those fields of judge()'s
   * RunMetrics). A run checked for determinism is judged in full (judge()), so that its metrics can
   * be compared with its second run's.
   */
  readonly metrics: SafetyVerdict;
  /** The second run of the same config (determinism only). */
  readonly again?: { readonly traceHash: string; readonly metrics: RunMetrics };
}

/** An exception thrown while building, running or judging a world. */
export interface RunError {
  /** Simulated time when it was thrown (-1: before the world ran). */
  readonly atMs: number;
  /** "TypeError: ... (at file:line)" on one line. */
  readonly message: string;
  /** The first lines of the stack. */
  readonly stack: string;
}

export interface Evaluation {
  /** Undefined only when the world could not be built or judged at all. */
  readonly run?: JudgedRun;
  /** The world as it stood when an exception stopped it, judged if the checker could (for a timeline). */
  readonly partial?: { readonly outcome: WorldOutcome; readonly metrics?: SafetyVerdict };
  readonly error?: RunError;
  /** One line per violated property. */
  readonly violations: Partial<Record<PropertyName, string>>;
  /** When only the second run of a determinism check threw: the first run judged on its own. */
  readonly firstRun?: { readonly run: JudgedRun; readonly violations: Partial<Record<PropertyName, string>> };
}

const s = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

export function describeDataFinding(f: DataFinding): string {
  const p = `partition ${f.partition}`;
  if (f.grade === "lost-write") {
    const holder = f.finalLog.host < 0 ? "no live replica declared a committed log" : `final committed log: host ${f.finalLog.host}, ${f.finalLog.length} entries`;
    const held = f.heldUncommittedBy.length > 0 ? `; held uncommitted by host(s) ${f.heldUncommittedBy.join(", ")}` : "";
    return `${p}: write ${f.writeId} acknowledged by host ${f.acknowledgedBy}${f.epoch >= 0 ? ` in epoch ${f.epoch}` : ""} (client got ok at ${s(f.acknowledgedAt)}) is not in the final committed log (${holder}${held})`;
  }
  return `${p}: hosts ${f.hosts[0]} and ${f.hosts[1]} committed different entries at position ${f.position} (write ${f.writeIds[0]} epoch ${f.epochs[0]} vs write ${f.writeIds[1]} epoch ${f.epochs[1]}; committed ${f.committed[0]} and ${f.committed[1]})`;
}

export function describeFinding(f: SplitBrainFinding): string {
  const p = `partition ${f.partition}`;
  switch (f.grade) {
    case "same-epoch":
      return `${p}: hosts ${f.hosts[0]} and ${f.hosts[1]} both led in epoch ${f.epochs[0]} (declared at ${s(f.from)} and ${s(f.to)})`;
    case "late-ack":
      return `${p}: host ${f.hosts[0]} acknowledged write ${f.writeId ?? "?"} in epoch ${f.epochs[0]} at ${s(f.to)}, after host ${f.hosts[1]} was elected in epoch ${f.epochs[1]} at ${s(f.from)}`;
    case "overlap":
      return `${p}: hosts ${f.hosts[0]} (epoch ${f.epochs[0]}) and ${f.hosts[1]} (epoch ${f.epochs[1]}) both led from ${s(f.from)} to ${s(f.to)}`;
  }
}

function runError(e: unknown, atMs: number): RunError {
  const err = e instanceof Error ? e : new Error(String(e));
  const lines = (err.stack ?? `${err.name}: ${err.message}`).split("\n");
  const frame = lines.find((l) => l.trim().startsWith("at "))?.trim().replace(/^at /, "");
  const where = atMs >= 0 ? ` at simulated ${s(atMs)}` : "";
  return {
    atMs,
    message: `${err.name}: ${err.message}${where}${frame !== undefined ? ` (${frame})` : ""}`,
    stack: lines.slice(0, 12).join("\n"),
  };
}

/** Runs a world like runWorld, but keeps the world when it throws; judged by `judgeWith`. */
function runCatching<M>(config: WorldConfig<unknown>, judgeWith: (outcome: WorldOutcome) => M): { outcome?: WorldOutcome; metrics?: M; error?: RunError } {
  let world: World;
  try {
    world = new World(config);
  } catch (e) {
    return { error: runError(e, -1) };
  }
  let error: RunError | undefined;
  try {
    world.start();
    world.run();
  } catch (e) {
    error = runError(e, world.kernel.now);
  }
  const outcome: WorldOutcome = outcomeOf(world);
  try {
    const metrics = judgeWith(outcome);
    return { outcome, metrics, ...(error !== undefined ? { error } : {}) };
  } catch (e) {
    return { outcome, error: error ?? runError(e, -1) };
  }
}

/**
 * Runs the planned world (twice when determinism is checked), judges it and checks the
 * properties. An exception anywhere is the no-exceptions violation (whether or not it was asked
 * for) and the other properties are not judged on that run.
 */
export function evaluate(plan: PlannedRun, properties: readonly PropertyName[]): Evaluation {
  const twice = properties.includes("determinism");
  // judgeSafety is what the properties read; judge() also computes what only a report shows (herd
  // counts and peak rates per fault, failover, balance: about half its CPU in a property run).
  // Determinism compares two runs' whole metrics, so its runs are judged in full.
  const first = runCatching<SafetyVerdict>(plan.config, twice ? judge : judgeSafety);
  if (first.error !== undefined || first.outcome === undefined || first.metrics === undefined) {
    const error = first.error ?? runError(new Error("the run produced no outcome"), -1);
    const partial = first.outcome !== undefined ? { outcome: first.outcome, ...(first.metrics !== undefined ? { metrics: first.metrics } : {}) } : undefined;
    return { ...(partial !== undefined ? { partial } : {}), error, violations: { "no-exceptions": error.message } };
  }
  let again: JudgedRun["again"];
  if (twice) {
    const second = runCatching(plan.config, judge);
    if (second.error !== undefined || second.outcome === undefined || second.metrics === undefined) {
      const error = second.error ?? runError(new Error("the second run produced no outcome"), -1);
      // The first run alone, judged: what a search that did not run this config twice would have seen.
      const single: JudgedRun = { plan, outcome: first.outcome, metrics: first.metrics };
      const firstRunViolations: Partial<Record<PropertyName, string>> = {};
      for (const name of properties) {
        const v = name === "determinism" ? undefined : violation(name, single);
        if (v !== undefined) firstRunViolations[name] = v;
      }
      return {
        partial: { outcome: first.outcome, metrics: first.metrics },
        error,
        violations: { "no-exceptions": `${error.message} (in the second run of the same config only)` },
        firstRun: { run: single, violations: firstRunViolations },
      };
    }
    again = { traceHash: second.outcome.traceHash, metrics: second.metrics };
  }
  const run: JudgedRun = { plan, outcome: first.outcome, metrics: first.metrics, ...(again !== undefined ? { again } : {}) };
  const violations: Partial<Record<PropertyName, string>> = {};
  for (const name of properties) {
    const v = violation(name, run);
    if (v !== undefined) violations[name] = v;
  }
  return { run, violations };
}

/** The violation of one property by a judged run, as one line; undefined when it holds. */
export function violation(name: PropertyName, run: JudgedRun): string | undefined {
  const m = run.metrics;
  switch (name) {
    case "no-exceptions":
      return undefined; // a judged run completed; exceptions are caught by evaluate
    case "no-same-epoch-leaders": {
      const c = m.splitBrain.sameEpoch;
      if (c.count === 0) return undefined;
      const first = m.splitBrain.findings.find((f) => f.grade === "same-epoch");
      return `${c.count} same-epoch leader pair(s) on ${c.partitions} partition(s)${first ? `; first: ${describeFinding(first)}` : ""}`;
    }
    case "no-lost-acknowledged-writes": {
      const c = m.data.lostWrites;
      if (c.count === null || c.count === 0) return undefined; // null: not measured (the elector declares no replica state)
      const lost = m.data.findings.filter((f) => f.grade === "lost-write");
      const ids = lost.slice(0, 10).map((f) => (f.grade === "lost-write" ? f.writeId : -1));
      return (
        `${c.count} lost acknowledged write(s) on ${c.partitions} partition(s): write id(s) ${ids.join(", ")}${c.count > ids.length ? ", ..." : ""}` +
        `${lost[0] !== undefined ? `; first: ${describeDataFinding(lost[0])}` : ""}`
      );
    }
    case "no-divergence": {
      const c = m.data.divergence;
      if (c.count === null || c.count === 0) return undefined;
      const first = m.data.findings.find((f) => f.grade === "divergence");
      return `${c.count} divergent replica pair(s) on ${c.partitions} partition(s)${first ? `; first: ${describeDataFinding(first)}` : ""}`;
    }
    case "liveness": {
      const e = m.end;
      if (e.partitionsWithoutLeader === 0 && e.partitionsWithSeveralLeaders === 0 && e.disagreeingReplicas === 0) return undefined;
      const { recoveryAtMs, quietPeriodMs } = run.plan.spec;
      return (
        `${quietPeriodMs} ms after the recovery phase (at ${s(recoveryAtMs)}): ${e.partitionsWithoutLeader} partition(s) without a leader, ` +
        `${e.partitionsWithSeveralLeaders} with several, ${e.disagreeingReplicas} live replica(s) disagreeing with their partition's leader`
      );
    }
    case "determinism": {
      const again = run.again;
      if (again === undefined) return undefined;
      if (again.traceHash !== run.outcome.traceHash) return `trace hash ${run.outcome.traceHash}, then ${again.traceHash} for the same config`;
      // Both runs were judged in full (evaluate: determinism judges with judge()).
      if (JSON.stringify(again.metrics) !== JSON.stringify(m)) return `same trace hash ${again.traceHash}, but the judged metrics differ between two runs`;
      return undefined;
    }
  }
}
