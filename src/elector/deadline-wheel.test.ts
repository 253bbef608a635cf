import { describe, expect, it } from "vitest";
import { DeadlineWheel, NOWHERE } from "./deadline-wheel.ts";

const exact = (entries: number, slots: number, nowMs = 0) =>
  new DeadlineWheel({ entries, resolutionMs: 10, slots, firstTick: Math.floor(nowMs / 10) + 1 });

const due = (w: DeadlineWheel, now: number): number[] => {
  const { entries, count } = w.advance(now);
  return Array.from(entries.subarray(0, count));
};

/** Lazy mode: drains every slot up to `nowMs`, slot by slot; returns what each held, sorted. */
const drainTo = (w: DeadlineWheel, nowMs: number): number[][] => {
  const out = new Int32Array(64);
  const cur = w.tickOf(nowMs);
  w.catchUp(cur);
  const slots: number[][] = [];
  while (w.doneTick < cur) {
    const n = w.drainNextSlot(out);
    slots.push([...out.subarray(0, n)].sort((a, b) => a - b));
  }
  return slots;
};

describe("DeadlineWheel, exact mode (the wheel owns the deadline)", () => {
  it("returns entries once their deadline passed, rounded up to the resolution", () => {
    const w = exact(8, 16);
    w.schedule(0, 200);
    w.schedule(1, 201);
    w.schedule(2, 15);
    expect(due(w, 10)).toEqual([]);
    expect(due(w, 20)).toEqual([2]);
    expect(due(w, 200)).toEqual([0]);
    expect(due(w, 209)).toEqual([]);
    expect(due(w, 210)).toEqual([1]);
    expect(w.size).toBe(0);
  });

  it("rescheduling replaces the deadline; cancel removes it", () => {
    const w = exact(4, 16);
    w.schedule(0, 50);
    w.schedule(0, 30);
    w.schedule(1, 30);
    w.cancel(1);
    expect(w.size).toBe(1);
    expect(w.isScheduled(1)).toBe(false);
    expect(due(w, 40)).toEqual([0]);
    expect(due(w, 100)).toEqual([]);
  });

  it("keeps deadlines more than a revolution away until their turn", () => {
    const w = exact(4, 8); // 8 slots = 80 ms per revolution
    w.schedule(0, 250);
    w.schedule(1, 10);
    expect(w.nextOccupiedTick()).toBe(1);
    expect(w.earliest).toBe(1);
    expect(due(w, 100)).toEqual([1]);
    expect(due(w, 240)).toEqual([]);
    expect(due(w, 250)).toEqual([0]);
    expect(w.nextOccupiedTick()).toBe(-1);
  });

  it("catches up after a long gap (a paused host) in time order", () => {
    const w = exact(4, 8);
    w.schedule(2, 500);
    w.schedule(0, 30);
    w.schedule(1, 20);
    expect(due(w, 10_000)).toEqual([1, 0, 2]);
  });

  it("never places a deadline in a tick already processed", () => {
    const w = exact(2, 16);
    expect(due(w, 100)).toEqual([]);
    w.schedule(0, 40); // in the past
    expect(w.where[0]).toBe(11);
    expect(due(w, 110)).toEqual([0]);
  });
});

describe("DeadlineWheel, lazy mode (the caller owns exact deadlines)", () => {
  it("puts a time in its slot, clamped to the next unprocessed slot and to one revolution", () => {
    const w = new DeadlineWheel({ entries: 8, resolutionMs: 10, slots: 5, firstTick: 10 }); // tick 9 done
    w.visitBy(0, 125); // tick 12 (rounded down)
    w.visitBy(1, 50); // in the past: next tick, 10
    w.visitBy(2, 1000); // beyond the revolution: last tick of it, 14
    expect([w.where[0], w.where[1], w.where[2]]).toEqual([12, 10, 14]);
    expect(drainTo(w, 149)).toEqual([[1], [], [0], [], [2]]);
    expect([w.where[0], w.where[1], w.where[2], w.size]).toEqual([NOWHERE, NOWHERE, NOWHERE, 0]);
  });

  it("ensureBy moves an entry only to an earlier slot", () => {
    const w = new DeadlineWheel({ entries: 4, resolutionMs: 10, slots: 10, firstTick: 0 });
    w.visitBy(0, 50);
    w.ensureBy(0, 80); // later: stays (it will be visited, and the caller re-links it)
    expect(w.where[0]).toBe(5);
    w.ensureBy(0, 20); // earlier: moves
    expect(w.where[0]).toBe(2);
    expect(drainTo(w, 59)).toEqual([[], [], [0], [], [], []]);
  });

  it("after a gap longer than a revolution visits every slot once", () => {
    const w = new DeadlineWheel({ entries: 4, resolutionMs: 10, slots: 4, firstTick: 0 });
    w.visitBy(0, 10);
    w.visitBy(1, 30);
    const visited = drainTo(w, 1000);
    expect(visited.length).toBe(4);
    expect(visited.flat().sort()).toEqual([0, 1]);
    expect(w.doneTick).toBe(100);
  });
});

describe("DeadlineWheel, holding lists", () => {
  it("holds entries per list, unlinks from the middle, and drains a list", () => {
    const w = new DeadlineWheel({ entries: 6, resolutionMs: 10, slots: 10, firstTick: 0, holdingLists: 3 });
    for (const g of [0, 1, 2, 3]) w.hold(g, 1);
    w.hold(4, 2);
    w.visitBy(5, 30);
    expect([w.heldCount[1], w.heldCount[2], w.heldIn(2), w.heldIn(5), w.size]).toEqual([4, 1, 1, -1, 1]);
    w.unlink(2);
    w.visitBy(2, 30);
    expect(w.heldCount[1]).toBe(3);
    const out = new Int32Array(6);
    const n = w.drainHeld(1, out);
    expect([...out.subarray(0, n)].sort()).toEqual([0, 1, 3]);
    expect([w.heldCount[1], w.where[0], w.heldIn(4)]).toEqual([0, NOWHERE, 2]);
    expect(drainTo(w, 39)).toEqual([[], [], [], [2, 5]]);
    w.ensureBy(4, 50); // from a holding list into the wheel
    expect([w.heldCount[2], w.where[4]]).toEqual([0, 5]);
  });
});
