/**
 * Auto leader rebalance (checkAndTriggerAutoLeaderRebalance): after a broker comes back it leads
 * nothing; once it is back in the ISR, the next imbalance check (above
 * leader.imbalance.per.broker.percentage) runs preferred-replica elections and it leads its
 * preferred partitions again. With auto.leader.rebalance.enable=false it stays a follower.
 */
import { describe, expect, it } from "vitest";
import { leadersNow } from "../../src/testing/world-bench.ts";
import { kafkaWorld } from "./test-util.ts";

const cluster = { brokers: 3, partitions: 30, replicationFactor: 3, startIndex: 0, nextReplicaShift: 0 };
const faults = [
  { at: 5_000, type: "crash" as const, host: 0 },
  { at: 30_000, type: "restart" as const, host: 0 },
];

function preferredLed(enable: boolean): { preferred: number; led0: number } {
  const w = kafkaWorld({
    durationMs: 80_000,
    cluster,
    faults,
    options: { autoLeaderRebalanceEnable: enable, leaderImbalanceCheckIntervalSeconds: 20 },
  });
  w.kernel.runUntil(80_000);
  const leaders = leadersNow(w);
  let preferred = 0;
  let led0 = 0;
  for (let p = 0; p < cluster.partitions; p++) {
    if (leaders[p] === w.cluster.preferredLeader(p)) preferred++;
    if (leaders[p] === 0) led0++;
  }
  return { preferred, led0 };
}

describe("kafka-controller: preferred-replica rebalance", () => {
  it("moves leadership back to the preferred replicas after a broker returns", () => {
    expect(preferredLed(true)).toEqual({ preferred: 30, led0: 10 });
  });

  it("leaves the returned broker without leaders when auto.leader.rebalance.enable is off", () => {
    const r = preferredLed(false);
    expect(r.led0).toBe(0);
    expect(r.preferred).toBe(20);
  });
});
