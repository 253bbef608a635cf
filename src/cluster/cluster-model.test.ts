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
