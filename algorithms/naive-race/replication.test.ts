import { describe, expect, test } from "vitest";
import type { Fault } from "../../src/sim/faults.ts";
import { judgeSafety } from "../../src/checker/judge.ts";
import type { DataMetrics, LostWriteFinding } from "../../src/checker/metrics.ts";
import { leadersNow, startWorld } from "../../src/testing/world-bench.ts";
import { recordOf } from "../../src/world/run.ts";
import { Obs } from "../../src/world/observation-log.ts";
import type { World } from "../../src/world/world.ts";
import { naiveRace } from "./index.ts";

/** What one replica holds at the end, replayed from its declarations. */
interface Replica {
  writes: number[];
  epochs: number[];
  hw: number;
}

/** Replays Append / Truncate / Commit per (partition, host); fails on a gap or a jump in positions. */
function replicas(world: World): Map<number, Map<number, Replica>> {
  const out = new Map<number, Map<number, Replica>>();
  const l = world.log;
  for (let k = 0; k < l.length; k++) {
    const kind = l.kind[k];
    if (kind !== Obs.Append && kind !== Obs.Truncate && kind !== Obs.Commit) continue;
    const p = l.partition[k];
    let byHost = out.get(p);
    if (byHost === undefined) out.set(p, (byHost = new Map()));
    let r = byHost.get(l.host[k]);
    if (r === undefined) byHost.set(l.host[k], (r = { writes: [], epochs: [], hw: 0 }));
    if (kind === Obs.Append) {
      if (l.a[k] !== r.writes.length) throw new Error(`append at position ${l.a[k]} on host ${l.host[k]}, partition ${p}, log length ${r.writes.length}`);
      r.writes.push(l.b[k]);
      r.epochs.push(l.c[k]);
    } else if (kind === Obs.Truncate) {
      r.writes.length = l.a[k];
      r.epochs.length = l.a[k];
    } else {
      r.hw = l.a[k];
    }
    if (r.hw > r.writes.length) throw new Error(`host ${l.host[k]} partition ${p}: HW ${r.hw} above its log end ${r.writes.length}`);
  }
  return out;
}

/** Acknowledged writes (partition, write id, host, time), from the declarations. */
function acks(world: World): { partition: number; writeId: number; host: number; time: number }[] {
  const l = world.log;
  const out = [];
  for (let k = 0; k < l.length; k++) {
    if (l.kind[k] === Obs.Ack) out.push({ partition: l.partition[k], writeId: l.b[k], host: l.host[k], time: l.time[k] });
  }
  return out;
}

/** The lab's checker on the run so far: lost acknowledged writes and divergence (src/checker/replicas.ts). */
function data(world: World): DataMetrics {
  const d = judgeSafety(recordOf(world)).data;
  expect(d.measured).toBe(true);
  return d;
}

function lostWrites(d: DataMetrics): LostWriteFinding[] {
  return d.findings.filter((f): f is LostWriteFinding => f.grade === "lost-write");
}

const cluster = { brokers: 5, partitions: 12, replicationFactor: 3 };
/** Writes stop 10 s before the end, so replication settles before the final state is judged. */
const workload = (durationMs: number) => ({ partitions: 12, writesPerSecond: 20, stopMs: durationMs - 10_000 });

function run(faults: Fault[], durationMs: number, options: Record<string, unknown> = {}, variant?: string): World {
  const world = startWorld({ elector: naiveRace, variant, options, seed: 7, durationMs, cluster, faults, workload: workload(durationMs) });
  world.run();
  return world;
}

/** The host leading the most partitions once the start-up race settled (a calm run). */
function busiest(options: Record<string, unknown> = {}): number {
  const calm = run([], 15_000, options);
  const byHost = new Map<number, number>();
  for (const h of leadersNow(calm)) byHost.set(h, (byHost.get(h) ?? 0) + 1);
  return [...byHost.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

describe("naive-race replication: fetch, high watermark, leader-epoch truncation", () => {
  test("without faults every replica ends with the same log, all committed, and the checker finds nothing lost", () => {
    const world = run([], 30_000);
    const reps = replicas(world);
    expect(reps.size).toBe(12);
    for (const [, byHost] of reps) {
      expect(byHost.size).toBe(cluster.replicationFactor);
      const logs = [...byHost.values()];
      for (const r of logs) {
        expect(r.writes).toEqual(logs[0].writes);
        expect(r.hw).toBe(r.writes.length);
      }
    }
    const d = data(world);
    expect(d.acknowledged).toBeGreaterThan(1000);
    expect(d.lostWrites.count).toBe(0);
    expect(d.divergence.count).toBe(0);
  });

  test("acks=1 loses the writes its crashed leader acknowledged before any follower fetched them; acks=all loses none", () => {
    const host = busiest();
    const crashAt = 20_000;
    const faults: Fault[] = [{ at: crashAt, type: "crash", host }];
    const one = data(run(faults, 60_000));
    expect(one.lostWrites.count).toBeGreaterThan(0);
    expect(one.divergence.count).toBe(0);
    // Each was acknowledged by the crashed leader within a fetch interval or two of the crash.
    for (const f of lostWrites(one)) {
      expect(f.acknowledgedBy).toBe(host);
      expect(f.acknowledgedAt).toBeGreaterThan(crashAt - 2 * 500);
      expect(f.acknowledgedAt).toBeLessThan(crashAt + 10);
    }

    const all = data(run(faults, 60_000, { acks: "all" }));
    expect(all.acknowledged).toBeGreaterThan(1000);
    expect(all.lostWrites.count).toBe(0);
    expect(all.divergence.count).toBe(0);
  });

  test("a deposed leader that rejoins truncates what it wrote alone (KIP-101) and ends with its successor's log", () => {
    const host = busiest();
    const world = run(
      [
        { at: 20_000, type: "cut", from: host, to: "zk", bothWays: true },
        { at: 60_000, type: "heal" },
      ],
      90_000,
    );
    let truncations = 0;
    for (let k = 0; k < world.log.length; k++) if (world.log.kind[k] === Obs.Truncate && world.log.host[k] === host) truncations++;
    expect(truncations).toBeGreaterThan(0);
    const leaders = leadersNow(world);
    for (const [p, byHost] of replicas(world)) {
      const lead = byHost.get(leaders[p])!;
      for (const r of byHost.values()) expect(r.writes).toEqual(lead.writes);
    }
    expect(data(world).divergence.count).toBe(0);
  });
});

describe("naive-race variants: known result (a), a leader cut from ZooKeeper", () => {
  const cutAt = 20_000;
  const healAt = 60_000;
  const end = 90_000;
  const cut = (host: number): Fault[] => [
    { at: cutAt, type: "cut", from: host, to: "zk", bothWays: true },
    { at: healAt, type: "heal" },
  ];

  test("keep-leading loses acknowledged writes: the zombie's, acknowledged once its session had expired", () => {
    const host = busiest();
    const d = data(run(cut(host), end, {}, "keep-leading"));
    expect(d.lostWrites.count).toBeGreaterThan(0);
    expect(d.divergence.count).toBe(0); // it rejoined and truncated before the end
    for (const f of lostWrites(d)) {
      expect(f.acknowledgedBy).toBe(host);
      // After the server expired its session (18 s, on ZooKeeper's 2 s tick) and its followers,
      // told the znode was gone, stopped fetching from it; before it heard so after the heal.
      expect(f.acknowledgedAt).toBeGreaterThan(cutAt + 18_000 - 2_000);
      expect(f.acknowledgedAt).toBeLessThan(healAt + 2_000);
    }
  });

  test("keep-leading diverges while the zombie is still cut: alone in its own in-sync view, it commits what its successor commits differently", () => {
    const host = busiest();
    const producer = cluster.brokers + 1; // the workload's producer host (brokers, then the coordinator)
    // Its successor is elected ~18 s after the cut; 30 s later (replica.lag.time.max.ms) the zombie
    // counts no follower in sync and its HW covers its own log. The producer loses its path to the
    // zombie at 40 s, times out (30 s), learns the successor and writes there: both commit
    // different writes at the same positions. Judged before any heal.
    const world = run(
      [
        { at: cutAt, type: "cut", from: host, to: "zk", bothWays: true },
        { at: 40_000, type: "cut", from: producer, to: host },
      ],
      95_000,
      {},
      "keep-leading",
    );
    const d = data(world);
    expect(d.divergence.count).toBeGreaterThan(0);
    for (const f of d.findings) if (f.grade === "divergence") expect(f.hosts).toContain(host);
    expect(d.lostWrites.count).toBeGreaterThan(0);
  });

  test("fenced loses none on that schedule: the cut leader's fence checks never succeed, so it acknowledges nothing after the cut", () => {
    const host = busiest({ fencing: true });
    const world = run(cut(host), end, {}, "fenced");
    const d = data(world);
    expect(d.lostWrites.count).toBe(0);
    expect(d.acknowledged).toBeGreaterThan(1000); // the other leaders kept acknowledging
    expect(acks(world).filter((a) => a.host === host && a.time > cutAt + 1_000)).toEqual([]);
  });

  test("fenced still loses acknowledged writes when its leader crashes (acks=1): fencing is not replication", () => {
    const host = busiest({ fencing: true });
    const d = data(run([{ at: cutAt, type: "crash", host }], 60_000, {}, "fenced"));
    expect(d.lostWrites.count).toBeGreaterThan(0);
    for (const f of lostWrites(d)) expect(f.acknowledgedBy).toBe(host);
  });
});
