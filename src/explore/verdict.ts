/**
 * Judging an explored state: heal every fault, let the elector settle for its quiet period, then
 * hand the run to the lab's own checker and read the same property verdicts the property suite
 * reads (properties/properties.ts), for the properties the elector (variant) claims only.
 */
import { judge } from "../checker/judge.ts";
import type { RunMetrics } from "../checker/metrics.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import { outcomeOf, type WorldOutcome } from "../world/run.ts";
import { applicableProperties, violation, type JudgedRun, type PropertyName } from "../../properties/properties.ts";
import type { RunSpec } from "../../properties/plan.ts";
import type { ExploreWorld } from "./explore-world.ts";

/** The properties the explorer judges for an elector: what it claims, except determinism (a replay property). */
export function judgedProperties(def: ElectorDefinition, options: unknown): PropertyName[] {
  return applicableProperties(def, options).filter((p) => p !== "determinism");
}

export interface StateVerdict {
  readonly violations: Partial<Record<PropertyName, string>>;
  readonly outcome?: WorldOutcome;
  readonly metrics?: RunMetrics;
  readonly spec?: RunSpec;
}

/** The run spec that describes an explored path's world (for the checker's texts and the counterexample file). */
export function specOf(ew: ExploreWorld, electorName: string, recoveryAtMs: number, quietPeriodMs: number, endMs: number): RunSpec {
  const s = ew.setup;
  return {
    elector: electorName,
    options: ew.options,
    seed: s.seed,
    cluster: ew.config.cluster,
    ...(ew.config.network !== undefined ? { network: ew.config.network } : {}),
    workload: ew.config.workload ?? {},
    faults: [],
    recoveryFromIndex: 0,
    recoveryAtMs,
    quietPeriodMs,
    durationMs: endMs,
  };
}

/** The world as a judged outcome, ending now (the explored world has no fixed duration). */
export function outcomeNow(ew: ExploreWorld): WorldOutcome {
  const end = ew.world.kernel.now;
  const o = outcomeOf(ew.world);
  return { ...o, durationMs: end, config: { ...o.config, durationMs: end }, faultDescriptions: ew.faults.map((f) => f.text) };
}

/**
 * Settles the world (it is used up) and judges it. An exception while settling or judging is the
 * no-exceptions violation.
 */
export function settleAndJudge(ew: ExploreWorld, electorName: string, properties: readonly PropertyName[], settleMs: number, quietMs: number): StateVerdict {
  let recoveryAt: number;
  try {
    recoveryAt = ew.settle(settleMs, quietMs);
  } catch (e) {
    return { violations: { "no-exceptions": `while settling after the path: ${errorText(e)}` } };
  }
  const outcome = outcomeNow(ew);
  let metrics: RunMetrics;
  try {
    metrics = judge(outcome);
  } catch (e) {
    return { violations: { "no-exceptions": `while judging: ${errorText(e)}` }, outcome };
  }
  const spec = specOf(ew, electorName, recoveryAt, settleMs, outcome.durationMs);
  const run: JudgedRun = { plan: { spec, config: outcome.config }, outcome, metrics };
  const violations: Partial<Record<PropertyName, string>> = {};
  for (const p of properties) {
    const v = violation(p, run);
    if (v !== undefined) violations[p] = v;
  }
  return { violations, outcome, metrics, spec };
}

export function errorText(e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const frame = (err.stack ?? "").split("\n").find((l) => l.trim().startsWith("at "))?.trim();
  return `${err.name}: ${err.message}${frame !== undefined ? ` (${frame})` : ""}`;
}
