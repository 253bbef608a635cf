/**
 * A sweep cell: one elector, one partition count, one scenario, one seed. Cells are plain JSON
 * (they cross to worker threads and identify finished work in results.jsonl); each carries its
 * index in the full sweep (so shards and resumed sweeps sort back into one order) and a key that
 * changes whenever anything that affects its result changes.
 */
import type { ClusterSpec } from "../cluster/cluster-model.ts";
import { createHash } from "node:crypto";
import type { Scenario, ScenarioAlgorithm } from "../scenario/load.ts";
import type { FaultSpec } from "../scenario/schema.ts";
import type { Limits } from "./watchdog.ts";

export interface Cell {
  /** Position in the full sweep (before sharding and resuming). */
  readonly index: number;
  /** Hash of everything below: equal keys give equal results. */
  readonly key: string;
  readonly scenario: string;
  readonly elector: string;
  /** Raw options (decoded with the elector's schema where the cell runs). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly hostOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly seed: number;
  readonly cluster: ClusterSpec;
  readonly network?: Scenario["network"];
  readonly coordinator?: Readonly<Record<string, number>>;
  readonly workload?: Scenario["workload"];
  readonly clocks?: Scenario["clocks"];
  readonly storage?: Scenario["storage"];
  /** "settled": begin as a quiet start leaves the cluster; absent: cold (and the cell key is unchanged). */
  readonly start?: "cold" | "settled";
  /** Faults as written (hosts may name roles; resolved when the cell runs). */
  readonly faults: readonly FaultSpec[];
  readonly durationMs: number;
  /** Timeline detail: partitions with findings, or every partition (--timeline). */
  readonly timeline: "findings" | "all";
  /** Extra elector modules (file URLs) the worker loads besides the registry. */
  readonly modules?: readonly string[];
  /** The watchdog's budget (events, memory); not part of the key: it stops a run, never changes one. */
  readonly limits?: Limits;
}

export type CellInput = Omit<Cell, "index" | "key">;

/** Stable JSON: object keys sorted, so equal content gives equal text. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const keys = Object.keys(value as object)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

export function hashText(text: string, length = 16): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

export function cellKey(input: CellInput): string {
  const { modules: _m, limits: _l, ...rest } = input;
  return hashText(stableJson(rest));
}

export function makeCell(index: number, input: CellInput): Cell {
  return { index, key: cellKey(input), ...input };
}

export interface SweepAxes {
  /** Electors to run, with raw options. Undefined: each scenario's own list (or every registered elector). */
  readonly algorithms?: readonly ScenarioAlgorithm[];
  /** Partition counts; undefined: each scenario's own. */
  readonly partitions?: readonly number[];
  /** Partition counts for the electors named here (full names, "raft:paper"), instead of `partitions`. */
  readonly partitionsOf?: ReadonlyMap<string, readonly number[]>;
  /** Seeds; undefined: each scenario's own. */
  readonly seeds?: readonly number[];
  readonly timeline?: "findings" | "all";
  readonly modules?: readonly string[];
  /** The watchdog's budget for every cell. */
  readonly limits?: Limits;
}

/**
 * Expands scenarios into cells in a stable order: elector (in the order given, or registry
 * order), then partition count (ascending as given), then scenario (as given), then seed.
 */
export function expandSweep(scenarios: readonly Scenario[], axes: SweepAxes, allElectors: readonly string[]): Cell[] {
  const inputs: { rank: [number, number, number, number]; input: CellInput }[] = [];
  const electorOrder: string[] = [];
  const rankOf = (name: string): number => {
    let i = electorOrder.indexOf(name);
    if (i < 0) {
      electorOrder.push(name);
      i = electorOrder.length - 1;
    }
    return i;
  };
  if (axes.algorithms !== undefined) for (const a of axes.algorithms) rankOf(a.elector);
  else for (const n of allElectors) rankOf(n);

  scenarios.forEach((s, si) => {
    const algorithms: readonly ScenarioAlgorithm[] =
      axes.algorithms ?? s.algorithms ?? allElectors.map((elector) => ({ elector, options: {} }));
    const seeds = axes.seeds ?? s.seeds;
    for (const a of algorithms) {
      const partitions = axes.partitionsOf?.get(a.elector) ?? axes.partitions ?? s.partitions;
      // Options from the scenario file apply when the command line names the same elector.
      const fromFile = axes.algorithms !== undefined ? s.algorithms?.find((x) => x.elector === a.elector) : undefined;
      const options = Object.keys(a.options).length > 0 || fromFile === undefined ? a.options : fromFile.options;
      const hostOptions = a.hostOptions ?? fromFile?.hostOptions;
      for (const p of partitions) {
        for (const seed of seeds) {
          inputs.push({
            rank: [rankOf(a.elector), p, si, seed],
            input: {
              scenario: s.name,
              elector: a.elector,
              options,
              ...(hostOptions !== undefined ? { hostOptions } : {}),
              seed,
              cluster: { ...s.cluster, partitions: p },
              ...(s.network !== undefined ? { network: s.network } : {}),
              ...(s.coordinator !== undefined ? { coordinator: s.coordinator } : {}),
              ...(s.workload !== undefined ? { workload: s.workload } : {}),
              ...(s.clocks !== undefined ? { clocks: s.clocks } : {}),
              ...(s.storage !== undefined ? { storage: s.storage } : {}),
              ...(s.start !== undefined ? { start: s.start } : {}),
              faults: s.faults,
              durationMs: s.durationMs,
              timeline: axes.timeline ?? "findings",
              ...(axes.modules !== undefined && axes.modules.length > 0 ? { modules: axes.modules } : {}),
              ...(axes.limits !== undefined ? { limits: axes.limits } : {}),
            },
          });
        }
      }
    }
  });
  const order = inputs.map((_, i) => i);
  order.sort((x, y) => {
    const a = inputs[x].rank;
    const b = inputs[y].rank;
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3] || x - y;
  });
  const cells = order.map((i, index) => makeCell(index, inputs[i].input));
  const seen = new Map<string, number>();
  for (const c of cells) {
    const earlier = seen.get(c.key);
    if (earlier !== undefined) throw new Error(`sweep: cells ${earlier} and ${c.index} are identical (a scenario listed twice?)`);
    seen.set(c.key, c.index);
  }
  return cells;
}

/** Identifies a whole sweep (all cell keys in order): shards of one sweep share it. */
export function sweepId(cells: readonly Cell[]): string {
  return hashText(cells.map((c) => c.key).join("\n"));
}

/** `--shard k/n`: the cells with index % n == k - 1. */
export function shardCells(cells: readonly Cell[], shard: { readonly k: number; readonly n: number } | undefined): Cell[] {
  if (shard === undefined) return [...cells];
  return cells.filter((c) => c.index % shard.n === shard.k - 1);
}
