import { describe, expect, it } from "vitest";
import { GroupLists, NOWHERE } from "./group-lists.ts";

function drained(l: GroupLists, slot: number): number[] {
  const out = new Int32Array(16);
  const n = l.drainBucket(slot, out);
  return [...out.subarray(0, n)].sort((a, b) => a - b);
}

describe("group lists (deadline wheel and parked lists)", () => {
  it("puts a deadline in its tick's bucket, clamped to the next unprocessed slot and to the wheel's span", () => {
    const l = new GroupLists(8, 3, 5, 10, 100); // slots of 10 ms, 5 buckets; slot 9 is done
    l.linkWheel(0, 125); // slot 12
    l.linkWheel(1, 50); // in the past: next slot, 10
    l.linkWheel(2, 1000); // beyond the span: last slot, 14
    expect([l.where[0], l.where[1], l.where[2]]).toEqual([12, 10, 14]);
    expect(drained(l, 10)).toEqual([1]);
    expect(drained(l, 12)).toEqual([0]);
    expect(drained(l, 14)).toEqual([2]);
    expect([l.where[0], l.where[1], l.where[2]]).toEqual([NOWHERE, NOWHERE, NOWHERE]);
  });

  it("ensureBy moves an entry only to an earlier bucket", () => {
    const l = new GroupLists(4, 2, 10, 10, 0);
    l.linkWheel(0, 50);
    l.ensureBy(0, 80); // later: stays (will be revisited and relinked)
    expect(l.where[0]).toBe(5);
    l.ensureBy(0, 20); // earlier: moves
    expect(l.where[0]).toBe(2);
    expect(drained(l, 5)).toEqual([]);
    expect(drained(l, 2)).toEqual([0]);
  });

  it("parks groups per host, unlinks from the middle, and drains a host's list", () => {
    const l = new GroupLists(6, 3, 10, 10, 0);
    for (const g of [0, 1, 2, 3]) l.park(g, 1);
    l.park(4, 2);
    l.linkWheel(5, 30);
    expect([l.parkCount[1], l.parkCount[2], l.parkedAt(2), l.parkedAt(5)]).toEqual([4, 1, 1, -1]);
    l.unlink(2);
    l.linkWheel(2, 30);
    expect(l.parkCount[1]).toBe(3);
    const out = new Int32Array(6);
    const n = l.drainParked(1, out);
    expect([...out.subarray(0, n)].sort()).toEqual([0, 1, 3]);
    expect([l.parkCount[1], l.where[0], l.parkedAt(4)]).toEqual([0, NOWHERE, 2]);
    expect(drained(l, 3)).toEqual([2, 5]);
  });
});
