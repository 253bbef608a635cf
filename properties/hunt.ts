/**
 * The property hunt outside vitest, for the CLI: `electorate check --algorithm A --runs N --seed S`
 * calls runPropertyHunt, `electorate replay FILE` calls replayCounterexample. The same arguments
 * give the same report, in this thread or split over a HuntPool's worker threads (any size).
 */
import { applicability, needsReplicaState, PROPERTY_NAMES, propertyTitle, type PropertyName } from "./properties.ts";
import type { HuntPool } from "./hunt-pool.ts";
import { catalogOf, resolveTarget, type HuntTarget, type PlainSearchSettings } from "./hunt-tasks.ts";
import type { ScenarioArbitraryOptions } from "./arbitraries/index.ts";
import type { Fault } from "../src/sim/faults.ts";
import type { PropertyScenario } from "./arbitraries/index.ts";
import {
  newClaims,
  newFailedAt,
  randomSearch,
  RecordFold,
  searchOutcome,
  searchPlan,
  shrinkFailure,
  type RandomSearch,
  type Violation,
} from "./random-search.ts";

export { replayCounterexample, type ReplayResult } from "./counterexample.ts";
export type { Violation } from "./random-search.ts";
export { PROPERTY_NAMES, type PropertyName } from "./properties.ts";

/** What a hunt is doing, for a progress bar. */
export type HuntProgress =
  | { readonly phase: "search"; readonly algorithm: string; readonly done: number; readonly total: number }
  | { readonly phase: "shrink"; readonly algorithm: string; readonly property: PropertyName; readonly worlds: number; readonly budget: number }
  | { readonly phase: "shrunk"; readonly algorithm: string; readonly property: PropertyName };

export interface HuntOptions {
  /** Elector name in the registry (algorithms/index.ts) or in `modules`, or "elector:variant" for a declared variant. */
  readonly algorithm: string;
  /** Elector modules (file URLs) to load besides the registry (`check --elector-module`); every worker thread loads them too. */
  readonly modules?: readonly string[];
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
  /** Progress lines while hunting (what is being searched, which violation is being shrunk). */
  readonly out?: (line: string) => void;
  /** Progress counts (runs done, worlds run while shrinking), e.g. for a bar. */
  readonly onProgress?: (p: HuntProgress) => void;
  /** Worker threads to run the search's shares and the shrinks on (default: this thread). */
  readonly pool?: HuntPool;
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
  /** The shrunk scenario as generated (replayable against any variant: planRun(def, options, scenario)). */
  readonly scenario: PropertyScenario;
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
    scenario: v.scenario,
    numShrinks: v.numShrinks,
    timelineText: v.timelineText,
    ...(v.counterexamplePath !== undefined ? { counterexamplePath: v.counterexamplePath } : {}),
    ...(v.replayCommand !== undefined ? { replayCommand: v.replayCommand } : {}),
    fastCheck: v.fastCheck,
    report: v.report,
  };
}

const DEFAULT_SHRINK_RUNS = 1500;

/**
 * Phase 1 on the pool's threads: one share per thread, each claiming runs one at a time from a
 * shared counter (a thread that is free sooner takes more), records folded in run order (the same
 * outcome as randomSearch).
 */
export async function searchOnPool(pool: HuntPool, target: HuntTarget, r: ReturnType<typeof resolveTarget>, settings: PlainSearchSettings, onProgress?: (done: number, total: number) => void): Promise<RandomSearch> {
  const { properties, determinismRuns } = searchPlan(r.def, r.options, settings);
  const fold = new RecordFold(properties, determinismRuns, onProgress, settings.runs);
  const failedAt = newFailedAt(true);
  const claims = newClaims();
  const workers = Math.min(pool.size, settings.runs);
  await Promise.all(
    Array.from({ length: workers }, (_, worker) =>
      pool.run<null>({ kind: "search", target, settings, share: { worker, workers, failedAt, claims } }, (e) => {
        if ("record" in e) fold.add(e.record);
      }),
    ),
  );
  return searchOutcome(r.def, r.options, settings, fold);
}

/** Runs every property against `runs` generated scenarios and shrinks each violation found. */
export async function runPropertyHunt(o: HuntOptions): Promise<HuntReport> {
  const modules = o.modules !== undefined && o.modules.length > 0 ? o.modules : undefined;
  const target: HuntTarget = { algorithm: o.algorithm, ...(o.options !== undefined ? { options: o.options } : {}), ...(modules !== undefined ? { modules } : {}) };
  const resolved = resolveTarget(target, await catalogOf(target));
  const { def, options } = resolved;
  const runs = o.runs ?? DEFAULT_HUNT_RUNS;
  const seed = o.seed ?? DEFAULT_HUNT_SEED;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runs}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const say = o.out ?? ((): void => {});
  const verdicts0 = PROPERTY_NAMES.map((name) => {
    const a = applicability(name, def, options);
    // Default: every property. A claimed one must hold; an unclaimed one is hunted too, so the hunt
    // shows what the design does not promise (its violation is still a violation: exit code 1).
    const checked = name === "no-exceptions" || (o.properties !== undefined ? o.properties.includes(name) : true);
    return { name, checked, reason: checked ? undefined : (a.reason ?? "not asked for") };
  });
  const properties = verdicts0.filter((v) => v.checked).map((v) => v.name);
  say(`hunting: ${def.name}, ${runs} scenario(s), fast-check seed ${seed}; properties: ${properties.join(", ")}`);
  const settings: PlainSearchSettings = { runs, seed, properties, ...(o.scenario !== undefined ? { scenario: o.scenario } : {}), ...(modules !== undefined ? { modules } : {}) };
  const searchProgress = o.onProgress === undefined ? undefined : (done: number, total: number): void => o.onProgress!({ phase: "search", algorithm: def.name, done, total });
  const ex =
    o.pool !== undefined
      ? await searchOnPool(o.pool, target, resolved, settings, searchProgress)
      : randomSearch(def, options, { ...settings, ...(searchProgress !== undefined ? { onProgress: searchProgress } : {}) });
  const budget = o.maxShrinkRuns ?? DEFAULT_SHRINK_RUNS;
  const failed = properties.filter((name) => ex.firstFailure[name] !== undefined);
  for (const name of failed) say(`${name} failed at run ${ex.firstFailure[name]!.index + 1}: shrinking`);
  const shrinkProgress = (property: PropertyName) => (worlds: number): void => o.onProgress?.({ phase: "shrink", algorithm: def.name, property, worlds, budget });
  // Shrinks are independent: on a pool they run side by side; the order of the report is the properties'.
  const shrunk: Violation[] = await Promise.all(
    failed.map(async (name) => {
      const v = await (o.pool !== undefined
        ? o.pool.run<Violation>(
            { kind: "shrink", target, settings, property: name, first: ex.firstFailure[name]!, maxShrinkRuns: budget, ...(o.save !== undefined ? { save: o.save } : {}) },
            (e) => {
              if ("shrunkWorlds" in e) shrinkProgress(name)(e.shrunkWorlds);
            },
          )
        : Promise.resolve(
            shrinkFailure(ex, name, { maxShrinkRuns: budget, ...(o.save !== undefined ? { save: o.save } : {}), onWorld: shrinkProgress(name) }),
          ));
      o.onProgress?.({ phase: "shrunk", algorithm: def.name, property: name });
      return v;
    }),
  );
  const violations: HuntViolation[] = shrunk.map(toHuntViolation);
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
