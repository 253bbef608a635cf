/**
 * The property engine behind the vitest suite and the CLI's hunt, in two phases:
 *
 *  1. explore: fast-check generates `runs` scenarios from a fixed seed; each is run once (twice for
 *     the first `determinismRuns`, for the determinism property) and every property is checked on
 *     the same run. The predicate never fails, it notes the first failing run of each property,
 *     so one pass of runs serves all properties.
 *  2. shrink: for a property that failed at run i, fast-check replays run i from the same seed
 *     (`path: "i"`) with that property alone as the predicate and shrinks it with its built-in
 *     shrinkers. The final { seed, path } replays the shrunk case in fast-check; the saved
 *     counterexample file replays it in the CLI.
 *
 * Nothing here reads the clock or Math.random: the same settings give the same result.
 */
import fc from "fast-check";
import type { ElectorDefinition } from "../src/elector/api.ts";
import type { Fault } from "../src/sim/faults.ts";
import { scenario, type PropertyScenario, type ScenarioArbitraryOptions } from "./arbitraries/index.ts";
import { displayPath, replayCommand, saveCounterexample, type CounterexampleFile } from "./counterexample.ts";
import { planRun, sessionTimeoutOf, type RunSpec } from "./plan.ts";
import { applicableProperties, evaluate, propertyTitle, type PropertyName } from "./properties.ts";
import { evaluationText, scheduleText, traceHashOf } from "./timeline-text.ts";

export interface ExploreSettings {
  readonly runs: number;
  /** fast-check's seed. */
  readonly seed: number;
  /** Properties to check; default: every property the elector is held to with these options. */
  readonly properties?: readonly PropertyName[];
  /** Runs (from the first) that are run twice for the determinism property; default max(3, runs / 5). */
  readonly determinismRuns?: number;
  readonly scenario?: ScenarioArbitraryOptions;
  /** Called after each scenario with (done, total), e.g. for a progress line. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface FirstFailure {
  /** Index of the failing run (fast-check's path "index"). */
  readonly index: number;
  readonly message: string;
}

export interface Exploration {
  readonly def: ElectorDefinition;
  readonly options: unknown;
  readonly properties: readonly PropertyName[];
  readonly settings: ExploreSettings;
  readonly runs: number;
  readonly determinismRuns: number;
  /** Worlds run (determinism runs count twice). */
  readonly worldsRun: number;
  /** Judged runs in which the elector declared replica state (lost writes and divergence measured). */
  readonly measuredRuns: number;
  /** Judged runs (a run is judged while some property is still unviolated). */
  readonly judgedRuns: number;
  readonly firstFailure: Partial<Record<PropertyName, FirstFailure>>;
}

/** The scenarios for an elector with its options: pauses and outages straddle its session timeout. */
export function scenariosFor(options: unknown, overrides: ScenarioArbitraryOptions = {}): fc.Arbitrary<PropertyScenario> {
  return scenario({ ...overrides, faults: { sessionTimeoutMs: sessionTimeoutOf(options), ...overrides.faults } });
}

export function defaultDeterminismRuns(runs: number): number {
  return Math.min(runs, Math.max(3, Math.ceil(runs / 5)));
}

/** Phase 1: runs `runs` generated scenarios and notes the first failure of each property. */
export function explore(def: ElectorDefinition, options: unknown, settings: ExploreSettings): Exploration {
  const asked = settings.properties ?? applicableProperties(def, options);
  // An exception is always reported, whatever was asked.
  const properties: PropertyName[] = asked.includes("no-exceptions") ? [...asked] : ["no-exceptions", ...asked];
  const determinismRuns = properties.includes("determinism") ? (settings.determinismRuns ?? defaultDeterminismRuns(settings.runs)) : 0;
  const firstFailure: Partial<Record<PropertyName, FirstFailure>> = {};
  let index = 0;
  let worldsRun = 0;
  let measuredRuns = 0;
  let judgedRuns = 0;
  const predicate = (sc: PropertyScenario): boolean => {
    const i = index++;
    const pending = properties.filter((p) => firstFailure[p] === undefined && (p !== "determinism" || i < determinismRuns));
    if (pending.length > 0) {
      const { violations, run } = evaluate(planRun(def, options, sc), pending);
      worldsRun += pending.includes("determinism") ? 2 : 1;
      if (run !== undefined) {
        judgedRuns++;
        if (run.metrics.data.measured) measuredRuns++;
      }
      for (const p of pending) {
        // After an exception only no-exceptions is judged on this run.
        const message = violations[p];
        if (message !== undefined) firstFailure[p] = { index: i, message };
      }
    }
    settings.onProgress?.(i + 1, settings.runs);
    return true;
  };
  const details = fc.check(fc.property(scenariosFor(options, settings.scenario), predicate), { seed: settings.seed, numRuns: settings.runs });
  if (details.failed) throw details.errorInstance instanceof Error ? details.errorInstance : new Error("exploration failed");
  return { def, options, properties, settings, runs: settings.runs, determinismRuns, worldsRun, measuredRuns, judgedRuns, firstFailure };
}

export interface Violation {
  readonly elector: string;
  readonly options: unknown;
  readonly property: PropertyName;
  readonly title: string;
  /** The violation by the shrunk case. */
  readonly message: string;
  /** The violation as first found. */
  readonly originalMessage: string;
  /** 1-based: the run of the exploration that first failed. */
  readonly foundAtRun: number;
  readonly runs: number;
  /** The shrunk scenario (faults without the recovery phase). */
  readonly scenario: PropertyScenario;
  /** The generated faults of the shrunk case, without the recovery phase. */
  readonly faults: readonly Fault[];
  readonly spec: RunSpec;
  readonly traceHash: string;
  readonly numShrinks: number;
  /** Whether shrinking stopped at its budget rather than at a local minimum. */
  readonly shrinkBudgetExhausted: boolean;
  readonly fastCheck: { readonly seed: number; readonly path: string };
  readonly scheduleText: string;
  readonly timelineText: string;
  readonly counterexamplePath?: string;
  readonly replayCommand?: string;
  /** Everything, printable: what failed, the schedule, the timeline, how to replay. */
  readonly report: string;
}

export interface ShrinkSettings {
  /** Worlds run while shrinking before it stops (deterministic; default 1500). */
  readonly maxShrinkRuns?: number;
  /** Save the counterexample under .tmp/counterexamples/ (default true). */
  readonly save?: boolean;
}

/** Phase 2: shrinks the first failure of `property` and renders it. */
export function shrinkFailure(ex: Exploration, property: PropertyName, settings: ShrinkSettings = {}): Violation {
  const first = ex.firstFailure[property];
  if (first === undefined) throw new Error(`${property} did not fail in the exploration`);
  const { def, options } = ex;
  const budget = settings.maxShrinkRuns ?? 1500;
  let calls = 0;
  let exhausted = false;
  const holds = (sc: PropertyScenario): boolean => {
    if (calls++ > budget) {
      exhausted = true;
      return true;
    }
    return evaluate(planRun(def, options, sc), [property]).violations[property] === undefined;
  };
  const arb = scenariosFor(options, ex.settings.scenario);
  const details = fc.check(fc.property(arb, holds), { seed: ex.settings.seed, path: String(first.index), numRuns: 1 });
  let shrunk: PropertyScenario;
  let path: string;
  if (details.failed && details.counterexample !== null) {
    shrunk = details.counterexample[0];
    path = details.counterexamplePath ?? String(first.index);
  } else {
    // Should not happen (runs are deterministic); keep the unshrunk case so it is still reported.
    shrunk = fc.sample(arb, { seed: ex.settings.seed, path: String(first.index), numRuns: 1 })[0];
    path = String(first.index);
  }
  const plan = planRun(def, options, shrunk);
  const ev = evaluate(plan, [property]);
  const message = ev.violations[property] ?? `(the shrunk case no longer fails when run again: ${first.message})`;
  const schedule = scheduleText(plan.spec);
  const timeline = evaluationText(ev, plan.spec, property);
  const traceHash = traceHashOf(ev);
  let counterexamplePath: string | undefined;
  if (settings.save !== false) {
    const file: CounterexampleFile = {
      kind: "electorate/counterexample",
      version: 1,
      ...plan.spec,
      property,
      violation: message,
      traceHash,
      fastCheck: { seed: ex.settings.seed, path, numShrinks: details.numShrinks, foundAtRun: first.index + 1 },
    };
    counterexamplePath = saveCounterexample(file);
  }
  const fastCheck = { seed: ex.settings.seed, path };
  const generated = shrunk.faults.length;
  const c = shrunk.cluster;
  const report = [
    `${def.name} violates "${propertyTitle(property)}"`,
    `  options: ${JSON.stringify(options)}`,
    `  ${message}`,
    `  found at run ${first.index + 1} of ${ex.runs} (fast-check seed ${ex.settings.seed}); shrunk ${details.numShrinks} time(s)` +
      `${exhausted ? " (shrink budget reached)" : ""} to ${generated} fault(s) + the recovery phase`,
    `  cluster: ${c.brokers} brokers, ${c.partitions} partition(s), RF ${c.replicationFactor}; world seed ${shrunk.seed}; ` +
      `network: ${shrunk.network === undefined ? "the default link" : JSON.stringify(shrunk.network)}`,
    "Schedule:",
    schedule,
    timeline,
    ...(counterexamplePath !== undefined ? [`Replay: ${replayCommand(counterexamplePath)}`] : []),
    `fast-check: { seed: ${fastCheck.seed}, path: "${fastCheck.path}", endOnFailure: true }` +
      ` (the hunt again: npx electorate check --algorithm ${def.name} --seed ${fastCheck.seed} --runs ${ex.runs})`,
  ].join("\n");
  return {
    elector: def.name,
    options,
    property,
    title: propertyTitle(property),
    message,
    originalMessage: first.message,
    foundAtRun: first.index + 1,
    runs: ex.runs,
    scenario: shrunk,
    faults: shrunk.faults,
    spec: plan.spec,
    traceHash,
    numShrinks: details.numShrinks,
    shrinkBudgetExhausted: exhausted,
    fastCheck,
    scheduleText: schedule,
    timelineText: timeline,
    ...(counterexamplePath !== undefined ? { counterexamplePath: displayPath(counterexamplePath), replayCommand: replayCommand(counterexamplePath) } : {}),
    report,
  };
}
