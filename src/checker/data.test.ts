import { describe, expect, it } from "vitest";
import { ClusterModel } from "../cluster/cluster-model.ts";
import { History } from "../record/history.ts";
import { Obs, ObservationLog } from "../record/observation-log.ts";
import { FinalStatus } from "../record/run-record.ts";
import { judgeClientAvailability } from "./client-availability.ts";
import { judgeData } from "./replicas.ts";

// Partition 0 on hosts 0, 1, 2; partition 1 on hosts 1, 2, 0.
const cluster = ClusterModel.fromReplicaLists(3, [
  [0, 1, 2],
  [1, 2, 0],
]);
const UP = Uint8Array.of(FinalStatus.Up, FinalStatus.Up, FinalStatus.Up);

function logOf(rows: [number, number, number, number, number, number, number?][]): ObservationLog {
  const l = new ObservationLog();
  for (const [t, h, k, p, a, b, c] of rows) l.record(t, h, k as never, p, a, b, c ?? 0);
  return l;
}

/** Writes on partition 0 sent to host 0: [writeId, outcome] with "ok", "fail", "info" or "pending". */
function historyOf(ops: [number, "ok" | "fail" | "info" | "pending", number?, number?][], partition = 0): History {
  const h = new History();
  ops.forEach(([w, outcome, at, done]) => {
    const t = at ?? w * 10;
    h.invoke(t, 9, partition, w, 0);
    if (outcome === "ok") h.ok(done ?? t + 1, w, 0);
    else if (outcome === "fail") h.fail(done ?? t + 1, w, 0);
    else if (outcome === "info") h.timedOut(done ?? t + 100, w);
  });
  return h;
}

describe("lost acknowledged writes and divergence", () => {
  it("an ok write missing from the final committed log is lost; committed prefixes that disagree diverge", () => {
    const log = logOf([
      [1, 0, Obs.Append, 0, 0, 1, 1],
      [2, 0, Obs.Append, 0, 1, 2, 1],
      [2, 0, Obs.Commit, 0, 2, 0],
      [2, 0, Obs.Ack, 0, 1, 1],
      [2, 0, Obs.Ack, 0, 1, 2],
      [5, 1, Obs.Append, 0, 0, 1, 1],
      [5, 1, Obs.Append, 0, 1, 2, 1],
      [6, 1, Obs.Truncate, 0, 1, 0],
      [7, 1, Obs.Append, 0, 1, 3, 2],
      [7, 1, Obs.Commit, 0, 2, 0],
      [7, 1, Obs.Ack, 0, 2, 3],
      [8, 2, Obs.Append, 0, 0, 1, 1],
      [8, 2, Obs.Append, 0, 1, 3, 2],
      [8, 2, Obs.Commit, 0, 1, 0],
    ]);
    const history = historyOf([
      [1, "ok"],
      [2, "ok"],
      [3, "ok"],
    ]);
    const finalStatus = Uint8Array.of(FinalStatus.Crashed, FinalStatus.Up, FinalStatus.Up);
    const m = judgeData({ cluster, durationMs: 100, log, history, finalStatus });
    expect(m.measured).toBe(true);
    expect(m.acknowledged).toBe(3);
    expect(m.lostWrites).toEqual({ count: 1, partitions: 1 });
    expect(m.divergence).toEqual({ count: 1, partitions: 1 });
    expect(m.unjudgedPartitions).toBe(0);
    expect(m.findings).toEqual([
      {
        grade: "lost-write",
        partition: 0,
        writeId: 2,
        acknowledgedBy: 0,
        epoch: 1,
        invokedAt: 20,
        acknowledgedAt: 21,
        finalLog: { host: 1, length: 2 },
        heldUncommittedBy: [],
      },
      { grade: "divergence", partition: 0, hosts: [0, 1], position: 1, writeIds: [2, 3], epochs: [1, 2], committed: [2, 2] },
    ]);
  });

  it("a write held beyond every live commit point is lost, and says who holds it uncommitted", () => {
    const log = logOf([
      [1, 0, Obs.Append, 0, 0, 7, 1],
      [1, 1, Obs.Append, 0, 0, 7, 1],
    ]);
    const m = judgeData({ cluster, durationMs: 100, log, history: historyOf([[7, "ok"]]), finalStatus: UP });
    expect(m.lostWrites.count).toBe(1);
    expect(m.findings[0]).toMatchObject({ grade: "lost-write", writeId: 7, finalLog: { host: 0, length: 0 }, heldUncommittedBy: [0, 1] });
  });

  it("writes that failed or went unanswered are never lost; committed ones are kept", () => {
    const log = logOf([
      [1, 0, Obs.Append, 0, 0, 1, 1],
      [1, 0, Obs.Commit, 0, 1, 0],
    ]);
    const history = historyOf([
      [1, "ok"],
      [2, "fail"],
      [3, "info"],
      [4, "pending"],
    ]);
    const m = judgeData({ cluster, durationMs: 100, log, history, finalStatus: UP });
    expect(m.lostWrites).toEqual({ count: 0, partitions: 0 });
    expect(m.divergence).toEqual({ count: 0, partitions: 0 });
  });

  it("says 'not measured' (null, never 0) when the elector declares no replica state", () => {
    const log = logOf([[1, 0, Obs.Ack, 0, 1, 1]]);
    const m = judgeData({ cluster, durationMs: 100, log, history: historyOf([[1, "ok"]]), finalStatus: UP });
    expect(m).toMatchObject({ measured: false, acknowledged: 1, lostWrites: { count: null, partitions: null }, divergence: { count: null } });
  });

  it("does not judge a partition whose replicas are all down at the end", () => {
    const log = logOf([[1, 1, Obs.Append, 1, 0, 5, 1]]);
    const down = Uint8Array.of(FinalStatus.Crashed, FinalStatus.Crashed, FinalStatus.Crashed);
    const m = judgeData({ cluster, durationMs: 100, log, history: historyOf([[5, "ok"]], 1), finalStatus: down });
    expect(m).toMatchObject({ unjudgedPartitions: 1, lostWrites: { count: 0 } });
  });
});

describe("client-visible availability", () => {
  it("opens a window at the first failed or unanswered write after an ok and closes it at the next ok's answer; a write still awaited at the end opens none", () => {
    const h = historyOf([
      [1, "fail", 0], // before the first ok: the initial election, not counted
      [2, "ok", 10, 11],
      [3, "fail", 20, 21],
      [4, "info", 30, 130],
      [5, "ok", 40, 45],
      [6, "ok", 50, 51],
      [7, "pending", 60],
    ]);
    const m = judgeClientAvailability(h, 2, 100);
    expect(m).toMatchObject({
      partitionsWritten: 1,
      samples: 1,
      p50Ms: 25,
      p99Ms: 25,
      maxMs: 25,
      openAtEnd: 0,
      unavailablePartitionSeconds: 25 / 1000,
      failed: 2,
      unanswered: 2,
    });
  });

  it("gives the same history over time: answers per bucket and partitions unavailable in each bucket", () => {
    const h = historyOf([
      [1, "fail", 0],
      [2, "ok", 10, 11],
      [3, "fail", 20, 21],
      [4, "info", 30, 130],
      [5, "ok", 40, 45],
      [6, "ok", 50, 51],
      [7, "pending", 60],
    ]);
    const series = judgeClientAvailability(h, 2, 100).overTime;
    // 100 ms in 10 ms buckets; one window, [20, 45] (write 7 is still awaited at the end: no window).
    expect(series).toEqual({
      bucketMs: 10,
      ok: [0, 1, 0, 0, 1, 1, 0, 0, 0, 0],
      failed: [1, 0, 1, 0, 0, 0, 0, 0, 0, 0],
      unanswered: [0, 0, 0, 0, 0, 0, 1, 0, 0, 1],
      unavailable: [0, 0, 1, 1, 1, 0, 0, 0, 0, 0],
    });
  });

  it("keeps a window opened by a timed-out write open to the end when no ok follows", () => {
    const m = judgeClientAvailability(historyOf([[1, "ok", 0, 1], [2, "info", 10, 50], [3, "pending", 60]]), 2, 100);
    expect(m).toMatchObject({ samples: 0, openAtEnd: 1, unavailablePartitionSeconds: 90 / 1000 });
  });

  it("reports no percentiles (null, not 0) when no window closed", () => {
    const m = judgeClientAvailability(historyOf([[1, "ok"]]), 2, 100);
    expect(m).toMatchObject({ samples: 0, p50Ms: null, p99Ms: null, maxMs: null, openAtEnd: 0 });
  });

  it("counts writes never sent for want of a leader as failed", () => {
    const h = new History();
    h.invoke(0, 9, 0, 1, 0);
    h.ok(1, 1, 0);
    h.notSent(5, 9, 0);
    h.invoke(8, 9, 0, 2, 1);
    h.ok(9, 2, 1);
    expect(judgeClientAvailability(h, 1, 10)).toMatchObject({ failed: 1, samples: 1, p50Ms: 4 });
  });
});
