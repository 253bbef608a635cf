/**
 * The core on its own, as etcd-io/raft's tests drive raft.go: no host layer, no network, no
 * timers — deadlines and messages are handed in by hand, outputs collected from a recording port
 * (etcd's `msgs` queue).
 */
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import type { DurableStore, HostId, Message, Observer } from "../../src/elector/api.ts";
import { ClusterModel } from "../../src/cluster/cluster-model.ts";
import { RandomStream } from "../../src/sim/random.ts";
import { raft, type RaftOptions } from "./index.ts";
import { CANDIDATE, GroupLayout, LEADER, PRE_CANDIDATE } from "./layout.ts";
import { APPEND, APPEND_RESP, PRE_VOTE, PRE_VOTE_RESP, RV, RV_RESP } from "./messages.ts";
import type { RaftPort } from "./port.ts";
import { RaftCore } from "./raft-core.ts";

class Store implements DurableStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  set(key: string, value: unknown): void {
    this.values.set(key, value);
  }
}

/** A port that records everything the core emits. */
class RecordingPort implements RaftPort {
  time = 0;
  readonly msgs: { to: HostId; m: Message }[] = [];
  readonly declared: string[] = [];
  readonly random = new RandomStream(1, "core-test");
  readonly observer: Observer;
  constructor() {
    const d = this.declared;
    this.observer = {
      lead: (p, e) => d.push(`lead ${p} ${e}`),
      follow: (p, l, e) => d.push(`follow ${p} ${l} ${e}`),
      stepDown: (p) => d.push(`stepDown ${p}`),
      acknowledged: (p, w, e) => d.push(`ack ${p} ${w} ${e}`),
      rejected: (p, w) => d.push(`reject ${p} ${w}`),
      campaign: (p) => d.push(`campaign ${p}`),
      controller: () => {},
      controllerResigned: () => {},
      append: (p, w, pos, e) => d.push(`append ${p} ${w} @${pos} ${e}`),
      truncate: (p, from) => d.push(`truncate ${p} @${from}`),
      commit: (p, n) => d.push(`commit ${p} ${n}`),
    };
  }
  now(): number {
    return this.time;
  }
  send(to: HostId, m: Message): void {
    this.msgs.push({ to, m });
  }
  deadlineEarlier(): void {}
  deadlineSet(): void {}
  waitsNowhere(): boolean {
    return false;
  }
  leaderChanged(): void {}
  leaderAsserted(): void {}
  termRaised(): void {}
  generationTowards(): number {
    return 0;
  }
  peerSilent(): boolean {
    return false;
  }
  leaderHostHeardSince(): boolean {
    return false;
  }
  leadershipStarted(): void {}
  leadershipEnded(): void {}
}

/** Host 0's core (the paper's variant with `o` over it); a restart is a second core on the same store. */
function core(o: Partial<RaftOptions> = {}, store: DurableStore = new Store()): { c: RaftCore; port: RecordingPort } {
  const cluster = ClusterModel.fromReplicaLists(3, [[0, 1, 2]]);
  const options = Schema.decodeUnknownSync(raft.options)({ ...raft.variants!.find((v) => v.name === "paper")!.options, ...o });
  const port = new RecordingPort();
  const c = new RaftCore(new GroupLayout(cluster, 0), port, options, store);
  c.start(0);
  return { c, port };
}

describe("raft core, driven by hand", () => {
  it("campaigns on its deadline (§5.2), wins with one vote, appends its empty entry and sends it to both followers", () => {
    const { c, port } = core();
    port.time = 200;
    c.onDeadline(0, 200);
    expect([c.role[0], c.term[0], c.votedFor[0]]).toEqual([CANDIDATE, 1, 0]);
    expect(port.msgs.map(({ to, m }) => [to, m.type, (m as unknown as { term: number }).term])).toEqual([
      [1, RV, 1],
      [2, RV, 1],
    ]);
    port.msgs.length = 0;
    c.step(1, { type: RV_RESP, p: 0, term: 1, granted: true } as never);
    expect(c.role[0]).toBe(LEADER);
    expect(port.declared).toEqual(["campaign 0", "lead 0 1", "append 0 -1 @0 1"]);
    expect(port.msgs.map(({ to, m }) => [to, m.type, (m as unknown as { writeIds: number[] }).writeIds])).toEqual([
      [1, APPEND, [-1]],
      [2, APPEND, [-1]],
    ]);
    // One follower stores it: a majority with the leader; the entry of the current term commits (§5.4.2).
    c.step(1, { type: APPEND_RESP, p: 0, term: 1, success: true, index: 1, rejected: 0, echo: 200 } as never);
    expect(port.declared.at(-1)).toBe("commit 0 1");
  });

  it("paper: a candidate re-sends RequestVote each heartbeat interval to a replica that has not answered (§5.1), etcd does not", () => {
    for (const [o, retried] of [
      [{}, true],
      [{ retryRequestVote: false }, false],
    ] as const) {
      const { c, port } = core(o);
      port.time = 300;
      c.onDeadline(0, 300); // candidate in term 1; its round ends 150-300 ms later
      c.step(1, { type: RV_RESP, p: 0, term: 1, granted: false } as never); // host 1 refuses; host 2 is silent
      port.msgs.length = 0;
      if (!retried) {
        // etcd-io/raft: MsgVote once per campaign; the next thing due is the round's end.
        expect(c.deadline[0]).toBeGreaterThanOrEqual(450);
        continue;
      }
      expect(c.deadline[0]).toBe(375); // one heartbeat interval (75 ms in the paper variant)
      port.time = 375;
      c.onDeadline(0, 375);
      expect([c.role[0], c.term[0]]).toEqual([CANDIDATE, 1]);
      expect(port.msgs.map(({ to, m }) => [to, m.type, (m as unknown as { term: number }).term])).toEqual([[2, RV, 1]]);
      expect(c.deadline[0]).toBe(450);
      c.step(2, { type: RV_RESP, p: 0, term: 1, granted: true } as never);
      expect(c.role[0]).toBe(LEADER);
    }
  });

  it("refuses a vote to a candidate whose log is behind ours (§5.4.1), grants it to one at least as up to date", () => {
    const { c, port } = core();
    c.step(1, { type: APPEND, p: 0, term: 1, gen: 0, sentAt: 0, prevIndex: 0, prevTerm: 0, terms: [1], writeIds: [-1], commit: 0 } as never);
    expect(port.declared).toEqual(["follow 0 1 1", "append 0 -1 @0 1"]);
    port.msgs.length = 0;
    c.step(2, { type: RV, p: 0, term: 2, lastIndex: 0, lastTerm: 0 } as never);
    expect(port.msgs.map(({ m }) => m)).toEqual([{ type: RV_RESP, p: 0, term: 2, granted: false }]);
    c.step(2, { type: RV, p: 0, term: 2, lastIndex: 1, lastTerm: 1 } as never);
    expect(port.msgs.at(-1)!.m).toEqual({ type: RV_RESP, p: 0, term: 2, granted: true });
  });
});

/** The bug-zoo variants' options (index.ts), so these tests follow the variants npm run bench:zoo scores. */
function variantOptions(name: string): Partial<RaftOptions> {
  return raft.variants!.find((v) => v.name === name)!.options as Partial<RaftOptions>;
}

/** An AppendEntries from leader 1 in term 1 carrying its empty entry: host 0 then holds [term 1]. */
const LEADER_1_ENTRY = { type: APPEND, p: 0, term: 1, gen: 0, sentAt: 0, prevIndex: 0, prevTerm: 0, terms: [1], writeIds: [-1], commit: 0 };

describe("bug zoo (npm run bench:zoo): each bug bites where the correct core does not", () => {
  it("bug-vote-without-log-check grants a vote to a candidate whose log is behind ours (§5.4.1 broken)", () => {
    for (const [o, granted] of [
      [variantOptions("paper"), false],
      [variantOptions("bug-vote-without-log-check"), true],
    ] as const) {
      const { c, port } = core(o);
      c.step(1, LEADER_1_ENTRY as never);
      port.msgs.length = 0;
      c.step(2, { type: RV, p: 0, term: 2, lastIndex: 0, lastTerm: 0 } as never);
      expect(port.msgs.map(({ m }) => m)).toEqual([{ type: RV_RESP, p: 0, term: 2, granted }]);
    }
  });

  it("bug-forget-vote-on-restart votes for a second candidate in the same term after a restart (Figure 2: votedFor is persistent)", () => {
    for (const [o, second] of [
      [variantOptions("paper"), false],
      [variantOptions("bug-forget-vote-on-restart"), true],
    ] as const) {
      const store = new Store();
      const before = core(o, store);
      before.c.step(1, { type: RV, p: 0, term: 2, lastIndex: 0, lastTerm: 0 } as never);
      expect(before.port.msgs.at(-1)!.m).toEqual({ type: RV_RESP, p: 0, term: 2, granted: true });
      const after = core(o, store); // crash and restart: only the store survives
      expect(after.c.term[0]).toBe(2);
      after.c.step(2, { type: RV, p: 0, term: 2, lastIndex: 0, lastTerm: 0 } as never);
      expect(after.port.msgs.at(-1)!.m).toEqual({ type: RV_RESP, p: 0, term: 2, granted: second });
    }
  });

  it("bug-pre-candidate-keeps-leader: after its own timeout a pre-candidate still 'hears' the lost leader and refuses a peer's pre-vote (etcd-io/etcd#9586)", () => {
    // etcd's TestPreVoteWithCheckQuorum: leader 1 is gone; host 0 timed out and is a pre-candidate
    // when host 2's pre-vote arrives. Fixed: host 0 forgot leader 1 and grants; buggy: it refuses.
    for (const [o, granted] of [
      [variantOptions("etcd"), true],
      [variantOptions("bug-pre-candidate-keeps-leader"), false],
    ] as const) {
      const { c, port } = core(o);
      c.step(1, LEADER_1_ENTRY as never);
      port.time = 2_500; // past any election timeout (1000-2000 ms) since leader 1 was last heard
      c.onDeadline(0, port.time);
      expect(c.role[0]).toBe(PRE_CANDIDATE);
      port.msgs.length = 0;
      port.time = 2_510;
      c.step(2, { type: PRE_VOTE, p: 0, term: 2, lastIndex: 1, lastTerm: 1 } as never);
      expect(port.msgs.map(({ m }) => m)).toEqual([{ type: PRE_VOTE_RESP, p: 0, term: granted ? 2 : 1, granted }]);
    }
  });
});
