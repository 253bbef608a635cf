import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { decodeOptions } from "../scenario/load.ts";
import { World } from "../world/world.ts";
import type { WorldConfig } from "../world/world-config.ts";

// Found by the property suite with session faults on (naive-race:step-down, liveness, seed 20240601):
// an expireSession fault while the server was crashed queued an expiry on the dead server, whose
// pipeline then stayed busy after its restart and never answered anyone again.
describe("the ZooKeeper server and an expiry asked for while it is down", () => {
  it("a crashed server expires nothing; after its restart it answers, and the race elects again", () => {
    const def = electors.find((e) => e.name === "naive-race")!;
    const config: WorldConfig<unknown> = {
      seed: 27,
      durationMs: 43_600,
      cluster: { brokers: 3, partitions: 1, replicationFactor: 1 },
      workload: { partitions: 1, writesPerSecond: 10, stopMs: 32_850 },
      faults: [
        { at: 2000, type: "crash", host: "zk" },
        { at: 2000, type: "expireSession", host: 0 },
        { at: 22_100, type: "restart", host: "zk" },
      ],
      elector: def,
      options: decodeOptions(def, { onDisconnected: "step-down" }, "test"),
    };
    const w = new World(config);
    w.start();
    w.run();
    // The replica stepped down while disconnected (step-down), and leads again once the restarted
    // server answers its read: its session survived the outage (reloaded with a full timeout).
    const host = w.cluster.assignment[0];
    expect(w.beliefs.leaderSeenBy(host, 0)).toBe(host);
    expect(w.coordinator.accounting.sessionsExpired).toBe(0);
  });
});
