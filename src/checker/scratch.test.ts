import { describe, expect, test } from "vitest";
import { ClusterModel } from "../cluster/cluster-model.ts";
import { Obs, ObservationLog } from "../record/observation-log.ts";
import { RandomStream } from "../sim/random.ts";
import { leadershipIntervals } from "./leadership.ts";
import { Scratch, Slot, withScratch } from "./scratch.ts";

describe("the judge's kept working arrays", () => {
  test("an array handed out again reads as fresh when zeroed, has the length asked for, and is the kept one", () => {
    const s = new Scratch();
    const a = s.int32(Slot.IntervalStart, 100);
    a.fill(7);
    const b = s.int32(Slot.IntervalStart, 50);
    expect(b.length).toBe(50);
    expect(Array.from(b).every((x) => x === 0)).toBe(true);
    expect(b.buffer).toBe(a.buffer);
    expect(s.float64(Slot.IntervalFrom, 10, false).length).toBe(10);
  });

  test("a nested judgement gets its own set", () => {
    withScratch((outer) => {
      withScratch((inner) => expect(inner).not.toBe(outer));
    });
  });

  test("intervals built on a used scratch equal fresh ones", () => {
    const cluster = new ClusterModel({ brokers: 3, partitions: 4, replicationFactor: 3, startIndex: 0, nextReplicaShift: 0 }, new RandomStream(0, "c"));
    const l = new ObservationLog();
    const rows: [number, number, number, number, number][] = [
      [0, 0, Obs.Lead, 0, 1], [0, 1, Obs.Follow, 0, 0], [0, 1, Obs.Lead, 1, 1], [0, 2, Obs.Lead, 2, 1],
      [5, 0, Obs.Lead, 0, 1], [10, 0, Obs.Crash, -1, 0], [12, 1, Obs.Lead, 0, 2], [15, 2, Obs.StepDown, 2, 0],
    ];
    for (const [t, h, k, p, a] of rows) l.record(t, h, k as never, p, a, 0);
    const fresh = leadershipIntervals(l, cluster, 20, true);
    const s = new Scratch();
    for (const slot of [Slot.IntervalStart, Slot.IntervalHost, Slot.ReplicaRows]) s.int32(slot, 64).fill(9);
    for (const slot of [Slot.IntervalEpoch, Slot.IntervalFrom, Slot.IntervalTo]) s.float64(slot, 64).fill(9);
    const reused = leadershipIntervals(l, cluster, 20, true, s);
    for (const k of ["start", "host", "epoch", "from", "to", "finalBelief"] as const) expect(Array.from(reused[k] ?? [])).toEqual(Array.from(fresh[k] ?? []));
  });
});
