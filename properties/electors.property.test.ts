/**
 * The property suite: every elector in the registry against every property it is held to
 * (docs/properties.md). A new elector is covered by registering it; nothing to write here.
 *
 * Per elector, one exploration generates the scenarios (fixed fast-check seed) and checks every
 * property on the same runs; a failing property is then shrunk alone and reported as a timeline
 * with the command that replays it (see explore.ts).
 *
 * Environment: ELECTORATE_PROPERTY_RUNS=N (scenarios per elector, all electors),
 * ELECTORATE_PROPERTY_SEED=S (fast-check's seed).
 */
import { describe, expect, test } from "vitest";
import { electors } from "../algorithms/index.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import { defaultDeterminismRuns, explore, shrinkFailure, type Exploration } from "./explore.ts";
import { defaultOptions } from "./plan.ts";
import { applicability, type PropertyName } from "./properties.ts";

/** fast-check's seed for the suite: fixed, so CI is reproducible. */
const SEED = envInt("ELECTORATE_PROPERTY_SEED") ?? 20_240_601;

/**
 * Scenarios per elector, sized so the whole properties/ folder stays under ~60 s of `npm test` on
 * 2 cores with 4 electors (docs/performance.md, "Property runs").
 */
const RUNS: Readonly<Record<string, number>> = {
  "naive-race": 300, // ~10 ms a world (suite scenarios, one core)
  raft: 300, // ~18 ms a world
  zab: 40, // ~0.35 s of CPU a world: its quiet period is 194 s of simulated time at ZooKeeper's defaults (no answerLosingVotes)
  "kafka-controller": 120, // ~35 ms a world: its quiet period is 51 s
};
const DEFAULT_RUNS = 100;

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${v}`);
  return n;
}

function runsFor(def: ElectorDefinition): number {
  return envInt("ELECTORATE_PROPERTY_RUNS") ?? RUNS[def.name] ?? DEFAULT_RUNS;
}

const TESTS: readonly { readonly property: PropertyName; readonly title: (runs: number) => string }[] = [
  { property: "no-exceptions", title: (n) => `every run completes without an exception (${n} runs)` },
  { property: "no-same-epoch-leaders", title: (n) => `no two leaders of one partition share an epoch (${n} runs)` },
  { property: "no-stale-acknowledgements", title: (n) => `no stale acknowledgement (${n} runs)` },
  { property: "liveness", title: (n) => `after recovery and the quiet period: one leader per partition, all live replicas agree (${n} runs)` },
  { property: "determinism", title: (n) => `the same seed gives the same trace hash (${defaultDeterminismRuns(n)} runs, each twice)` },
];

test("the registry holds electors to check", () => {
  expect(electors.length).toBeGreaterThan(0);
});

describe.each(electors.map((def) => [def.name, def] as const))("%s", (_name, def) => {
  const options = defaultOptions(def);
  const runs = runsFor(def);
  let exploration: Exploration | undefined;
  const explored = (): Exploration => (exploration ??= explore(def, options, { runs, seed: SEED }));

  for (const t of TESTS) {
    // A property the elector does not claim (e.g. no stale acknowledgements for acks=1 designs)
    // is not held against it; `electorate check --property` can still hunt it on demand.
    if (!applicability(t.property, def, options).applies) continue;
    test(t.title(runs), () => {
      const ex = explored();
      if (ex.firstFailure[t.property] === undefined) return;
      const v = shrinkFailure(ex, t.property);
      expect.fail(`\n${v.report}\n`);
    });
  }
});
