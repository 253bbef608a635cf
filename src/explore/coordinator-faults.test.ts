/**
 * The explorer's coordinator faults (expire, longPause) and housekeeping classes, on the unchanged
 * kafka-controller code: the KAFKA-6082 zombie walked by hand along the path the bug zoo's
 * exploration finds (benchmarks/zoo.bench.ts), judged by the explorer's own verdict.
 */
import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { decodeVariantOptions, namedAs, resolveElectorName } from "../elector/variants.ts";
import { HostStatus } from "../sim/kernel.ts";
import { eventClass, ExploreWorld, matchesClass, type ChoiceSettings, type WorldSetup } from "./explore-world.ts";
import type { PropertyName } from "../../properties/properties.ts";
import { CORE_LIVENESS, judgedProperties, settleAndJudge } from "./verdict.ts";

const HOUSEKEEPING = ["zk.server.*", "zk.client.*", "deliver zk.ping", "deliver zk.pingReply", "deliver kafka.Fetch", "deliver kafka.FetchResponse", "timer 3"];
const NEVER = Number.MAX_SAFE_INTEGER;

function world(name: string): { ew: ExploreWorld; quietMs: number; options: unknown } {
  const resolved = resolveElectorName(electors, name)!;
  const def = namedAs(resolved.definition, name);
  const options = decodeVariantOptions(resolved.definition, resolved.variant?.name, {});
  const setup: WorldSetup = { brokers: 3, partitions: 2, replicationFactor: 3, seed: 1, delayMs: 1, startMs: 100, producerFromMs: NEVER, stopMs: NEVER, writesPerSecond: 0 };
  const ew = new ExploreWorld(def, options, setup);
  ew.housekeeping = HOUSEKEEPING;
  ew.longPauseQuietMs = 1000;
  ew.longPauseMaxMs = def.quietPeriodMs(options);
  ew.warmUp();
  return { ew, quietMs: def.quietPeriodMs(options), options };
}

/**
 * Partition 1's leader (broker 1) has its session expired; the controller (broker 0) is paused
 * past its own session as soon as it has asked for the partitions' state; then judged.
 */
function zombie(name: string): { violations: Record<string, string>; pausedStillPaused: boolean; sessionGone: boolean; newController: number } {
  const { ew, quietMs } = world(name);
  const s: ChoiceSettings = { windowMs: 1, faultsLeft: 2, faultKinds: ["expire", "longPause"], clockJumpMs: 0 };
  let enabled = ew.runForced(1, 2);
  const broker = (h: number) => ew.world.hosts[h].instance as unknown as { controller?: { counters: { stateReads: number } } };
  expect(broker(0).controller).toBeDefined();
  expect(Array.from(ew.world.cluster.assignment)).toEqual([0, 1, 2, 1, 2, 0]);
  expect(ew.choices(s, enabled)).toContainEqual({ k: "expire", host: 1 });
  ew.apply({ k: "expire", host: 1 });
  enabled = ew.runForced(1, 1);
  const reads = broker(0).controller!.counters.stateReads;
  for (let i = 0; i < 50 && broker(0).controller!.counters.stateReads === reads; i++) {
    ew.apply({ k: "event", id: enabled[0].id });
    enabled = ew.runForced(1, 1);
  }
  expect(broker(0).controller!.counters.stateReads).toBeGreaterThan(reads);
  ew.apply({ k: "longPause", host: 0 });
  const pausedStillPaused = ew.world.kernel.hostStatus(0) === HostStatus.Paused;
  const sessionGone = !ew.hasSession(0);
  const newController = [1, 2].find((h) => broker(h)?.controller !== undefined) ?? -1;
  const properties = judgedProperties(ew.definition, ew.options).filter((p): p is PropertyName => p !== CORE_LIVENESS);
  const v = settleAndJudge(ew, name, properties, quietMs, 1000);
  return { violations: v.violations as Record<string, string>, pausedStillPaused, sessionGone, newController };
}

describe("explorer: coordinator faults and housekeeping", () => {
  it("names event classes and matches patterns", () => {
    const e = { id: 0, kind: "deliver", host: 0, from: 1, time: 0, a: 1, b: 0, message: { type: "kafka.Fetch" }, stream: true };
    expect(eventClass(e)).toBe("deliver kafka.Fetch");
    expect(eventClass({ ...e, kind: "timer", a: 3, message: undefined })).toBe("timer 3");
    expect(eventClass({ ...e, kind: "zk.server.service", message: undefined })).toBe("zk.server.service");
    expect(matchesClass("zk.server.service", ["zk.server.*"])).toBe(true);
    expect(matchesClass("deliver kafka.FetchResponse", ["deliver kafka.Fetch"])).toBe(false);
  });

  it("offers expire and longPause only when named, and only to coordinator-backed electors", () => {
    const { ew } = world("kafka-controller");
    const enabled = ew.runForced(1, 2);
    const all = ew.choices({ windowMs: 1, faultsLeft: 2, faultKinds: ["crash", "pause"], clockJumpMs: 0 }, enabled);
    expect(all.some((c) => c.k === "expire" || c.k === "longPause")).toBe(false);
    const named = ew.choices({ windowMs: 1, faultsLeft: 2, faultKinds: ["expire", "longPause"], clockJumpMs: 0 }, enabled);
    expect(named.filter((c) => c.k === "expire").length).toBe(3);
    expect(named.filter((c) => c.k === "longPause").length).toBe(3);
    // Housekeeping is never a choice while something else can run.
    for (const e of enabled) if (enabled.length > 1) expect(ew.isHousekeeping(e)).toBe(false);
  });

  it("KAFKA-6082: the zombie's write breaks liveness before 2.1; with the epoch check nothing is violated", () => {
    const bug = zombie("kafka-controller:pre-2.1");
    expect(bug.pausedStillPaused).toBe(true);
    expect(bug.sessionGone).toBe(true);
    expect(bug.newController).toBeGreaterThan(0);
    expect(bug.violations.liveness).toMatch(/1 live replica\(s\) disagreeing/);
    const fixed = zombie("kafka-controller");
    expect(fixed.pausedStillPaused).toBe(true);
    expect(fixed.newController).toBeGreaterThan(0);
    expect(fixed.violations).toEqual({});
  });
});
