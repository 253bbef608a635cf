/**
 * Random search: the property engine behind the vitest suite and the CLI's hunt (the systematic
 * explorer is src/explore/), in two phases:
 *
 *  1. search: fast-check generates `runs` scenarios from a fixed seed; each is run once (twice for
 *     the first `determinismRuns`, for the determinism property) and every property is checked on
 *     the same run. The predicate never fails, it notes the first failing run of each property,
 *     so one pass of runs serves all properties.
 *  2. shrink: for a property that failed at run i, fast-check replays run i from the same seed
 *     (`path: "i"`) with that property alone as the predicate and shrinks it with its built-in
 *     shrinkers. The final { seed, path } replays the shrunk case in fast-check; the saved
 *     counterexample file replays it in the CLI.
 *
 * Phase 1 can be split over worker threads (hunt-pool.ts): each share generates the same
 * sequence of scenarios (fast-check's, from the seed) and runs every `workers`-th one, recording
 * per run what it saw (searchShare); foldRecords then reads the records in run order exactly as
 * the one-thread search would have, so the outcome is the same whatever the number of workers.
 *
 * Nothing here reads the clock or Math.random: the same settings give the same result.
 */
import fc from "fast-check";
import type { ElectorDefinition } from "../src/elector/api.ts";
import type { Fault } from "../src/sim/faults.ts";
import { scenario, type PropertyScenario, type ScenarioArbitraryOptions } from "./arbitraries/index.ts";
import { displayPath, replayCommand, saveCounterexample, type CounterexampleFile } from "./counterexample.ts";
import { planRun, sessionTimeoutOf, type PropertyWorkload, type RunSpec } from "./plan.ts";
import { applicableProperties, evaluate, PROPERTY_NAMES, propertyTitle, type PropertyName } from "./properties.ts";
import { evaluationText, scheduleText, traceHashOf } from "./timeline-text.ts";

export interface SearchSettings {
  readonly runs: number;
  /** fast-check's seed. */
  readonly seed: number;
  /** Properties to check; default: every property the elector is held to with these options. */
  readonly properties?: readonly PropertyName[];
  /** Runs (from the first) that are run twice for the determinism property; default max(3, runs / 5). */
  readonly determinismRuns?: number;
  readonly scenario?: ScenarioArbitraryOptions;
  /** The producers (default PROPERTY_WORKLOAD); only benchmarks/workload-detection.ts sets another. */
  readonly workload?: PropertyWorkload;
  /** Elector modules (file URLs) the elector comes from, outside the registry: saved counterexamples record them for replay. */
  readonly modules?: readonly string[];
  /** Called after each scenario with (done, total), e.g. for a progress line. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface FirstFailure {
  /** Index of the failing run (fast-check's path "index"). */
  readonly index: number;
  readonly message: string;
}

export interface RandomSearch {
  readonly def: ElectorDefinition;
  readonly options: unknown;
  readonly properties: readonly PropertyName[];
  readonly settings: SearchSettings;
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

/** The properties a search checks (no-exceptions always) and how many runs are run twice. */
export function searchPlan(def: ElectorDefinition, options: unknown, settings: SearchSettings): { properties: PropertyName[]; determinismRuns: number } {
  const asked = settings.properties ?? applicableProperties(def, options);
  // An exception is always reported, whatever was asked.
  const properties: PropertyName[] = asked.includes("no-exceptions") ? [...asked] : ["no-exceptions", ...asked];
  const determinismRuns = properties.includes("determinism") ? (settings.determinismRuns ?? defaultDeterminismRuns(settings.runs)) : 0;
  return { properties, determinismRuns };
}

/** What one run showed, as a share of the search records it (plain data: it crosses threads). */
export interface RunRecord {
  readonly index: number;
  /** False: nothing was pending for this run, it was not run. */
  readonly evaluated: boolean;
  /** Whether the config was run twice (determinism was checked on it). */
  readonly twice: boolean;
  /** The run completed and was judged. */
  readonly judged: boolean;
  /** It declared replica state. */
  readonly measured: boolean;
  readonly violations: Partial<Record<PropertyName, string>>;
  /** When only the second run threw: the first run on its own (judged, measured, violations). */
  readonly single?: { readonly measured: boolean; readonly violations: Partial<Record<PropertyName, string>> };
}

/** Which share of the runs a search evaluates, and what it knows of the other shares' failures. */
export interface Share {
  readonly worker: number;
  readonly workers: number;
  /**
   * When present, a counter shared by every share of the search (a SharedArrayBuffer): each share
   * claims the next unclaimed run index from it when it is ready for one, so a share on a thread
   * that is free sooner takes more runs and all end together; `worker`/`workers` are then unused.
   * Absent: the share evaluates the runs with index % workers === worker. Either way each run is
   * evaluated by exactly one share, so the fold gives the same outcome.
   */
  readonly claims?: Int32Array;
  /**
   * Per property (PROPERTY_NAMES order), the lowest run index known to fail it (shared by every
   * share through a SharedArrayBuffer; 0x7fffffff: none known). A property that failed before run
   * i is not checked on run i, as in a one-thread search; knowing of fewer failures only costs work.
   */
  readonly failedAt: Int32Array;
}

const NONE = 0x7fffffff;

/** A run-claim counter for the shares of one search (Share.claims), starting at run 0. */
export function newClaims(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

export function newFailedAt(shared = false): Int32Array {
  const a = new Int32Array(shared ? new SharedArrayBuffer(PROPERTY_NAMES.length * 4) : new ArrayBuffer(PROPERTY_NAMES.length * 4));
  a.fill(NONE);
  return a;
}

function noteFailure(failedAt: Int32Array, p: PropertyName, index: number): void {
  const k = PROPERTY_NAMES.indexOf(p);
  for (;;) {
    const seen = Atomics.load(failedAt, k);
    if (seen <= index || Atomics.compareExchange(failedAt, k, seen, index) === seen) return;
  }
}

/**
 * Phase 1, one share: generates the `runs` scenarios (the same sequence in every share: a few ms,
 * next to the runs) and evaluates its own (claimed from `share.claims`, or index % workers ===
 * worker), calling `onRecord` for each in index order.
 */
export function searchShare(def: ElectorDefinition, options: unknown, settings: SearchSettings, share: Share, onRecord: (r: RunRecord) => void): void {
  const { properties, determinismRuns } = searchPlan(def, options, settings);
  const claims = share.claims;
  // Claims only grow, and a share claims its next run after finishing the last: the run it holds
  // is never behind the scenario it generates next.
  let mine = claims === undefined ? -1 : Atomics.add(claims, 0, 1);
  if (claims !== undefined && mine >= settings.runs) return; // the other shares took every run
  let index = 0;
  const predicate = (sc: PropertyScenario): boolean => {
    const i = index++;
    if (claims !== undefined) {
      if (i !== mine) return true;
      mine = Atomics.add(claims, 0, 1);
    } else if (i % share.workers !== share.worker) return true;
    const pending = properties.filter((p) => Atomics.load(share.failedAt, PROPERTY_NAMES.indexOf(p)) > i && (p !== "determinism" || i < determinismRuns));
    if (pending.length === 0) {
      onRecord({ index: i, evaluated: false, twice: false, judged: false, measured: false, violations: {} });
      return true;
    }
    const ev = evaluate(planRun(def, options, sc, settings.workload), pending);
    const violations: Partial<Record<PropertyName, string>> = {};
    // After an exception only no-exceptions is judged on this run.
    for (const p of pending) if (ev.violations[p] !== undefined) violations[p] = ev.violations[p];
    for (const p of Object.keys(violations) as PropertyName[]) noteFailure(share.failedAt, p, i);
    onRecord({
      index: i,
      evaluated: true,
      twice: pending.includes("determinism"),
      judged: ev.run !== undefined,
      measured: ev.run?.metrics.data.measured === true,
      violations,
      ...(ev.firstRun !== undefined ? { single: { measured: ev.firstRun.run.metrics.data.measured, violations: ev.firstRun.violations } } : {}),
    });
    return true;
  };
  const details = fc.check(fc.property(scenariosFor(options, settings.scenario), predicate), { seed: settings.seed, numRuns: settings.runs });
  if (details.failed) throw details.errorInstance instanceof Error ? details.errorInstance : new Error("random search failed");
}

/**
 * Folds run records (one per run, any share) in run order into the outcome a one-thread search
 * gives: for run i only the properties not failed before i count, as if the others were not checked.
 */
export class RecordFold {
  readonly firstFailure: Partial<Record<PropertyName, FirstFailure>> = {};
  worldsRun = 0;
  measuredRuns = 0;
  judgedRuns = 0;
  /** Runs folded so far (records are folded in index order). */
  next = 0;
  private readonly waiting = new Map<number, RunRecord>();
  constructor(
    private readonly properties: readonly PropertyName[],
    private readonly determinismRuns: number,
    private readonly onProgress?: (done: number, total: number) => void,
    private readonly runs = 0,
  ) {}

  add(r: RunRecord): void {
    this.waiting.set(r.index, r);
    for (let rec = this.waiting.get(this.next); rec !== undefined; rec = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      this.fold(rec);
      this.next++;
      this.onProgress?.(this.next, this.runs);
    }
  }

  private fold(r: RunRecord): void {
    const i = r.index;
    const pending = this.properties.filter((p) => this.firstFailure[p] === undefined && (p !== "determinism" || i < this.determinismRuns));
    if (pending.length === 0) return;
    if (!r.evaluated) throw new Error(`random search: run ${i} was not evaluated but ${pending.join(", ")} still pending (a bug in the shares)`);
    // Run twice where this thread's search would have run it once, and only the second run threw:
    // take the first run on its own.
    const view = r.twice && !pending.includes("determinism") && r.single !== undefined ? { judged: true, measured: r.single.measured, violations: r.single.violations } : r;
    this.worldsRun += pending.includes("determinism") ? 2 : 1;
    if (view.judged) {
      this.judgedRuns++;
      if (view.measured) this.measuredRuns++;
    }
    for (const p of pending) {
      const message = view.violations[p];
      if (message !== undefined) this.firstFailure[p] = { index: i, message };
    }
  }
}

/** Phase 1 in this thread: runs `runs` generated scenarios and notes the first failure of each property. */
export function randomSearch(def: ElectorDefinition, options: unknown, settings: SearchSettings): RandomSearch {
  const { properties, determinismRuns } = searchPlan(def, options, settings);
  const fold = new RecordFold(properties, determinismRuns, settings.onProgress, settings.runs);
  searchShare(def, options, settings, { worker: 0, workers: 1, failedAt: newFailedAt() }, (r) => fold.add(r));
  return searchOutcome(def, options, settings, fold);
}

/** The outcome of a finished fold. */
export function searchOutcome(def: ElectorDefinition, options: unknown, settings: SearchSettings, fold: RecordFold): RandomSearch {
  const { properties, determinismRuns } = searchPlan(def, options, settings);
  if (fold.next !== settings.runs) throw new Error(`random search: ${fold.next} of ${settings.runs} runs folded`);
  return {
    def,
    options,
    properties,
    settings,
    runs: settings.runs,
    determinismRuns,
    worldsRun: fold.worldsRun,
    measuredRuns: fold.measuredRuns,
    judgedRuns: fold.judgedRuns,
    firstFailure: fold.firstFailure,
  };
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
  /** Called with the number of worlds run so far while shrinking (progress). */
  readonly onWorld?: (worlds: number) => void;
}

/** What shrinking needs of a search. */
export type ShrinkInput = Pick<RandomSearch, "def" | "options" | "settings" | "runs" | "firstFailure">;

/** Phase 2: shrinks the first failure of `property` and renders it. */
export function shrinkFailure(ex: ShrinkInput, property: PropertyName, settings: ShrinkSettings = {}): Violation {
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
    settings.onWorld?.(calls);
    return evaluate(planRun(def, options, sc, ex.settings.workload), [property]).violations[property] === undefined;
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
  const plan = planRun(def, options, shrunk, ex.settings.workload);
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
      ...(ex.settings.modules !== undefined && ex.settings.modules.length > 0 ? { modules: ex.settings.modules } : {}),
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
