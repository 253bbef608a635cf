/**
 * The plain, already-validated description of one run. Scenario files are decoded into this by
 * the schema in src/scenario/ (at the edge); tests and properties build it directly.
 */
import type { ElectorDefinition, SettledChoice } from "../elector/api.ts";
import type { ClusterSpec } from "../cluster/cluster-model.ts";
import type { ClockSpec } from "../sim/clocks.ts";
import type { KernelQueue } from "../sim/kernel.ts";
import type { Fault } from "../sim/faults.ts";
import type { StorageSpec } from "../sim/storage.ts";
import type { LinkSettings } from "../sim/network.ts";
import type { RandomStream } from "../sim/random.ts";

export interface WorkloadSpec {
  /** Producer hosts (each a host on the network, after the brokers and the coordinator). */
  readonly producers: number;
  /** How many partitions receive writes (the first ones of a seeded shuffle); 0 for none. */
  readonly partitions: number;
  /** Writes per second to each sampled partition. */
  readonly writesPerSecond: number;
  /** First write time (ms), after the initial election settled. */
  readonly startMs: number;
  /** Kafka producer request.timeout.ms (30000): no answer by then refreshes metadata. */
  readonly requestTimeoutMs: number;
  /** Kafka retry.backoff.ms (100): wait before asking for metadata again. */
  readonly retryBackoffMs: number;
  /**
   * No write is sent at or after this time (ms); absent: writes go on to the end. Stopping writes
   * before the end lets replication settle before the final state is judged (Jepsen's final read
   * after quiescence): otherwise an acks=1 write acknowledged in the last fetch interval counts as lost.
   */
  readonly stopMs?: number;
}

export const DEFAULT_WORKLOAD: WorkloadSpec = {
  producers: 1,
  partitions: 20,
  writesPerSecond: 50,
  startMs: 5_000,
  requestTimeoutMs: 30_000,
  retryBackoffMs: 100,
};

export interface WorldConfig<Options = unknown> {
  readonly seed: number;
  readonly durationMs: number;
  readonly cluster: ClusterSpec;
  readonly network?: Partial<LinkSettings>;
  /** ZooKeeper model settings (see src/coordinator/config.ts); defaults when absent. */
  readonly coordinator?: Record<string, number>;
  readonly workload?: Partial<WorkloadSpec>;
  /** Brokers' clocks (src/sim/clocks.ts); absent: every clock reads true time. */
  readonly clocks?: ClockSpec;
  /** Brokers' fsync latency (src/sim/storage.ts); absent: DEFAULT_FSYNC everywhere. */
  readonly storage?: StorageSpec;
  readonly faults: readonly Fault[];
  /** Record up to this many messages for a message diagram (src/sim/message-trace.ts); absent or 0: none. */
  readonly traceMessages?: number;
  readonly elector: ElectorDefinition<Options>;
  /** Decoded elector options. */
  readonly options: Options;
  /**
   * The systematic explorer's scheduler (src/explore/): the kernel takes its events from this queue,
   * which runs the event the search chose. Absent (every normal run): the kernel's own time order.
   */
  readonly eventQueue?: () => KernelQueue;
  /**
   * The systematic explorer's tied timeouts (src/explore/, docs/explore.md): the random stream a
   * broker's elector draws from (concern `host:H`), or undefined for the host's own seeded stream.
   * Absent (every normal run): each host's own stream.
   */
  readonly hostRandom?: (host: number, own: RandomStream) => RandomStream | undefined;
  /** Per-host option overrides (decoded), e.g. one broker on an older version. */
  readonly hostOptions?: Readonly<Record<number, Options>>;
  /**
   * "settled": begin as a quiet start leaves the cluster, built directly (src/world/settled-start.ts);
   * absent or "cold": every broker boots at 0 and elects (the default).
   */
  readonly start?: "cold" | "settled";
  /** Settled start: who leads (default: the elector's own quiet-start outcome). Tests copy a cold start's. */
  readonly settledChoice?: SettledChoice;
}

/** Host numbering: brokers 0..B-1, then the coordinator, then the producers. */
export function coordinatorHost(cluster: ClusterSpec): number {
  return cluster.brokers;
}

export function producerHost(cluster: ClusterSpec, index: number): number {
  return cluster.brokers + 1 + index;
}
