/**
 * Counters of a cold start, step by step (stop 22: why the naive race did not come up at 1M): the
 * ZooKeeper server's queue, requests, reads, writes, pings, sessions created and expired, packets
 * held unread in throttled connections; the clients' ConnectionLoss results, disconnections and
 * expiries; partitions led. Counters only, no timing.
 *
 *   npx tsx benchmarks/startup-counters.ts [partitions] [brokers] [seconds] [step s] [globalOutstandingLimit]
 *   node --max-old-space-size=8192 --import tsx benchmarks/startup-counters.ts 1000000 100 60 5 0
 *
 * The elector is naive-race unless ELECTOR names another. globalOutstandingLimit 0 is the model
 * before stop 22 (one unbounded queue); left out, ZooKeeper's default (1000).
 */
import { makeCell } from "../src/runner/cell.ts";
import { electorCatalog } from "../src/runner/electors.ts";
import { buildCell } from "../src/runner/run-cell.ts";
import { World } from "../src/world/world.ts";

async function main(): Promise<void> {
  const [partitions, brokers, seconds, step] = [200_000, 100, 60, 5].map((d, i) => Number(process.argv[2 + i] ?? d));
  const limit = process.argv[6];
  const cell = makeCell(0, {
    scenario: "cold-start",
    elector: process.env.ELECTOR ?? "naive-race",
    options: {},
    seed: 1,
    cluster: { brokers, partitions, replicationFactor: 3 },
    workload: { partitions: 0 },
    faults: [],
    durationMs: seconds * 1000,
    timeline: "findings",
    ...(limit !== undefined ? { coordinator: { globalOutstandingLimit: Number(limit) } } : {}),
  });
  const world = new World(buildCell(cell, await electorCatalog()).config);
  world.start();
  const { cluster, beliefs, coordinator: zk } = world;
  const rf = cluster.replicationFactor;
  for (let t = step * 1000; t <= seconds * 1000; t += step * 1000) {
    world.kernel.runUntil(t);
    let led = 0;
    for (let p = 0; p < cluster.partitions; p++) {
      for (let j = 0; j < rf; j++) {
        if (beliefs.leader[p * rf + j] === cluster.assignment[p * rf + j]) {
          led++;
          break;
        }
      }
    }
    const s = zk.stats();
    const c = { connectionLoss: 0, disconnected: 0, expired: 0 };
    for (const h of world.zkClients.stats()) {
      c.connectionLoss += h.connectionLoss;
      c.disconnected += h.disconnected;
      c.expired += h.expired;
    }
    process.stdout.write(
      `t=${t / 1000}s led=${led} | server: queue=${zk.queueLength} requests=${s.requests} reads=${s.reads} writes=${s.writes} ` +
        `pings=${s.pings} connects=${s.connects} sessionsCreated=${s.sessionsCreated} sessionsExpired=${s.sessionsExpired} ` +
        `throttled=${zk.throttledConnections} held=${zk.packetsHeld} | clients: connectionLoss=${c.connectionLoss} ` +
        `disconnected=${c.disconnected} expired=${c.expired} | events=${world.kernel.eventsProcessed}\n`,
    );
  }
}

void main();
