/**
 * The expected finding: the naive ZooKeeper race with its default options (keeps leading while
 * Disconnected, no fencing) acknowledges writes after a newer leader was elected. The suite
 * asserts that fast-check finds it within a stated number of runs from a fixed seed and shrinks it
 * to a small schedule, prints the timeline and the replay command, and that the saved
 * counterexample replays.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { findElector } from "../algorithms/index.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import { replayCounterexample } from "./counterexample.ts";
import { runPropertyHunt } from "./hunt.ts";
import { explore, scenariosFor, shrinkFailure } from "./explore.ts";
import { defaultOptions, planRun } from "./plan.ts";
import { applicability, evaluate } from "./properties.ts";

/** fast-check's seed for this test (fixed: the numbers below are about this seed). */
const SEED = 42;
/** Stated bound: the violation is found within this many generated scenarios (it is at run 2). */
const WITHIN_RUNS = 100;
/** Stated bound: the shrunk schedule has at most this many faults, the recovery phase excluded. */
const MAX_SHRUNK_FAULTS = 3;

const naive = findElector("naive-race");

test.runIf(naive !== undefined)(
  `naive-race (default options) acknowledges stale writes: found within ${WITHIN_RUNS} runs, shrunk to <= ${MAX_SHRUNK_FAULTS} faults`,
  () => {
    const def = naive!;
    const options = defaultOptions(def);
    expect(applicability("no-stale-acknowledgements", def, options).applies, "the naive race does not claim it").toBe(false);

    const ex = explore(def, options, { runs: WITHIN_RUNS, seed: SEED, properties: ["no-stale-acknowledgements"] });
    const first = ex.firstFailure["no-stale-acknowledgements"];
    expect(first, `no stale acknowledgement in ${WITHIN_RUNS} runs from seed ${SEED}`).toBeDefined();

    const v = shrinkFailure(ex, "no-stale-acknowledgements");
    console.log(`Expected finding (found at run ${v.foundAtRun} of ${WITHIN_RUNS}):\n${v.report}`);
    expect(v.faults.length).toBeGreaterThanOrEqual(1);
    expect(v.faults.length).toBeLessThanOrEqual(MAX_SHRUNK_FAULTS);
    expect(v.timelineText).toContain("STALE");
    expect(v.report).toContain("npx electorate replay .tmp/counterexamples/");

    // The saved file replays to the same run, still violating.
    const replay = replayCounterexample(v.counterexamplePath!);
    expect(replay.violates).toBe(true);
    expect(replay.sameTrace).toBe(true);

    // fast-check's { seed, path } replays the shrunk case too.
    const holds = (sc: Parameters<typeof planRun>[2]): boolean =>
      evaluate(planRun(def, options, sc), ["no-stale-acknowledgements"]).violations["no-stale-acknowledgements"] === undefined;
    const again = fc.check(fc.property(scenariosFor(options), holds), { seed: v.fastCheck.seed, path: v.fastCheck.path, endOnFailure: true });
    expect(again.failed).toBe(true);
    expect(again.counterexample?.[0]).toEqual(v.scenario);
  },
);

test.runIf(naive !== undefined)("the hunt API: same arguments, same report; forced properties are checked; counterexamples saved", () => {
  const args = { algorithm: "naive-race", runs: 10, seed: SEED, properties: ["no-stale-acknowledgements"] as const, maxShrinkRuns: 300 };
  const a = runPropertyHunt(args);
  const b = runPropertyHunt(args);
  expect(a.report).toBe(b.report);
  expect(a.ok).toBe(false);
  expect(a.violations).toHaveLength(1);
  const v = a.violations[0];
  expect(v.property).toBe("no-stale-acknowledgements");
  expect(v.foundAtRun).toBe(2);
  expect(v.replayCommand).toBe(`npx electorate replay ${v.counterexamplePath}`);
  expect(a.properties.find((p) => p.name === "liveness")).toMatchObject({ checked: false, holds: true, runs: 0 });
  expect(() => runPropertyHunt({ algorithm: "no-such-elector" })).toThrow(/unknown algorithm/);
});

test.runIf(naive !== undefined)("an exception is a violation too: shrunk like any other, reported with its stack", () => {
  const inner = naive!;
  // The naive race, except that a host throws when it boots again after a crash.
  const brittle: ElectorDefinition = {
    ...inner,
    name: "brittle-naive-race",
    create: (ctx, o) => {
      const i = inner.create(ctx, o);
      return {
        start: () => {
          if (ctx.now() > 0) throw new Error(`host ${ctx.host} cannot boot twice`);
          i.start();
        },
        onMessage: (from, m) => i.onMessage(from, m),
        onTimer: (tag) => i.onTimer(tag),
        onZk: (e) => i.onZk(e),
        onWrite: (p, w) => i.onWrite(p, w),
      };
    },
  };
  const options = defaultOptions(brittle);
  const ex = explore(brittle, options, { runs: 50, seed: SEED, properties: ["liveness"] });
  expect(ex.firstFailure["no-exceptions"]).toBeDefined();
  const v = shrinkFailure(ex, "no-exceptions", { save: false });
  expect(v.faults).toEqual([{ at: 2_000, type: "crash", host: 0 }]);
  expect(v.message).toMatch(/^Error: host 0 cannot boot twice at simulated 22\.100 s/);
  expect(v.report).toContain("Exception:");
  expect(v.report).toContain("restart host 0  (recovery)");
  expect(v.report).toContain("(the timeline up to the exception, at 22.100 s)");
});
