/**
 * The results contract (docs/results.md): what one run of one scenario cell produces. Stable:
 * reports, merges and comparisons read only this.
 */
import type { Fault } from "../sim/faults.ts";
import type { CostMetrics, RunMetrics } from "../checker/metrics.ts";

export interface LeadershipInterval {
  readonly host: number;
  readonly epoch: number;
  readonly from: number;
  /** End of the belief (the run's end when still held). */
  readonly to: number;
}

export interface AcknowledgedWrite {
  readonly writeId: number;
  readonly host: number;
  readonly epoch: number;
  readonly at: number;
  /** True when a newer leader had already been declared (a late acknowledgement: timing, not loss). */
  readonly late: boolean;
}

export interface PartitionTimeline {
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly intervals: readonly LeadershipInterval[];
  readonly acks: readonly AcknowledgedWrite[];
}

export interface HostEvent {
  readonly at: number;
  readonly host: number | "zk";
  readonly what: string;
}

export interface RunTimeline {
  /** Faults and host lifecycle events (crash, restart, pause, resume) in time order. */
  readonly events: readonly HostEvent[];
  readonly partitions: readonly PartitionTimeline[];
}

export interface RunResult {
  /** Scenario name and the sweep cell's coordinates. */
  readonly scenario: string;
  /** The elector as named: "raft", or "raft:etcd" for a declared variant. */
  readonly elector: string;
  /** The variant part of the name ("etcd"), when one was named; `options` holds the decoded options it selected. */
  readonly variant?: string;
  readonly options: unknown;
  readonly seed: number;
  readonly cluster: { readonly brokers: number; readonly partitions: number; readonly replicationFactor: number };
  readonly durationMs: number;
  readonly faults: readonly Fault[];
  readonly versions: { readonly electorate: string; readonly node: string };
  readonly metrics: RunMetrics;
  /** Machine-dependent: left out of the result hash. */
  readonly cost: CostMetrics;
  /** Partitions with split-brain findings always; every partition with --timeline. */
  readonly timeline: RunTimeline;

  // ---- Optional extensions written by the runner (src/runner/run-cell.ts); readers may ignore them. ----

  /**
   * Where the run sits in its sweep: index in the full sweep, the cell's content key (equal keys,
   * equal results), the sweep's id (shared by its shards) and the full sweep's size.
   */
  readonly cell?: { readonly index: number; readonly key: string; readonly sweep?: string; readonly total?: number };
  /** Everything else the world was built from, so `electorate replay` can rebuild the run exactly. */
  readonly setup?: RunSetup;
  /** The elector's own claims this run broke ("same-epoch leaders: 2", ...); empty when none. */
  readonly violations?: readonly string[];
  /** "beside": the partition timelines are in timelines.jsonl next to the results (a sweep's), keyed by cell key. */
  readonly timelines?: "beside";
}

/** The rest of the run's configuration (cluster layout, network, coordinator, workload, per-host options). */
export interface RunSetup {
  readonly cluster: {
    readonly brokers: number;
    readonly partitions: number;
    readonly replicationFactor: number;
    readonly startIndex?: number;
    readonly nextReplicaShift?: number;
    readonly partitionsPerTopic?: number;
  };
  readonly network?: unknown;
  readonly coordinator?: Readonly<Record<string, number>>;
  readonly workload?: unknown;
  /** Brokers' clocks and fsync latency as written (ranges are drawn again from the seed on replay). */
  readonly clocks?: unknown;
  readonly storage?: unknown;
  /** Per-broker option overrides as written (raw, merged over `options`). */
  readonly hostOptions?: Readonly<Record<string, unknown>>;
  /** Role host names resolved before the run ("faults[0]: controller at 10000 ms -> broker 2"). */
  readonly roles?: readonly string[];
  /** The start the scenario asked for, when it named one ("settled" or "cold"). */
  readonly start?: "cold" | "settled";
  /** Why a settled start was asked for and the cluster started cold (the elector has no settled state, ...). */
  readonly startNote?: string;
}
