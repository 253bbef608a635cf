/**
 * Raft persists term, vote and log before replying (Figure 2); Zab logs proposals and writes its
 * epochs before acknowledging (ZooKeeper's SyncRequestProcessor): both through ctx.persist, so
 * the host's fsync latency (src/sim/storage.ts) is on the critical path of elections and
 * acknowledgements. Both are on by default (etcd, ZooKeeper). A leader sends its entries while
 * its own disk writes them (etcd: MsgApp before its WAL save, thesis §10.2.1; ZooKeeper: the
 * PROPOSAL before SyncRequestProcessor) and counts itself once they are flushed. Measured here
 * with a constant fsync latency F against F = 0, on constant 1 ms links.
 */
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import { Obs } from "../record/observation-log.ts";
import { runWorld, type WorldOutcome } from "../world/run.ts";

const def = (name: string): ElectorDefinition => electors.find((e) => e.name === name)!;

function run(name: string, options: Record<string, unknown>, fsyncMs: number, durationMs: number, partitions = 6): WorldOutcome {
  const d = def(name);
  return runWorld({
    seed: 3,
    durationMs,
    cluster: { brokers: 3, partitions, replicationFactor: 3 },
    network: { delay: { kind: "constant", ms: 1 } },
    workload: { partitions, writesPerSecond: 20 },
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
    const o = { coalescedHeartbeats: false };
    const fast = firstLeads(run("raft", o, 0, 2_000));
    const slow = firstLeads(run("raft", o, 20, 2_000));
    expect(fast.length).toBe(6);
    for (let p = 0; p < 6; p++) expect(slow[p] - fast[p]).toBeCloseTo(40, 6);
  });

  it("raft: an acknowledgement waits for a follower's fsync; the leader's own overlaps the round trip; persistBeforeReply: false ignores the disk", () => {
    // One group, so no other group's fsync holds the leader's messages (they share the host's
    // outbox). Per write: the leader sends at once and flushes (F) in parallel; the follower
    // flushes (F) before answering: the ack comes at max(F, 1 + F + 1) instead of 1 + 1, so the
    // mean latency grows by exactly F = 20 (2F if the leader flushed before sending).
    const o = { coalescedHeartbeats: false };
    const delta = meanAckLatency(run("raft", o, 20, 8_000, 1)) - meanAckLatency(run("raft", o, 0, 8_000, 1));
    expect(delta).toBeCloseTo(20, 6);
    const off = { ...o, persistBeforeReply: false };
    expect(run("raft", off, 20, 3_000).traceHash).toBe(run("raft", off, 0, 3_000).traceHash);
  });

  it("zab: a follower logs a proposal before its ACK, the leader in parallel with its PROPOSAL: acknowledgements take one fsync longer; persistBeforeAck: false ignores the disk", () => {
    // As raft's: the ACK comes at max(F, 1 + F + 1) instead of 1 + 1, so exactly F = 20 later.
    const delta = meanAckLatency(run("zab", {}, 20, 12_000, 1)) - meanAckLatency(run("zab", {}, 0, 12_000, 1));
    expect(delta).toBeCloseTo(20, 6);
    const off = { persistBeforeAck: false };
    expect(run("zab", off, 20, 8_000).traceHash).toBe(run("zab", off, 0, 8_000).traceHash);
  });
});
