/**
 * The property hunt outside vitest, for the CLI: `electorate check --algorithm A --runs N --seed S`
 * calls runPropertyHunt, `electorate replay FILE` calls replayCounterexample. Plain and
 * synchronous; the same arguments give the same report.
 */
import { electors } from "../algorithms/index.ts";
import { electorNames, namedAs, resolveElectorName } from "../src/elector/variants.ts";
import type { Fault } from "../src/sim/faults.ts";
import type { ScenarioArbitraryOptions } from "./arbitraries/index.ts";
import { explore, shrinkFailure, type Violation } from "./explore.ts";
import { decodeOptions } from "./plan.ts";
import { applicability, needsReplicaState, PROPERTY_NAMES, propertyTitle, type PropertyName } from "./properties.ts";

export { replayCounterexample, type ReplayResult } from "./counterexample.ts";
export type { Violation } from "./explore.ts";
export { PROPERTY_NAMES, type PropertyName } from "./properties.ts";

export interface HuntOptions {
  /** Elector name in the registry (algorithms/index.ts), or "elector:variant" for a declared variant. */
  readonly algorithm: string;
  /** Generated scenarios (default 100). */
  readonly runs?: number;
  /** fast-check's seed (default 1; never drawn from the clock, so a hunt is reproducible). */
  readonly seed?: number;
  /** Elector options as JSON, merged over the variant's (decoded with the elector's schema, defaults filled in); default {}. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Only these properties (default: every property, claimed or not; the report marks the unclaimed ones). */
  readonly properties?: readonly PropertyName[];
  /** Worlds run while shrinking one violation (default 1500). */
  readonly maxShrinkRuns?: number;
  /** Save counterexamples under .tmp/counterexamples/ (default true). */
  readonly save?: boolean;
  /** Narrower or wider scenarios than the defaults (clusters, fault window, episode weights). */
  readonly scenario?: ScenarioArbitraryOptions;
  /** Progress lines while hunting (what is being explored, which violation is being shrunk). */
  readonly out?: (line: string) => void;
}

export const DEFAULT_HUNT_RUNS = 100;
export const DEFAULT_HUNT_SEED = 1;

export interface PropertyVerdict {
  readonly name: PropertyName;
  readonly title: string;
  readonly checked: boolean;
  /** Why a property was not checked (the elector does not claim it). */
  readonly reason?: string;
  readonly holds: boolean;
  /** Scenarios it was checked on (until its first failure). */
  readonly runs: number;
  /** Whether the elector claims it with these options (no-exceptions and determinism: always). */
  readonly claimed: boolean;
  /** For lost writes and divergence: runs in which the elector declared replica state (0: not measured). */
  readonly measuredRuns?: number;
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
  readonly report: string;
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
  const resolved = resolveElectorName(electors, o.algorithm);
  if (resolved === undefined) {
    throw new Error(`unknown algorithm "${o.algorithm}"; known: ${electorNames(electors).join(", ") || "(none registered)"}`);
  }
  const def = namedAs(resolved.definition, o.algorithm);
  const runs = o.runs ?? DEFAULT_HUNT_RUNS;
  const seed = o.seed ?? DEFAULT_HUNT_SEED;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runs}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const say = o.out ?? ((): void => {});
  const options = decodeOptions(def, { ...resolved.variant?.options, ...o.options });
  const verdicts0 = PROPERTY_NAMES.map((name) => {
    const a = applicability(name, def, options);
    // Default: every property. A claimed one must hold; an unclaimed one is hunted too, so the hunt
    // shows what the design does not promise (its violation is still a violation: exit code 1).
    const checked = name === "no-exceptions" || (o.properties !== undefined ? o.properties.includes(name) : true);
    return { name, checked, reason: checked ? undefined : (a.reason ?? "not asked for") };
  });
  const properties = verdicts0.filter((v) => v.checked).map((v) => v.name);
  say(`hunting: ${def.name}, ${runs} scenario(s), fast-check seed ${seed}; properties: ${properties.join(", ")}`);
  const ex = explore(def, options, {
    runs,
    seed,
    properties,
    ...(o.scenario !== undefined ? { scenario: o.scenario } : {}),
    ...(o.out !== undefined && runs >= 1000
      ? {
          onProgress: (done: number, total: number): void => {
            if (done % Math.ceil(total / 10) === 0 && done < total) say(`  ${done}/${total} scenarios`);
          },
        }
      : {}),
  });
  const violations: HuntViolation[] = [];
  for (const name of properties) {
    const first = ex.firstFailure[name];
    if (first === undefined) continue;
    say(`${name} failed at run ${first.index + 1}: shrinking`);
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
      claimed: applicability(v.name, def, options).applies,
      ...(v.checked && needsReplicaState(v.name) ? { measuredRuns: ex.measuredRuns } : {}),
    };
  });
  const lines = [`${def.name} ${JSON.stringify(options)}: ${runs} scenario(s), fast-check seed ${seed}`];
  for (const v of verdicts) {
    const mark = !v.checked ? "-" : v.measuredRuns === 0 ? "n/a" : v.holds ? "ok" : "FAIL";
    const claim = v.claimed ? "" : " [not claimed]";
    const measured =
      v.measuredRuns === undefined ? "" : v.measuredRuns === 0 ? "; NOT MEASURED: the elector declared no replica state" : `; measured in ${v.measuredRuns}`;
    lines.push(
      `  ${mark.padEnd(4)} ${v.name}: ${v.title}${claim}` +
        (v.checked ? ` (${v.runs} run${v.runs === 1 ? "" : "s"}${measured})` : ` (not checked: ${v.reason})`),
    );
  }
  const checked = verdicts.filter((v) => v.checked && v.measuredRuns !== 0).map((v) => v.name);
  const found = verdicts.filter((v) => v.checked && !v.holds).map((v) => v.name);
  const unmeasured = verdicts.filter((v) => v.checked && v.measuredRuns === 0).map((v) => v.name);
  const skipped = verdicts.filter((v) => !v.checked).map((v) => `${v.name} (${v.claimed ? "not asked for" : "not claimed"})`);
  lines.push(`checked: ${checked.join(", ") || "none"}`);
  lines.push(`violations found: ${found.join(", ") || "none"}`);
  if (unmeasured.length > 0) lines.push(`not measured: ${unmeasured.join(", ")}`);
  if (skipped.length > 0) lines.push(`not checked (hunt one with --property NAME): ${skipped.join(", ")}`);
  for (const v of violations) lines.push("", v.report);
  return {
    algorithm: o.algorithm,
    options,
    seed,
    runs,
    worldsRun: ex.worldsRun,
    properties: verdicts,
    violations,
    ok: violations.length === 0,
    report: lines.join("\n"),
  };
}
