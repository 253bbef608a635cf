/**
 * The property suite: every variant of every elector in the registry (the plain name with the
 * default options, then each declared "elector:variant") against every property
 * (docs/properties.md). A new elector or variant is covered by declaring it; nothing to write here.
 *
 *  - A property the variant claims must hold on every generated scenario: a failure is shrunk and
 *    reported as a timeline with the command that replays it (random-search.ts).
 *  - A property the variant does NOT claim is not skipped: the test asserts the hunt finds a
 *    violation within the stated number of runs, proving the judge can see what the claim is about.
 *    Where a design's unclaimed property is known not to be found in the budget, UNFOUND says why and
 *    the test asserts it stays unfound (so the note cannot go stale silently).
 *  - Lost writes and divergence need declared replica state: a variant that declared none in any
 *    run is reported as skipped with "not measured" (never as a pass).
 *
 * Per variant, one exploration generates the scenarios (fixed fast-check seed) and checks every
 * property on the same runs.
 *
 * Environment: ELECTORATE_PROPERTY_RUNS=N (scenarios per variant, all variants),
 * ELECTORATE_PROPERTY_SEED=S (fast-check's seed), ELECTORATE_PROPERTY_WORKERS=N (worker threads for
 * the searches; default 1, in vitest's own thread: npm test already runs two files at a time, so
 * threads here only pay off for a long run alone; the outcome is the same for any N).
 */
import { afterAll, describe, expect, test } from "vitest";
import { electors } from "../algorithms/index.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import { bugVariantNames, correctVariantNames, decodeVariantOptions, namedAs, splitElectorName } from "../src/elector/variants.ts";
import { HuntPool } from "./hunt-pool.ts";
import { searchOnPool } from "./hunt.ts";
import { defaultDeterminismRuns, randomSearch, shrinkFailure, type RandomSearch, type SearchSettings } from "./random-search.ts";
import { applicability, claimOf, needsReplicaState, PROPERTY_NAMES, propertyTitle, type PropertyName } from "./properties.ts";

/** fast-check's seed for the suite: fixed, so CI is reproducible. */
const SEED = envInt("ELECTORATE_PROPERTY_SEED") ?? 20_240_601;

/**
 * Scenarios per elector, shared by its names (plain + variants), sized so the whole properties/
 * folder stays well inside npm test's 3 minutes on 2 cores (docs/properties.md, "Budget").
 * Measured cost per world on one core: naive-race ~10 ms, raft ~18 ms, kafka-controller ~35 ms
 * (quiet period 51 s), zab ~350 ms (quiet period 194 s at ZooKeeper's defaults).
 */
const RUNS_PER_ELECTOR: Readonly<Record<string, number>> = {
  "naive-race": 300,
  raft: 300,
  zab: 60, // ~0.35 s of CPU a world at ZooKeeper's defaults: a 194 s quiet period
  "kafka-controller": 180,
};
const DEFAULT_RUNS_PER_ELECTOR = 100;
/** The first test of a variant runs its whole exploration: generous, for a loaded 2-core machine. */
const EXPLORE_TIMEOUT_MS = 600_000;
/** No variant gets fewer: an unclaimed property needs some runs to be found. */
const MIN_RUNS = 30;

/**
 * Unclaimed properties known NOT to be found within the budget, with the reason. The test asserts
 * they stay unfound; finding one means this entry is out of date (delete it: it is then asserted found).
 */
const NAIVE_DIVERGENCE =
  "a follower truncates to the leader it follows, so after the recovery phase every live replica's committed prefix is a prefix of the one leader's; " +
  "the zombie leader's loss is judged from the final state as lost writes, not as divergence";
const UNFOUND: Readonly<Record<string, Partial<Record<PropertyName, string>>>> = {
  "naive-race": { "no-divergence": NAIVE_DIVERGENCE },
  "naive-race:keep-leading": { "no-divergence": NAIVE_DIVERGENCE },
  "naive-race:step-down": { "no-divergence": NAIVE_DIVERGENCE },
  "naive-race:fenced": { "no-divergence": NAIVE_DIVERGENCE },
  "kafka-controller:all-minisr1": {
    "no-lost-acknowledged-writes":
      "the loss needs the ISR shrunk to the leader, i.e. a follower out for replica.lag.time.max.ms (30 s) — longer than the generated fault window (2-22 s) — " +
      "and then that leader lost; with unclean election off (the default) the partition then waits offline for it rather than losing data",
  },
};

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${v}`);
  return n;
}

interface Subject {
  readonly name: string;
  readonly def: ElectorDefinition;
  readonly options: unknown;
  readonly runs: number;
}

function subjectsOf(def: ElectorDefinition): Subject[] {
  // Bug-zoo variants (ElectorVariant.bug) are left out: they break claims on purpose and are scored by npm run bench:zoo.
  const names = correctVariantNames(def);
  const share = Math.max(MIN_RUNS, Math.floor((RUNS_PER_ELECTOR[def.name] ?? DEFAULT_RUNS_PER_ELECTOR) / names.length));
  return names.map((name) => ({
    name,
    def: namedAs(def, name),
    options: decodeVariantOptions(def, splitElectorName(name).variant),
    runs: envInt("ELECTORATE_PROPERTY_RUNS") ?? share,
  }));
}

const SUBJECTS = electors.flatMap(subjectsOf);

const WORKERS = envInt("ELECTORATE_PROPERTY_WORKERS") ?? 1;
const pool = WORKERS > 1 ? new HuntPool(WORKERS) : undefined;
afterAll(() => pool?.close());

/** Every property on the same runs, claimed or not; on the pool, every variant's search is queued at once. */
const searches = new Map<string, () => Promise<RandomSearch>>();
for (const s of SUBJECTS) {
  const settings: SearchSettings = { runs: s.runs, seed: SEED, properties: PROPERTY_NAMES };
  let started: Promise<RandomSearch> | undefined;
  searches.set(s.name, () => (started ??= pool !== undefined ? searchOnPool(pool, { algorithm: s.name }, { def: s.def, options: s.options }, settings) : Promise.resolve(randomSearch(s.def, s.options, settings))));
}
if (pool !== undefined) for (const start of searches.values()) void start().catch(() => {}); // failures surface in the tests

test("the registry holds electors to check", () => {
  expect(electors.length).toBeGreaterThan(0);
});

const BUG_VARIANTS = electors.flatMap(bugVariantNames);
test(`bug-zoo variants are not in this suite; npm run bench:zoo scores them: ${BUG_VARIANTS.join(", ") || "none"}`, () => {
  for (const name of BUG_VARIANTS) expect(SUBJECTS.map((s) => s.name)).not.toContain(name);
});

describe.each(SUBJECTS.map((s) => [s.name, s] as const))("%s", (_name, subject) => {
  const { def, options, runs } = subject;
  const explored = searches.get(subject.name)!;
  const claims = def.claims(options);

  for (const property of PROPERTY_NAMES) {
    const claimed = applicability(property, def, options).applies;
    const n = property === "determinism" ? `${defaultDeterminismRuns(runs)} runs, each twice` : `${runs} runs`;
    const unfound = claimed ? undefined : UNFOUND[subject.name]?.[property];
    const title = claimed
      ? `${property}: ${propertyTitle(property)} (${n})`
      : unfound !== undefined
        ? `${property} is not claimed (${claimOf(property)}: ${String(claims[claimOf(property)!])}) and NOT FOUND within ${n}: ${unfound}`
        : `${property} is not claimed (${claimOf(property)}: false): the hunt finds a violation within ${n}`;
    test(title, async (ctx) => {
      const ex = await explored();
      if (needsReplicaState(property) && ex.measuredRuns === 0) {
        ctx.skip(`not measured: ${subject.name} declared no replica state (Observer.append/commit) in ${ex.judgedRuns} runs`);
        return;
      }
      const failure = ex.firstFailure[property];
      if (claimed) {
        if (failure === undefined) return;
        const v = shrinkFailure(ex, property);
        expect.fail(`\n${v.report}\n`);
      } else if (unfound !== undefined) {
        expect(failure, `now found at run ${(failure?.index ?? 0) + 1}: remove the UNFOUND entry`).toBeUndefined();
      } else {
        expect(failure, `${subject.name} does not claim ${claimOf(property)}, but ${runs} runs from seed ${SEED} found no violation`).toBeDefined();
      }
    }, EXPLORE_TIMEOUT_MS);
  }
});
