/**
 * Quiesced groups (option quiesce; CockroachDB's quiesced ranges): idle groups stop heartbeating,
 * active ones do not; a write wakes its group; a crashed leader's quiesced followers wake when its
 * host goes silent and elect, safely.
 */
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { judge } from "../../src/checker/judge.ts";
import { busiestLeader } from "../../src/checker/leaders-at.ts";
import type { Fault } from "../../src/sim/faults.ts";
import { recordOf } from "../../src/world/run.ts";
import { World } from "../../src/world/world.ts";
import { raft, type RaftOptions } from "./index.ts";

const cluster = { brokers: 3, partitions: 30, replicationFactor: 3 };
/** The paper's timing with per-group heartbeats every 50 ms (not its 75: whole intervals per second and per tick). */
const paper = (o: Partial<RaftOptions>): RaftOptions =>
  Schema.decodeUnknownSync(raft.options)({ ...raft.variants!.find((v) => v.name === "paper")!.options, coalescedHeartbeats: false, heartbeatInterval: 50, ...o });

/** Heartbeats and host pings sent in [from, to), and the world run to `end`. */
function window(o: Partial<RaftOptions>, from: number, to: number, faults: Fault[] = [], end = to): { heartbeats: number; pings: number; world: World } {
  const world = new World({ seed: 4, durationMs: end, cluster, faults, elector: raft, options: paper(o), workload: { partitions: 5, writesPerSecond: 20, startMs: 1_000, stopMs: 9_000 } });
  world.start();
  const count = (type: string): number => world.network.counts().byType[type]?.count ?? 0;
  world.kernel.runUntil(from);
  const [h0, p0] = [count("raft.Heartbeat"), count("raft.HostPing")];
  world.kernel.runUntil(to);
  const out = { heartbeats: count("raft.Heartbeat") - h0, pings: count("raft.HostPing") - p0, world };
  world.run();
  return out;
}

describe("raft quiesce (CockroachDB's quiesced ranges)", () => {
  it("needs per-group heartbeats; off by default", () => {
    expect(Schema.decodeUnknownSync(raft.options)({}).quiesce).toBe(false);
    expect(() => Schema.decodeUnknownSync(raft.options)({ quiesce: true })).toThrow(/quiesce/);
  });

  it("idle groups stop heartbeating, the five written ones go on; host pings stand in for node liveness", () => {
    // 5 of 30 partitions take a write every 50 ms (under 6 ticks of 10 ms: they never quiesce).
    // Per group: 30 leaders x 2 followers x 20 heartbeats/s over 3 s.
    const plain = window({}, 5_000, 8_000);
    expect(plain.heartbeats).toBeGreaterThanOrEqual(30 * 2 * 20 * 3 - 30 * 2);
    expect(plain.pings).toBe(0);
    const q = window({ quiesce: true }, 5_000, 8_000);
    expect(q.heartbeats).toBeGreaterThan(0);
    expect(q.heartbeats).toBeLessThanOrEqual(5 * 2 * 20 * 3 + 5 * 2);
    // Every ordered host pair, every 50 ms.
    expect(Math.abs(q.pings - 3 * 2 * 20 * 3)).toBeLessThanOrEqual(3 * 2);
    // After the writes stop at 9 s every group quiesces.
    expect(window({ quiesce: true }, 10_000, 12_000).heartbeats).toBe(0);
  });

  it("a crashed leader's quiesced groups wake when its host goes silent and elect, safely", () => {
    const calm = window({ quiesce: true }, 9_900, 9_950, [], 9_950).world;
    const victim = busiestLeader(calm.log, 9_900).host;
    const out = window({ quiesce: true }, 9_950, 10_000, [{ at: 10_000, type: "crash", host: victim }], 13_000).world;
    const m = judge(recordOf(out));
    expect(m.splitBrain.sameEpoch.count).toBe(0);
    expect([m.data.measured, m.data.lostWrites.count, m.data.divergence.count]).toEqual([true, 0, 0]);
    expect(m.end.partitionsWithOneLeader).toBe(30);
    // Followers wake once the host was silent for electionTimeoutMin (150 ms) after its last ping
    // (at most 50 ms before the crash): no failover under 100 ms; then one election.
    expect(m.failover.samples).toBeGreaterThan(0);
    expect(m.failover.p50Ms).toBeGreaterThanOrEqual(100);
    expect(m.failover.maxMs).toBeLessThan(1_000);
  });
});
