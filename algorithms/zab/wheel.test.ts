import { describe, expect, it } from "vitest";
import { DeadlineWheel } from "./wheel.ts";

const due = (w: DeadlineWheel, now: number): number[] => {
  const { entries, count } = w.advance(now);
  return Array.from(entries.subarray(0, count));
};

describe("DeadlineWheel", () => {
  it("returns entries once their deadline passed, rounded up to the resolution", () => {
    const w = new DeadlineWheel(8, 10, 0, 4);
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
    const w = new DeadlineWheel(4, 10, 0, 4);
    w.schedule(0, 50);
    w.schedule(0, 30);
    w.schedule(1, 30);
    w.cancel(1);
    expect(w.size).toBe(1);
    expect(due(w, 40)).toEqual([0]);
    expect(due(w, 100)).toEqual([]);
  });

  it("keeps deadlines more than a revolution away until their turn", () => {
    const w = new DeadlineWheel(4, 10, 0, 3); // 8 slots = 80 ms per revolution
    w.schedule(0, 250);
    w.schedule(1, 10);
    expect(w.nextOccupiedTick()).toBe(1);
    expect(due(w, 100)).toEqual([1]);
    expect(due(w, 240)).toEqual([]);
    expect(due(w, 250)).toEqual([0]);
  });

  it("catches up after a long gap (a paused host) in time order", () => {
    const w = new DeadlineWheel(4, 10, 0, 3);
    w.schedule(2, 500);
    w.schedule(0, 30);
    w.schedule(1, 20);
    expect(due(w, 10_000)).toEqual([1, 0, 2]);
  });

  it("never places a deadline in a slot already processed", () => {
    const w = new DeadlineWheel(2, 10, 0, 4);
    expect(due(w, 100)).toEqual([]);
    w.schedule(0, 40); // in the past
    expect(w.due[0]).toBe(11);
    expect(due(w, 110)).toEqual([0]);
  });
});
