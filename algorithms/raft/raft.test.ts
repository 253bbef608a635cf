import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import type { HostId } from "../../src/elector/api.ts";
import { Testbed } from "../../src/testing/testbed.ts";
import { raft, type RaftOptions } from "./index.ts";
import { RV, RV_RESP, type VoteResponse } from "./messages.ts";
import { CANDIDATE, FOLLOWER, LEADER, type RaftHost } from "./raft-host.ts";

const opts = (o: Partial<RaftOptions> = {}): RaftOptions => Schema.decodeUnknownSync(raft.options)(o);

/** The paper's timing (variant `paper`: 150-300 ms, 75 ms heartbeats, no pre-vote or check-quorum) unless overridden. */
function world(brokers: number, partitions: number, rf: number, o: Partial<RaftOptions> = {}, seed = 1): Testbed {
  return new Testbed({ elector: raft, variant: "paper", options: o, hosts: brokers, partitions, replicationFactor: rf, seed, delay: { min: 0.2, max: 0.6 } });
}

function host(w: Testbed, h: HostId): RaftHost {
  return w.instance<RaftHost>(h)!;
}

/** Election safety (§5.2): at most one host declared lead(p, term) for every p and term. */
function expectElectionSafety(w: Testbed): void {
  for (const [key, hosts] of w.recorder.leadersByEpoch()) expect([key, [...hosts]]).toEqual([key, [...hosts].slice(0, 1)]);
}

/** The one leader all live replicas of p agree on (and that believes it leads), or undefined. */
function agreedLeader(w: Testbed, p: number): { leader: HostId; term: number } | undefined {
  const live: HostId[] = [];
  for (let j = 0; j < w.cluster.replicationFactor; j++) {
    const h = w.cluster.replica(p, j);
    if (w.isUp(h)) live.push(h);
  }
  const views = live.map((h) => host(w, h).inspect(p)!);
  const l = views[0].leader;
  if (l < 0 || !live.includes(l)) return undefined;
  const term = host(w, l).inspect(p)!;
  if (term.role !== LEADER) return undefined;
  for (const v of views) if (v.leader !== l || v.term !== term.term) return undefined;
  const b = w.beliefs(p);
  for (const h of live) {
    const belief = b.get(h);
    if (belief === undefined || belief.leader !== l || belief.epoch !== term.term) return undefined;
  }
  return { leader: l, term: term.term };
}

describe("raft options", () => {
  it("decodes etcd v3.5's server defaults; the paper's timing is a variant; every variant claims safety", () => {
    expect(opts()).toEqual({
      electionTimeoutMin: 1000,
      electionTimeoutMax: 2000,
      heartbeatInterval: 100,
      tickMs: 100,
      preVote: true,
      checkQuorum: true,
      retryRequestVote: false,
      persistBeforeReply: true,
      coalescedHeartbeats: true,
      quiesce: false,
      ackLease: false,
      zooBug: "none",
    });
    expect(raft.variants!.filter((v) => v.bug === undefined).map((v) => v.name)).toEqual(["etcd", "paper"]);
    for (const v of raft.variants!) {
      const o = opts(v.options as Partial<RaftOptions>);
      expect(raft.claims(o)).toEqual({ noLostAcknowledgedWrites: true, noDivergence: true, noSameEpochLeaders: true, liveness: true, coreLiveness: true });
    }
    expect(opts(raft.variants![0].options as Partial<RaftOptions>)).toEqual(opts());
    expect(opts(raft.variants![1].options as Partial<RaftOptions>)).toMatchObject({
      electionTimeoutMin: 150,
      electionTimeoutMax: 300,
      heartbeatInterval: 75,
      preVote: false,
      checkQuorum: false,
      retryRequestVote: true,
    });
    expect(raft.usesCoordinator).toBe(false);
    expect(raft.quietPeriodMs(opts())).toBe(6 * 2100 + 1000 + 300);
    expect(raft.quietPeriodMs(opts(raft.variants![1].options as Partial<RaftOptions>))).toBe(20 * 310 + 150 + 3 * 75);
  });

  it("refuses inconsistent timings, and the ack lease without check-quorum", () => {
    expect(() => opts({ electionTimeoutMin: 300, electionTimeoutMax: 150 })).toThrow(/electionTimeoutMax/);
    expect(() => opts({ heartbeatInterval: 1000 })).toThrow(/heartbeatInterval/);
    expect(() => opts({ ackLease: true, checkQuorum: false })).toThrow(/ackLease/);
  });
});

describe("raft elections", () => {
  it("a single-node group leads on its first timeout, in term 1", () => {
    for (const preVote of [false, true]) {
      const w = world(1, 3, 1, { preVote }).runUntil(400);
      const leads = w.recorder.declarations.filter((o) => o.kind === "lead").map((o) => [o.partition, o.a]);
      expect(leads.sort((x, y) => x[0] - y[0])).toEqual([
        [0, 1],
        [1, 1],
        [2, 1],
      ]);
      expect(w.recorder.count("campaign")).toBe(3);
      for (let p = 0; p < 3; p++) expect(host(w, 0).inspect(p)).toMatchObject({ role: LEADER, term: 1, votedFor: 0 });
    }
  });

  it("three nodes elect one leader in term 1 that the other two follow", () => {
    const w = world(3, 1, 3).runUntil(1000);
    expectElectionSafety(w);
    const agreed = agreedLeader(w, 0);
    expect(agreed).toBeDefined();
    expect(agreed!.term).toBe(1);
    expect(w.recorder.count("lead")).toBe(1);
    expect(w.recorder.count("follow")).toBe(2);
  });

  it("three nodes with one down elect a leader; with two down they never do", () => {
    const one = world(3, 1, 3);
    one.crash(2);
    one.runUntil(2000);
    expect(agreedLeader(one, 0)).toBeDefined();
    expect(one.recorder.count("lead")).toBe(1);

    const two = world(3, 1, 3);
    two.crash(1);
    two.crash(2);
    two.runUntil(5000);
    expect(two.recorder.count("lead")).toBe(0);
    // It keeps campaigning, one term per election timeout (150-300 ms, quantized to 10 ms ticks).
    const campaigns = two.recorder.count("campaign");
    expect(campaigns).toBeGreaterThanOrEqual(Math.floor(5000 / 310));
    expect(campaigns).toBeLessThanOrEqual(Math.ceil(5000 / 150));
    expect(host(two, 0).inspect(0)).toMatchObject({ role: CANDIDATE, term: campaigns, votedFor: 0, leader: -1 });
  });

  it("with pre-vote, a lone node never raises its term", () => {
    const w = world(3, 1, 3, { preVote: true });
    w.crash(1);
    w.crash(2);
    w.runUntil(3000);
    expect(w.recorder.count("campaign")).toBe(0);
    expect(host(w, 0).inspect(0)).toMatchObject({ term: 0, votedFor: -1, leader: -1 });
  });

  it("a restart keeps the term and the vote: one vote per term survives a crash", () => {
    const w = world(3, 1, 3);
    w.crash(1);
    w.crash(2);
    const votes = (): VoteResponse[] => w.sent.filter((s) => s.type === RV_RESP).map((s) => s.message as VoteResponse);
    // Host 1 asks host 0 for its vote in term 50 (far above anything host 0 reached alone).
    // Figure 2 (persistBeforeReply, the default): the grant leaves only once term and vote are
    // on disk, one fsync (the testbed's 1 ms) later.
    host(w, 0).onMessage(1, { type: RV, p: 0, term: 50, lastIndex: 0, lastTerm: 0 } as never);
    expect(votes()).toEqual([]);
    w.runFor(1);
    expect(votes().at(-1)).toMatchObject({ term: 50, granted: true });
    expect(host(w, 0).inspect(0)).toMatchObject({ term: 50, votedFor: 1, role: FOLLOWER });
    w.crash(0);
    w.restart(0);
    expect(host(w, 0).inspect(0)).toMatchObject({ term: 50, votedFor: 1, role: FOLLOWER, leader: -1 });
    // Host 2 asks for a vote in the same term: refused at once (nothing changed, nothing to sync).
    // Host 1 asks again: granted again, also at once (the vote it repeats is already durable).
    host(w, 0).onMessage(2, { type: RV, p: 0, term: 50, lastIndex: 0, lastTerm: 0 } as never);
    expect(votes().at(-1)).toMatchObject({ term: 50, granted: false });
    const n = votes().length;
    host(w, 0).onMessage(1, { type: RV, p: 0, term: 50, lastIndex: 0, lastTerm: 0 } as never);
    expect(votes().length).toBe(n + 1);
    expect(votes().at(-1)).toMatchObject({ term: 50, granted: true });
  });

  it("dueling candidates settle on one leader", () => {
    // Host 2 is cut off, so hosts 0 and 1 need each other's vote; 50 ms ticks quantize the
    // 150-300 ms timeouts to four values, so they often time out in the same tick and split.
    let duels = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const w = world(3, 1, 3, { tickMs: 50 }, seed);
      w.isolate(2);
      w.runUntil(4000);
      expectElectionSafety(w);
      const firstLead = w.recorder.declarations.findIndex((o) => o.kind === "lead");
      expect(firstLead).toBeGreaterThanOrEqual(0);
      const before = w.recorder.declarations.slice(0, firstLead).filter((o) => o.kind === "campaign" && o.host !== 2);
      if (before.length >= 2) duels++;
      const leaders = [0, 1].filter((h) => host(w, h).inspect(0)!.role === LEADER);
      expect(leaders.length).toBe(1);
      const other = 1 - leaders[0];
      expect(host(w, other).inspect(0)).toMatchObject({ role: FOLLOWER, leader: leaders[0], term: host(w, leaders[0]).inspect(0)!.term });
    }
    expect(duels).toBeGreaterThan(0);
  });
});

describe("raft pre-vote and check-quorum", () => {
  /** Settles, isolates a follower for 2 s, heals, and reports the leader before and after. */
  function rejoin(o: Partial<RaftOptions>) {
    const w = world(3, 1, 3, o, 3).runUntil(1000);
    const before = agreedLeader(w, 0)!;
    const follower = [0, 1, 2].find((h) => h !== before.leader)!;
    w.isolate(follower);
    w.runUntil(3000);
    const isolatedTerm = host(w, follower).inspect(0)!.term;
    w.heal();
    w.runUntil(5000);
    expectElectionSafety(w);
    return { before, after: agreedLeader(w, 0), isolatedTerm, leads: w.recorder.count("lead") };
  }

  it("with pre-vote, a node rejoining after isolation does not depose a stable leader", () => {
    const r = rejoin({ preVote: true });
    expect(r.isolatedTerm).toBe(r.before.term);
    expect(r.after).toEqual(r.before);
    expect(r.leads).toBe(1);
  });

  it("without pre-vote, the rejoining node's higher term forces a new election", () => {
    const r = rejoin({});
    expect(r.isolatedTerm).toBeGreaterThan(r.before.term);
    expect(r.after).toBeDefined();
    expect(r.after!.term).toBeGreaterThan(r.isolatedTerm - 1);
    expect(r.leads).toBe(2);
  });

  it("with pre-vote and coalesced heartbeats, the rejoining node follows the same leader again", () => {
    const r = rejoin({ preVote: true, coalescedHeartbeats: true });
    expect(r.isolatedTerm).toBe(r.before.term);
    expect(r.after).toEqual(r.before);
  });

  it("with check-quorum, an isolated leader steps down after an election timeout; without, it never does", () => {
    for (const checkQuorum of [true, false]) {
      const w = world(3, 1, 3, { checkQuorum }, 5).runUntil(1000);
      const old = agreedLeader(w, 0)!;
      w.isolate(old.leader);
      w.runUntil(3000);
      expectElectionSafety(w);
      const stepDowns = w.recorder.declarations.filter((o) => o.kind === "stepDown" && o.host === old.leader);
      const others = [0, 1, 2].filter((h) => h !== old.leader);
      const newLeader = others.find((h) => host(w, h).inspect(0)!.role === LEADER);
      expect(newLeader).toBeDefined();
      expect(host(w, newLeader!).inspect(0)!.term).toBeGreaterThan(old.term);
      if (checkQuorum) {
        expect(stepDowns.length).toBe(1);
        // Silent for electionTimeoutMin (150 ms) since the last answer, noticed on the next 10 ms tick.
        expect(stepDowns[0].time).toBeGreaterThan(1000);
        expect(stepDowns[0].time).toBeLessThanOrEqual(1000 + 150 + 10);
        // Stepped down in its own term; alone, it then campaigns in vain.
        expect(w.recorder.declarations.find((o) => o.host === old.leader && o.kind === "campaign" && o.time > 1000)!.time).toBeGreaterThanOrEqual(stepDowns[0].time);
        expect(host(w, old.leader).inspect(0)!.role).not.toBe(LEADER);
      } else {
        expect(stepDowns.length).toBe(0);
        expect(host(w, old.leader).inspect(0)).toMatchObject({ role: LEADER, term: old.term });
      }
    }
  });

  it("with check-quorum, a follower that hears from its leader ignores RequestVote (leader stickiness)", () => {
    for (const checkQuorum of [true, false]) {
      const w = world(3, 1, 3, { checkQuorum }, 2).runUntil(1000);
      const l = agreedLeader(w, 0)!;
      const [f, other] = [0, 1, 2].filter((h) => h !== l.leader);
      const sentBefore = w.sent.length;
      // The candidate's log is up to date (§5.4.1): only check-quorum can make f refuse.
      host(w, f).onMessage(other, { type: RV, p: 0, term: l.term + 5, lastIndex: 10, lastTerm: l.term } as never);
      // A grant waits for its fsync (Figure 2, the testbed's 1 ms): look once that has passed.
      w.runFor(1);
      const replies = w.sent.slice(sentBefore).filter((s) => s.type === RV_RESP);
      if (checkQuorum) {
        expect(replies.length).toBe(0);
        expect(host(w, f).inspect(0)).toMatchObject({ term: l.term, leader: l.leader });
      } else {
        expect(replies.map((s) => s.message)).toEqual([{ type: RV_RESP, p: 0, term: l.term + 5, granted: true }]);
        expect(host(w, f).inspect(0)).toMatchObject({ term: l.term + 5, votedFor: other, leader: -1 });
      }
    }
  });
});

describe("raft writes", () => {
  it("a write is acknowledged only once a majority stored it in the leader's term", () => {
    const w = world(3, 1, 3, {}, 4).runUntil(1000);
    const l = agreedLeader(w, 0)!;
    const [f1, f2] = [0, 1, 2].filter((h) => h !== l.leader);
    w.write(f1, 0, 100);
    expect(w.recorder.declarations.at(-1)).toMatchObject({ kind: "reject", host: f1, b: 100 });

    w.write(l.leader, 0, 1);
    w.runUntil(1100);
    const ack1 = w.recorder.declarations.filter((o) => o.kind === "ack");
    expect(ack1.map((o) => [o.host, o.a, o.b])).toEqual([[l.leader, l.term, 1]]);
    // Not before a round trip: the follower's AppendEntriesResponse is what makes the majority.
    expect(ack1[0].time).toBeGreaterThanOrEqual(1000 + 2 * 0.2);

    w.crash(f1);
    w.crash(f2);
    w.write(l.leader, 0, 2);
    w.runUntil(3000);
    expect(w.recorder.count("ack")).toBe(1);
    // The leader's empty entry of its term, then writes 1 and 2.
    expect(host(w, l.leader).logOf(0)).toEqual([-1, 1, 2]);

    w.restart(f2);
    w.runUntil(3500);
    const acks = w.recorder.declarations.filter((o) => o.kind === "ack");
    expect(acks.map((o) => [o.host, o.a, o.b])).toEqual([
      [l.leader, l.term, 1],
      [l.leader, l.term, 2],
    ]);
    expect(acks[1].time).toBeGreaterThan(3000);
    expect(host(w, f2).inspect(0)!.lastIndex).toBe(3);
  });

  it("a single-replica group acknowledges as soon as its own log write is flushed", () => {
    const w = world(1, 1, 1).runUntil(400);
    w.write(0, 0, 7);
    // Its own majority: the entry counts once the leader's fsync (the testbed's 1 ms) completed.
    expect(w.recorder.count("ack")).toBe(0);
    w.runFor(1);
    expect(w.recorder.declarations.at(-1)).toMatchObject({ kind: "ack", host: 0, partition: 0, a: 1, b: 7, time: 401 });
  });

  it("a deposed leader's uncommitted entries are refused, never acknowledged, and truncated (§5.3)", () => {
    const w = world(3, 1, 3, {}, 6).runUntil(1000);
    const old = agreedLeader(w, 0)!;
    w.write(old.leader, 0, 1);
    w.runUntil(1100);
    w.isolate(old.leader);
    w.write(old.leader, 0, 2);
    w.write(old.leader, 0, 3);
    w.runUntil(2000);
    const next = agreedLeader(w, 0);
    expect(next).toBeUndefined(); // the isolated one still believes it leads
    const others = [0, 1, 2].filter((h) => h !== old.leader);
    const l2 = others.find((h) => host(w, h).inspect(0)!.role === LEADER)!;
    w.write(l2, 0, 4);
    w.runUntil(2100);
    expect(host(w, old.leader).logOf(0)).toEqual([-1, 1, 2, 3]);
    w.heal();
    w.runUntil(3000);
    expectElectionSafety(w);
    const agreed = agreedLeader(w, 0)!;
    expect(agreed.leader).toBe(l2);
    expect(w.recorder.declarations.filter((o) => o.kind === "ack").map((o) => o.b)).toEqual([1, 4]);
    expect(w.recorder.declarations.filter((o) => o.kind === "reject" && o.host === old.leader).map((o) => o.b)).toEqual([2, 3]);
    // The old leader's entries 2 and 3 (its old term) were replaced by the new leader's empty entry and write 4.
    expect(host(w, old.leader).logOf(0)).toEqual([-1, 1, -1, 4]);
    expect(host(w, l2).logOf(0)).toEqual([-1, 1, -1, 4]);
    // ... and declared so: truncated from position 2, then appended.
    expect(w.recorder.replica(old.leader, 0).writes).toEqual([-1, 1, -1, 4]);
    expect(w.recorder.of("truncate", 0, old.leader).map((d) => d.a)).toEqual([2]);
  });
});

describe("raft coalesced heartbeats", () => {
  it("send O(host pairs) messages per interval, not O(groups)", () => {
    const window = [2000, 3000] as const;
    // Heartbeats every 50 ms (not the paper variant's 75): whole intervals per second and per tick.
    const perGroup = world(5, 100, 3, { coalescedHeartbeats: false, heartbeatInterval: 50 }, 8).runUntil(3000);
    const coalesced = world(5, 100, 3, { coalescedHeartbeats: true, heartbeatInterval: 50 }, 8).runUntil(3000);
    // One heartbeat per group and follower every 50 ms: 100 groups x 2 followers x 20 intervals.
    expect(perGroup.sentOfType("raft.Heartbeat", ...window)).toBe(100 * 2 * 20);
    expect(perGroup.sentOfType("raft.HeartbeatResponse", ...window)).toBe(100 * 2 * 20);
    // One per ordered host pair every 50 ms (each host leads some group with every other host).
    expect(coalesced.sentOfType("raft.Heartbeat", ...window)).toBe(0);
    expect(coalesced.sentOfType("raft.CoalescedHeartbeat", ...window)).toBe(5 * 4 * 20);
    expect(coalesced.sentOfType("raft.CoalescedHeartbeatResponse", ...window)).toBe(5 * 4 * 20);
    expect(coalesced.sent.filter((s) => s.time >= window[0] && s.time < window[1]).length).toBe(5 * 4 * 20 * 2);
    for (let p = 0; p < 100; p++) expect(agreedLeader(coalesced, p)).toBeDefined();
  });

  it("a broker crash fails its groups over, and the restarted broker rejoins without an election", () => {
    for (const coalescedHeartbeats of [false, true]) {
      const w = world(5, 30, 3, { coalescedHeartbeats }, 9).runUntil(1000);
      const victim = 2;
      const led = Array.from({ length: 30 }, (_, p) => p).filter((p) => agreedLeader(w, p)!.leader === victim);
      expect(led.length).toBeGreaterThan(0);
      w.crash(victim);
      w.runUntil(1000 + raft.quietPeriodMs(opts()));
      for (let p = 0; p < 30; p++) {
        const a = agreedLeader(w, p);
        expect(a).toBeDefined();
        expect(a!.leader).not.toBe(victim);
      }
      const restartAt = w.now;
      const campaignsBefore = w.recorder.count("campaign");
      w.restart(victim);
      w.runUntil(restartAt + 1000);
      expect(w.recorder.count("campaign")).toBe(campaignsBefore);
      for (let p = 0; p < 30; p++) expect(agreedLeader(w, p)).toBeDefined();
      expectElectionSafety(w);
    }
  });
});
