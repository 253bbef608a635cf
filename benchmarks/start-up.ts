/**
 * Start-up rows of bench:scaling (issue 15): how long a design takes to come up from a cold start
 * — every broker boots at 0 with nothing in ZooKeeper — with no fault and no writes, in the same
 * cluster shape as the failover cells. The world runs in half-second steps until every partition
 * is led and no leadership was declared for a second ("up"), or until the budget (simulated time,
 * CPU time of the process: steadier than wall time on a shared machine) runs out, which is printed
 * as such: never as an up time.
 */
import { getHeapStatistics } from "node:v8";
import type { ElectorDefinition } from "../src/elector/api.ts";
import { makeCell } from "../src/runner/cell.ts";
import { buildCell } from "../src/runner/run-cell.ts";
import { Obs } from "../src/record/observation-log.ts";
import { World } from "../src/world/world.ts";
import { brokersFor } from "./failover-scaling-shape.ts";
import { cpuMsSince, mib, n0 } from "./bench-util.ts";

const STEP_MS = 500;
const QUIET_MS = 1_000;

export interface StartUp {
  readonly elector: string;
  readonly partitions: number;
  readonly brokers: number;
  /** Simulated ms of the last leadership declaration once every partition was led; undefined: not up within the budget. */
  readonly upAtMs: number | undefined;
  /** Partitions led when the run stopped. */
  readonly led: number;
  /** Simulated ms reached. */
  readonly simulatedMs: number;
  /** Why it stopped short, if it did. */
  readonly budget: string | undefined;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly events: number;
  readonly coordinatorWrites: number;
  readonly messages: number;
  readonly peakHeapBytes: number;
  readonly maxRssBytes: number;
}

export function startUp(elector: string, partitions: number, catalog: readonly ElectorDefinition[], simBudgetMs: number, cpuBudgetMs: number): StartUp {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const cell = makeCell(0, {
    scenario: "cold-start",
    elector,
    options: {},
    seed: 1,
    cluster: { brokers: brokersFor(partitions), partitions, replicationFactor: 3 },
    workload: { partitions: 0 },
    faults: [],
    durationMs: simBudgetMs,
    timeline: "findings",
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const world = new World(buildCell(cell, catalog).config);
  world.start();
  const { cluster, beliefs, log } = world;
  const rf = cluster.replicationFactor;
  let peak = getHeapStatistics().used_heap_size;
  let led = 0;
  let lastLeadAt = -1;
  let scanned = 0;
  let budget: string | undefined;
  for (let t = STEP_MS; ; t += STEP_MS) {
    world.kernel.runUntil(Math.min(t, simBudgetMs));
    for (; scanned < log.length; scanned++) if (log.kind[scanned] === Obs.Lead) lastLeadAt = log.time[scanned];
    led = 0;
    for (let p = 0; p < cluster.partitions; p++) {
      for (let j = 0; j < rf; j++) {
        const slot = p * rf + j;
        if (beliefs.leader[slot] === cluster.assignment[slot]) {
          led++;
          break;
        }
      }
    }
    peak = Math.max(peak, getHeapStatistics().used_heap_size);
    if (led === cluster.partitions && world.kernel.now - lastLeadAt >= QUIET_MS) break;
    if (t >= simBudgetMs) {
      budget = `${n0(simBudgetMs / 1000)} s simulated`;
      break;
    }
    if (cpuMsSince(cpu0) > cpuBudgetMs) {
      budget = `${n0(cpuBudgetMs / 1000)} s CPU (at ${n0(world.kernel.now / 1000)} s simulated)`;
      break;
    }
  }
  const wallMs = performance.now() - t0;
  const cpuMs = cpuMsSince(cpu0);
  return {
    elector,
    partitions,
    brokers: cluster.brokers,
    upAtMs: budget === undefined ? lastLeadAt : undefined,
    led,
    simulatedMs: world.kernel.now,
    budget,
    wallMs,
    cpuMs,
    events: world.kernel.eventsProcessed,
    coordinatorWrites: world.coordinator.accounting.writes,
    messages: world.network.counts().sent,
    peakHeapBytes: peak,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

export function startUpVerdict(s: StartUp): string {
  const cost = `wall ${n0(s.wallMs)} ms, CPU ${n0(s.cpuMs)} ms, ${n0(s.events)} events, peak RSS ${mib(s.maxRssBytes)} MiB`;
  return s.upAtMs !== undefined
    ? `up at ${n0(s.upAtMs)} ms simulated (every partition led, quiet for 1 s); ${cost}`
    : `NOT UP within the budget (${s.budget}): ${n0(s.led)} of ${n0(s.partitions)} partitions led; ${cost}`;
}

export const STARTUP_HEADER = ["elector", "partitions", "brokers", "up at (sim ms)", "led", "wall ms", "CPU ms", "events", "zk writes", "messages", "heap MiB", "RSS MiB"] as const;

export function startUpRow(s: StartUp): string[] {
  return [
    s.elector,
    n0(s.partitions),
    n0(s.brokers),
    s.upAtMs !== undefined ? n0(s.upAtMs) : `not up (${s.budget})`,
    n0(s.led),
    n0(s.wallMs),
    n0(s.cpuMs),
    n0(s.events),
    n0(s.coordinatorWrites),
    n0(s.messages),
    mib(s.peakHeapBytes),
    mib(s.maxRssBytes),
  ];
}
