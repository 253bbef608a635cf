/**
 * The two things of live mode's harness the simulated twin mirrors (src/live/sim-twin.ts): one
 * process that spends CPU on every client's replies and notifications (ZkConfig.liveProcess*),
 * and expiring a session by taking it over (ZkServer.takeOverAndExpire).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LINK } from "../sim/network.ts";
import { Harness } from "../testing/coordinator-harness.ts";

const LINK = { ...DEFAULT_LINK, delay: { kind: "constant" as const, ms: 0.5 } };

/** Two clients each pipeline `n` creates; returns both hosts' result times. */
function pipelined(config: Record<string, number>, n: number): { a: number[]; b: number[] } {
  const h = new Harness(2, { link: LINK, config: { createMs: 0.01, logWriteMs: 0, quorumRoundMs: 0, ...config } });
  h.connectAll([0, 1]);
  h.advance(100);
  for (let i = 0; i < n; i++) {
    h.client(0).create(`/a${i}`, 0, "persistent", i);
    h.client(1).create(`/b${i}`, 0, "persistent", i);
  }
  h.advance(10_000);
  return { a: h.results(0).map((r) => r.t), b: h.results(1).map((r) => r.t) };
}

describe("live-harness model (lab addition, off by default)", () => {
  it("one process: every client's replies queue for it and cost liveProcessReplyMs each, in order", () => {
    const off = pipelined({}, 50);
    const on = pipelined({ liveProcessReplyMs: 2 }, 50);
    // Off: the server (0.01 ms a create) paces the replies.
    expect(Math.max(...off.a, ...off.b) - Math.min(...off.a, ...off.b)).toBeLessThan(2);
    // On: 100 replies, 2 ms each, on one process shared by both hosts.
    const all = [...on.a, ...on.b].sort((x, y) => x - y);
    expect(all[all.length - 1] - all[0]).toBeCloseTo(99 * 2, 6);
    for (let i = 1; i < all.length; i++) expect(all[i] - all[i - 1]).toBeCloseTo(2, 6);
    // Each host still sees its own results in the order it issued them.
    for (const times of [on.a, on.b]) for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
  });

  it("notifications cost liveProcessNotificationMs each; a crashed host's queued events are dropped", () => {
    const h = new Harness(3, { link: LINK, config: { liveProcessNotificationMs: 5, liveProcessReplyMs: 0.001 } });
    h.connectAll([0, 1, 2]);
    h.advance(100);
    for (let i = 0; i < 10; i++) h.client(0).create(`/e${i}`, 0, "ephemeral", i);
    h.advance(100);
    for (let i = 0; i < 10; i++) {
      h.client(1).exists(`/e${i}`, true, 100 + i);
      h.client(2).exists(`/e${i}`, true, 100 + i);
    }
    h.advance(100);
    h.client(0).close();
    h.advance(1);
    h.kernel.crash(2);
    h.advance(1000);
    const told = h.watches(1).map((w) => w.t);
    expect(told).toHaveLength(10);
    expect(told[9] - told[0]).toBeGreaterThanOrEqual(9 * 5);
    expect(h.watches(2)).toHaveLength(0);
  });
});

describe("takeOverAndExpire: how live mode expires a session", () => {
  it("the owner's connection closes first, so it hears none of its own ephemerals' deletions; others do; it learns Expired", () => {
    for (const takeOver of [false, true]) {
      const h = new Harness(2);
      h.connectAll([0, 1]);
      h.client(0).create("/e", 0, "ephemeral", 1);
      h.advance(10);
      h.client(0).exists("/e", true, 2);
      h.client(1).exists("/e", true, 2);
      h.advance(10);
      expect(takeOver ? h.server.takeOverAndExpire(0) : h.server.expireSessionOf(0)).toBe(true);
      h.advance(3000);
      expect(h.server.tree.get("/e")).toBeUndefined();
      expect(h.watches(1).map((w) => w.type)).toEqual(["deleted"]);
      expect(h.watches(0).map((w) => w.type)).toEqual(takeOver ? [] : ["deleted"]);
      expect(h.sessionStates(0).map((s) => s.state)).toContain("expired");
      expect(h.server.takeOverAndExpire(0)).toBe(false);
    }
  });
});
