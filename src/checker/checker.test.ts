import { describe, expect, test } from "vitest";
import { ClusterModel } from "../cluster/cluster-model.ts";
import { RandomStream } from "../sim/random.ts";
import { Obs, ObservationLog } from "../record/observation-log.ts";
import { judgeFailover, leaderlessSpells, percentile } from "./failover.ts";
import { leadershipIntervals, pauseIntervals } from "./leadership.ts";
import { judgeSplitBrain } from "./split-brain.ts";

// 3 brokers, 2 partitions, RF 3: partition 0 -> [0,1,2], partition 1 -> [1,2,0].
const cluster = new ClusterModel({ brokers: 3, partitions: 2, replicationFactor: 3, startIndex: 0, nextReplicaShift: 0 }, new RandomStream(0, "c"));

function log(rows: [number, number, number, number, number?, number?][]): ObservationLog {
  const l = new ObservationLog();
  for (const [t, host, kind, p, a = 0, b = 0] of rows) l.record(t, host, kind as never, p, a, b);
  return l;
}

describe("leadership intervals from declared beliefs", () => {
  test("a belief ends at the next declaration or a crash, not at a pause", () => {
    const l = log([
      [10, 0, Obs.Lead, 0, 1],
      [20, 0, Obs.Pause, -1],
      [30, 0, Obs.Resume, -1],
      [40, 0, Obs.Crash, -1],
      [50, 1, Obs.Lead, 0, 2],
      [60, 1, Obs.Lead, 0, 2], // repeated: same interval
      [70, 1, Obs.StepDown, 0],
    ]);
    const iv = leadershipIntervals(l, cluster, 100);
    expect(iv.count).toBe(2);
    expect([iv.host[0], iv.from[0], iv.to[0], iv.epoch[0]]).toEqual([0, 10, 40, 1]);
    expect([iv.host[1], iv.from[1], iv.to[1], iv.epoch[1]]).toEqual([1, 50, 70, 2]);
  });
});

describe("split-brain grades", () => {
  test("overlap: two hosts leading at the same instant, with its length", () => {
    const l = log([
      [0, 0, Obs.Lead, 0, 5],
      [100, 1, Obs.Lead, 0, 6],
      [250, 0, Obs.StepDown, 0],
    ]);
    const m = judgeSplitBrain(l, leadershipIntervals(l, cluster, 1000), 2);
    expect(m.overlap).toEqual({ count: 1, totalMs: 150, longestMs: 150, partitions: 1 });
    expect(m.sameEpoch.count).toBe(0);
    expect(m.findings[0]).toMatchObject({ grade: "overlap", partition: 0, hosts: [0, 1], epochs: [5, 6], from: 100, to: 250 });
  });

  test("same epoch: two distinct leaders with one epoch, even at different times", () => {
    const l = log([
      [0, 0, Obs.Lead, 1, 3],
      [10, 0, Obs.StepDown, 1],
      [500, 2, Obs.Lead, 1, 3],
    ]);
    const m = judgeSplitBrain(l, leadershipIntervals(l, cluster, 1000), 2);
    expect(m.sameEpoch).toEqual({ count: 1, partitions: 1 });
    expect(m.overlap.count).toBe(0);
  });

  test("stale acknowledgement: an ack in an epoch older than a leader already elected", () => {
    const l = log([
      [0, 0, Obs.Lead, 0, 1],
      [5, 0, Obs.Ack, 0, 1, 100], // fine
      [10, 1, Obs.Lead, 0, 2],
      [10, 0, Obs.Ack, 0, 1, 101], // same instant as the election: not yet late
      [11, 0, Obs.Ack, 0, 1, 102], // late
      [12, 1, Obs.Ack, 0, 2, 103], // fine
    ]);
    const m = judgeSplitBrain(l, leadershipIntervals(l, cluster, 100), 2);
    expect(m.lateAcks).toEqual({ count: 1, partitions: 1 });
    const f = m.findings.find((x) => x.grade === "late-ack");
    expect(f).toMatchObject({ partition: 0, hosts: [0, 1], epochs: [1, 2], from: 10, to: 11, writeId: 102 });
  });
});

describe("failover", () => {
  test("a leaderless spell after a fault is one sample; pauses make a leader absent", () => {
    const l = log([
      [0, 0, Obs.Lead, 0, 1],
      [0, 1, Obs.Lead, 1, 1],
      [1000, 0, Obs.Crash, -1],
      [1300, 1, Obs.Lead, 0, 2],
      [2000, 1, Obs.Pause, -1],
      [2500, 1, Obs.Resume, -1],
    ]);
    const iv = leadershipIntervals(l, cluster, 3000);
    const pauses = pauseIntervals(l, 3, 3000);
    expect(leaderlessSpells(iv, pauses, 2, 3000)).toEqual([0, 1000, 1300, 0, 2000, 2500, 1, 2000, 2500]);
    const f = judgeFailover(iv, pauses, 2, [1000], 3000);
    expect(f.samples).toBe(3);
    expect(f.maxMs).toBe(500);
    expect(f.p50Ms).toBe(500);
    expect(f.unavailablePartitionSeconds).toBeCloseTo(1.3, 9);
    expect(f.neverLed).toBe(0);
  });

  test("one interval of a host never paused (stop 34's short path) gives the general path's spells", () => {
    // Partitions: 0 led to the end; 1 led until 400, then none; 2 an empty interval (never a live
    // leader, so no spell: as a partition without intervals); 3 led by host 1, paused 100-200, until 900.
    const iv = {
      start: Int32Array.of(0, 1, 2, 3, 4),
      host: Int32Array.of(0, 2, 0, 1),
      epoch: Float64Array.of(1, 1, 1, 1),
      from: Float64Array.of(0, 0, 50, 0),
      to: Float64Array.of(1000, 400, 50, 900),
      count: 4,
    };
    const pauses = [[], [100, 200], []];
    expect(leaderlessSpells(iv, pauses, 4, 1000)).toEqual([1, 400, 1000, 3, 100, 200, 3, 900, 1000]);
    // The same with every host paused outside the run (the general path for all four).
    expect(leaderlessSpells(iv, [[2000, 2001], [100, 200], [2000, 2001]], 4, 1000)).toEqual([1, 400, 1000, 3, 100, 200, 3, 900, 1000]);
  });

  test("nearest-rank percentiles", () => {
    const s = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentile(s, 0.5)).toBe(5);
    expect(percentile(s, 0.99)).toBe(10);
    expect(percentile(new Float64Array(0), 0.5)).toBe(0);
  });
});
