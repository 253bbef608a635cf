/**
 * A targeted availability probe for the bug zoo (benchmarks/zoo.bench.ts), for a bug the lab's
 * properties do not judge: a partition left without a leader while a majority of its replicas is
 * up (etcd-io/etcd#9586). The property suite judges liveness only after every fault heals; this
 * probe judges it *during* one fault that leaves a majority: host 0 of a 3-broker cluster crashes
 * and stays down longer than the elector's quiet period. Found: some partition's leaderless spell
 * (the checker's failover samples) outlasts the quiet period while host 0 is down — the liveness
 * claim's own bound. Seeds 1..N; counts are deterministic, seconds are wall-clock.
 */
import type { ElectorDefinition } from "../src/elector/api.ts";
import { judge } from "../src/checker/judge.ts";
import { runWorld } from "../src/world/run.ts";

export interface AvailabilityFinding {
  readonly foundAtSeed?: number;
  /** Longest leaderless spell seen (ms), over every seed run. */
  readonly worstMs: number;
  readonly boundMs: number;
  readonly seedsRun: number;
  readonly seeds: number;
  readonly seconds: number;
}

export const PROBE = { brokers: 3, partitions: 30, crashAtMs: 5_000 } as const;

export function availabilityProbe(def: ElectorDefinition, options: unknown, seeds: number): AvailabilityFinding {
  const t0 = performance.now();
  const boundMs = def.quietPeriodMs(options);
  // Down for the bound plus a margin, so a stall that long ends before the restart (and is measured).
  const downMs = boundMs + 5_000;
  let worstMs = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const out = runWorld({
      seed,
      durationMs: PROBE.crashAtMs + downMs + 5_000,
      cluster: { brokers: PROBE.brokers, partitions: PROBE.partitions, replicationFactor: 3 },
      faults: [
        { at: PROBE.crashAtMs, type: "crash", host: 0 },
        { at: PROBE.crashAtMs + downMs, type: "restart", host: 0 },
      ],
      elector: def,
      options,
      workload: { partitions: 0 },
    });
    const m = judge(out);
    worstMs = Math.max(worstMs, m.failover.maxMs);
    if (m.failover.maxMs > boundMs) return { foundAtSeed: seed, worstMs, boundMs, seedsRun: seed, seeds, seconds: (performance.now() - t0) / 1000 };
  }
  return { worstMs, boundMs, seedsRun: seeds, seeds, seconds: (performance.now() - t0) / 1000 };
}
