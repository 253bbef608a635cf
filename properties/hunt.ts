/**
 * The property hunt outside vitest, for the CLI: `electorate check --algorithm A --runs N --seed S`
 * calls runPropertyHunt, `electorate replay FILE` calls replayCounterexample. Plain and
 * synchronous; the same arguments give the same report.
 */
import { electors, findElector } from "../algorithms/index.ts";
import type { Fault } from "../src/sim/faults.ts";
import type { ScenarioArbitraryOptions } from "./arbitraries/index.ts";
import { explore, shrinkFailure, type Violation } from "./explore.ts";
import { decodeOptions } from "./plan.ts";
import { applicability, PROPERTY_NAMES, propertyTitle, type PropertyName } from "./properties.ts";

export { replayCounterexample, type ReplayResult } from "./counterexample.ts";
export type { Violation } from "./explore.ts";
export { PROPERTY_NAMES, type PropertyName } from "./properties.ts";

export interface HuntOptions {
  /** Elector name in the registry (algorithms/index.ts). */
  readonly algorithm: string;
  /** Generated scenarios. */
  readonly runs: number;
  /** fast-check's seed. */
  readonly seed: number;
  /** Elector options as JSON (decoded with the elector's schema, defaults filled in); default {}. */
  readonly options?: unknown;
  /** Only these properties (default: every property the elector is held to). A named property the elector does not claim is checked anyway. */
  readonly properties?: readonly PropertyName[];
  /** Worlds run while shrinking one violation (default 1500). */
  readonly maxShrinkRuns?: number;
  /** Save counterexamples under .tmp/counterexamples/ (default true). */
  readonly save?: boolean;
  /** Narrower or wider scenarios than the defaults (clusters, fault window, episode weights). */
  readonly scenario?: ScenarioArbitraryOptions;
}

export interface PropertyVerdict {
  readonly name: PropertyName;
  readonly title: string;
  readonly checked: boolean;
  /** Why a property was not checked (the elector does not claim it). */
  readonly reason?: string;
  readonly holds: boolean;
  /** Scenarios it was checked on (until its first failure). */
  readonly runs: number;
}

export interface HuntViolation {
  readonly property: PropertyName;
  readonly title: string;
  readonly message: string;
  readonly foundAtRun: number;
  /** The shrunk schedule, without the recovery phase the property appends. */
  readonly faults: readonly Fault[];
  readonly cluster: { readonly brokers: number; readonly partitions: number; readonly replicationFactor: number };
  readonly worldSeed: number;
  readonly numShrinks: number;
  readonly timelineText: string;
  readonly counterexamplePath?: string;
  readonly replayCommand?: string;
  readonly fastCheck: { readonly seed: number; readonly path: string };
  /** Everything printable about this violation. */
  readonly report: string;
}

export interface HuntReport {
  readonly algorithm: string;
  readonly options: unknown;
  readonly seed: number;
  readonly runs: number;
  /** Worlds simulated while exploring (determinism runs count twice), not counting shrinking. */
  readonly worldsRun: number;
  readonly properties: readonly PropertyVerdict[];
  readonly violations: readonly HuntViolation[];
  readonly ok: boolean;
  /** A printable summary: one line per property, then every violation's report. */
  readonly text: string;
}

function toHuntViolation(v: Violation): HuntViolation {
  return {
    property: v.property,
    title: v.title,
    message: v.message,
    foundAtRun: v.foundAtRun,
    faults: v.faults,
    cluster: {
      brokers: v.scenario.cluster.brokers,
      partitions: v.scenario.cluster.partitions,
      replicationFactor: v.scenario.cluster.replicationFactor,
    },
    worldSeed: v.scenario.seed,
    numShrinks: v.numShrinks,
    timelineText: v.timelineText,
    ...(v.counterexamplePath !== undefined ? { counterexamplePath: v.counterexamplePath } : {}),
    ...(v.replayCommand !== undefined ? { replayCommand: v.replayCommand } : {}),
    fastCheck: v.fastCheck,
    report: v.report,
  };
}

/** Runs every property against `runs` generated scenarios and shrinks each violation found. */
export function runPropertyHunt(o: HuntOptions): HuntReport {
  const def = findElector(o.algorithm);
  if (def === undefined) {
    throw new Error(`unknown algorithm "${o.algorithm}"; known: ${electors.map((e) => e.name).join(", ") || "(none registered)"}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error(`runs must be a positive integer, got ${o.runs}`);
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}`);
  const options = decodeOptions(def, o.options ?? {});
  const verdicts0 = PROPERTY_NAMES.map((name) => {
    const a = applicability(name, def, options);
    const checked = o.properties !== undefined ? o.properties.includes(name) : a.applies;
    return { name, checked, reason: checked ? undefined : (a.reason ?? "not asked for") };
  });
  const properties = verdicts0.filter((v) => v.checked).map((v) => v.name);
  const ex = explore(def, options, {
    runs: o.runs,
    seed: o.seed,
    properties,
    ...(o.scenario !== undefined ? { scenario: o.scenario } : {}),
  });
  const violations: HuntViolation[] = [];
  for (const name of properties) {
    if (ex.firstFailure[name] === undefined) continue;
    const v = shrinkFailure(ex, name, {
      ...(o.maxShrinkRuns !== undefined ? { maxShrinkRuns: o.maxShrinkRuns } : {}),
      ...(o.save !== undefined ? { save: o.save } : {}),
    });
    violations.push(toHuntViolation(v));
  }
  const verdicts: PropertyVerdict[] = verdicts0.map((v) => {
    const failure = ex.firstFailure[v.name];
    const limit = v.name === "determinism" ? ex.determinismRuns : ex.runs;
    return {
      name: v.name,
      title: propertyTitle(v.name),
      checked: v.checked,
      ...(v.reason !== undefined ? { reason: v.reason } : {}),
      holds: failure === undefined,
      runs: v.checked ? (failure !== undefined ? failure.index + 1 : limit) : 0,
    };
  });
  const lines = [`${def.name} ${JSON.stringify(options)}: ${o.runs} scenario(s), fast-check seed ${o.seed}`];
  for (const v of verdicts) {
    const mark = !v.checked ? "-" : v.holds ? "ok" : "FAIL";
    lines.push(`  ${mark.padEnd(4)} ${v.title}${v.checked ? ` (${v.runs} run${v.runs === 1 ? "" : "s"})` : ` (not checked: ${v.reason})`}`);
  }
  for (const v of violations) lines.push("", v.report);
  return {
    algorithm: def.name,
    options,
    seed: o.seed,
    runs: o.runs,
    worldsRun: ex.worldsRun,
    properties: verdicts,
    violations,
    ok: violations.length === 0,
    text: lines.join("\n"),
  };
}
