/**
 * Runs one sweep cell: decode the elector's options, resolve role host names, build the
 * WorldConfig, run the world, judge it, cut the timeline. Everything in the result except `cost`
 * is a pure function of the cell; wall time and heap are measured here and only land in `cost`.
 */
import { namedAs, resolveElectorName } from "../elector/variants.ts";
import { getHeapStatistics } from "node:v8";
import { Schema } from "effect";
import { judge } from "../checker/judge.ts";
import { timelineOf } from "./timeline.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import { decodeOptions, unknownElectorMessage } from "../scenario/load.ts";
import { BadInputError } from "../scenario/issues.ts";
import type { ClusterSpec } from "../cluster/cluster-model.ts";
import type { ClockSpec } from "../sim/clocks.ts";
import { drawFaultTimes } from "../sim/fault-times.ts";
import type { LinkSettings } from "../sim/network.ts";
import type { StorageSpec } from "../sim/storage.ts";
import { recordOf } from "../world/run.ts";
import { World } from "../world/world.ts";
import type { WorkloadSpec, WorldConfig } from "../world/world-config.ts";
import type { Cell } from "./cell.ts";
import { registeredElectors } from "./electors.ts";
import type { RunResult } from "./result.ts";
import { resolveRoles } from "./roles.ts";
import { electorateVersion } from "./version.ts";
import { claimViolations } from "./violations.ts";
import { withWatchdog } from "./watchdog.ts";

export interface BuiltCell {
  /** The definition under the cell's full name ("raft:etcd"). */
  readonly elector: ElectorDefinition;
  /** The variant the name selects, if any. */
  readonly variant: string | undefined;
  readonly config: WorldConfig<unknown>;
  /** Options as recorded in the result: the decoded options, encoded back (defaults filled in). */
  readonly recordedOptions: unknown;
  readonly roles: readonly string[];
  readonly probeEvents: number;
  /** A settled world begun while resolving roles, for the run to reuse (runBuilt). */
  readonly world?: World;
}

/**
 * The elector a cell names, "elector" or "elector:variant": the definition under that full name
 * (so results and reports name the variant) and the variant's option input (or {}).
 */
export function findIn(
  electors: readonly ElectorDefinition[],
  name: string,
  source = "elector",
): { readonly definition: ElectorDefinition; readonly variant: string | undefined; readonly variantOptions: Readonly<Record<string, unknown>> } {
  const r = resolveElectorName(electors, name);
  if (r === undefined) throw new BadInputError(source, [{ path: "", message: unknownElectorMessage(name, electors) }]);
  return { definition: namedAs(r.definition, name), variant: r.variant?.name, variantOptions: r.variant?.options ?? {} };
}

/** The WorldConfig of a cell (role host names resolved by probe runs). */
export function buildCell(cell: Cell, electors: readonly ElectorDefinition[] = registeredElectors()): BuiltCell {
  const found = findIn(electors, cell.elector, `cell ${cell.index}`);
  const elector = found.definition;
  const options = decodeOptions(elector, { ...found.variantOptions, ...(cell.options as object) }, `cell ${cell.index} (${cell.elector})`);
  let hostOptions: Record<number, unknown> | undefined;
  if (cell.hostOptions !== undefined) {
    hostOptions = {};
    for (const [h, raw] of Object.entries(cell.hostOptions)) {
      hostOptions[Number(h)] = decodeOptions(elector, { ...found.variantOptions, ...(cell.options as object), ...raw }, `cell ${cell.index} (${cell.elector})`, `hostOptions.${h}`);
    }
  }
  const cluster: ClusterSpec = { ...cell.cluster };
  const base: Omit<WorldConfig<unknown>, "faults"> = {
    seed: cell.seed,
    durationMs: cell.durationMs,
    cluster,
    ...(cell.network !== undefined ? { network: cell.network as Partial<LinkSettings> } : {}),
    ...(cell.coordinator !== undefined ? { coordinator: { ...cell.coordinator } } : {}),
    ...(cell.workload !== undefined ? { workload: cell.workload as Partial<WorkloadSpec> } : {}),
    ...(cell.clocks !== undefined ? { clocks: cell.clocks as ClockSpec } : {}),
    ...(cell.storage !== undefined ? { storage: cell.storage as StorageSpec } : {}),
    ...(cell.start !== undefined ? { start: cell.start } : {}),
    elector: elector as ElectorDefinition<unknown>,
    options,
    ...(hostOptions !== undefined ? { hostOptions } : {}),
  };
  // Ranged fault times first (their own stream), then roles: a role is chosen just before its fault.
  const { faults, probeEvents, notes, world } = resolveRoles(base, drawFaultTimes(cell.faults, cell.seed));
  let recordedOptions: unknown = options;
  try {
    recordedOptions = Schema.encodeUnknownSync(elector.options as Schema.Codec<unknown, unknown>)(options);
  } catch {
    recordedOptions = cell.options;
  }
  return { elector, variant: found.variant, config: { ...base, faults }, recordedOptions, roles: notes, probeEvents, ...(world !== undefined ? { world } : {}) };
}

/** The world a built cell runs in, begun and with its faults scheduled: the one roles were read from, or a new one. */
export function startBuilt(built: BuiltCell): World {
  if (built.world !== undefined) {
    built.world.scheduleFaults(built.config.faults, built.config.durationMs);
    return built.world;
  }
  const world = new World(built.config);
  world.start();
  return world;
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

/** Runs one cell to its RunResult. */
export function runCell(cell: Cell, electors: readonly ElectorDefinition[] = registeredElectors(), sweep?: string, stopFlag?: Int32Array): RunResult {
  if (cell.limits === undefined && stopFlag === undefined) return runCellUnwatched(cell, electors, sweep);
  const limits = cell.limits ?? { maxEvents: Number.MAX_SAFE_INTEGER, maxMemoryBytes: Number.MAX_SAFE_INTEGER };
  const replicas = cell.cluster.partitions * cell.cluster.replicationFactor;
  return withWatchdog({ limits, durationMs: cell.durationMs, replicas, ...(stopFlag !== undefined ? { stopFlag } : {}) }, () =>
    runCellUnwatched(cell, electors, sweep),
  );
}

/**
 * Builds and runs a cell; returns its run record and what the result needs of the build and the
 * world, holding neither: the judge then runs with the world unreachable. At 1M partitions the
 * judge's fresh arrays start a full collection (V8 collects on external-memory growth), which with
 * the world still referenced marked its whole heap (0.4-3 s), with only the record live ~20 ms.
 */
function buildAndRun(cell: Cell, electors: readonly ElectorDefinition[]) {
  const built = buildCell(cell, electors);
  const tRun = performance.now();
  const world = startBuilt(built);
  world.run();
  const record = recordOf(world);
  const runMs = performance.now() - tRun;
  const { config, elector, variant, recordedOptions, roles } = built;
  return { config, elector, variant, recordedOptions, roles, record, runMs, events: world.kernel.eventsProcessed, startNote: world.startNote };
}

function runCellUnwatched(cell: Cell, electors: readonly ElectorDefinition[], sweep: string | undefined): RunResult {
  const t0 = performance.now();
  let peak = heapUsed();
  const ran = buildAndRun(cell, electors);
  const { config, elector, record: outcome, runMs, events } = ran;
  peak = Math.max(peak, heapUsed());
  const metrics = judge(outcome);
  peak = Math.max(peak, heapUsed());
  const timeline = timelineOf(outcome, cell.timeline, metrics);
  peak = Math.max(peak, heapUsed());
  outcome.log.release(); // judged, its timeline copied out: its columns may serve the next cell's log
  const wallMs = performance.now() - t0;
  const violations = claimViolations(elector.claims(config.options), metrics);
  const c = config.cluster;
  return {
    scenario: cell.scenario,
    elector: elector.name,
    ...(ran.variant !== undefined ? { variant: ran.variant } : {}),
    options: ran.recordedOptions,
    seed: cell.seed,
    cluster: { brokers: c.brokers, partitions: c.partitions, replicationFactor: c.replicationFactor },
    durationMs: cell.durationMs,
    faults: config.faults,
    versions: { electorate: electorateVersion(), node: process.version },
    metrics,
    cost: {
      events,
      wallMs: round(wallMs, 3),
      eventsPerSecond: runMs > 0 ? Math.round((events / runMs) * 1000) : 0,
      peakHeapBytes: peak,
    },
    timeline,
    cell: { index: cell.index, key: cell.key, ...(sweep !== undefined ? { sweep } : {}) },
    setup: {
      cluster: { ...cell.cluster },
      ...(cell.network !== undefined ? { network: cell.network } : {}),
      ...(cell.coordinator !== undefined ? { coordinator: cell.coordinator } : {}),
      ...(cell.workload !== undefined ? { workload: cell.workload } : {}),
      ...(cell.clocks !== undefined ? { clocks: cell.clocks } : {}),
      ...(cell.storage !== undefined ? { storage: cell.storage } : {}),
      ...(cell.hostOptions !== undefined ? { hostOptions: cell.hostOptions } : {}),
      ...(ran.roles.length > 0 ? { roles: ran.roles } : {}),
      ...(cell.start !== undefined ? { start: cell.start } : {}),
      ...(ran.startNote !== undefined ? { startNote: ran.startNote } : {}),
    },
    violations,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
