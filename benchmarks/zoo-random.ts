/**
 * Random search for the bug zoo (benchmarks/zoo.bench.ts): the property engine's own scenarios and
 * judge (the arbitraries, plan.ts, properties.ts: what `electorate check` runs), stopped at the
 * first violation of any property the variant claims, then shrunk with fast-check to the shortest
 * fault schedule it reaches within a budget.
 *
 * Same fast-check seed and arbitrary as the hunt, so run i here is run i of
 * `npx electorate check --algorithm NAME --seed SEED --runs N`. Deterministic except the seconds.
 */
import fc from "fast-check";
import type { ElectorDefinition } from "../src/elector/api.ts";
import { scenario, type PropertyScenario } from "../properties/arbitraries/index.ts";
import { planRun, sessionTimeoutOf } from "../properties/plan.ts";
import { evaluate, type PropertyName } from "../properties/properties.ts";

export interface RandomFinding {
  /** 1-based run at which the first violation appeared, or undefined: not found within `runs`. */
  readonly foundAtRun?: number;
  readonly property?: PropertyName;
  readonly message?: string;
  /** Runs simulated (until found, or all of them). */
  readonly runsEvaluated: number;
  readonly runs: number;
  readonly seconds: number;
  /** Faults of the shrunk schedule (without the recovery phase every run gets); undefined when not found. */
  readonly shrunkFaults?: number;
  /** Faults of the schedule as first found. */
  readonly foundFaults?: number;
  readonly shrinkRuns?: number;
  readonly shrinkSeconds?: number;
}

/** The arbitrary the hunt uses for these options (properties/explore.ts: scenariosFor). */
function scenarios(options: unknown): fc.Arbitrary<PropertyScenario> {
  return scenario({ faults: { sessionTimeoutMs: sessionTimeoutOf(options) } });
}

export function randomSearchUntilFound(
  def: ElectorDefinition,
  options: unknown,
  properties: readonly PropertyName[],
  settings: { readonly runs: number; readonly seed: number; readonly maxShrinkRuns: number },
): RandomFinding {
  const t0 = performance.now();
  let index = 0;
  let found: { index: number; property: PropertyName; message: string; faults: number } | undefined;
  const predicate = (sc: PropertyScenario): boolean => {
    const i = index++;
    if (found !== undefined) return true; // generated (cheap), not run: the search stopped
    const { violations } = evaluate(planRun(def, options, sc), properties);
    // no-exceptions first: after an exception nothing else is judged on the run.
    for (const p of ["no-exceptions", ...properties] as PropertyName[]) {
      const message = violations[p];
      if (message !== undefined) {
        found = { index: i, property: p, message, faults: sc.faults.length };
        break;
      }
    }
    return true;
  };
  const arb = scenarios(options);
  fc.check(fc.property(arb, predicate), { seed: settings.seed, numRuns: settings.runs });
  const seconds = (performance.now() - t0) / 1000;
  if (found === undefined) return { runsEvaluated: settings.runs, runs: settings.runs, seconds };
  const f = found;
  // Shrink as the hunt does (explore.ts: shrinkFailure): replay run f.index with that property alone.
  const s0 = performance.now();
  let calls = 0;
  const holds = (sc: PropertyScenario): boolean => {
    if (calls++ >= settings.maxShrinkRuns) return true;
    return evaluate(planRun(def, options, sc), [f.property]).violations[f.property] === undefined;
  };
  const details = fc.check(fc.property(arb, holds), { seed: settings.seed, path: String(f.index), numRuns: 1 });
  const shrunk = details.failed && details.counterexample !== null ? details.counterexample[0] : undefined;
  return {
    foundAtRun: f.index + 1,
    property: f.property,
    message: f.message,
    runsEvaluated: f.index + 1,
    runs: settings.runs,
    seconds,
    foundFaults: f.faults,
    ...(shrunk !== undefined ? { shrunkFaults: shrunk.faults.length } : {}),
    shrinkRuns: Math.min(calls, settings.maxShrinkRuns),
    shrinkSeconds: (performance.now() - s0) / 1000,
  };
}
