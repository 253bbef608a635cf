import { describe, expect, it } from "vitest";
import { DEFAULT_ZK_CONFIG, type ZkConfig } from "./config.ts";
import { builtinProfile, profileProblems, ZOOKEEPER_PAPER_PROFILE } from "./profiles.ts";
import { Harness } from "../testing/coordinator-harness.ts";

// Distinct, round costs so each rule shows in the reply times (constant 0.5 ms link).
const COSTS: Partial<ZkConfig> = {
  createMs: 1,
  setDataMs: 2,
  deleteMs: 3,
  readMs: 0.25,
  failedWriteMs: 5,
  multiSubOpMs: 7,
  notificationMs: 0.5,
  ephemeralDeleteMs: 11,
  sessionCloseMs: 13,
  sessionConnectMs: 17,
  logWriteMs: 19,
  quorumRoundMs: 23,
};
const COMMIT = 19 + 23;

function harness(brokers = 1): Harness {
  const h = new Harness(brokers, { config: COSTS });
  for (let i = 0; i < brokers; i++) h.client(i).connect(6000);
  h.advance(200);
  return h;
}

/** The reply time of a request issued now by host 0 to an idle server, minus the link both ways. */
function inServer(h: Harness, issue: (tag: number) => void, tag: number): number {
  const t = h.kernel.now;
  issue(tag);
  h.advance(2000);
  return h.result(0, tag).t - t - 1;
}

describe("cost profile", () => {
  it("the default is the ZooKeeper paper's profile: 21k writes/s, ~1.2 ms per write in the server", () => {
    expect(builtinProfile("zookeeper-paper")).toBe(ZOOKEEPER_PAPER_PROFILE);
    const c = DEFAULT_ZK_CONFIG;
    expect(1000 / c.createMs).toBeCloseTo(21000, 6);
    expect(c.createMs + c.logWriteMs + c.quorumRoundMs).toBeCloseTo(1.2, 1);
  });

  it("a session connect costs sessionConnectMs, then the commit (log write + quorum round)", () => {
    const h = new Harness(1, { config: COSTS });
    h.client(0).connect(6000);
    h.advance(200);
    expect(h.sessionStates(0)[0].t).toBeCloseTo(0.5 + 17 + COMMIT + 0.5, 9);
  });

  it("each write type costs its own time; a write that fails its precondition costs failedWriteMs", () => {
    const h = harness();
    const c = h.client(0);
    expect(inServer(h, (t) => c.create("/a", 0, "persistent", t), 1)).toBeCloseTo(1 + COMMIT, 9);
    expect(inServer(h, (t) => c.setData("/a", 1, -1, t), 2)).toBeCloseTo(2 + COMMIT, 9);
    expect(inServer(h, (t) => c.create("/a", 0, "persistent", t), 3)).toBeCloseTo(5 + COMMIT, 9); // NodeExists
    expect(h.result(0, 3).err).toBe("NodeExists");
    expect(inServer(h, (t) => c.setData("/a", 1, 99, t), 4)).toBeCloseTo(5 + COMMIT, 9); // BadVersion
    expect(h.result(0, 4).err).toBe("BadVersion");
    expect(inServer(h, (t) => c.getData("/a", false, t), 5)).toBeCloseTo(0.25, 9);
    expect(inServer(h, (t) => c.delete("/a", -1, t), 6)).toBeCloseTo(3 + COMMIT, 9);
    expect(inServer(h, (t) => c.delete("/a", -1, t), 7)).toBeCloseTo(5 + COMMIT, 9); // NoNode
  });

  it("a multi costs one write plus multiSubOpMs for each further sub-op", () => {
    const h = harness();
    const ops = [0, 1, 2, 3].map((i) => ({ op: "create" as const, path: `/m${i}`, data: 0, mode: "persistent" as const }));
    expect(inServer(h, (t) => h.client(0).multi(ops, t), 1)).toBeCloseTo(2 + 3 * 7 + COMMIT, 9);
  });

  it("a session close costs sessionCloseMs plus ephemeralDeleteMs per ephemeral it deletes", () => {
    const h = harness(2);
    for (let i = 0; i < 4; i++) h.client(0).create(`/e${i}`, 0, "ephemeral", i);
    h.client(1).exists("/e3", true, 1);
    h.advance(500);
    const t = h.kernel.now;
    h.client(0).close();
    h.advance(2000);
    // closeSession reaches the server at +0.5, holds it 13 + 4 x 11 ms, commits, the event takes 0.5 ms.
    expect(h.watches(1)[0].t - t).toBeCloseTo(0.5 + 13 + 4 * 11 + COMMIT + 0.5, 9);
  });

  it("each watch notification sent holds the server before its next request (a herd is queueing delay)", () => {
    const watchers = 8;
    // No commit wait, so the read's reply shows the server's busy time.
    const h2 = new Harness(watchers + 1, { config: { ...COSTS, logWriteMs: 0, quorumRoundMs: 0 } });
    for (let i = 0; i <= watchers; i++) h2.client(i).connect(6000);
    h2.advance(200);
    h2.client(0).create("/herd", 0, "persistent", 1);
    h2.advance(500);
    for (let i = 1; i <= watchers; i++) h2.client(i).exists("/herd", true, 1);
    h2.advance(500);
    const t2 = h2.kernel.now;
    h2.client(0).setData("/herd", 1, -1, 2);
    h2.client(0).getData("/herd", false, 3);
    h2.advance(2000);
    expect(h2.watches(8).length).toBe(1);
    // setData: 2 ms; its 8 notifications hold the server 8 x 0.5 ms; then the read's 0.25 ms.
    expect(h2.result(0, 3).t - t2).toBeCloseTo(0.5 + 2 + watchers * 0.5 + 0.25 + 0.5, 9);
  });

  it("a profile file is checked field by field", () => {
    expect(profileProblems(ZOOKEEPER_PAPER_PROFILE)).toEqual([]);
    const bad = { name: "x", source: "y", costs: { ...ZOOKEEPER_PAPER_PROFILE.costs, createMs: -1, extraMs: 1 } };
    expect(profileProblems(bad).map((p) => p.path)).toEqual(["costs.createMs", "costs.extraMs"]);
    expect(profileProblems(null)[0].message).toMatch(/profile object/);
  });
});

describe("group commit (groupCommit: 1)", () => {
  /** Reply times (minus the first's arrival) of `n` creates issued at once by host 0. */
  function replies(groupCommit: number, n: number): number[] {
    const h = new Harness(1, { config: { ...COSTS, quorumRoundMs: 0, logWriteMs: 10, groupCommit } });
    h.client(0).connect(6000);
    h.advance(200);
    const t = h.kernel.now;
    for (let i = 0; i < n; i++) h.client(0).create(`/g${i}`, 0, "persistent", i);
    h.advance(1000);
    return h.results(0).map((r) => r.t - t - 1);
  }

  it("off: every write's log write runs on its own, 10 ms after its service", () => {
    expect(replies(0, 5)).toEqual([11, 12, 13, 14, 15].map((x) => expect.closeTo(x, 9)));
  });

  it("on: one flush at a time; writes that reach the log during a flush share the next one", () => {
    // Service ends at 1..5 ms; the first write's flush runs 1-11, the other four share 11-21.
    expect(replies(1, 5)).toEqual([11, 21, 21, 21, 21].map((x) => expect.closeTo(x, 9)));
  });
});
