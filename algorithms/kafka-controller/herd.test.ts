/**
 * Herd effect and coordinator load in the lab's world: the controller design's claims against the
 * naive per-partition race. A broker's failure reaches ZooKeeper's watchers once (the controller's
 * /brokers/ids child watch), costs one conditional state write per affected partition and one
 * LeaderAndIsr per live broker; the /controller race happens once per cluster.
 */
import { describe, expect, it } from "vitest";
import { Obs } from "../../src/record/observation-log.ts";
import type { World } from "../../src/world/world.ts";
import { countObs, currentController, hostsOf, leadersNow, messagesOfType as messages, zkWritesBy as zkWrites } from "../../src/testing/world-bench.ts";
import { broker, kafkaWorld, type KafkaWorldSpec } from "./test-util.ts";

const cluster = { brokers: 5, partitions: 200, replicationFactor: 3 };
const CRASH_AT = 10_000;
const END = 40_000;

function controllerOf(seed: number): number {
  const w = kafkaWorld({ seed, durationMs: 5_000, cluster });
  w.kernel.runUntil(5_000);
  return currentController(w);
}

interface Snapshot {
  readonly watches: number;
  readonly controllerZkWrites: number;
  readonly stateWrites: number;
  readonly leaderAndIsr: number;
  readonly updateMetadata: number;
  readonly losingCreates: number;
}

function snapshot(w: World, controller: number): Snapshot {
  return {
    watches: countObs(w, Obs.WatchFired, 0),
    controllerZkWrites: zkWrites(w, controller),
    stateWrites: broker(w, controller)?.controller?.counters.stateWrites ?? 0,
    leaderAndIsr: messages(w, "kafka.LeaderAndIsr"),
    updateMetadata: messages(w, "kafka.UpdateMetadata"),
    losingCreates: w.coordinator.stats().losingCreates,
  };
}

function runAround(spec: KafkaWorldSpec, controller: number): { w: World; before: Snapshot; after: Snapshot } {
  const w = kafkaWorld(spec);
  w.kernel.runUntil(CRASH_AT - 1);
  const before = snapshot(w, controller);
  w.kernel.runUntil(END);
  return { w, before, after: snapshot(w, controller) };
}

describe("kafka-controller: herd and coordinator load", () => {
  it("a non-controller broker's crash: one watch notification, one state write per affected partition, one LeaderAndIsr per live broker", () => {
    const seed = 3;
    const c = controllerOf(seed);
    expect(c).toBeGreaterThanOrEqual(0);
    const victim = (c + 1) % cluster.brokers;
    const { w, before, after } = runAround(
      { seed, durationMs: END, cluster, faults: [{ at: CRASH_AT, type: "crash", host: victim }], workload: { partitions: 20, startMs: 2_000 } },
      c,
    );
    const affected = w.cluster.partitionsOf(victim).length;
    expect(affected).toBe(120); // 200 x 3 replicas over 5 brokers

    // Exactly one notification: the controller's child watch on /brokers/ids (no per-partition watches).
    expect(after.watches - before.watches).toBe(1);
    expect(hostsOf(w, Obs.WatchFired, CRASH_AT)).toEqual([c]);
    // Nobody races for anything.
    expect(countObs(w, Obs.Campaign, CRASH_AT)).toBe(0);

    // One conditional write per affected partition: a multi [check /controller_epoch, setData state],
    // which ZooKeeper counts as 2 writes; nothing else written by the controller.
    expect(after.stateWrites - before.stateWrites).toBe(affected);
    expect(after.controllerZkWrites - before.controllerZkWrites).toBe(2 * affected);
    expect((after.controllerZkWrites - before.controllerZkWrites) / affected).toBeLessThanOrEqual(2);

    // Batched per broker: at most one LeaderAndIsr per live broker, one UpdateMetadata to each.
    const live = cluster.brokers - 1;
    expect(after.leaderAndIsr - before.leaderAndIsr).toBeLessThanOrEqual(live);
    expect(after.leaderAndIsr - before.leaderAndIsr).toBe(live);
    expect(after.updateMetadata - before.updateMetadata).toBe(live);

    // Every partition has a leader again, none of them the dead broker.
    const leaders = leadersNow(w);
    expect(Array.from(leaders).filter((l) => l < 0 || l === victim)).toEqual([]);
  });

  it("the controller's crash: B-1 notifications and B-1 create attempts for /controller, one winner", () => {
    const seed = 3;
    const c = controllerOf(seed);
    const { w, before, after } = runAround(
      { seed, durationMs: END, cluster, faults: [{ at: CRASH_AT, type: "crash", host: c }], workload: { partitions: 20, startMs: 2_000 } },
      c,
    );
    const B = cluster.brokers;
    const survivors = [0, 1, 2, 3, 4].filter((h) => h !== c);
    const events = (h: number, key: string): number => broker(w, h)?.watchEvents.get(key) ?? 0;
    // Each survivor learns of the deletion once: B-1 "deleted" notifications on /controller.
    expect(survivors.map((h) => events(h, "controller.deleted"))).toEqual(survivors.map(() => 1));
    // Every contender re-registered its exists watch before racing (maybeResign), so the winner's
    // create notifies the B-1 once more ("created"): 2(B-1) notifications in all, no /brokers/ids ones.
    expect(after.watches - before.watches).toBe(2 * (B - 1));
    expect(hostsOf(w, Obs.WatchFired, CRASH_AT).sort()).toEqual([...survivors, ...survivors].sort());
    expect(survivors.map((h) => events(h, "brokers.childrenChanged")).reduce((a, b) => a + b, 0)).toBe(0);
    expect(countObs(w, Obs.Campaign, CRASH_AT)).toBe(B - 1);
    expect(after.losingCreates - before.losingCreates).toBe(B - 2);
    expect(countObs(w, Obs.Controller, CRASH_AT)).toBe(1);
    const successor = currentController(w);
    expect(successor).not.toBe(c);
    // The new controller bumped the epoch once.
    const l = w.log;
    let epoch = -1;
    for (let i = 0; i < l.length; i++) if (l.kind[i] === Obs.Controller && l.time[i] >= CRASH_AT) epoch = l.a[i];
    expect(epoch).toBe(2);
    const leaders = leadersNow(w);
    expect(Array.from(leaders).filter((x) => x < 0 || x === c)).toEqual([]);
  });
});
