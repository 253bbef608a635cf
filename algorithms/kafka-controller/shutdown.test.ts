/**
 * Kafka 1.1's controlled-shutdown improvement (KAFKA-5642, async pipelined ZooKeeper writes and
 * batched LeaderAndIsr) against Kafka 1.0's one-at-a-time state changes, at 1000 partitions per
 * broker (benchmarks/controlled-shutdown.bench.ts runs the published 10k).
 */
import { describe, expect, it } from "vitest";
import { controlledShutdown } from "./shutdown-scenario.ts";

describe("kafka-controller: controlled shutdown", () => {
  it("pipelined state writes (1.1+) move a broker's leaders many times faster than one at a time (1.0)", () => {
    const pipelined = controlledShutdown("pipelined", 1000);
    const sequential = controlledShutdown("sequential", 1000);
    for (const r of [pipelined, sequential]) {
      expect(r.led).toBe(500);
      expect(r.attempts).toBe(1); // a clean shutdown on the first attempt
      expect(Number.isFinite(r.leadersMovedMs)).toBe(true);
    }
    expect(sequential.leadersMovedMs / pipelined.leadersMovedMs).toBeGreaterThan(5);
    expect(sequential.shutdownMs / pipelined.shutdownMs).toBeGreaterThan(5);
    // 1.1 batches LeaderAndIsr per broker; 1.0 sent a batch per partition.
    expect(pipelined.leaderAndIsrRequests).toBeLessThanOrEqual(2 * 5);
    expect(sequential.leaderAndIsrRequests).toBeGreaterThanOrEqual(1000);
  });

  it("multi-batched writes are faster still", () => {
    const multi = controlledShutdown("multi", 1000);
    const pipelined = controlledShutdown("pipelined", 1000);
    expect(multi.shutdownMs).toBeLessThan(pipelined.shutdownMs);
  });
});
