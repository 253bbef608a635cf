import { describe, expect, test } from "vitest";
import { AssignmentError, assignReplicasToBrokers } from "./assignment.ts";
import { ClusterModel } from "./cluster-model.ts";
import { RandomStream } from "../sim/random.ts";

describe("Kafka rack-unaware assignment (AdminUtils.assignReplicasToBrokers)", () => {
  test("reproduces Kafka's own test vector: brokers 0-4, 10 partitions, RF 3, start 0, shift 0", () => {
    const a = assignReplicasToBrokers(5, 10, 3, 0, 0);
    const lists = Array.from({ length: 10 }, (_, p) => Array.from(a.subarray(p * 3, p * 3 + 3)));
    expect(lists).toEqual([
      [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
      [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2],
    ]);
  });

  test("refuses replication factor 0 and above the broker count with a clear error", () => {
    expect(() => assignReplicasToBrokers(3, 4, 0, 0, 0)).toThrow(AssignmentError);
    expect(() => assignReplicasToBrokers(3, 4, 4, 0, 0)).toThrow(/replication factor 4 larger than available brokers 3/);
  });

  test("the preferred replica is the first in the list and per-broker indexes agree with the lists", () => {
    const c = new ClusterModel({ brokers: 5, partitions: 10, replicationFactor: 3, startIndex: 0, nextReplicaShift: 0 }, new RandomStream(1, "cluster"));
    expect(c.preferredLeader(3)).toBe(3);
    expect(Array.from(c.partitionsOf(0))).toEqual([0, 3, 4, 5, 7, 8]);
    for (let h = 0; h < 5; h++) for (const p of c.partitionsOf(h)) expect(c.replicaIndex(p, h)).toBeGreaterThanOrEqual(0);
  });

  test("no replica list repeats a broker, whatever the seeded start and shift", () => {
    for (let seed = 0; seed < 20; seed++) {
      const c = new ClusterModel({ brokers: 7, partitions: 50, replicationFactor: 4 }, new RandomStream(seed, "cluster"));
      for (let p = 0; p < 50; p++) {
        const set = new Set([0, 1, 2, 3].map((j) => c.replica(p, j)));
        expect(set.size).toBe(4);
      }
    }
  });
});
