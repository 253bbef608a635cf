/**
 * From a generated scenario to the run a property judges: the elector and its options, the
 * fault schedule with the recovery phase appended, and a duration that leaves the elector's quiet
 * period after recovery. Shared by the vitest suite, the hunt API and counterexample replay.
 */
import { Schema } from "effect";
import type { ClusterSpec } from "../src/cluster/cluster-model.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import type { Fault } from "../src/sim/faults.ts";
import type { LinkSettings } from "../src/sim/network.ts";
import type { WorkloadSpec, WorldConfig } from "../src/world/world-config.ts";
import { KAFKA_SESSION_TIMEOUT_MS, recoveryPhase, type PropertyScenario } from "./arbitraries/index.ts";

/** The producers of a property run (plain data: it crosses threads in SearchSettings). */
export interface PropertyWorkload {
  /** Partitions written to (the first ones of the world's seeded shuffle, up to the cluster's). */
  readonly partitions: number;
  /** Writes per second to each of them, from 5 s on. */
  readonly writesPerSecond: number;
  /**
   * Writes stop this long after the recovery phase starts, at most half the quiet period; absent:
   * half the quiet period (benchmarks/workload-detection.ts compares shorter ones).
   */
  readonly stopAfterRecoveryMs?: number;
}

/**
 * Producers in property runs: every partition (up to 20) gets 2 writes a second from 5 s on.
 * Chosen by measurement (benchmarks/workload-detection.ts, docs/performance.md "Property runs"):
 * on every design and variant the lab knows to be unsafe, 2 writes/s found every violation kind
 * that 10 found, in as many seeds, with a 1.6-4x smaller median CPU time to the first violation; a run
 * costs 2.2-4.2x less and still sees 82-97% of the per-run violations 10 writes/s saw.
 */
export const PROPERTY_WORKLOAD: PropertyWorkload = { partitions: 20, writesPerSecond: 2 };

/** The elector's options with every default filled in. */
export function defaultOptions(def: ElectorDefinition): unknown {
  return Schema.decodeUnknownSync(def.options)({});
}

/** Decodes options given as JSON (a scenario file, the CLI), filling defaults. */
export function decodeOptions(def: ElectorDefinition, input: unknown): unknown {
  return Schema.decodeUnknownSync(def.options)(input ?? {});
}

/**
 * The ZooKeeper session timeout the elector asks for, if its options name one (a numeric option
 * whose name contains "session" and "timeout"), else Kafka's 18 s. Long pauses, outages and clogs
 * are generated around it.
 */
export function sessionTimeoutOf(options: unknown): number {
  if (options !== null && typeof options === "object") {
    for (const [key, value] of Object.entries(options)) {
      if (typeof value === "number" && /session/i.test(key) && /timeout/i.test(key)) return value;
    }
  }
  return KAFKA_SESSION_TIMEOUT_MS;
}

/** A run, fully described in JSON terms (what a counterexample file holds besides its metadata). */
export interface RunSpec {
  readonly elector: string;
  readonly options: unknown;
  readonly seed: number;
  readonly cluster: ClusterSpec;
  readonly network?: Partial<LinkSettings>;
  readonly workload: Partial<WorkloadSpec>;
  /** The generated faults followed by the recovery phase. */
  readonly faults: readonly Fault[];
  /** Index in `faults` where the recovery phase starts. */
  readonly recoveryFromIndex: number;
  readonly recoveryAtMs: number;
  readonly quietPeriodMs: number;
  readonly durationMs: number;
}

export interface PlannedRun {
  readonly spec: RunSpec;
  readonly config: WorldConfig<unknown>;
}

/**
 * The run for one scenario: recovery appended, then the quiet period, then the end. `producers`
 * replaces PROPERTY_WORKLOAD (experiments only: the suite, hunts and replays use the default).
 */
export function planRun(def: ElectorDefinition, options: unknown, scenario: PropertyScenario, producers: PropertyWorkload = PROPERTY_WORKLOAD): PlannedRun {
  const recovery = recoveryPhase(scenario.faults, scenario.network, scenario.recoveryAtMs);
  const quietPeriodMs = def.quietPeriodMs(options);
  // Producers keep writing through the first half of the quiet period (availability after the
  // recovery is exercised), then stop, so the final replica state is read after the system settled
  // (Jepsen's final read): a write acknowledged a moment before the end is not yet committed
  // anywhere, which is not a loss.
  const stopAfterMs = Math.min(Math.floor(quietPeriodMs / 2), producers.stopAfterRecoveryMs ?? Infinity);
  const workload: Partial<WorkloadSpec> = { partitions: producers.partitions, writesPerSecond: producers.writesPerSecond, stopMs: recovery.at + stopAfterMs };
  const spec: RunSpec = {
    elector: def.name,
    options,
    seed: scenario.seed,
    cluster: scenario.cluster,
    ...(scenario.network !== undefined ? { network: scenario.network } : {}),
    workload,
    faults: [...scenario.faults, ...recovery.faults],
    recoveryFromIndex: scenario.faults.length,
    recoveryAtMs: recovery.at,
    quietPeriodMs,
    durationMs: recovery.at + quietPeriodMs,
  };
  return { spec, config: configOf(def, spec) };
}

/** The world config a run spec describes (the elector's definition resolved by the caller). */
export function configOf(def: ElectorDefinition, spec: RunSpec): WorldConfig<unknown> {
  return {
    seed: spec.seed,
    durationMs: spec.durationMs,
    cluster: spec.cluster,
    ...(spec.network !== undefined ? { network: spec.network } : {}),
    workload: spec.workload,
    faults: spec.faults,
    elector: def,
    options: spec.options,
  };
}
