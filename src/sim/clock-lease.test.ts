/**
 * A lease under clock drift: Raft's check-quorum lease (thesis §4.2.3 and §6.4.1) holds while the
 * leader's clock runs no slower than its voters' and fails when it runs slow enough.
 *
 * The lease (algorithms/raft, maybeAck): a leader acknowledges a committed write only while a
 * majority answered messages it sent less than electionTimeoutMin ago by ITS clock; a voter that
 * heard from a leader within electionTimeoutMin by ITS clock refuses to vote. A voter that
 * answered at true time t_r refuses until t_r + eMin / (1 + drift_voter); the leader's lease from
 * a send at t_s <= t_r ends at t_s + eMin / (1 + drift_leader). So the lease assumes the leader's
 * clock is not slower than any voter's over an election timeout (relative drift >= 0); beyond
 * that it has only the slack between the last answer and a newer leader's election (message
 * delays, tick granularity, randomized timeouts). A uniform drift of every clock is harmless.
 *
 * The run: the busiest leader is paused for 200 ms (a GC pause) with acknowledgements in flight,
 * at a time drawn per seed; raft with explicit options (check-quorum on, timeouts 150-300 ms,
 * heartbeats 50 ms, tick 10 ms) — not raft's defaults, which its owner may change. A late
 * acknowledgement is one given in an epoch older than one some host already declared leading the
 * partition in (true time), computed here from the observation log.
 */
import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { Obs } from "../record/observation-log.ts";
import { makeCell } from "../runner/cell.ts";
import { buildCell } from "../runner/run-cell.ts";
import type { FaultSpec } from "../scenario/schema.ts";
import { runWorld } from "../world/run.ts";
import type { ClockSpec } from "./clocks.ts";

const RAFT_WITH_LEASE = {
  electionTimeoutMin: 150,
  electionTimeoutMax: 300,
  heartbeatInterval: 50,
  tickMs: 10,
  preVote: false,
  checkQuorum: true,
  ackLease: true, // the lease on acknowledgements is an opt-in lab addition since raft took etcd's defaults
  coalescedHeartbeats: false,
};

const SEEDS = Array.from({ length: 8 }, (_, i) => i + 1);

/** Late acknowledgements in one run: the paused leader's clock drifts `leaderPpm` (from 1.5 s on), every clock `allPpm`. */
function lateAcks(seed: number, leaderPpm: number, allPpm = 0): number {
  const faults: FaultSpec[] = [
    ...(leaderPpm !== 0 ? [{ at: 1500, type: "clockDrift" as const, host: "leader-of-most" as const, ppm: leaderPpm, forMs: 1500 }] : []),
    { at: { between: [2000, 2100] }, type: "pause", host: "leader-of-most", for: 200 },
  ];
  const clocks: ClockSpec | undefined = allPpm !== 0 ? { driftPpm: allPpm } : undefined;
  const cell = makeCell(0, {
    scenario: "lease-under-drift",
    elector: "raft",
    options: RAFT_WITH_LEASE,
    seed,
    cluster: { brokers: 3, partitions: 4, replicationFactor: 3 },
    network: { delay: { kind: "uniform", min: 0.5, max: 3 } },
    workload: { partitions: 4, writesPerSecond: 200, startMs: 1000 },
    ...(clocks !== undefined ? { clocks } : {}),
    faults,
    durationMs: 3000,
    timeline: "findings",
  });
  const log = runWorld(buildCell(cell, electors).config).log;
  const newest = new Map<number, number>();
  let late = 0;
  for (let i = 0; i < log.length; i++) {
    const p = log.partition[i];
    if (log.kind[i] === Obs.Lead) newest.set(p, Math.max(newest.get(p) ?? -1, log.a[i]));
    else if (log.kind[i] === Obs.Ack && (newest.get(p) ?? -1) > log.a[i]) late++;
  }
  return late;
}

const total = (leaderPpm: number, allPpm = 0): number => SEEDS.reduce((sum, seed) => sum + lateAcks(seed, leaderPpm, allPpm), 0);

describe("Raft's check-quorum lease under clock drift", () => {
  it("holds while the leader's clock runs no slower than its voters' (no drift, leader 10 % fast, every clock 30 % slow, leader 0.1 % slow)", () => {
    expect(total(0)).toBe(0);
    expect(total(100_000)).toBe(0);
    expect(total(0, -300_000)).toBe(0);
    // 1000 ppm: twice the most an NTP-disciplined clock may be slewed (500 ppm); within the slack.
    expect(total(-1000)).toBe(0);
  });

  it("fails when the leader's clock runs 30 % slower than its voters': late acknowledgements after a newer leader was elected", () => {
    const perSeed = SEEDS.map((seed) => lateAcks(seed, -300_000));
    expect(perSeed.filter((n) => n > 0).length).toBeGreaterThanOrEqual(SEEDS.length / 2);
  });
});
