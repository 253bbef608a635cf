/**
 * The testing kit's second half: the lab's full world (kernel, network, the ZooKeeper model,
 * producers, faults) built for any elector, run in steps, with queries over what it recorded.
 * For coordinator-backed electors (kafka-controller, naive-race) and for integration tests; the
 * Testbed (testbed.ts) is the smaller, hand-steppable network for protocol rules.
 */
import type { ElectorDefinition, ElectorInstance, HostId } from "../elector/api.ts";
import type { ClusterSpec } from "../cluster/cluster-model.ts";
import { Obs, type ObsKind } from "../record/observation-log.ts";
import { decodeVariantOptions } from "../elector/variants.ts";
import type { Fault } from "../sim/faults.ts";
import { World } from "../world/world.ts";
import type { WorkloadSpec, WorldConfig } from "../world/world-config.ts";

export interface WorldBenchSpec {
  readonly elector: ElectorDefinition;
  /** A declared variant ("all-minisr2" for kafka-controller:all-minisr2); absent: the defaults. */
  readonly variant?: string;
  /** Option input merged over the variant's. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Per-host option input merged over `options`. */
  readonly hostOptions?: Readonly<Record<number, Readonly<Record<string, unknown>>>>;
  readonly seed?: number;
  readonly durationMs: number;
  readonly cluster: ClusterSpec;
  readonly faults?: readonly Fault[];
  /** Default: no producers ({ partitions: 0 }). */
  readonly workload?: Partial<WorkloadSpec>;
  readonly network?: WorldConfig["network"];
  readonly coordinator?: WorldConfig["coordinator"];
}

/** Builds and starts (boots hosts, schedules faults and producers) a world; run it with `world.kernel.runUntil(t)` or `world.run()`. */
export function startWorld(spec: WorldBenchSpec): World {
  const options = decodeVariantOptions(spec.elector, spec.variant, spec.options);
  const hostOptions: Record<number, unknown> = {};
  for (const [h, o] of Object.entries(spec.hostOptions ?? {})) {
    hostOptions[Number(h)] = decodeVariantOptions(spec.elector, spec.variant, { ...spec.options, ...o });
  }
  const config: WorldConfig<unknown> = {
    seed: spec.seed ?? 1,
    durationMs: spec.durationMs,
    cluster: spec.cluster,
    faults: spec.faults ?? [],
    elector: spec.elector,
    options,
    hostOptions,
    workload: spec.workload ?? { partitions: 0 },
    ...(spec.network !== undefined ? { network: spec.network } : {}),
    ...(spec.coordinator !== undefined ? { coordinator: spec.coordinator } : {}),
  };
  const world = new World(config);
  world.start();
  return world;
}

/** The elector instance on host h (undefined while crashed), cast to the elector's own class for its test hooks. */
export function instanceOn<T = ElectorInstance>(world: World, h: HostId): T | undefined {
  return world.hosts[h].instance as T | undefined;
}

/** Observations of `kind` in [from, to), optionally from one host. */
export function countObs(world: World, kind: ObsKind, from = -Infinity, to = Infinity, host?: HostId): number {
  const l = world.log;
  let k = 0;
  for (let i = 0; i < l.length; i++) {
    if (l.kind[i] === kind && l.time[i] >= from && l.time[i] < to && (host === undefined || l.host[i] === host)) k++;
  }
  return k;
}

/** Hosts of the observations of `kind` in [from, to), in time order (repeats kept). */
export function hostsOf(world: World, kind: ObsKind, from = -Infinity, to = Infinity): HostId[] {
  const l = world.log;
  const out: HostId[] = [];
  for (let i = 0; i < l.length; i++) if (l.kind[i] === kind && l.time[i] >= from && l.time[i] < to) out.push(l.host[i]);
  return out;
}

/** The host that declared itself controller last and has not resigned or crashed since, or -1. */
export function currentController(world: World): HostId {
  const l = world.log;
  let c = -1;
  for (let i = 0; i < l.length; i++) {
    if (l.kind[i] === Obs.Controller) c = l.host[i];
    else if ((l.kind[i] === Obs.ControllerResigned || l.kind[i] === Obs.Crash) && l.host[i] === c) c = -1;
  }
  return c;
}

/** The host believing it leads each partition now, from the declarations (-1 none; a crash ends a belief). */
export function leadersNow(world: World): Int32Array {
  const leader = new Int32Array(world.cluster.partitions).fill(-1);
  const l = world.log;
  for (let i = 0; i < l.length; i++) {
    const k = l.kind[i];
    const p = l.partition[i];
    if (k === Obs.Lead) leader[p] = l.host[i];
    else if ((k === Obs.StepDown || k === Obs.Follow) && leader[p] === l.host[i]) leader[p] = -1;
    else if (k === Obs.Crash) for (let q = 0; q < leader.length; q++) if (leader[q] === l.host[i]) leader[q] = -1;
  }
  return leader;
}

/** Messages of `type` sent over the whole run so far. */
export function messagesOfType(world: World, type: string): number {
  return world.network.counts().byType[type]?.count ?? 0;
}

/** ZooKeeper writes made by host h so far. */
export function zkWritesBy(world: World, h: HostId): number {
  return world.coordinator.stats().perHost.find((s) => s.host === h)?.writes ?? 0;
}
