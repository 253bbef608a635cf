/**
 * `electorate check --algorithms all`: every variant hunted with the same runs and seed, as a
 * matrix property x variant (found at run k and shrunk to m faults, not found in N runs, n/a), then
 * every shrunk counterexample replayed on every variant (one schedule, every algorithm) as a second
 * matrix. The data is plain JSON and holds no timing or thread count: the same flags give the same
 * matrix on any number of workers. Rendering is in hunt-matrix-render.ts.
 */
import type { HuntPool } from "../../properties/hunt-pool.ts";
import { replayOn, type ReplayVerdict } from "../../properties/hunt-tasks.ts";
import { runPropertyHunt, type HuntProgress, type HuntReport, type PropertyName } from "../../properties/hunt.ts";
import { needsReplicaState, PROPERTY_NAMES } from "../../properties/properties.ts";
import type { ElectorDefinition, ElectorVariant } from "../elector/api.ts";
import { correctVariantNames, resolveElectorName, variantNames } from "../elector/variants.ts";
import { BadInputError } from "../scenario/issues.ts";

export const MATRIX_KIND = "electorate/hunt-matrix";

/** A variant the bug zoo declares: a known election bug put back on purpose (ElectorVariant.bug). */
export function bugOf(v: ElectorVariant | undefined): string | undefined {
  const bug = (v as { readonly bug?: unknown } | undefined)?.bug;
  if (bug === undefined || bug === false || bug === null) return undefined;
  if (typeof bug === "object") {
    const b = bug as { readonly source?: unknown; readonly summary?: unknown };
    if (typeof b.source === "string" && typeof b.summary === "string") return `${b.source}: ${b.summary}`;
    return JSON.stringify(bug);
  }
  return String(bug);
}

/**
 * The names `--algorithms` selects: "all" = every elector and each named variant, in registry
 * order, bug-zoo variants only with `includeBugs`; else a comma-separated list of names.
 */
export function selectVariants(catalog: readonly ElectorDefinition[], spec: string, includeBugs: boolean): string[] {
  const items = spec
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw new BadInputError("--algorithms", [{ path: "", message: 'expected "all" or comma-separated elector names' }]);
  const names: string[] = [];
  const unknown: string[] = [];
  for (const item of items) {
    if (item === "all") {
      for (const def of catalog) {
        for (const name of variantNames(def)) {
          if (!includeBugs && bugOf(resolveElectorName(catalog, name)?.variant) !== undefined) continue;
          names.push(name);
        }
      }
    } else if (resolveElectorName(catalog, item) === undefined) unknown.push(item);
    else names.push(item);
  }
  if (unknown.length > 0) {
    // Bug-zoo variants are accepted but not offered here (electorate list shows them): the answer stays short.
    const known = catalog.flatMap(correctVariantNames).join(", ");
    throw new BadInputError(
      "--algorithms",
      unknown.map((u) => ({ path: "", message: `expected "all" or registered electors (${known}), got ${JSON.stringify(u)}` })),
    );
  }
  const unique = [...new Set(names)];
  if (unique.length === 0) throw new BadInputError("--algorithms", [{ path: "", message: "selects no variant" }]);
  return unique;
}

export interface MatrixCell {
  /** found: violated in the search; not-found: held in every run; not-measured: the variant declared no replica state; not-checked: not asked for (--property). */
  readonly status: "found" | "not-found" | "not-measured" | "not-checked";
  /** Whether the variant claims the property (no-exceptions and determinism: always). */
  readonly claimed: boolean;
  /** Runs it was checked on (until its first failure; determinism: the runs run twice). */
  readonly runs: number;
  /** Lost writes and divergence: runs in which replica state was declared. */
  readonly measuredRuns?: number;
  readonly foundAtRun?: number;
  /** Faults of the shrunk schedule, not counting the recovery phase. */
  readonly faults?: number;
  /** 1-based id in `counterexamples`. */
  readonly counterexample?: number;
}

export interface MatrixCounterexample {
  readonly id: number;
  readonly variant: string;
  readonly property: PropertyName;
  readonly foundAtRun: number;
  readonly faults: number;
  readonly numShrinks: number;
  readonly message: string;
  readonly counterexamplePath?: string;
  readonly replayCommand?: string;
}

export interface ReplayCell {
  /** violates: the property fails on this variant too; exception: the run threw (no-exceptions). */
  readonly verdict: "violates" | "holds" | "not-measured" | "exception";
  readonly claimed: boolean;
  /** The variant the counterexample was found on. */
  readonly source: boolean;
  readonly message?: string;
}

export interface HuntMatrix {
  readonly kind: typeof MATRIX_KIND;
  readonly version: 1;
  readonly runs: number;
  readonly seed: number;
  readonly properties: readonly PropertyName[];
  /** --set overrides given, and the variants each applied to. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly variants: readonly { readonly name: string; readonly bug?: string; readonly options: unknown }[];
  /** cells[v][p]: variant v (variants order) x property p (properties order). */
  readonly cells: readonly (readonly MatrixCell[])[];
  readonly counterexamples: readonly MatrixCounterexample[];
  /** replays[c][v]: counterexample c replayed on variant v. */
  readonly replays: readonly (readonly ReplayCell[])[];
  /** Found violations of properties their variant claims (the exit code is 1 when there are any). */
  readonly brokenClaims: number;
  /** Each variant's own hunt report (the text `check --algorithm NAME` prints). */
  readonly reports: readonly string[];
}

export interface MatrixRun {
  /** The electors the variants name: the registry plus `modules`' (electorCatalog). */
  readonly catalog: readonly ElectorDefinition[];
  /** Elector modules (file URLs) besides the registry; worker threads load them too. */
  readonly modules?: readonly string[];
  readonly variants: readonly string[];
  readonly runs: number;
  readonly seed: number;
  readonly properties?: readonly PropertyName[];
  /** Option overrides per variant (from --set; only the variants whose elector has the option). */
  readonly overrides: (variant: string) => Readonly<Record<string, unknown>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly pool?: HuntPool;
  readonly say: (line: string) => void;
  readonly onProgress: (p: HuntProgress) => void;
  readonly phase: (text: string) => void;
  readonly maxShrinkRuns?: number;
  readonly save?: boolean;
}

function cellOf(r: HuntReport, p: PropertyName, counterexample: number | undefined): MatrixCell {
  const v = r.properties.find((x) => x.name === p)!;
  const violation = r.violations.find((x) => x.property === p);
  const base = { claimed: v.claimed, runs: v.runs, ...(v.measuredRuns !== undefined ? { measuredRuns: v.measuredRuns } : {}) };
  if (!v.checked) return { status: "not-checked", ...base };
  if (violation !== undefined) {
    return { status: "found", ...base, foundAtRun: violation.foundAtRun, faults: violation.faults.length, ...(counterexample !== undefined ? { counterexample } : {}) };
  }
  if (needsReplicaState(p) && v.measuredRuns === 0) return { status: "not-measured", ...base };
  return { status: "not-found", ...base };
}

function replayCell(verdict: ReplayVerdict, property: PropertyName, claimed: boolean, source: boolean): ReplayCell {
  if (verdict.exception) return { verdict: property === "no-exceptions" ? "violates" : "exception", claimed, source, ...(verdict.violation !== undefined ? { message: verdict.violation } : {}) };
  if (verdict.violation !== undefined) return { verdict: "violates", claimed, source, message: verdict.violation };
  if (needsReplicaState(property) && !verdict.measured) return { verdict: "not-measured", claimed, source };
  return { verdict: "holds", claimed, source };
}

/** Hunts every variant (side by side on the pool), then replays every counterexample on every variant. */
export async function runMatrix(m: MatrixRun): Promise<HuntMatrix> {
  const properties = m.properties ?? PROPERTY_NAMES;
  const reports = await Promise.all(
    m.variants.map((name) =>
      runPropertyHunt({
        algorithm: name,
        options: m.overrides(name),
        ...(m.modules !== undefined && m.modules.length > 0 ? { modules: m.modules } : {}),
        runs: m.runs,
        seed: m.seed,
        ...(m.properties !== undefined ? { properties: m.properties } : {}),
        ...(m.pool !== undefined ? { pool: m.pool } : {}),
        ...(m.maxShrinkRuns !== undefined ? { maxShrinkRuns: m.maxShrinkRuns } : {}),
        ...(m.save !== undefined ? { save: m.save } : {}),
        out: (line) => m.say(line),
        onProgress: m.onProgress,
      }),
    ),
  );
  const counterexamples: MatrixCounterexample[] = [];
  const cells = reports.map((r, vi) =>
    PROPERTY_NAMES.filter((p) => properties.includes(p) || p === "no-exceptions").map((p) => {
      const violation = r.violations.find((x) => x.property === p);
      let id: number | undefined;
      if (violation !== undefined) {
        id = counterexamples.length + 1;
        counterexamples.push({
          id,
          variant: m.variants[vi],
          property: p,
          foundAtRun: violation.foundAtRun,
          faults: violation.faults.length,
          numShrinks: violation.numShrinks,
          message: violation.message,
          ...(violation.counterexamplePath !== undefined ? { counterexamplePath: violation.counterexamplePath } : {}),
          ...(violation.replayCommand !== undefined ? { replayCommand: violation.replayCommand } : {}),
        });
      }
      return cellOf(r, p, id);
    }),
  );
  const shownProperties = PROPERTY_NAMES.filter((p) => properties.includes(p) || p === "no-exceptions");
  // Every counterexample on every variant: the shrunk scenario through that variant's own plan
  // (its quiet period), judged on the counterexample's property.
  m.phase(`replaying ${counterexamples.length} counterexample(s) on ${m.variants.length} variants`);
  const violations = counterexamples.map((c) => reports[m.variants.indexOf(c.variant)].violations.find((v) => v.property === c.property)!);
  const replays = await Promise.all(
    counterexamples.map((c, ci) =>
      Promise.all(
        m.variants.map(async (name) => {
          const target = { algorithm: name, options: m.overrides(name), ...(m.modules !== undefined && m.modules.length > 0 ? { modules: m.modules } : {}) };
          const task = { target, scenario: violations[ci].scenario, property: c.property };
          const verdict = m.pool !== undefined ? await m.pool.run<ReplayVerdict>({ kind: "replay", ...task }) : replayOn(task, m.catalog);
          const claimed = reports[m.variants.indexOf(name)].properties.find((p) => p.name === c.property)!.claimed;
          return replayCell(verdict, c.property, claimed, name === c.variant);
        }),
      ),
    ),
  );
  const brokenClaims = cells.flat().filter((c) => c.status === "found" && c.claimed).length;
  return {
    kind: MATRIX_KIND,
    version: 1,
    runs: m.runs,
    seed: m.seed,
    properties: shownProperties,
    settings: m.settings,
    variants: m.variants.map((name, i) => {
      const bug = bugOf(resolveElectorName(m.catalog, name)?.variant);
      return { name, ...(bug !== undefined ? { bug } : {}), options: reports[i].options };
    }),
    cells,
    counterexamples,
    replays,
    brokenClaims,
    reports: reports.map((r) => r.report),
  };
}
