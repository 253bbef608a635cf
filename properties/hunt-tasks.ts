/**
 * The pieces of a property hunt that run on their own, in this thread or on a worker thread of a
 * HuntPool (hunt-pool.ts): one share of a random search, the shrinking of one violation, the
 * replay of one shrunk schedule against one variant. Tasks and results are plain data (they cross
 * threads); electors are named, and resolved where the task runs: from the registry, plus the
 * elector modules the target names (`check --elector-module`), which each thread imports itself.
 */
import { electors } from "../algorithms/index.ts";
import { electorCatalog } from "../src/runner/electors.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import { electorNames, namedAs, resolveElectorName } from "../src/elector/variants.ts";
import type { PropertyScenario } from "./arbitraries/index.ts";
import { decodeOptions, planRun } from "./plan.ts";
import { evaluate, type PropertyName } from "./properties.ts";
import { searchShare, shrinkFailure, type FirstFailure, type RunRecord, type SearchSettings, type Share, type Violation } from "./random-search.ts";
import { traceHashOf } from "./timeline-text.ts";

/** An elector name ("raft", "raft:etcd") and option overrides (JSON) over its variant's options. */
export interface HuntTarget {
  readonly algorithm: string;
  readonly options?: Readonly<Record<string, unknown>>;
  /** Elector modules (file URLs) to load besides the registry: where an elector outside it comes from. */
  readonly modules?: readonly string[];
}

/** The electors a target can name: the registry, plus its modules (loaded once per thread). */
export async function catalogOf(t: HuntTarget): Promise<readonly ElectorDefinition[]> {
  return t.modules !== undefined && t.modules.length > 0 ? electorCatalog(t.modules) : electors;
}

/** The definition (named as written) and the decoded options of a target; throws on an unknown name. */
export function resolveTarget(t: HuntTarget, catalog: readonly ElectorDefinition[] = electors): { readonly def: ElectorDefinition; readonly options: unknown } {
  const resolved = resolveElectorName(catalog, t.algorithm);
  if (resolved === undefined) {
    throw new Error(`unknown algorithm "${t.algorithm}"; known: ${electorNames(catalog).join(", ") || "(none registered)"}`);
  }
  const def = namedAs(resolved.definition, t.algorithm);
  return { def, options: decodeOptions(def, { ...resolved.variant?.options, ...t.options }) };
}

/** Search settings as data (no callbacks). */
export type PlainSearchSettings = Omit<SearchSettings, "onProgress">;

export interface ShrinkTask {
  readonly kind: "shrink";
  readonly target: HuntTarget;
  readonly settings: PlainSearchSettings;
  readonly property: PropertyName;
  readonly first: FirstFailure;
  readonly maxShrinkRuns?: number;
  readonly save?: boolean;
}

export interface ReplayTask {
  readonly kind: "replay";
  readonly target: HuntTarget;
  readonly scenario: PropertyScenario;
  readonly property: PropertyName;
}

export type HuntTask =
  | { readonly kind: "search"; readonly target: HuntTarget; readonly settings: PlainSearchSettings; readonly share: Share }
  | ShrinkTask
  | ReplayTask;

/** One shrunk schedule run on another variant, judged on one property. */
export interface ReplayVerdict {
  /** The property's violation on this variant, if any (an exception is reported as one too). */
  readonly violation?: string;
  /** The run threw (the violation is then no-exceptions'). */
  readonly exception: boolean;
  /** Whether the variant declared replica state (false: lost writes and divergence not measured). */
  readonly measured: boolean;
  readonly traceHash: string;
}

/** Events a task sends while it runs: a search's records, a shrink's progress. */
export type HuntEvent = { readonly record: RunRecord } | { readonly shrunkWorlds: number };

export function replayOn(task: Omit<ReplayTask, "kind">, catalog: readonly ElectorDefinition[] = electors): ReplayVerdict {
  const { def, options } = resolveTarget(task.target, catalog);
  const ev = evaluate(planRun(def, options, task.scenario), [task.property]);
  const violation = ev.violations[task.property] ?? ev.violations["no-exceptions"];
  return {
    ...(violation !== undefined ? { violation } : {}),
    exception: ev.error !== undefined,
    measured: ev.run?.metrics.data.measured === true,
    traceHash: traceHashOf(ev),
  };
}

/** Runs one task; `emit` carries its events; `catalog` must hold the target's electors (catalogOf). */
export function runTask(task: HuntTask, emit: (e: HuntEvent) => void, catalog: readonly ElectorDefinition[] = electors): RunRecord[] | Violation | ReplayVerdict | null {
  switch (task.kind) {
    case "search": {
      const { def, options } = resolveTarget(task.target, catalog);
      searchShare(def, options, task.settings, task.share, (record) => emit({ record }));
      return null;
    }
    case "shrink": {
      const { def, options } = resolveTarget(task.target, catalog);
      return shrinkFailure({ def, options, settings: task.settings, runs: task.settings.runs, firstFailure: { [task.property]: task.first } }, task.property, {
        ...(task.maxShrinkRuns !== undefined ? { maxShrinkRuns: task.maxShrinkRuns } : {}),
        ...(task.save !== undefined ? { save: task.save } : {}),
        onWorld: (n) => {
          if (n % 25 === 0) emit({ shrunkWorlds: n });
        },
      });
    }
    case "replay":
      return replayOn(task, catalog);
  }
}
