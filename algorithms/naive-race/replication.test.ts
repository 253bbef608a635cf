import { describe, expect, test } from "vitest";
import type { Fault } from "../../src/sim/faults.ts";
import { leadersNow, startWorld } from "../../src/testing/world-bench.ts";
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

/** Acknowledged writes (partition, write id, host, time). */
function acks(world: World): { partition: number; writeId: number; host: number; time: number }[] {
  const l = world.log;
  const out = [];
  for (let k = 0; k < l.length; k++) {
    if (l.kind[k] === Obs.Ack) out.push({ partition: l.partition[k], writeId: l.b[k], host: l.host[k], time: l.time[k] });
  }
  return out;
}

/**
 * Acknowledged writes absent from the partition's final committed log, taken as the committed
 * prefix of the partition's leader at the end (writes acknowledged in the last `settleMs` are
 * left out: the workload runs to the end and the HW trails the log by a fetch or two).
 */
function lostAcknowledged(world: World, endMs: number, settleMs = 5_000): number[] {
  const reps = replicas(world);
  const leaders = leadersNow(world);
  const lost: number[] = [];
  for (const a of acks(world)) {
    if (a.time > endMs - settleMs) continue;
    const leader = leaders[a.partition];
    const r = reps.get(a.partition)?.get(leader);
    const committed = new Set(r === undefined ? [] : r.writes.slice(0, r.hw));
    if (!committed.has(a.writeId)) lost.push(a.writeId);
  }
  return lost;
}

/** Partitions where two replicas' committed prefixes disagree at a position both committed. */
function divergent(world: World): number[] {
  const out: number[] = [];
  for (const [p, byHost] of replicas(world)) {
    const rs = [...byHost.values()];
    const bad = rs.some((x) => rs.some((y) => {
      const n = Math.min(x.hw, y.hw);
      for (let k = 0; k < n; k++) if (x.writes[k] !== y.writes[k]) return true;
      return false;
    }));
    if (bad) out.push(p);
  }
  return out;
}

const cluster = { brokers: 5, partitions: 12, replicationFactor: 3 };
const workload = { partitions: 12, writesPerSecond: 20 };

function run(faults: Fault[], durationMs: number, options: Record<string, unknown> = {}, variant?: string): World {
  const world = startWorld({ elector: naiveRace, variant, options, seed: 7, durationMs, cluster, faults, workload });
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
  test("without faults every replica holds the same log and every acknowledged write is committed everywhere", () => {
    const world = run([], 30_000);
    const reps = replicas(world);
    expect(reps.size).toBe(workload.partitions);
    expect(acks(world).length).toBeGreaterThan(1000);
    for (const [, byHost] of reps) {
      expect(byHost.size).toBe(cluster.replicationFactor);
      const logs = [...byHost.values()];
      for (const r of logs) {
        const n = Math.min(r.hw, logs[0].hw);
        expect(r.writes.slice(0, n)).toEqual(logs[0].writes.slice(0, n));
        expect(r.hw).toBeGreaterThan(r.writes.length - 50); // the HW keeps up (20 writes/s, a fetch each 500 ms)
      }
    }
    expect(lostAcknowledged(world, 30_000)).toEqual([]);
    expect(divergent(world)).toEqual([]);
  });

  test("acks=1 loses the writes its crashed leader acknowledged before any follower fetched them; acks=all loses none", () => {
    const host = busiest();
    const faults: Fault[] = [{ at: 20_000, type: "crash", host }];
    const one = run(faults, 60_000);
    const lostOne = lostAcknowledged(one, 60_000);
    expect(lostOne.length).toBeGreaterThan(0);
    // Each was acknowledged by the crashed leader within one fetch interval of the crash.
    const ackOf = new Map(acks(one).map((a) => [a.writeId, a]));
    for (const w of lostOne) {
      expect(ackOf.get(w)!.host).toBe(host);
      expect(ackOf.get(w)!.time).toBeGreaterThan(20_000 - 2 * 500);
    }
    expect(divergent(one)).toEqual([]);

    const all = run(faults, 60_000, { acks: "all" });
    expect(acks(all).length).toBeGreaterThan(1000);
    expect(lostAcknowledged(all, 60_000)).toEqual([]);
    expect(divergent(all)).toEqual([]);
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
    // At the end every replica's log (not only its committed prefix) is a prefix of its leader's.
    const leaders = leadersNow(world);
    for (const [p, byHost] of replicas(world)) {
      const lead = byHost.get(leaders[p])!;
      for (const r of byHost.values()) {
        const n = Math.min(r.writes.length, lead.writes.length);
        expect(r.writes.slice(0, n)).toEqual(lead.writes.slice(0, n));
      }
    }
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
  /** When the successor of `host` first led one of `host`'s partitions after the cut. */
  const successorElectedAt = (world: World, host: number): number => {
    const l = world.log;
    for (let k = 0; k < l.length; k++) if (l.kind[k] === Obs.Lead && l.time[k] > cutAt && l.host[k] !== host) return l.time[k];
    return Infinity;
  };

  test("keep-leading loses acknowledged writes: the zombie's, acknowledged once its session had expired", () => {
    const host = busiest();
    const world = run(cut(host), end, {}, "keep-leading");
    const lost = lostAcknowledged(world, end);
    expect(lost.length).toBeGreaterThan(0);
    const electedAt = successorElectedAt(world, host);
    expect(electedAt).toBeLessThan(healAt);
    const ackOf = new Map(acks(world).map((a) => [a.writeId, a]));
    for (const w of lost) {
      expect(ackOf.get(w)!.host).toBe(host);
      // After the server expired its session (18 s, on ZooKeeper's 2 s tick) and its followers,
      // told the znode was gone, stopped fetching from it.
      expect(ackOf.get(w)!.time).toBeGreaterThan(cutAt + 18_000 - 2_000);
      expect(ackOf.get(w)!.time).toBeLessThan(healAt + 2_000);
    }
  });

  test("fenced loses none on that schedule: the cut leader's fence checks never succeed, so it acknowledges nothing after the cut", () => {
    const host = busiest({ fencing: true });
    const world = run(cut(host), end, {}, "fenced");
    expect(lostAcknowledged(world, end)).toEqual([]);
    expect(acks(world).filter((a) => a.host === host && a.time > cutAt + 1_000)).toEqual([]);
    expect(acks(world).length).toBeGreaterThan(1000); // the other leaders kept acknowledging
    expect(successorElectedAt(world, host)).toBeLessThan(healAt);
  });

  test("fenced still loses acknowledged writes when its leader crashes (acks=1): fencing is not replication", () => {
    const host = busiest({ fencing: true });
    const world = run([{ at: cutAt, type: "crash", host }], 60_000, {}, "fenced");
    const lost = lostAcknowledged(world, 60_000);
    expect(lost.length).toBeGreaterThan(0);
    const ackOf = new Map(acks(world).map((a) => [a.writeId, a]));
    for (const w of lost) expect(ackOf.get(w)!.host).toBe(host);
  });
});
