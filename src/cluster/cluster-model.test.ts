import { describe, expect, it } from "vitest";
import { RandomStream } from "../sim/random.ts";
import { ClusterModel } from "./cluster-model.ts";

/** Lookups whose answer differs from a scan of the host's list (localIndex searches one bucket of it). */
function mismatches(c: ClusterModel): string[] {
  const out: string[] = [];
  for (let h = -1; h <= c.brokers; h++) {
    const at = new Map<number, number>();
    if (h >= 0 && h < c.brokers) c.partitionsOf(h).forEach((p, i) => at.set(p, i));
    for (let p = -1; p <= c.partitions; p++) if (c.localIndex(h, p) !== (at.get(p) ?? -1)) out.push(`host ${h} partition ${p}`);
    if (c.localIndex(h, 1.5) !== -1) out.push(`host ${h} partition 1.5`);
  }
  return out;
}

describe("ClusterModel.localIndex", () => {
  it("finds every host's partitions (and nothing else) at their positions, whatever the shape", () => {
    for (const [brokers, partitions, rf] of [
      [3, 100, 3],
      [100, 3_000, 3],
      [7, 1_234, 2],
      [1, 5, 1],
      [50, 333, 5],
    ]) {
      const c = new ClusterModel({ brokers, partitions, replicationFactor: rf }, new RandomStream(7, "cluster"));
      expect(mismatches(c)).toEqual([]);
    }
  });

  it("handles hand-made lists where one host holds most partitions", () => {
    const lists = Array.from({ length: 500 }, (_, p) => (p % 10 === 0 ? [1, 2] : [0, p % 7 === 0 ? 2 : 1]));
    expect(mismatches(ClusterModel.fromReplicaLists(3, lists))).toEqual([]);
  });
});

describe("ClusterModel's tables by host", () => {
  const shapes = (): ClusterModel[] => [
    new ClusterModel({ brokers: 100, partitions: 3_000, replicationFactor: 3 }, new RandomStream(7, "cluster")),
    new ClusterModel({ brokers: 7, partitions: 1_234, replicationFactor: 2 }, new RandomStream(8, "cluster")),
    new ClusterModel({ brokers: 1, partitions: 5, replicationFactor: 1 }, new RandomStream(9, "cluster")),
    // A list naming one host twice: its replica index is its first place (replicaIndex), in both entries.
    ClusterModel.fromReplicaLists(4, [[0, 1, 0], [2, 3, 1], [3, 3, 3], [1, 0, 2]]),
  ];

  it("replicaIndexesOf gives replicaIndex for each partition of the host's list", () => {
    for (const c of shapes()) {
      for (let h = 0; h < c.brokers; h++) {
        expect(Array.from(c.replicaIndexesOf(h))).toEqual(Array.from(c.partitionsOf(h), (p) => c.replicaIndex(p, h)));
      }
    }
  });

  it("valuesByHost gives each host the values of its partitions, in the order of its list", () => {
    for (const c of shapes()) {
      const values = Int32Array.from({ length: c.partitions }, (_, p) => p * 7 - 3);
      const byHost = c.valuesByHost(values);
      expect(byHost.length).toBe(c.brokers);
      for (let h = 0; h < c.brokers; h++) expect(Array.from(byHost[h])).toEqual(Array.from(c.partitionsOf(h), (p) => values[p]));
    }
  });
});
