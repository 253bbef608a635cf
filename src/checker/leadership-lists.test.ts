import { describe, expect, test } from "vitest";
import { ClusterModel } from "../cluster/cluster-model.ts";
import { RandomStream } from "../sim/random.ts";
import { Obs, ObservationLog } from "../record/observation-log.ts";
import { leadershipIntervals } from "./leadership.ts";

// 3 brokers, 2 partitions, RF 3 (as checker.test.ts): partition 0 -> [0,1,2], partition 1 -> [1,2,0].
const cluster = new ClusterModel({ brokers: 3, partitions: 2, replicationFactor: 3, startIndex: 0, nextReplicaShift: 0 }, new RandomStream(0, "c"));

function log(rows: [number, number, number, number, number?][]): ObservationLog {
  const l = new ObservationLog();
  for (const [t, host, kind, p, a = 0] of rows) l.record(t, host, kind as never, p, a, 0);
  return l;
}

const rows = (iv: ReturnType<typeof leadershipIntervals>, p: number): number[][] => {
  const out: number[][] = [];
  for (let k = iv.start[p]; k < iv.start[p + 1]; k++) out.push([iv.host[k], iv.epoch[k], iv.from[k], iv.to[k]]);
  return out;
};

describe("leadership intervals: several open on one partition (stop 22's per-partition lists)", () => {
  const l = log([
    [0, 2, Obs.Lead, 1, 1], // partition 1: host 2 leads
    [0, 0, Obs.Lead, 0, 1], // partition 0: host 0 leads
    [5, 1, Obs.Lead, 0, 2], // partition 0: host 1 too (split brain), opened after host 0's
    [5, 1, Obs.Lead, 0, 2], // repeated: the same interval
    [7, 0, Obs.Lead, 0, 3], // host 0 again in a new epoch: its interval ends, another opens
    [7, 0, Obs.Follow, 0, 1], // ... and ends at once (same instant, same host)
    [8, 2, Obs.Follow, 0, 1], // host 2 had nothing open on 0
    [9, 1, Obs.Crash, -1], // host 1: its interval on 0 ends; on 1 it led nothing
    [9, 2, Obs.Lead, 1, 1], // repeated on partition 1
    [12, 0, Obs.Lead, 1, 4], // host 0 on partition 1 (a replica there: slot 2)
  ]);
  test("intervals per partition in (from, host) order, same-instant ones in declaration order", () => {
    const iv = leadershipIntervals(l, cluster, 20);
    expect(iv.count).toBe(5);
    expect(rows(iv, 0)).toEqual([
      [0, 1, 0, 7],
      [1, 2, 5, 9],
      [0, 3, 7, 7],
    ]);
    expect(rows(iv, 1)).toEqual([
      [2, 1, 0, 20],
      [0, 4, 12, 20],
    ]);
  });
  test("the final beliefs of the same pass: leader named per replica slot, -1 after a crash", () => {
    const iv = leadershipIntervals(l, cluster, 20, true);
    // partition 0 slots [host 0, 1, 2]; partition 1 slots [host 1, 2, 0]
    expect(Array.from(iv.finalBelief ?? [])).toEqual([1, -1, 1, -1, 2, 0]);
    expect(leadershipIntervals(l, cluster, 20).finalBelief).toBeUndefined();
  });
});

describe("observation log reserve", () => {
  test("grows to the capacity doubling would reach, keeping the records", () => {
    const l = new ObservationLog();
    l.record(1, 2, Obs.Lead, 3, 4, 5, 6);
    l.reserve(5000);
    expect(l.time.length).toBe(8192);
    expect([l.length, l.time[0], l.host[0], l.kind[0], l.partition[0], l.a[0], l.b[0], l.c[0]]).toEqual([1, 1, 2, Obs.Lead, 3, 4, 5, 6]);
    l.reserve(10);
    expect(l.time.length).toBe(8192);
  });
});
