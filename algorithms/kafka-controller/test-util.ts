/**
 * Helpers for this folder's tests and benchmarks: build a world with the kafka-controller elector,
 * run it in steps, and read counters at a given time.
 */
import { Schema } from "effect";
import type { ClusterSpec } from "../../src/cluster/cluster-model.ts";
import type { Fault } from "../../src/sim/faults.ts";
import { Obs } from "../../src/world/observation-log.ts";
import { World } from "../../src/world/world.ts";
import type { WorkloadSpec, WorldConfig } from "../../src/world/world-config.ts";
import type { KafkaBroker } from "./broker.ts";
import { kafkaController } from "./index.ts";
import type { KafkaControllerOptions } from "./options.ts";

export interface KafkaWorldSpec {
  readonly seed?: number;
  readonly durationMs: number;
  readonly cluster: ClusterSpec;
  readonly faults?: readonly Fault[];
  readonly options?: Partial<KafkaControllerOptions>;
  readonly hostOptions?: Readonly<Record<number, Partial<KafkaControllerOptions>>>;
  readonly workload?: Partial<WorkloadSpec>;
  readonly network?: WorldConfig["network"];
}

export function decodeOptions(o: Partial<KafkaControllerOptions> = {}): KafkaControllerOptions {
  return Schema.decodeUnknownSync(kafkaController.options)(o);
}

export function kafkaWorld(spec: KafkaWorldSpec): World {
  const hostOptions: Record<number, KafkaControllerOptions> = {};
  for (const [h, o] of Object.entries(spec.hostOptions ?? {})) hostOptions[Number(h)] = decodeOptions({ ...spec.options, ...o });
  const config: WorldConfig<KafkaControllerOptions> = {
    seed: spec.seed ?? 1,
    durationMs: spec.durationMs,
    cluster: spec.cluster,
    faults: spec.faults ?? [],
    elector: kafkaController,
    options: decodeOptions(spec.options),
    hostOptions,
    workload: spec.workload ?? { partitions: 0 },
    ...(spec.network !== undefined ? { network: spec.network } : {}),
  };
  const world = new World(config as WorldConfig<unknown>);
  world.start();
  return world;
}

export function broker(world: World, host: number): KafkaBroker | undefined {
  return world.hosts[host].instance as KafkaBroker | undefined;
}

/** The host that declared itself controller last (and has not resigned since), or -1. */
export function currentController(world: World): number {
  const l = world.log;
  let c = -1;
  for (let i = 0; i < l.length; i++) {
    if (l.kind[i] === Obs.Controller) c = l.host[i];
    else if ((l.kind[i] === Obs.ControllerResigned || l.kind[i] === Obs.Crash) && l.host[i] === c) c = -1;
  }
  return c;
}

/** Observations of `kind` in [from, to), optionally from one host. */
export function countObs(world: World, kind: number, from: number, to = Infinity, host?: number): number {
  const l = world.log;
  let k = 0;
  for (let i = 0; i < l.length; i++) {
    if (l.kind[i] === kind && l.time[i] >= from && l.time[i] < to && (host === undefined || l.host[i] === host)) k++;
  }
  return k;
}

export function hostsOf(world: World, kind: number, from: number, to = Infinity): number[] {
  const l = world.log;
  const out: number[] = [];
  for (let i = 0; i < l.length; i++) if (l.kind[i] === kind && l.time[i] >= from && l.time[i] < to) out.push(l.host[i]);
  return out;
}

export function messages(world: World, type: string): number {
  return world.network.counts().byType[type]?.count ?? 0;
}

export function zkWrites(world: World, host: number): number {
  return world.coordinator.stats().perHost.find((h) => h.host === host)?.writes ?? 0;
}

/** Leader of each partition at the end, from the declarations (-1 none). */
export function leadersNow(world: World): Int32Array {
  const leader = new Int32Array(world.cluster.partitions).fill(-1);
  const l = world.log;
  for (let i = 0; i < l.length; i++) {
    const k = l.kind[i];
    if (k === Obs.Lead) leader[l.partition[i]] = l.host[i];
    else if ((k === Obs.StepDown || k === Obs.Follow) && leader[l.partition[i]] === l.host[i]) leader[l.partition[i]] = -1;
    else if (k === Obs.Crash) for (let p = 0; p < leader.length; p++) if (leader[p] === l.host[i]) leader[p] = -1;
  }
  return leader;
}

/**
 * Stale acknowledgements, the brief's way: an Ack from a host whose epoch is older than a Lead
 * already declared for that partition at that time.
 */
export function staleAcks(world: World): number {
  const l = world.log;
  const newest = new Float64Array(world.cluster.partitions).fill(-Infinity);
  let stale = 0;
  for (let i = 0; i < l.length; i++) {
    const p = l.partition[i];
    if (l.kind[i] === Obs.Lead) {
      if (l.a[i] > newest[p]) newest[p] = l.a[i];
    } else if (l.kind[i] === Obs.Ack && l.a[i] < newest[p]) stale++;
  }
  return stale;
}
