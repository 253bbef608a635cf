/**
 * Judging an explored state: heal every fault, let the elector settle for its quiet period, then
 * hand the run to the lab's own checker and read the same property verdicts the property suite
 * reads (properties/properties.ts), for the properties the elector (variant) claims only.
 */
import { judge } from "../checker/judge.ts";
import type { RunMetrics } from "../checker/metrics.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import { outcomeOf, type WorldOutcome } from "../world/run.ts";
import { applicableProperties, isPropertyName, propertyTitle, violation, type JudgedRun, type PropertyName } from "../../properties/properties.ts";
import type { RunSpec } from "../../properties/plan.ts";
import type { ExploreWorld } from "./explore-world.ts";

/**
 * The explorer's own judgment beside the property suite's (ElectorClaims.coreLiveness): a core — a
 * majority of brokers — is healed while the rest stay crashed or cut off (ExploreWorld.settleCore),
 * and within the quiet period every partition with a majority in the core must have a leader in the
 * core that its core replicas follow. TigerBeetle's VOPR judges liveness the same way.
 */
export const CORE_LIVENESS = "core-liveness";
export type ExploredProperty = PropertyName | typeof CORE_LIVENESS;

export function isExploredProperty(s: unknown): s is ExploredProperty {
  return s === CORE_LIVENESS || (typeof s === "string" && isPropertyName(s));
}

export function exploredPropertyTitle(p: ExploredProperty): string {
  return p === CORE_LIVENESS
    ? "with a majority of brokers healed and the rest left crashed or cut off, every partition with a majority of its replicas among them has a leader there that they follow within the quiet period"
    : propertyTitle(p);
}

/** The properties the explorer judges for an elector: what it claims, except determinism (a replay property), and core-liveness when claimed. */
export function judgedProperties(def: ElectorDefinition, options: unknown): ExploredProperty[] {
  const suite: ExploredProperty[] = applicableProperties(def, options).filter((p) => p !== "determinism");
  return def.claims(options).coreLiveness === true ? [...suite, CORE_LIVENESS] : suite;
}

export interface StateVerdict {
  readonly violations: Partial<Record<ExploredProperty, string>>;
  /** Judged after the restart judgment's whole-cluster restart (judgeState's third pass). */
  readonly restarted?: boolean;
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
export function settleAndJudge(ew: ExploreWorld, electorName: string, properties: readonly PropertyName[], settleMs: number, quietMs: number, restartAll = false): StateVerdict {
  let recoveryAt: number;
  const after = restartAll ? "after the path and a whole-cluster restart" : "after the path";
  try {
    recoveryAt = ew.settle(settleMs, quietMs, restartAll);
  } catch (e) {
    return { violations: { "no-exceptions": `while settling ${after}: ${errorText(e)}` }, ...(restartAll ? { restarted: true } : {}) };
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
    if (v !== undefined) violations[p] = restartAll ? `after a whole-cluster restart at the judged state: ${v}` : v;
  }
  return { violations, outcome, metrics, spec, ...(restartAll ? { restarted: true } : {}) };
}

/**
 * Judges a state for `properties`: the suite's on `ew` (settled with every fault healed), then,
 * when asked for and nothing else broke, core-liveness on a second copy of the state (`again()`:
 * the same path replayed on a fresh world), since settling uses a world up; then, with
 * `restartAll` (the restart judgment) and nothing broken yet, the suite's properties once more on
 * another copy in which every broker crashes and all restart together before settling.
 */
export function judgeState(
  ew: ExploreWorld,
  again: () => ExploreWorld,
  electorName: string,
  properties: readonly ExploredProperty[],
  settleMs: number,
  quietMs: number,
  restartAll = false,
): StateVerdict {
  const suite = properties.filter((p): p is PropertyName => p !== CORE_LIVENESS);
  const verdict = suite.length > 0 || !properties.includes(CORE_LIVENESS) ? settleAndJudge(ew, electorName, suite, settleMs, quietMs) : undefined;
  const broken = (v: StateVerdict | undefined): boolean => v !== undefined && Object.keys(v.violations).length > 0;
  let last = verdict;
  let used = verdict !== undefined;
  if (properties.includes(CORE_LIVENESS) && !broken(verdict)) {
    last = settleCoreAndJudge(used ? again() : ew, electorName, settleMs, quietMs);
    used = true;
  }
  if (!restartAll || suite.length === 0 || broken(last)) return last!;
  return settleAndJudge(used ? again() : ew, electorName, suite, settleMs, quietMs, true);
}

/**
 * The core judgment (CORE_LIVENESS) of a world (used up): settleCore, then whether the core agrees.
 * An exception while settling is the no-exceptions violation.
 */
export function settleCoreAndJudge(ew: ExploreWorld, electorName: string, settleMs: number, quietMs: number): StateVerdict {
  let settled: { core: number[]; recoveryAt: number };
  try {
    settled = ew.settleCore(settleMs, quietMs);
  } catch (e) {
    return { violations: { "no-exceptions": `while settling the core after the path: ${errorText(e)}` } };
  }
  const outcome = outcomeNow(ew);
  const spec = specOf(ew, electorName, settled.recoveryAt, settleMs, outcome.durationMs);
  let metrics: RunMetrics | undefined;
  try {
    metrics = judge(outcome);
  } catch {
    metrics = undefined; // the timeline's metrics only: the verdict below does not read them
  }
  const wrong = ew.coreAgreed(settled.core);
  const violations: Partial<Record<ExploredProperty, string>> =
    wrong === undefined ? {} : { [CORE_LIVENESS]: `${settleMs} ms after healing the core (hosts ${settled.core.join(", ")}, at ${settled.recoveryAt.toFixed(3)} ms): ${wrong}` };
  return { violations, outcome, ...(metrics !== undefined ? { metrics } : {}), spec };
}

export function errorText(e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const frame = (err.stack ?? "").split("\n").find((l) => l.trim().startsWith("at "))?.trim();
  return `${err.name}: ${err.message}${frame !== undefined ? ` (${frame})` : ""}`;
}
