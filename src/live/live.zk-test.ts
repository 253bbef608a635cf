/**
 * Live mode against a real ZooKeeper, next to its simulated twin (npm run test:live). Needs a
 * server at ZK_CONNECT (default 127.0.0.1:2181): .ci/run starts Debian's ZooKeeper 3.8 and sets
 * it. Without a server every test fails, loudly: this suite never skips.
 */
import { Schema } from "effect";
import zookeeper from "node-zookeeper-client";
import { beforeAll, describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import { runLive, type LiveCounts } from "./live-run.ts";
import { simulateTwin } from "./sim-twin.ts";

const CONNECT = process.env.ZK_CONNECT ?? "127.0.0.1:2181";
const cluster = { brokers: 3, partitions: 12, replicationFactor: 3 };

function elector(name: string): { e: ElectorDefinition<unknown>; options: unknown } {
  const e = electors.find((x) => x.name === name) as ElectorDefinition<unknown>;
  return { e, options: Schema.decodeUnknownSync(e.options)({}) };
}

function perPartition(c: LiveCounts, affected: number): Record<string, number> {
  return {
    watchNotifications: c.watchNotifications / affected,
    creates: c.creates / affected,
    writes: c.writes / affected,
    reads: c.reads / affected,
  };
}

let reachable: string | undefined;
beforeAll(async () => {
  reachable = await new Promise<string | undefined>((resolve) => {
    const c = zookeeper.createClient(CONNECT, { sessionTimeout: 4000, retries: 0 });
    const timer = setTimeout(() => {
      c.close();
      resolve(undefined);
    }, 5000);
    c.once("connected", () => {
      clearTimeout(timer);
      c.close();
      resolve(CONNECT);
    });
    c.connect();
  });
});

function requireServer(): string {
  if (reachable === undefined) {
    throw new Error(`no ZooKeeper at ${CONNECT}: start one (.ci/run does; see README, "Live mode") or set ZK_CONNECT`);
  }
  return reachable;
}

describe("live mode on a real ZooKeeper vs the simulator", () => {
  it("naive-race, closeSession of the busiest leader: the same counts per affected partition, every partition handed over", async () => {
    const connect = requireServer();
    const { e, options } = elector("naive-race");
    const fault = { type: "closeSession", host: "leader-of-most" } as const;
    const live = await runLive({ elector: e, options, connect, cluster, seed: 1, fault });
    const sim = simulateTwin({ elector: e, options, cluster, seed: 1, fault });
    expect(live.complete).toBe(true);
    expect(live.handover.affected).toBeGreaterThan(0);
    expect(live.handover.handedOver).toBe(live.handover.affected);
    expect(sim.handover.handedOver).toBe(sim.handover.affected);
    // Who wins each race differs between a real run and a simulated one, so the busiest leader
    // leads a different number of partitions; each affected partition costs the same.
    expect(perPartition(live.afterFault, live.handover.affected)).toEqual(perPartition(sim.afterFault, sim.handover.affected));
    expect(live.afterFault.watchNotifications).toBe(3 * live.handover.affected);
  });

  it("kafka-controller, closeSession of a broker that is not the controller: exactly the simulator's counts", async () => {
    const connect = requireServer();
    const { e, options } = elector("kafka-controller");
    const probe = simulateTwin({ elector: e, options, cluster, seed: 1, fault: { type: "closeSession", host: { notController: [] } } });
    const live = await runLive({ elector: e, options, connect, cluster, seed: 1, fault: { type: "closeSession", host: { notController: [probe.controller] } } });
    const sim = simulateTwin({ elector: e, options, cluster, seed: 1, fault: { type: "closeSession", host: live.host } });
    expect(sim.controller).not.toBe(live.host);
    expect(live.complete).toBe(true);
    expect(live.handover.affected).toBe(sim.handover.affected);
    expect(live.handover.handedOver).toBe(live.handover.affected);
    expect(live.afterFault).toEqual(sim.afterFault);
  });

  it("naive-race, crash of the busiest leader: nothing moves until the server expires the dead session, then the simulator's counts per affected partition", async () => {
    const connect = requireServer();
    const { e } = elector("naive-race");
    // Kafka's pre-2.5 zookeeper.session.timeout.ms (6000), so the test waits seconds, not 18 s.
    const sessionTimeoutMs = 6000;
    const options = Schema.decodeUnknownSync(e.options)({ sessionTimeoutMs });
    const fault = { type: "crash", host: "leader-of-most" } as const;
    const live = await runLive({ elector: e, options, connect, cluster, seed: 1, fault });
    const sim = simulateTwin({ elector: e, options, cluster, seed: 1, fault });
    expect(live.complete).toBe(true);
    expect(live.handover.affected).toBeGreaterThan(0);
    expect(live.handover.handedOver).toBe(live.handover.affected);
    // The dead client's last packet was at most a ping interval (a third of the timeout, as
    // node-zookeeper-client pings) before the crash; the server expires it at the first tick
    // (tickTime 2000 ms) at or after last packet + timeout.
    const tickMs = 2000;
    expect(live.handover.allMs).toBeGreaterThanOrEqual(sessionTimeoutMs - sessionTimeoutMs / 3);
    expect(live.handover.allMs).toBeLessThan(sessionTimeoutMs + tickMs + 1000);
    expect(sim.handover.allMs).toBeGreaterThanOrEqual(sessionTimeoutMs - sessionTimeoutMs / 3);
    expect(sim.handover.allMs).toBeLessThan(sessionTimeoutMs + tickMs + 1000);
    // The crashed broker's connection is gone, so only the two other replicas hear each deletion.
    expect(live.afterFault.watchNotifications).toBe(2 * live.handover.affected);
    expect(perPartition(live.afterFault, live.handover.affected)).toEqual(perPartition(sim.afterFault, sim.handover.affected));
  });

  it("naive-race, expireSession: the server ends the session now and the partitions move within seconds, not after the 18 s timeout", async () => {
    const connect = requireServer();
    const { e, options } = elector("naive-race");
    const live = await runLive({ elector: e, options, connect, cluster, seed: 1, fault: { type: "expireSession", host: "leader-of-most" } });
    expect(live.complete).toBe(true);
    expect(live.handover.affected).toBeGreaterThan(0);
    expect(live.handover.allMs).toBeLessThan(5000);
    expect(live.afterFault.watchNotifications).toBeGreaterThanOrEqual(2 * live.handover.affected);
  });
});
