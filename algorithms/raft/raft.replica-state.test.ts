/**
 * What raft declares about its replicas (append / truncate / commit), the new leader's empty
 * entry (thesis §6.4, etcd), etcd's vote lease rule under check-quorum, and a deposed leader
 * learning the higher term through coalesced heartbeats — on the testing kit.
 */
import { describe, expect, it } from "vitest";
import { Testbed } from "../../src/testing/testbed.ts";
import { raft, type RaftOptions } from "./index.ts";
import { APPEND_RESP, RV, RV_RESP } from "./messages.ts";
import { LEADER, type RaftHost } from "./raft-host.ts";

function bed(variant: string, options: Partial<RaftOptions> = {}, seed = 1, hosts = 3): Testbed {
  return new Testbed({ elector: raft, variant, options, hosts, partitions: 1, seed, delay: { min: 0.2, max: 0.6 } });
}

const inspect = (w: Testbed, h: number) => w.instance<RaftHost>(h)!.inspect(0)!;

describe("raft replica state", () => {
  it("a new leader appends an empty entry of its term (writeId -1) and commits it with no producer traffic; followers learn the commit index", () => {
    const w = bed("paper", { coalescedHeartbeats: false }).runUntil(1000);
    const l = w.agreedLeader(0);
    expect(l).toBeGreaterThanOrEqual(0);
    const term = inspect(w, l).term;
    for (let h = 0; h < 3; h++) {
      const r = w.recorder.replica(h, 0);
      expect([h, r.writes, r.epochs, r.committed]).toEqual([h, [-1], [term], 1]);
    }
    // Producer writes: appended at the next positions with their write ids, committed, acknowledged.
    w.write(l, 0, 7);
    w.write(l, 0, 8);
    w.runUntil(1200);
    for (let h = 0; h < 3; h++) expect([h, w.recorder.replica(h, 0)]).toEqual([h, { writes: [-1, 7, 8], epochs: [term, term, term], committed: 3 }]);
    expect(w.writes.map((x) => x.outcome)).toEqual([1, 1]);
    // Commit declarations never go down, on any host.
    for (let h = 0; h < 3; h++) {
      const commits = w.recorder.of("commit", 0, h).map((d) => d.a);
      expect(commits).toEqual([...commits].sort((a, b) => a - b));
    }
  });

  it("entries of an earlier term are committed by the next leader's empty entry (§5.4.2), not by counting replicas of the old term", () => {
    // The leader's write reaches both followers, but every answer to it is lost: nobody learns it
    // is stored by a majority. The leader then crashes.
    const w = bed("paper", { coalescedHeartbeats: false }, 3).runUntil(1000);
    const old = w.agreedLeader(0);
    w.filter = (_from, to, m) => !(to === old && m.type === APPEND_RESP);
    w.write(old, 0, 42);
    w.runUntil(1100);
    const followers = [0, 1, 2].filter((h) => h !== old);
    for (const f of followers) expect(w.recorder.replica(f, 0)).toMatchObject({ writes: [-1, 42], committed: 1 });
    expect(w.writes[0].outcome).toBe(-1); // never answered
    w.crash(old);
    w.filter = undefined;
    w.runUntil(2500);
    const next = w.agreedLeader(0);
    expect(followers).toContain(next);
    // The new leader's empty entry (its term) is committed, and with it write 42 of the old term.
    const r = w.recorder.replica(next, 0);
    expect(r.writes).toEqual([-1, 42, -1]);
    expect(r.committed).toBe(3);
    expect(w.judge().data.lostWrites.count).toBe(0);
  });

  it("a single-replica group commits its empty entry and every write once its own fsync completed", () => {
    const w = new Testbed({ elector: raft, variant: "paper", hosts: 1, partitions: 1, replicationFactor: 1 }).runUntil(400);
    w.write(0, 0, 5);
    // Appended at once; committed (a majority of one stores it) after the testbed's 1 ms fsync.
    expect(w.recorder.replica(0, 0)).toEqual({ writes: [-1, 5], epochs: [1, 1], committed: 1 });
    w.runFor(1);
    expect(w.recorder.replica(0, 0)).toEqual({ writes: [-1, 5], epochs: [1, 1], committed: 2 });
    expect(w.writes[0].outcome).toBe(1);
  });
});

describe("raft check-quorum: etcd's vote lease", () => {
  it("at first boot (term 0, no leader known) a vote request is granted, with check-quorum on, as soon as the vote is durable", () => {
    const w = bed("etcd");
    // Time 0: nobody has heard from a leader, so nobody is in a lease (etcd: r.lead == None).
    w.instance<RaftHost>(0)!.onMessage(1, { type: RV, p: 0, term: 1, lastIndex: 0, lastTerm: 0 } as never);
    // The grant leaves after the vote's fsync (persistBeforeReply, the default; the testbed's 1 ms).
    expect(w.sent.filter((s) => s.type === RV_RESP && s.from === 0)).toEqual([]);
    w.runFor(1);
    const replies = w.sent.filter((s) => s.type === RV_RESP && s.from === 0);
    expect(replies.map((s) => s.message)).toEqual([{ type: RV_RESP, p: 0, term: 1, granted: true }]);
    expect(inspect(w, 0)).toMatchObject({ term: 1, votedFor: 1 });
  });

  it("a follower that knows a leader it heard from within the election timeout ignores a higher-term vote request; once the leader is silent that long, it votes", () => {
    const w = bed("etcd", {}, 2).runUntil(4000);
    const l = w.agreedLeader(0);
    const [f, other] = [0, 1, 2].filter((h) => h !== l);
    const t = inspect(w, f).term;
    const ask = () => w.instance<RaftHost>(f)!.onMessage(other, { type: RV, p: 0, term: t + 1, lastIndex: 10, lastTerm: t } as never);
    const before = w.sent.filter((s) => s.type === RV_RESP && s.from === f).length;
    ask();
    expect([w.sent.filter((s) => s.type === RV_RESP && s.from === f).length - before, inspect(w, f).term]).toEqual([0, t]);
    w.isolate(l);
    w.runUntil(w.now + 1010); // electionTimeoutMin (1000 ms) without hearing from the leader
    ask();
    expect(inspect(w, f).term).toBeGreaterThanOrEqual(t + 1);
  });
});

describe("raft coalesced heartbeats: a deposed leader learns the higher term", () => {
  it("a leader cut off from one follower is deposed by the other follower's heartbeat response, as per-group heartbeats would depose it", () => {
    // L leads; L and A cannot talk; B talks to both. A campaigns and B votes for it (the paper's
    // Raft: no pre-vote, no check-quorum). A's announcement never reaches L. Per group, L's next
    // heartbeat to B would be answered with B's higher term (§5.1). Coalesced, B answers L's host
    // heartbeat, so B's answer must carry the term of the group it no longer follows L in.
    for (const coalescedHeartbeats of [false, true]) {
      const w = bed("paper", { coalescedHeartbeats }, 4).runUntil(1000);
      const l = w.agreedLeader(0);
      const [a, b] = [0, 1, 2].filter((h) => h !== l);
      const term = inspect(w, l).term;
      w.cutBoth(l, a);
      w.runUntil(2500);
      const aLeads = w.recorder.of("lead", 0, a).filter((d) => d.time > 1000);
      expect(aLeads.length).toBeGreaterThan(0);
      // L learned it was superseded although A never reached it: it stepped down within a few
      // heartbeat intervals of A's (and so B's) new term.
      const steppedDown = w.recorder.of("stepDown", 0, l).filter((d) => d.time > 1000);
      expect([coalescedHeartbeats, steppedDown.length > 0]).toEqual([coalescedHeartbeats, true]);
      expect(steppedDown[0].time - aLeads[0].time).toBeLessThan(200);
      expect(inspect(w, l).term).toBeGreaterThan(term);
      expect(w.judge().splitBrain.sameEpoch.count).toBe(0);
    }
  });
});
