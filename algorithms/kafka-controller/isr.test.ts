/**
 * The ISR kept by the leader (Partition.maybeShrinkIsr / maybeExpandIsr): a follower cut off from
 * its leader leaves the ISR after replica.lag.time.max.ms, by the leader's own conditional write of
 * the state znode; with acks=all and min.insync.replicas=2 the partition then refuses writes
 * (NOT_ENOUGH_REPLICAS); once the follower fetches again it catches up and rejoins the ISR.
 */
import { describe, expect, it } from "vitest";
import { Obs } from "../../src/record/observation-log.ts";
import type { PartitionStateData } from "./zk-paths.ts";
import { statePath } from "./zk-paths.ts";
import { countObs, currentController, leadersNow } from "../../src/testing/world-bench.ts";
import { broker, kafkaWorld } from "./test-util.ts";

describe("kafka-controller: the leader's ISR", () => {
  it("shrinks after replica.lag.time.max.ms without fetches, refuses acks=all writes below min.insync.replicas, expands after the heal", () => {
    const lag = 10_000; // replica.lag.time.max.ms before Kafka 2.5
    const cluster = { brokers: 2, partitions: 4, replicationFactor: 2, startIndex: 0, nextReplicaShift: 0 };
    const CUT = 5_000;
    const HEAL = 25_000;
    const w = kafkaWorld({
      seed: 2,
      durationMs: 40_000,
      cluster,
      options: { acks: "all", minInsyncReplicas: 2, replicaLagTimeMaxMs: lag },
      workload: { partitions: 4, writesPerSecond: 20, startMs: 2_000 },
      faults: [
        { at: CUT, type: "cut", from: 0, to: 1, bothWays: true },
        { at: HEAL, type: "heal" },
      ],
    });
    const isrOf = (p: number): readonly number[] => (w.coordinator.tree.get(statePath(w.cluster, p))?.data as PartitionStateData).isr;
    // Partition 0: preferred leader broker 0, follower broker 1.
    w.kernel.runUntil(CUT);
    expect(isrOf(0)).toEqual([0, 1]);
    const acked = countObs(w, Obs.Ack, 0, CUT);
    expect(acked).toBeGreaterThan(0);
    expect(countObs(w, Obs.Reject, 0, CUT)).toBe(0);

    // The isr-expiration task runs every lag/2: the shrink lands between lag and 1.5 lag after the cut.
    w.kernel.runUntil(CUT + lag - 1);
    expect(isrOf(0)).toEqual([0, 1]);
    w.kernel.runUntil(CUT + 1.5 * lag + 100);
    expect(isrOf(0)).toEqual([0]);
    expect(broker(w, 0)?.rm.isrShrinks).toBeGreaterThan(0);
    // Below min.insync.replicas: writes to the leader are refused, none acknowledged.
    const shrunkAt = CUT + 1.5 * lag + 100;
    w.kernel.runUntil(HEAL);
    expect(countObs(w, Obs.Reject, shrunkAt, HEAL, 0)).toBeGreaterThan(0);
    expect(countObs(w, Obs.Ack, shrunkAt, HEAL, 0)).toBe(0);

    // After the heal the follower's fetch is re-sent (replica.socket.timeout.ms at the latest),
    // it catches up and the leader adds it back.
    w.kernel.runUntil(40_000);
    expect(isrOf(0)).toEqual([0, 1]);
    expect(broker(w, 0)?.rm.isrExpands).toBeGreaterThan(0);
    expect(countObs(w, Obs.Ack, HEAL + 5_000, 40_000, 0)).toBeGreaterThan(0);
  });
});

describe("kafka-controller: a leader's ISR write that hits a zkVersion conflict (isrConflict)", () => {
  // The controller is cut from partition 2's leader, then the third broker crashes: the controller
  // removes it from the ISR in ZooKeeper (zkVersion + 1), but its LeaderAndIsr cannot reach the
  // leader, whose own ISR shrink 30 s later is written with the old zkVersion: BadVersion.
  const cluster = { brokers: 3, partitions: 3, replicationFactor: 3, startIndex: 0, nextReplicaShift: 0 };
  const CONTROLLER = 1; // seed 1
  const LEADER = 2; // preferred leader of partition 2
  function run(isrConflict?: "keep-leading" | "step-down"): { conflicts: number; stepDowns: number; leader: number } {
    const w = kafkaWorld({
      seed: 1,
      durationMs: 60_000,
      cluster,
      options: isrConflict === undefined ? {} : { isrConflict },
      faults: [
        { at: 5_000, type: "cut", from: CONTROLLER, to: LEADER, bothWays: true },
        { at: 6_000, type: "crash", host: 0 },
      ],
    });
    w.kernel.runUntil(4_000);
    expect(currentController(w)).toBe(CONTROLLER);
    w.kernel.runUntil(60_000);
    return {
      conflicts: broker(w, LEADER)?.rm.isrConflicts ?? -1,
      stepDowns: countObs(w, Obs.StepDown, 0, Infinity, LEADER),
      leader: leadersNow(w)[2],
    };
  }

  it("Kafka 2.x (the default, keep-leading): skips the update and goes on leading with its old ISR", () => {
    expect(run()).toEqual({ conflicts: 1, stepDowns: 0, leader: LEADER });
  });

  it("the lab's step-down (opt-in): stops leading; the partition has no leader until the controller says otherwise", () => {
    expect(run("step-down")).toEqual({ conflicts: 1, stepDowns: 1, leader: -1 });
  });
});
