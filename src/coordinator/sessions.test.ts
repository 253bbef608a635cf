import { describe, expect, it } from "vitest";
import { Harness } from "../testing/coordinator-harness.ts";

// Timing with the constant 0.5 ms link and default config: a client connecting at t=0 sends its
// ConnectRequest at 0; the server receives it at 0.5 (touch: expiry bucket roundToInterval(0.5 +
// 6000) = 8000), commits createSession after 0.0476 + 1.15 ms and the client is connected at
// 2.1976 ms (lastHeard). readTimeout = 4000, ping interval = 2000.
const WRITE = 1000 / 21000;
const EPHEMERAL = 0.012; // each ephemeral one closeSession txn deletes (profiles.ts)
const CONNECTED_AT = 0.5 + WRITE + 1.15 + 0.5;

function cutFromZk(h: Harness, host: number): void {
  h.network.cutLink(host, h.zk);
  h.network.cutLink(h.zk, host);
}

describe("sessions", () => {
  it("timeout is negotiated and clamped to [2, 20] x tickTime", () => {
    const h = new Harness(3);
    h.client(0).connect(1000);
    h.client(1).connect(100_000);
    h.client(2).connect(7000);
    h.advance(10);
    expect(h.client(0).sessionTimeoutMs).toBe(4000);
    expect(h.client(1).sessionTimeoutMs).toBe(40000);
    expect(h.client(2).sessionTimeoutMs).toBe(7000);
    expect(h.client(0).state).toBe("connected");
    expect(h.sessionStates(0)).toEqual([{ state: "connected", t: CONNECTED_AT }]);
  });

  it("client pings after 1/3 of the timeout idle (readTimeout / 2)", () => {
    const h = new Harness(1);
    h.client(0).connect(6000);
    const pings = (): number => h.network.counts().byType["zk.ping"]?.count ?? 0;
    h.run(1999.9);
    expect(pings()).toBe(0);
    h.run(2000);
    expect(pings()).toBe(1);
    h.run(3999.9);
    expect(pings()).toBe(1);
    h.run(4000);
    expect(pings()).toBe(2);
    // Traffic counts as activity: a request at 5000 postpones the next ping to 7000.
    h.run(5000);
    h.client(0).exists("/", false, 1);
    h.run(6999.9);
    expect(pings()).toBe(2);
    h.run(7000);
    expect(pings()).toBe(3);
    h.run(7000.5);
    expect(h.server.stats().pings).toBe(3);
  });

  it("client reports Disconnected after 2/3 of the timeout without hearing from the server; in-flight requests fail with ConnectionLoss first", () => {
    const h = new Harness(2);
    h.connectAll([0, 1]);
    cutFromZk(h, 0); // cut off from ZooKeeper only: peers still reachable
    expect(h.network.canReach(0, 1)).toBe(true);
    h.client(0).create("/x", 1, "persistent", 7);
    h.run(CONNECTED_AT + 4000 - 0.001);
    expect(h.client(0).state).toBe("connected");
    h.run(CONNECTED_AT + 4000);
    expect(h.client(0).state).toBe("disconnected");
    expect(h.trace(0)).toEqual(["session:connected", "result:7:ConnectionLoss", "session:disconnected"]);
    expect(h.sessionStates(0)[1].t).toBeCloseTo(CONNECTED_AT + 4000, 9);
    // The other client is unaffected.
    expect(h.client(1).state).toBe("connected");
  });

  it("server expires a session after its timeout, rounded up to the next tick, deleting its ephemerals in one closeSession txn and firing their watches", () => {
    const h = new Harness(2);
    h.connectAll([0, 1]);
    h.client(0).create("/a", 0, "ephemeral", 1);
    h.client(0).create("/b", 0, "ephemeral", 2);
    h.advance(10);
    h.client(1).exists("/a", true, 3);
    h.client(1).getData("/b", true, 4);
    h.advance(10);
    cutFromZk(h, 0);
    // Last touch: the ConnectRequest... and then the creates at ~10.5 ms: roundToInterval(6010.5) = 8000.
    const writesBefore = h.server.stats().writes;
    h.run(7999.99);
    expect(h.server.tree.get("/a")).toBeDefined();
    expect(h.server.stats().sessionsExpired).toBe(0);
    h.run(8000);
    expect(h.server.stats().sessionsExpired).toBe(1);
    h.run(8000 + WRITE + 2 * EPHEMERAL);
    expect(h.server.tree.get("/a")).toBeUndefined();
    expect(h.server.tree.get("/b")).toBeUndefined();
    // One txn: one zxid for both deletes; counted as one write per ephemeral.
    expect(h.server.tree.get("/")?.pzxid).toBe(h.server.zxid);
    expect(h.server.stats().writes - writesBefore).toBe(2);
    h.run(8010);
    const w = h.watches(1);
    expect(w.map((e) => `${e.type}:${e.path}`)).toEqual(["deleted:/a", "deleted:/b"]);
    expect(w[0].t).toBeCloseTo(8000 + WRITE + 2 * EPHEMERAL + 1.15 + 0.5, 9);
  });

  it("client learns Expired only when it reaches the server again; requests queued meanwhile fail with SessionExpired; an expired session never comes back", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    const first = h.client(0).sessionId;
    cutFromZk(h, 0);
    h.run(5000);
    expect(h.client(0).state).toBe("disconnected");
    h.client(0).create("/q", 1, "persistent", 9); // queued while disconnected
    h.run(9000);
    expect(h.server.stats().sessionsExpired).toBe(1);
    expect(h.client(0).state).toBe("disconnected"); // the client does not know yet
    h.network.heal();
    h.run(11000);
    expect(h.client(0).state).toBe("expired");
    expect(h.trace(0)).toEqual(["session:connected", "session:disconnected", "session:expired", "result:9:SessionExpired"]);
    expect(h.sessionStates(0)[2].t).toBeGreaterThan(9000);
    expect(h.server.tree.get("/q")).toBeUndefined();
    // Still expired later: no reconnection attempts.
    h.run(20000);
    expect(h.client(0).state).toBe("expired");
    h.client(0).exists("/", false, 10);
    h.advance(1);
    expect(h.result(0, 10).err).toBe("SessionExpired");
    // connect() opens a new session.
    h.client(0).connect(6000);
    h.advance(10);
    expect(h.client(0).state).toBe("connected");
    expect(h.client(0).sessionId).not.toBe(first);
  });

  it("reconnect within the timeout gives connected again; SetWatches re-registers held watches with the last zxid (a changed node fires at once)", () => {
    const h = new Harness(2);
    h.connectAll([0, 1]);
    h.client(1).create("/w", 0, "persistent", 1);
    h.client(1).create("/u", 0, "persistent", 2);
    h.advance(10);
    h.client(0).getData("/w", true, 3);
    h.client(0).getData("/u", true, 4);
    h.advance(10);
    const session = h.client(0).sessionId;
    cutFromZk(h, 0);
    h.run(4500);
    expect(h.client(0).state).toBe("disconnected");
    h.client(1).setData("/w", 1, -1, 5); // changes while client 0 is away
    h.client(0).create("/queued", 0, "persistent", 6); // queued
    h.run(5000);
    h.network.heal();
    h.run(7000);
    expect(h.client(0).state).toBe("connected");
    expect(h.client(0).sessionId).toBe(session);
    expect(h.trace(0)).toEqual([
      "session:connected",
      "result:3:ok",
      "result:4:ok",
      "session:disconnected",
      "session:connected",
      "watch:dataChanged:/w",
      "result:6:ok",
    ]);
    const reconnectedAt = h.sessionStates(0)[2].t;
    expect(h.result(0, 6).t).toBeGreaterThan(reconnectedAt);
    // /u did not change: its watch was registered again and fires on the next change.
    h.client(1).setData("/u", 1, -1, 7);
    h.advance(10);
    expect(h.watches(0).map((w) => w.path)).toEqual(["/w", "/u"]);
  });

  it("a short network blip only delays traffic (TCP retransmits): no disconnect", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    h.run(100);
    cutFromZk(h, 0);
    h.run(500);
    h.client(0).create("/blip", 0, "persistent", 1);
    h.run(1050);
    h.network.heal();
    h.run(3000);
    // Retransmissions at 700 (RTO 200) and 1100 (RTO 400): the request reaches the server at 1100.5.
    expect(h.result(0, 1).err).toBe("ok");
    expect(h.result(0, 1).t).toBeCloseTo(1100 + 0.5 + WRITE + 1.15 + 0.5, 9);
    expect(h.sessionStates(0).map((s) => s.state)).toEqual(["connected"]);
  });

  it("one-way cut zk -> client: the client disconnects, its FIN closes the connection, the session expires after the last ping it got through", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    h.run(100);
    h.network.cutLink(h.zk, 0);
    h.run(CONNECTED_AT + 4000);
    expect(h.client(0).state).toBe("disconnected");
    // Pings at 2000 and 4000 reached the server: last touch at 4000.5 -> bucket 12000.
    h.run(11999);
    expect(h.server.stats().sessionsExpired).toBe(0);
    h.run(12000);
    expect(h.server.stats().sessionsExpired).toBe(1);
  });

  it("close() deletes the session's ephemerals at once; the handle then fails requests with SessionExpired", () => {
    const h = new Harness(2);
    h.connectAll([0, 1]);
    h.client(0).create("/e", 0, "ephemeral", 1);
    h.advance(10);
    h.client(1).exists("/e", true, 2);
    h.advance(10);
    const t = h.kernel.now;
    h.client(0).close();
    expect(h.client(0).state).toBe("closed");
    h.client(0).exists("/", false, 3);
    h.advance(10);
    expect(h.server.tree.get("/e")).toBeUndefined();
    expect(h.watches(1)).toEqual([{ kind: "watch", type: "deleted", path: "/e", t: t + 0.5 + WRITE + EPHEMERAL + 1.15 + 0.5 }]);
    expect(h.result(0, 3).err).toBe("SessionExpired");
    expect(h.server.stats().sessionsClosed).toBe(1);
    expect(h.server.stats().liveSessions).toBe(1);
  });

  it("a crashed client host loses its pending requests and timers; the server-side session stays until it expires", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    h.client(0).create("/leader", "me", "ephemeral", 1);
    h.advance(10);
    h.client(0).setData("/leader", "x", -1, 2);
    h.kernel.crash(0);
    expect(h.client(0).state).toBe("idle");
    h.run(100);
    h.kernel.restart(0);
    h.client(0).connect(6000);
    h.advance(10);
    h.client(0).create("/leader", "me again", "ephemeral", 3);
    h.advance(10);
    // The old session still owns the node: the new session loses the race.
    expect(h.trace(0)).toEqual(["session:connected", "result:1:ok", "session:connected", "result:3:NodeExists"]);
    // The old session was last touched by the requests at ~10.5 ms: it expires at 8000.
    h.run(8000 + WRITE + EPHEMERAL);
    expect(h.server.tree.get("/leader")).toBeUndefined();
    expect(h.server.stats().sessionsExpired).toBe(1);
    expect(h.client(0).state).toBe("connected");
  });

  it("a paused client (GC) longer than the timeout wakes up Disconnected, then learns Expired: the zombie", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    h.run(100);
    h.kernel.pause(0);
    h.run(10100);
    expect(h.server.stats().sessionsExpired).toBe(1);
    expect(h.client(0).state).toBe("connected"); // it does not know it is paused
    h.kernel.resume(0); // its held timer runs now: nothing heard for far more than readTimeout
    expect(h.client(0).state).toBe("disconnected");
    h.run(12000);
    expect(h.trace(0)).toEqual(["session:connected", "session:disconnected", "session:expired"]);
    expect(h.sessionStates(0)[1].t).toBe(10100);
  });

  it("server crash and restart: clients reconnect to their sessions, ephemerals and data survive, watches come back through SetWatches", () => {
    const h = new Harness(2);
    h.connectAll([0, 1]);
    h.client(0).create("/e", 0, "ephemeral", 1);
    h.advance(10);
    h.client(1).exists("/e", true, 2);
    h.advance(10);
    const s0 = h.client(0).sessionId;
    h.run(100);
    h.kernel.crash(h.zk);
    h.run(4500);
    expect(h.client(0).state).toBe("disconnected");
    h.kernel.restart(h.zk);
    h.run(7000);
    expect(h.client(0).state).toBe("connected");
    expect(h.client(0).sessionId).toBe(s0);
    expect(h.client(1).state).toBe("connected");
    expect(h.server.tree.get("/e")?.ephemeralOwner).toBe(s0);
    h.client(0).delete("/e", -1, 3);
    h.advance(10);
    expect(h.watches(1).map((w) => w.type)).toEqual(["deleted"]);
    expect(h.server.stats().sessionsExpired).toBe(0);
  });

  it("a server restarted without its lifecycle hooks recovers on the first message (queue and connections reset)", () => {
    const h = new Harness(1);
    h.kernel.setLifecycleListener({ hostCrashed: () => {}, hostRestarted: () => {} });
    h.connectAll([0]);
    h.client(0).create("/k", 0, "ephemeral", 1);
    h.advance(0.6); // the create is in service at the server
    h.kernel.crash(h.zk);
    h.run(3000);
    h.kernel.restart(h.zk);
    h.run(9000);
    expect(h.client(0).state).toBe("connected");
    h.client(0).exists("/", false, 2);
    h.advance(10);
    expect(h.result(0, 2).err).toBe("ok");
    expect(h.trace(0)).toEqual(["session:connected", "result:1:ConnectionLoss", "session:disconnected", "session:connected", "result:2:ok"]);
  });
});
