/**
 * Raft persists term, vote and log before replying (Figure 2); Zab logs proposals and writes its
 * epochs before acknowledging (ZooKeeper's SyncRequestProcessor): both through ctx.persist, so
 * the host's fsync latency (src/sim/storage.ts) is on the critical path of elections and
 * acknowledgements. Measured here with a constant fsync latency F against F = 0.
 */
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import { Obs } from "../record/observation-log.ts";
import { runWorld, type WorldOutcome } from "../world/run.ts";

const def = (name: string): ElectorDefinition => electors.find((e) => e.name === name)!;

function run(name: string, options: Record<string, unknown>, fsyncMs: number, durationMs: number): WorldOutcome {
  const d = def(name);
  return runWorld({
    seed: 3,
    durationMs,
    cluster: { brokers: 3, partitions: 6, replicationFactor: 3 },
    network: { delay: { kind: "constant", ms: 1 } },
    workload: { partitions: 6, writesPerSecond: 20 },
    storage: { fsync: { kind: "constant", ms: fsyncMs } },
    faults: [],
    elector: d,
    options: Schema.decodeUnknownSync(d.options)(options),
  });
}

/** Time of the first Lead declaration per partition. */
function firstLeads(out: WorldOutcome): number[] {
  const first: number[] = [];
  const l = out.log;
  for (let i = 0; i < l.length; i++) if (l.kind[i] === Obs.Lead && first[l.partition[i]] === undefined) first[l.partition[i]] = l.time[i];
  return first;
}

/** Mean time from a producer's send to the leader's acknowledgement, over acknowledged writes. */
function meanAckLatency(out: WorldOutcome): number {
  const sent = new Map<number, number>();
  const l = out.log;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < l.length; i++) {
    if (l.kind[i] === Obs.WriteSent) sent.set(l.b[i], l.time[i]);
    else if (l.kind[i] === Obs.Ack && sent.has(l.b[i])) {
      sum += l.time[i] - sent.get(l.b[i])!;
      n++;
    }
  }
  expect(n).toBeGreaterThan(50);
  return sum / n;
}

describe("persist before replying", () => {
  it("raft: a candidate persists its term and vote before asking, a voter its vote before answering: each first election takes 2 fsyncs longer", () => {
    const o = { coalescedHeartbeats: false, persistBeforeReply: true };
    const fast = firstLeads(run("raft", o, 0, 2_000));
    const slow = firstLeads(run("raft", o, 20, 2_000));
    expect(fast.length).toBe(6);
    for (let p = 0; p < 6; p++) expect(slow[p] - fast[p]).toBeCloseTo(40, 6);
  });

  it("raft: acknowledgements wait for the leader's and a follower's fsync; persistBeforeReply: false ignores the disk", () => {
    const o = { coalescedHeartbeats: false, persistBeforeReply: true };
    const delta = meanAckLatency(run("raft", o, 20, 8_000)) - meanAckLatency(run("raft", o, 0, 8_000));
    expect(delta).toBeGreaterThanOrEqual(40 - 1e-6);
    const off = { ...o, persistBeforeReply: false };
    expect(run("raft", off, 20, 3_000).traceHash).toBe(run("raft", off, 0, 3_000).traceHash);
  });

  it("zab: a follower logs a proposal before its ACK and the leader before its PROPOSAL: acknowledgements take 2 fsyncs longer; persistBeforeAck: false ignores the disk", () => {
    const delta = meanAckLatency(run("zab", { persistBeforeAck: true }, 20, 12_000)) - meanAckLatency(run("zab", { persistBeforeAck: true }, 0, 12_000));
    expect(delta).toBeGreaterThanOrEqual(40 - 1e-6);
    const off = { persistBeforeAck: false };
    expect(run("zab", off, 20, 8_000).traceHash).toBe(run("zab", off, 0, 8_000).traceHash);
  });
});
