import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { handoverAfter } from "../live/handover.ts";
import { BadInputError } from "../scenario/issues.ts";
import { decodeScenario } from "../scenario/load.ts";
import { Harness } from "../testing/coordinator-harness.ts";
import { startWorld } from "../testing/world-bench.ts";

const naive = electors.find((e) => e.name === "naive-race")!;

describe("session faults", () => {
  it("expireSession: the server expires the session now (ephemerals deleted, watchers told); the client learns Expired on its next contact", () => {
    const h = new Harness(2);
    h.connectAll([0, 1]);
    h.client(0).create("/e", 0, "ephemeral", 1);
    h.advance(10);
    h.client(1).exists("/e", true, 2);
    h.advance(10);
    expect(h.server.expireSessionOf(0)).toBe(true);
    h.advance(50);
    expect(h.server.tree.get("/e")).toBeUndefined();
    expect(h.watches(1).map((w) => w.type)).toEqual(["deleted"]);
    expect(h.server.stats().sessionsExpired).toBe(1);
    // The server closed the connection; the reconnect is answered "expired".
    h.advance(3000);
    expect(h.sessionStates(0).map((s) => s.state)).toContain("expired");
    expect(h.server.expireSessionOf(0)).toBe(false); // nothing live left
  });

  it("in a world, naive-race hands the expired broker's partitions over at once, long before a session timeout", () => {
    const cluster = { brokers: 3, partitions: 12, replicationFactor: 3, startIndex: 0, nextReplicaShift: 0 };
    for (const type of ["expireSession", "closeSession"] as const) {
      const world = startWorld({ elector: naive, cluster, durationMs: 8000, faults: [{ at: 5000, type, host: 1 }] }); // host 1 won most races (seed 1)
      world.run();
      const h = handoverAfter(world.log, 1, 5000);
      expect(h.affected).toBeGreaterThan(0);
      expect(h.handedOver).toBe(h.affected);
      expect(h.allMs).toBeLessThan(100); // 18 s session timeout not waited for
      expect(h.watchNotifications).toBeGreaterThanOrEqual(h.affected * 2);
      expect(world.coordinator.stats()[type === "expireSession" ? "sessionsExpired" : "sessionsClosed"]).toBe(1);
    }
  });

  it("scenarios accept both faults on brokers and refuse them on zk", () => {
    const base = { name: "s", cluster: { brokers: 3, partitions: 3 }, durationMs: 1000 };
    const s = decodeScenario({ ...base, faults: [{ at: 1, type: "expireSession", host: 1 }, { at: 2, type: "closeSession", host: "controller" }] }, "s.yaml", []);
    expect(s.faults.map((f) => f.type)).toEqual(["expireSession", "closeSession"]);
    expect(() => decodeScenario({ ...base, faults: [{ at: 1, type: "closeSession", host: "zk" }] }, "s.yaml", [])).toThrow(BadInputError);
  });
});
