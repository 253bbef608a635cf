/**
 * Hunts on worker threads give what one thread gives (issue 15 item 5): a search split in shares
 * folds to the same outcome whatever the order its records arrive in, and a whole hunt on a pool
 * of two threads prints the same report as in this thread.
 */
import { expect, test } from "vitest";
import { HuntPool, queueIndex } from "./hunt-pool.ts";
import { resolveTarget, type HuntTask } from "./hunt-tasks.ts";
import { runPropertyHunt } from "./hunt.ts";
import { PROPERTY_NAMES } from "./properties.ts";
import { newClaims, newFailedAt, randomSearch, RecordFold, searchOutcome, searchPlan, searchShare, type RunRecord, type SearchSettings } from "./random-search.ts";

const NAME = "naive-race:keep-leading";

test("a search split in 3 shares folds to the one-thread outcome, whatever order the records come in", () => {
  const { def, options } = resolveTarget({ algorithm: NAME });
  const settings: SearchSettings = { runs: 6, seed: 42, properties: PROPERTY_NAMES };
  const one = randomSearch(def, options, settings);
  const failedAt = newFailedAt();
  const records: RunRecord[] = [];
  // The last share first: it knows of no failure of the others, so it evaluates more than it must.
  for (const worker of [2, 0, 1]) searchShare(def, options, settings, { worker, workers: 3, failedAt }, (r) => records.push(r));
  expect(records.map((r) => r.index).sort((a, b) => a - b)).toEqual([...Array(6).keys()]);
  const { properties, determinismRuns } = searchPlan(def, options, settings);
  const fold = new RecordFold(properties, determinismRuns, undefined, settings.runs);
  for (const r of records) fold.add(r);
  const split = searchOutcome(def, options, settings, fold);
  expect({ ...split, def: undefined }).toEqual({ ...one, def: undefined });
  expect(one.firstFailure["no-lost-acknowledged-writes"]).toBeDefined(); // the comparison covers a failure
});

test("shares claiming runs from one counter evaluate each run once and fold to the one-thread outcome", () => {
  const { def, options } = resolveTarget({ algorithm: NAME });
  const settings: SearchSettings = { runs: 6, seed: 42, properties: PROPERTY_NAMES };
  const one = randomSearch(def, options, settings);
  const failedAt = newFailedAt();
  const claims = newClaims();
  const records: RunRecord[] = [];
  // In one thread the first share claims every run; the second then finds none left (on threads,
  // a share claims its next run when it finishes one: hunt.ts's searchOnPool).
  searchShare(def, options, settings, { worker: 1, workers: 2, failedAt, claims }, (r) => records.push(r));
  searchShare(def, options, settings, { worker: 0, workers: 2, failedAt, claims }, (r) => records.push(r));
  expect(records.map((r) => r.index)).toEqual([...Array(6).keys()]);
  const { properties, determinismRuns } = searchPlan(def, options, settings);
  const fold = new RecordFold(properties, determinismRuns, undefined, settings.runs);
  for (const r of records) fold.add(r);
  expect({ ...searchOutcome(def, options, settings, fold), def: undefined }).toEqual({ ...one, def: undefined });
});

test("a hunt on 2 worker threads gives the same report as in this thread", async () => {
  const args = { algorithm: NAME, runs: 4, seed: 42, maxShrinkRuns: 20, save: false };
  const here = await runPropertyHunt(args);
  const pool = new HuntPool(2);
  try {
    const threaded = await runPropertyHunt({ ...args, pool });
    expect(threaded.report).toBe(here.report);
    expect(JSON.stringify(threaded)).toBe(JSON.stringify(here));
    expect(here.violations.length).toBeGreaterThan(0); // a shrink ran on a thread too
  } finally {
    await pool.close();
  }
}, 120_000);

test("the pool's queue: shrinks first, then every search's first share before any second share, the rest last", () => {
  const settings = { runs: 4, seed: 1, properties: PROPERTY_NAMES };
  const search = (algorithm: string, worker: number): HuntTask => ({ kind: "search", target: { algorithm }, settings, share: { worker, workers: 2, failedAt: newFailedAt(true), claims: newClaims() } });
  const shrink: HuntTask = { kind: "shrink", target: { algorithm: "raft" }, settings, property: "liveness", first: { index: 0, message: "" } };
  const queue: { task: HuntTask }[] = [];
  const add = (task: HuntTask): void => void queue.splice(queueIndex(queue, task), 0, { task });
  // Side by side hunts ask for their shares in turn, as runMatrix's hunts do.
  for (const a of ["raft", "zab", "kafka-controller"]) for (const w of [0, 1]) add(search(a, w));
  add(shrink);
  const label = (t: HuntTask): string => (t.kind === "search" ? `${t.target.algorithm}/${t.share.worker}` : t.kind);
  expect(queue.map((j) => label(j.task))).toEqual(["shrink", "raft/0", "zab/0", "kafka-controller/0", "raft/1", "zab/1", "kafka-controller/1"]);
});
