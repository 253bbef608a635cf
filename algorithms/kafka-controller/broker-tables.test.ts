import { describe, expect, it } from "vitest";
import { ClusterModel } from "../../src/cluster/cluster-model.ts";
import { brokerTables, FRESH, RESERVED_HOLD_QUEUE, reserveBrokerTables } from "./broker-tables.ts";

describe("broker tables (memory only)", () => {
  it("a settled start's shares: zeroed, disjoint, taken once; past a share and without one, fresh arrays", () => {
    const lists = Array.from({ length: 12 }, (_, p) => [p % 4, (p + 1) % 4, (p + 2) % 4]);
    const cluster = ClusterModel.fromReplicaLists(4, lists);
    expect(brokerTables(cluster, 0)).toBe(FRESH);
    reserveBrokerTables(cluster);
    const t = brokerTables(cluster, 1);
    expect(t).not.toBe(FRESH);
    expect(brokerTables(cluster, 1)).toBe(FRESH); // a restarted broker allocates afresh
    const n = cluster.partitionsOf(1).length;
    const a = t.i32(n);
    const b = t.f64(n * 3);
    const c = t.u8(n);
    const d = t.i32(n);
    for (const v of [a, b, c, d]) expect(Array.from(v).every((x) => x === 0)).toBe(true);
    a.fill(-1);
    b.fill(2.5);
    c.fill(7);
    expect(Array.from(d).every((x) => x === 0)).toBe(true);
    expect(a.buffer).toBe(b.buffer);
    expect(Array.from(a).every((x) => x === -1) && Array.from(b).every((x) => x === 2.5)).toBe(true);
    expect(t.reserved && !FRESH.reserved).toBe(true);
    const holds = t.f64(RESERVED_HOLD_QUEUE); // the hold queue's buffer fits in the share too
    expect(holds.buffer).toBe(a.buffer);
    const big = t.f64(1_000_000); // past the share
    expect(big.buffer).not.toBe(a.buffer);
    expect(big.length).toBe(1_000_000);
    const other = brokerTables(cluster, 2).i32(n).fill(5);
    expect(Array.from(a).every((x) => x === -1)).toBe(true);
    expect(other.buffer).toBe(a.buffer);
  });
});
