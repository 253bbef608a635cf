import { describe, expect, it } from "vitest";
import { DEFAULT_LINK } from "../sim/network.ts";
import { Harness } from "../testing/coordinator-harness.ts";

describe("accounting", () => {
  it("counts reads, writes (multi sub-ops, failed writes, session txns, one per ephemeral an expiry deletes), losing creates, watches, notifications, expiries; in total and per host", () => {
    const h = new Harness(2);
    h.connectAll([0, 1]); // 2 createSession writes
    for (const p of ["/e1", "/e2", "/e3"]) h.client(1).create(p, 0, "ephemeral", 0);
    h.advance(10);
    const c = h.client(0);
    c.create("/a", 0, "persistent", 1); // write
    c.create("/a", 0, "persistent", 2); // write, losing
    c.getData("/a", true, 3); // read, watch
    c.exists("/b", true, 4); // read, watch
    c.getChildren("/", false, 5); // read
    c.multi(
      [
        { op: "create", path: "/m1", data: 0, mode: "persistent" },
        { op: "create", path: "/m2", data: 0, mode: "persistent" },
        { op: "check", path: "/a", version: 0 },
      ],
      6,
    ); // 3 writes
    c.multi(
      [
        { op: "create", path: "/m3", data: 0, mode: "persistent" },
        { op: "create", path: "/a", data: 0, mode: "persistent" },
        { op: "setData", path: "/a", data: 1, version: -1 },
      ],
      7,
    ); // 3 writes, losing
    c.exists("/e1", true, 8); // read, watch
    c.delete("/nope", -1, 9); // write (NoNode)
    h.advance(10);
    expect(h.server.stats().maxQueueLength).toBe(9);
    h.network.cutLink(1, h.zk);
    h.network.cutLink(h.zk, 1);
    h.run(9000); // host 1's session expires at 8000: 3 ephemeral deletes, 1 notification to host 0

    const s = h.server.stats();
    expect(s).toMatchObject({
      requests: 12,
      reads: 4,
      writes: 17,
      losingCreates: 2,
      watchesRegistered: 3,
      notifications: 1,
      sessionsCreated: 2,
      sessionsExpired: 1,
      sessionsClosed: 0,
      connects: 2,
      maxQueueLength: 9,
      liveSessions: 1,
      liveWatches: 2,
      znodes: 4, // /, /a, /m1, /m2
    });
    expect(s.perHost).toEqual([
      { host: 0, requests: 9, reads: 4, writes: 10, losingCreates: 2, watchesRegistered: 3, notifications: 1, sessionsExpired: 0 },
      { host: 1, requests: 3, reads: 0, writes: 7, losingCreates: 0, watchesRegistered: 0, notifications: 0, sessionsExpired: 1 },
    ]);
    // Live series agree with the totals.
    const series = h.server.series;
    expect(series.requests.total).toBe(12);
    expect(series.reads.total).toBe(4);
    expect(series.writes.total).toBe(17);
    expect(series.notifications.total).toBe(1);
    expect(series.writes.sum(8000, 8001)).toBe(3);
    expect(series.queueLength.at(20)).toBe(9);
    expect(s.queueLength.max).toContain(9);
    // Plain JSON.
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    // Client side.
    expect(h.clients.stats()).toEqual([
      // Host 0: creates 2 + 2 + 2 (in the multis), writes 2 + 3 + 3 + 1, reads getData, exists, getChildren, exists.
      { host: 0, requests: 9, reads: 4, writes: 9, creates: 6, watchEvents: 1, connected: 1, disconnected: 0, expired: 0, connectionLoss: 0 },
      { host: 1, requests: 3, reads: 0, writes: 3, creates: 3, watchEvents: 0, connected: 1, disconnected: 1, expired: 0, connectionLoss: 0 },
    ]);
  });

  it("client close counts one write per ephemeral (at least one)", () => {
    const h = new Harness(2);
    h.connectAll([0, 1]);
    const base = h.server.stats().writes;
    h.client(0).close();
    h.advance(10);
    expect(h.server.stats().writes - base).toBe(1);
    for (const p of ["/x", "/y"]) h.client(1).create(p, 0, "ephemeral", 0);
    h.advance(10);
    h.client(1).close();
    h.advance(10);
    expect(h.server.stats().writes - base).toBe(1 + 2 + 2);
    expect(h.server.stats().sessionsClosed).toBe(2);
  });

  it("every message is a zk.* type counted by the network with its estimated size", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    h.client(0).create("/sized", "0123456789", "persistent", 1);
    h.advance(10);
    const byType = h.network.counts().byType;
    expect(Object.keys(byType).every((t) => t.startsWith("zk."))).toBe(true);
    // header 40 + path 6 + data 10
    expect(byType["zk.create"]).toEqual({ count: 1, bytes: 56 });
    expect(byType["zk.connect"].count).toBe(1);
    expect(byType["zk.connected"].count).toBe(1);
    expect(byType["zk.reply"].count).toBe(1);
  });
});

describe("determinism", () => {
  function run(seed: number): { hash: string; stats: string; events: string } {
    const h = new Harness(5, { link: DEFAULT_LINK, seed });
    h.connectAll([0, 1, 2, 3, 4], 6000);
    for (let i = 0; i < 5; i++) h.client(i).create("/leader", i, "ephemeral", 1);
    for (let i = 0; i < 5; i++) h.client(i).exists("/leader", true, 2);
    h.advance(50);
    h.network.isolate(0);
    h.network.isolate(1);
    h.run(9000);
    h.network.heal();
    for (let i = 1; i < 5; i++) h.client(i).create("/leader", i, "ephemeral", 3);
    h.run(20_000);
    return {
      hash: h.kernel.traceHash(),
      stats: JSON.stringify(h.server.stats()),
      events: JSON.stringify(h.events),
    };
  }

  it("the same seed gives the same trace, stats and events; another seed does not", () => {
    const a = run(11);
    const b = run(11);
    expect(b).toEqual(a);
    expect(run(12).hash).not.toBe(a.hash);
  });
});
