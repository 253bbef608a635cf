/**
 * The arbitraries themselves: every generated scenario is valid for the lab, and fast-check's
 * built-in shrinking takes a failing scenario to a smaller one — fewer faults, earlier and shorter,
 * fewer hosts and partitions.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { faultHosts, type Fault, type HostRef } from "../src/sim/faults.ts";
import {
  clusterSpec,
  DEFAULT_WEIGHTS,
  fitSchedule,
  hostsDownAfter,
  KAFKA_SESSION_TIMEOUT_MS,
  rawFaultSchedule,
  recoveryPhase,
  scenario,
  scheduleEnd,
  WIDEST_CLUSTER,
  type EpisodeKind,
  type PropertyScenario,
} from "./arbitraries/index.ts";

const SEED = 20_240_601;


function assertValid(s: PropertyScenario): void {
  const { brokers, partitions, replicationFactor } = s.cluster;
  expect(brokers).toBeGreaterThanOrEqual(3);
  expect(partitions).toBeGreaterThanOrEqual(1);
  expect(replicationFactor).toBeGreaterThanOrEqual(1);
  expect(replicationFactor).toBeLessThanOrEqual(brokers);
  let last = -Infinity;
  for (const f of s.faults) {
    expect(Number.isInteger(f.at) && f.at >= 0).toBe(true);
    expect(f.at).toBeGreaterThanOrEqual(last);
    last = f.at;
    for (const h of faultHosts(f)) {
      if (h !== "zk") expect(Number.isInteger(h) && h >= 0 && h < brokers, `host ${h} of ${brokers}`).toBe(true);
    }
    if (f.type === "pause" || f.type === "shutdown") expect(f.host).not.toBe("zk");
    if (f.type === "pause" || f.type === "clog") expect(f.for).toBeGreaterThan(0);
    if (f.type === "cut" || f.type === "clog") expect(f.from).not.toBe(f.to);
    if (f.type === "partition") {
      const named = f.groups.flat();
      expect(new Set(named).size).toBe(named.length);
      for (const g of f.groups) expect(g.length).toBeGreaterThan(0);
    }
    if (f.type === "clockJump") expect(f.byMs !== 0 && Math.abs(f.byMs) <= 2_000).toBe(true);
    if (f.type === "clockDrift") expect(Number.isInteger(f.ppm) && Math.abs(f.ppm) <= 500 && f.forMs > 0).toBe(true);
    if (f.type === "slowDisk") expect(f.factor >= 2 && f.forMs > 0).toBe(true);
    if (f.type === "clockJump" || f.type === "clockDrift" || f.type === "slowDisk") expect(f.host).not.toBe("zk");
    if (f.type === "link") {
      if (f.loss !== undefined) expect(f.loss >= 0 && f.loss <= 1).toBe(true);
      if (f.duplicate !== undefined) expect(f.duplicate >= 0 && f.duplicate <= 1).toBe(true);
    }
  }
  const recovery = recoveryPhase(s.faults, s.network, s.recoveryAtMs);
  expect(recovery.at).toBeGreaterThan(scheduleEnd(s.faults));
  expect(recovery.at).toBeGreaterThanOrEqual(s.recoveryAtMs);
  expect(recovery.faults[0]).toEqual({ at: recovery.at, type: "heal" });
  expect(hostsDownAfter([...s.faults, ...recovery.faults])).toEqual([]);
}

describe("arbitraries: validity", () => {
  test("default scenarios: hosts in range, times ordered, RF <= brokers, the recovery phase restores everything", () => {
    fc.assert(fc.property(scenario(), (s) => assertValid(s)), { seed: SEED, numRuns: 500 });
  });

  test("the widest clusters (3-7 brokers, 1-30 partitions, RF 1-5) are valid too", () => {
    fc.assert(
      fc.property(scenario({ cluster: WIDEST_CLUSTER, faults: { maxEpisodes: 8 } }), (s) => {
        assertValid(s);
        expect(s.cluster.brokers).toBeLessThanOrEqual(7);
        expect(s.cluster.partitions).toBeLessThanOrEqual(30);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  test("every kind of fault the suite promises is generated", () => {
    const seen = new Set<string>();
    for (const s of fc.sample(scenario(), { seed: SEED, numRuns: 400 })) {
      for (const f of s.faults) {
        seen.add(f.type);
        if (f.type === "pause" && f.for > KAFKA_SESSION_TIMEOUT_MS) seen.add("long pause");
        if (f.type === "cut" && f.to === "zk" && f.bothWays === true) seen.add("host cut off from zk");
        if (f.type === "cut" && f.bothWays !== true) seen.add("one-way cut");
        if (f.type === "isolate" && f.host === "zk") seen.add("zk unreachable");
        if (f.type === "crash" && f.host === "zk") seen.add("zk crash");
        if (f.type === "link" && f.loss !== undefined) seen.add("loss");
        if (f.type === "link" && f.duplicate !== undefined) seen.add("duplication");
        if (f.type === "partition" && f.groups.flat().includes("zk")) seen.add("partition with zk");
        if (f.type === "clockJump" && f.byMs < 0) seen.add("backward clock jump");
        if (f.type === "clockDrift" && f.ppm < 0) seen.add("slow clock");
      }
    }
    for (const kind of [
      "crash", "restart", "pause", "long pause", "partition", "partition with zk", "isolate", "one-way cut",
      "host cut off from zk", "zk unreachable", "zk crash", "heal", "loss", "duplication", "link", "clog", "shutdown",
      "clockJump", "backward clock jump", "clockDrift", "slow clock", "slowDisk",
    ]) {
      expect(seen, kind).toContain(kind);
    }
    const sessions = new Set<string>();
    for (const s of fc.sample(scenario({ faults: { maxSessionEpisodes: 2 } }), { seed: SEED, numRuns: 100 })) for (const f of s.faults) sessions.add(f.type);
    expect(sessions).toContain("expireSession");
    expect(sessions).toContain("closeSession");
  });

  test("a session timeout option moves long pauses around it", () => {
    for (const s of fc.sample(scenario({ faults: { sessionTimeoutMs: 6_000, weights: onlyPauses() } }), { seed: SEED, numRuns: 200 })) {
      for (const f of s.faults) if (f.type === "pause") expect(f.for).toBeLessThanOrEqual(16_000);
    }
  });

  test("fitSchedule maps raw ids into the cluster and drops self-cuts and duplicate group members", () => {
    const raw: Fault[] = [
      { at: 1, type: "crash", host: 4 },
      { at: 2, type: "cut", from: 0, to: 3 },
      { at: 3, type: "partition", groups: [[1, 4, "zk"], [1, 2]] },
      { at: 4, type: "link", from: 3, loss: 0.1 },
    ];
    expect(fitSchedule(raw, 3)).toEqual([
      { at: 1, type: "crash", host: 1 },
      { at: 3, type: "partition", groups: [[1, "zk"], [2]] },
      { at: 4, type: "link", from: 0, loss: 0.1 },
    ]);
  });

  test("the recovery phase restarts what is down, heals, and resets links only when they changed", () => {
    const faults: Fault[] = [
      { at: 1000, type: "crash", host: 0 },
      { at: 1500, type: "shutdown", host: 2 },
      { at: 2000, type: "crash", host: 1 },
      { at: 2500, type: "restart", host: 1 },
      { at: 3000, type: "pause", host: 2, for: 20_000 },
      { at: 4000, type: "link", loss: 0.3 },
      { at: 4500, type: "crash", host: "zk" },
    ];
    const r = recoveryPhase(faults, { loss: 0.001 });
    expect(r.at).toBe(23_100);
    expect(r.faults).toEqual([
      { at: 23_100, type: "heal" },
      { at: 23_100, type: "link", loss: 0.001, duplicate: 0, delay: { kind: "uniform", min: 0.2, max: 0.6 } },
      { at: 23_100, type: "restart", host: "zk" },
      { at: 23_100, type: "restart", host: 0 },
      { at: 23_100, type: "crash", host: 2 },
      { at: 23_100, type: "restart", host: 2 },
    ]);
    // A controlled shutdown is not an instant: a broker asked for one is crashed and restarted, even
    // after a restart the schedule gave it (that restart may have come while it was still shutting down).
    expect(recoveryPhase([{ at: 2100, type: "shutdown", host: 2 }, { at: 2200, type: "restart", host: 2 }], undefined, 22_100).faults).toEqual([
      { at: 22_100, type: "heal" },
      { at: 22_100, type: "crash", host: 2 },
      { at: 22_100, type: "restart", host: 2 },
    ]);
    // ... unless it crashed after the request: then it is down, and restarted.
    expect(recoveryPhase([{ at: 2100, type: "shutdown", host: 1 }, { at: 3000, type: "crash", host: 1 }], undefined, 22_100).faults).toEqual([
      { at: 22_100, type: "heal" },
      { at: 22_100, type: "restart", host: 1 },
    ]);
    expect(recoveryPhase([], undefined)).toEqual({ at: 100, faults: [{ at: 100, type: "heal" }] });
    expect(recoveryPhase([{ at: 2000, type: "cut", from: 0, to: "zk", bothWays: true }], undefined, 22_100).at).toBe(22_100);
    expect(recoveryPhase([{ at: 20_000, type: "pause", host: 1, for: 20_000 }], undefined, 22_100).at).toBe(40_100);
  });
});

function onlyPauses(): Record<EpisodeKind, number> {
  const none = Object.fromEntries(Object.keys(DEFAULT_WEIGHTS).map((k) => [k, 0])) as Record<EpisodeKind, number>;
  return { ...none, pause: 1 };
}

/** Runs a failing predicate with fast-check and returns the shrunk counterexample. */
function shrunk<T>(arb: fc.Arbitrary<T>, fails: (v: T) => boolean): T {
  const details = fc.check(fc.property(arb, (v) => !fails(v)), { seed: SEED, numRuns: 2_000 });
  expect(details.failed).toBe(true);
  return details.counterexample![0];
}

describe("arbitraries: shrinking", () => {
  test("a cluster shrinks toward 3 brokers, 1 partition, RF 1", () => {
    expect(shrunk(clusterSpec(), () => true)).toEqual({ brokers: 3, partitions: 1, replicationFactor: 1 });
    expect(shrunk(clusterSpec(), (c) => c.brokers >= 4 && c.partitions >= 7 && c.replicationFactor >= 2)).toEqual({
      brokers: 4,
      partitions: 7,
      replicationFactor: 2,
    });
  });

  test("a schedule that fails because of any crash shrinks to one crash of broker 0 at the window's start, no restart", () => {
    const s = shrunk(scenario(), (sc) => sc.faults.some((f) => f.type === "crash"));
    expect(s.faults).toEqual([{ at: 2_000, type: "crash", host: 0 }]);
    expect(s.cluster).toEqual({ brokers: 3, partitions: 1, replicationFactor: 1 });
    expect(s.network).toBeUndefined();
    expect(s.recoveryAtMs).toBe(22_100);
  });

  test("a zk cut that must last 25 s before recovery shrinks to that one cut, recovery just late enough", () => {
    const lastsUntilRecovery = (sc: PropertyScenario): boolean => {
      const recoveryAt = recoveryPhase(sc.faults, sc.network, sc.recoveryAtMs).at;
      return sc.faults.some((f) => f.type === "cut" && f.to === "zk" && recoveryAt - f.at >= 25_000);
    };
    const s = shrunk(scenario(), lastsUntilRecovery);
    expect(s.faults).toEqual([{ at: 2_000, type: "cut", from: 0, to: "zk", bothWays: true }]);
    expect(s.recoveryAtMs).toBe(27_000);
  });

  test("a long pause shrinks to exactly the shortest failing duration, other faults dropped", () => {
    const s = shrunk(
      scenario(),
      (sc) => sc.faults.some((f) => f.type === "pause" && f.for >= KAFKA_SESSION_TIMEOUT_MS) && sc.faults.length >= 1,
    );
    expect(s.faults).toEqual([{ at: 2_000, type: "pause", host: 0, for: KAFKA_SESSION_TIMEOUT_MS }]);
  });

  test("a failure that needs two hosts and a late fault keeps just that: fewer faults, earliest time, fewest brokers", () => {
    const s = shrunk(scenario(), (sc) =>
      sc.faults.some((f) => f.type === "cut" && f.to === "zk" && f.from !== "zk" && f.from >= 1 && f.at >= 10_000),
    );
    expect(s.faults).toEqual([{ at: 10_000, type: "cut", from: 1, to: "zk", bothWays: true }]);
    expect(s.cluster.brokers).toBe(3);
  });

  test("partition groups shrink toward a single host", () => {
    const s = shrunk(scenario(), (sc) => sc.faults.some((f) => f.type === "partition" && f.groups.flat().includes("zk")));
    expect(s.faults).toHaveLength(1);
    expect(s.faults[0]).toMatchObject({ type: "partition", groups: [["zk"]] });
  });

  test("a clock fault shrinks to one small step of broker 0's clock at the window's start, nothing else", () => {
    const s = shrunk(scenario(), (sc) => sc.faults.some((f) => f.type === "clockJump" && f.byMs <= -500));
    expect(s.faults).toEqual([{ at: 2_000, type: "clockJump", host: 0, byMs: -500 }]);
    const d = shrunk(scenario(), (sc) => sc.faults.some((f) => f.type === "clockDrift" && f.ppm <= -300));
    expect(d.faults).toEqual([{ at: 2_000, type: "clockDrift", host: 0, ppm: -300, forMs: 100 }]);
  });

  test("turning clock and disk faults off leaves every other generated value as it was", () => {
    // Session faults are drawn after clock and disk faults: off in both, so only the latter differ.
    const off = { faults: { maxHostEpisodes: 0, maxSessionEpisodes: 0 } };
    const a = fc.sample(scenario({ faults: { maxSessionEpisodes: 0 } }), { seed: SEED, numRuns: 100 });
    const b = fc.sample(scenario(off), { seed: SEED, numRuns: 100 });
    const hostKinds = new Set(["clockJump", "clockDrift", "slowDisk"]);
    expect(a.map((s) => ({ ...s, faults: s.faults.filter((f) => !hostKinds.has(f.type)) }))).toEqual(b);
    expect(a.some((s) => s.faults.some((f) => hostKinds.has(f.type)))).toBe(true);
  });

  test("turning session faults off leaves every other generated value as it was", () => {
    const off = { faults: { maxSessionEpisodes: 0 } };
    const a = fc.sample(scenario({ faults: { maxSessionEpisodes: 2 } }), { seed: SEED, numRuns: 100 });
    const b = fc.sample(scenario(off), { seed: SEED, numRuns: 100 });
    const sessionKinds = new Set(["expireSession", "closeSession"]);
    expect(a.map((s) => ({ ...s, faults: s.faults.filter((f) => !sessionKinds.has(f.type)) }))).toEqual(b);
    expect(a.some((s) => s.faults.some((f) => sessionKinds.has(f.type)))).toBe(true);
  });

  test("a session fault shrinks to one expiry of broker 0's session at the window's start; a closed session is restarted at recovery", () => {
    const on = { faults: { maxSessionEpisodes: 2 } };
    const s = shrunk(scenario(on), (sc) => sc.faults.some((f) => f.type === "expireSession"));
    expect(s.faults).toEqual([{ at: 2_000, type: "expireSession", host: 0 }]);
    const c = shrunk(scenario(on), (sc) => sc.faults.some((f) => f.type === "closeSession" && f.host !== "zk" && f.host >= 1));
    expect(c.faults).toEqual([{ at: 2_000, type: "closeSession", host: 1 }]);
    expect(recoveryPhase(c.faults, c.network, c.recoveryAtMs).faults).toEqual([
      { at: 22_100, type: "heal" },
      { at: 22_100, type: "crash", host: 1 },
      { at: 22_100, type: "restart", host: 1 },
    ]);
    // A crash after the close already brings a restart; no second one.
    expect(recoveryPhase([{ at: 1000, type: "closeSession", host: 1 }, { at: 2000, type: "crash", host: 1 }], undefined).faults).toEqual([
      { at: 2_100, type: "heal" },
      { at: 2_100, type: "restart", host: 1 },
    ]);
  });

  test("raw schedules shrink by dropping whole episodes", () => {
    const s = shrunk(rawFaultSchedule(), (faults) => faults.filter((f) => f.type !== "heal").length >= 2);
    expect(s.filter((f) => f.type !== "heal")).toHaveLength(2);
    expect(s.length).toBeLessThanOrEqual(2);
  });
});
