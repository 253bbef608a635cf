/**
 * Zab in the lab's world (runWorld + the checker): a broker crash and restart with producers
 * writing, a paused (zombie) leader, a partition that heals, coalesced frames against one frame
 * per group message, determinism of the trace, and the known result (issue 11): at ZooKeeper's
 * defaults Zab loses no acknowledged write and never diverges; late acknowledgements may appear
 * and are reported as an observation.
 */
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { judge } from "../../src/checker/judge.ts";
import { leadersAt } from "../../src/checker/leaders-at.ts";
import type { Fault } from "../../src/sim/faults.ts";
import { Obs } from "../../src/world/observation-log.ts";
import { runWorld, type WorldOutcome } from "../../src/world/run.ts";
import { zab, type ZabOptions } from "./index.ts";

const cluster = { brokers: 6, partitions: 60, replicationFactor: 3 };

function run(faults: Fault[], o: Partial<ZabOptions> = {}, durationMs = 30_000, seed = 11, writesPerSecond = 50): WorldOutcome {
  const options = Schema.decodeUnknownSync(zab.options)(o);
  return runWorld({ seed, durationMs, cluster, faults, elector: zab, options, workload: { partitions: 20, writesPerSecond, startMs: 1_000 } });
}

/** The checker's data grades: every acknowledged write kept, committed prefixes agree. */
function expectNoDataLoss(m: ReturnType<typeof judge>, label = ""): void {
  expect(m.data.measured, label).toBe(true);
  expect(m.data.lostWrites.count, label).toBe(0);
  expect(m.data.divergence.count, label).toBe(0);
  expect(m.data.unjudgedPartitions, label).toBe(0);
  expect(m.data.acknowledged, label).toBeGreaterThan(0);
}

function ledBy(out: WorldOutcome, t: number, host: number): number {
  return [...leadersAt(out.log, t).values()].filter((h) => h === host).length;
}

describe("zab in the world", () => {
  it("elects every group at boot: FLE's tie-break favours the highest id", () => {
    const out = run([], {}, 3_000);
    const m = judge(out);
    expectNoDataLoss(m);
    expect(m.end).toEqual({ partitionsWithOneLeader: 60, partitionsWithoutLeader: 0, partitionsWithSeveralLeaders: 0, disagreeingReplicas: 0, partitionsWithoutLiveReplica: 0 });
    // With equal epochs and zxids, each group picks its replica with the highest server id.
    const leaders = leadersAt(out.log, 2_900);
    for (let p = 0; p < 60; p++) {
      const replicas = [0, 1, 2].map((j) => out.cluster.replica(p, j));
      expect(leaders.get(p)).toBe(Math.max(...replicas));
    }
    expect(m.splitBrain.sameEpoch.count).toBe(0);
    expect(m.workload.acknowledged).toBeGreaterThan(0);
  });

  it("fails a crashed broker's groups over after syncLimit ticks plus finalizeWait, safely, and takes it back as a follower", () => {
    const victim = 5; // leads the most groups (the highest id)
    const led = ledBy(run([], {}, 3_000), 2_900, victim);
    expect(led).toBe(30);
    const out = run([
      { at: 3_000, type: "crash", host: victim },
      { at: 20_000, type: "restart", host: victim },
    ]);
    const m = judge(out);
    expectNoDataLoss(m);
    expect(m.splitBrain.sameEpoch.count).toBe(0);
    expect(m.splitBrain.lateAcks.count).toBe(0);
    expect(m.splitBrain.overlap.count).toBe(0);
    expect(m.end).toEqual({ partitionsWithOneLeader: 60, partitionsWithoutLeader: 0, partitionsWithSeveralLeaders: 0, disagreeingReplicas: 0, partitionsWithoutLiveReplica: 0 });
    // Followers notice within syncLimit x tickTime (10 s) checked every tickTime/2, then FLE
    // settles after finalizeWait (200 ms, on the 10 ms wheel) and the new epoch is established.
    expect(m.failover.samples).toBe(led);
    expect(m.failover.p50Ms).toBeGreaterThanOrEqual(10_000);
    expect(m.failover.maxMs).toBeLessThan(10_000 + 1_000 + 250);
    // Each of its groups' two followers campaigned once; one leadership change per group.
    expect(m.herd[0].campaigns).toBe(2 * led);
    expect(m.herd[0].leadershipChanges).toBe(led);
    // The restarted broker looks once per group and joins the established leaders.
    expect(m.herd[1].campaigns).toBe(30);
    expect(m.herd[1].leadershipChanges).toBe(0);
    expect(ledBy(out, 29_000, victim)).toBe(0);
    expect(m.workload.acknowledged).toBeGreaterThan(0);
  });

  it("a paused leader (zombie) is deposed and never acknowledges a superseded write", () => {
    const victim = 5;
    const out = run([{ at: 3_000, type: "pause", host: victim, for: 15_000 }]);
    const m = judge(out);
    expectNoDataLoss(m);
    expect(m.splitBrain.sameEpoch.count).toBe(0);
    expect(m.splitBrain.lateAcks.count).toBe(0);
    // It believed it led while frozen: overlap (belief-level split brain), nothing worse.
    expect(m.splitBrain.overlap.partitions).toBe(30);
    expect(m.end).toEqual({ partitionsWithOneLeader: 60, partitionsWithoutLeader: 0, partitionsWithSeveralLeaders: 0, disagreeingReplicas: 0, partitionsWithoutLiveReplica: 0 });
    // The writes it took while frozen were refused, none acknowledged.
    const l = out.log;
    let late = 0;
    for (let i = 0; i < l.length; i++) if (l.kind[i] === Obs.Ack && l.host[i] === victim && l.time[i] >= 3_000) late++;
    expect(late).toBe(0);
  });

  it("an isolated broker steps down, its peers carry on, and all agree again after the heal", () => {
    const victim = 5;
    const quiet = zab.quietPeriodMs(Schema.decodeUnknownSync(zab.options)({}));
    const out = run(
      [
        { at: 3_000, type: "isolate", host: victim },
        { at: 33_000, type: "heal" },
      ],
      {},
      33_000 + quiet,
      11,
      5,
    );
    const m = judge(out);
    expectNoDataLoss(m);
    expect(m.splitBrain.sameEpoch.count).toBe(0);
    expect(m.splitBrain.lateAcks.count).toBe(0);
    // Cut off, it lost its quorum within syncLimit ticks (plus a ping period) and stepped down.
    let stepDowns = 0;
    for (let i = 0; i < out.log.length; i++) {
      if (out.log.kind[i] === Obs.StepDown && out.log.host[i] === victim) {
        expect(out.log.time[i]).toBeLessThanOrEqual(3_000 + 11_000);
        stepDowns++;
      }
    }
    expect(stepDowns).toBe(30);
    expect(m.end).toEqual({ partitionsWithOneLeader: 60, partitionsWithoutLeader: 0, partitionsWithSeveralLeaders: 0, disagreeingReplicas: 0, partitionsWithoutLiveReplica: 0 });
  });

  it("coalescing packs a host pair's group messages into frames; the protocol is the same", () => {
    const faults: Fault[] = [{ at: 3_000, type: "crash", host: 5 }];
    const packed = run(faults, { coalesce: true }, 15_000);
    const single = run(faults, { coalesce: false }, 15_000);
    const a = packed.network.counts().byType;
    const b = single.network.counts().byType;
    // The same elections: the same leaders in the same epochs at the end.
    const ends = (out: WorldOutcome): string[] => {
      const r: string[] = [];
      for (let i = 0; i < out.log.length; i++) if (out.log.kind[i] === Obs.Lead) r.push(`${out.log.partition[i]}:${out.log.host[i]}@${out.log.a[i]}`);
      return r.sort();
    };
    expect(ends(packed)).toEqual(ends(single));
    expect(a["zab.Notification"].count).toBeLessThan(b["zab.Notification"].count / 5);
    expect(a["zab.FollowerInfo"].count).toBeLessThan(b["zab.FollowerInfo"].count / 5);
    // Pings are per host pair either way. They queue behind a pending fsync (persistBeforeAck,
    // the default), and frames differ in number, so network delays are drawn differently: the
    // crashed host's queued pings (at most one per peer, 5) and its peers' last pings to it
    // before they give it up (at most one per peer, 5) may differ, nothing else.
    expect(Math.abs(a["zab.Ping"].count - b["zab.Ping"].count)).toBeLessThanOrEqual(2 * (cluster.brokers - 1));
  });

  it("is deterministic: the same seed gives the same trace", () => {
    const faults: Fault[] = [
      { at: 2_000, type: "crash", host: 4 },
      { at: 4_000, type: "partition", groups: [[0, 1, 2], [3, 5]] },
      { at: 16_000, type: "heal" },
      { at: 17_000, type: "restart", host: 4 },
    ];
    const x = run(faults, {}, 25_000, 5);
    const y = run(faults, {}, 25_000, 5);
    const z = run(faults, {}, 25_000, 6);
    expect(x.traceHash).toBe(y.traceHash);
    expect(x.log.length).toBe(y.log.length);
    expect(z.traceHash).not.toBe(x.traceHash);
    expect(judge(x).splitBrain.sameEpoch.count).toBe(0);
  });

  it("random crash / pause / partition / cut / clog schedules: no same-epoch leaders, no stale acks, one agreed leader after the quiet period", () => {
    const options = Schema.decodeUnknownSync(zab.options)({});
    const quiet = zab.quietPeriodMs(options);
    const small = { brokers: 5, partitions: 10, replicationFactor: 3 };
    for (let seed = 1; seed <= 6; seed++) {
      let s = seed * 2654435761;
      const rand = (): number => {
        s = (Math.imul(s, 1103515245) + 12345) | 0;
        return ((s >>> 8) & 0xffffff) / 0x1000000;
      };
      const host = (): number => Math.floor(rand() * small.brokers);
      const faults: Fault[] = [];
      const down = new Set<number>();
      for (let at = 2_000; at < 60_000; at += 500 + Math.floor(rand() * 4_000)) {
        const r = rand();
        const h = host();
        if (r < 0.2) {
          faults.push(down.has(h) ? { at, type: "restart", host: h } : { at, type: "crash", host: h });
          if (down.has(h)) down.delete(h);
          else down.add(h);
        } else if (r < 0.4) faults.push({ at, type: "pause", host: h, for: 100 + Math.floor(rand() * 15_000) });
        else if (r < 0.55) faults.push({ at, type: "partition", groups: [[h, (h + 1) % small.brokers]] });
        else if (r < 0.65) faults.push({ at, type: "cut", from: h, to: (h + 1 + Math.floor(rand() * 4)) % small.brokers });
        else if (r < 0.75) faults.push({ at, type: "clog", from: h, to: (h + 2) % small.brokers, for: Math.floor(rand() * 12_000) });
        else if (r < 0.85) faults.push({ at, type: "isolate", host: h });
        else faults.push({ at, type: "heal" });
      }
      const recovery = 80_000; // after every pause and clog ran out
      faults.push({ at: recovery, type: "heal" });
      for (const h of down) faults.push({ at: recovery, type: "restart", host: h });
      const out = runWorld({
        seed,
        durationMs: recovery + quiet,
        cluster: small,
        faults,
        elector: zab,
        options,
        workload: { partitions: 10, writesPerSecond: 5, startMs: 1_000 },
      });
      const m = judge(out);
      expectNoDataLoss(m, `seed ${seed}`);
      expect(m.splitBrain.sameEpoch.count, `seed ${seed}`).toBe(0);
      expect(m.splitBrain.lateAcks.count, `seed ${seed}`).toBe(0);
      expect(m.end, `seed ${seed}`).toEqual({ partitionsWithOneLeader: 10, partitionsWithoutLeader: 0, partitionsWithSeveralLeaders: 0, disagreeingReplicas: 0, partitionsWithoutLiveReplica: 0 });
      expect(m.leadershipChanges, `seed ${seed}`).toBeGreaterThan(10);
      expect(m.workload.acknowledged, `seed ${seed}`).toBeGreaterThan(500);
    }
  });
});

/**
 * Late acknowledgements (a leader acknowledging after a newer one was elected) do occur at these
 * defaults — zab.test.ts shows one deterministically on the testing kit — and the checker reports
 * them as an observation; here the grades that matter are asserted.
 */
describe("zab: the known result (issue 11 item 5c) — no acknowledged write lost, no divergence", () => {
  const small = { brokers: 5, partitions: 20, replicationFactor: 3 };
  const options = Schema.decodeUnknownSync(zab.options)({}); // ZooKeeper 3.8 as shipped
  const world = (faults: Fault[], durationMs: number, writesPerSecond = 10) =>
    judge(runWorld({ seed: 3, durationMs, cluster: small, faults, elector: zab, options, workload: { partitions: 20, writesPerSecond, startMs: 500 } }));

  const scenarios: [string, Fault[], number][] = [
    ["leaders crash one after another, then come back", [
      { at: 2_000, type: "crash", host: 4 },
      { at: 16_000, type: "crash", host: 3 },
      { at: 30_000, type: "restart", host: 4 },
      { at: 32_000, type: "restart", host: 3 },
    ], 50_000],
    ["a minority side with leaders is cut off, then healed", [
      { at: 2_000, type: "partition", groups: [[3, 4], [0, 1, 2]] },
      { at: 25_000, type: "heal" },
    ], 45_000],
    ["the busiest leader pauses past syncLimit mid-traffic (a zombie), then resumes", [
      { at: 2_000, type: "pause", host: 4, for: 14_000 },
    ], 30_000],
    ["a follower is cut one way, a leader crashes while another pauses", [
      { at: 2_000, type: "cut", from: 4, to: 2 },
      { at: 5_000, type: "crash", host: 3 },
      { at: 6_000, type: "pause", host: 1, for: 8_000 },
      { at: 20_000, type: "heal" },
      { at: 22_000, type: "restart", host: 3 },
    ], 45_000],
  ];

  it.each(scenarios)("%s", (_name, faults, durationMs) => {
    const m = world(faults, durationMs);
    expectNoDataLoss(m);
    expect(m.splitBrain.sameEpoch.count).toBe(0);
    expect(m.leadershipChanges).toBeGreaterThan(0);
  });
});
