/**
 * Every numeric limit of a scenario and of the command line, in one place, each with its unit and
 * why it is where it is. A limit is a promise that what passes it is something the lab can run on
 * one machine; what is beyond it is refused before any work starts (exit 2), with the bound named.
 * The per-run estimate (estimate.ts) then checks the product of the fields (partitions x writes x
 * time) against the machine.
 */

export interface Bound {
  readonly min: number;
  readonly max: number;
  /** Unit as printed after a value ("ms", "brokers", ...). */
  readonly unit: string;
  /** Why the limits are where they are (shown in docs/scenarios.md). */
  readonly why: string;
  /** Whether the minimum itself is allowed (false: strictly above). */
  readonly minInclusive?: boolean;
}

const DAY_MS = 86_400_000;

export const BOUNDS = {
  brokers: {
    min: 1,
    max: 10_000,
    unit: "brokers",
    why: "each broker is a host with its own elector instance, clocks and queues; real Kafka clusters stay well below 10,000 brokers",
  },
  partitions: {
    min: 1,
    max: 10_000_000,
    unit: "partitions",
    why: "replica lists and per-partition elector state cost ~1 KB per partition (1M partitions: 0.6-0.9 GB, docs/performance.md)",
  },
  replicationFactor: { min: 1, max: 100, unit: "replicas", why: "at most cluster.brokers; real topics use 3 to 5" },
  partitionsPerTopic: { min: 1, max: 10_000_000, unit: "partitions", why: "as cluster.partitions" },
  seed: { min: 0, max: 2 ** 32 - 1, unit: "", why: "seeds are 32-bit (the random streams hash them to 32 bits)" },
  seedsListed: { min: 1, max: 10_000, unit: "seeds", why: "each seed is a whole run; a larger sweep is several commands (--shard)" },
  durationMs: {
    min: 0,
    minInclusive: false,
    max: DAY_MS,
    unit: "ms",
    why: "one day of virtual time; elections settle in seconds to minutes (ZooKeeper sessions: 6-40 s)",
  },
  timeMs: { min: 0, max: DAY_MS, unit: "ms", why: "a time within a run of at most a day" },
  faults: { min: 0, max: 10_000, unit: "faults", why: "a schedule a person or a generator writes; each fault is an event" },
  linkDelayMs: {
    min: 0,
    max: 60_000,
    unit: "ms",
    why: "one-way delay of a link; a minute is already a partition for every protocol modelled",
  },
  producers: { min: 1, max: 1_000, unit: "producers", why: "each producer is a host on the network" },
  workloadPartitions: { min: 0, max: 10_000_000, unit: "partitions", why: "as cluster.partitions" },
  writesPerSecond: {
    min: 0,
    max: 10_000,
    unit: "writes/s per partition",
    why: "a write every 0.1 ms per partition; the total (x partitions x duration) is checked by the estimate",
  },
  requestTimeoutMs: { min: 0, minInclusive: false, max: DAY_MS, unit: "ms", why: "a positive timeout (Kafka request.timeout.ms, 30 s)" },
  retryBackoffMs: {
    min: 1,
    max: DAY_MS,
    unit: "ms",
    why: "Kafka retry.backoff.ms (100 ms); 0 would retry in the same instant without end",
  },
  // ---- the ZooKeeper model (src/coordinator/config.ts) ----
  zkTickTimeMs: { min: 1, max: 60_000, unit: "ms", why: "zoo.cfg tickTime must be positive (sessions and expiry buckets count in ticks); 2000 by default" },
  zkSessionTicks: { min: 1, max: 1_000, unit: "ticks", why: "session timeout bounds in ticks (ZooKeeper: 2 and 20 by default)" },
  zkServiceMs: { min: 0, max: 10_000, unit: "ms", why: "server time one request occupies; ZooKeeper's are microseconds" },
  zkIntervalMs: { min: 1, max: DAY_MS, unit: "ms", why: "a positive interval (a zero interval would repeat in the same instant)" },
  zkJitterMs: { min: 0, max: 600_000, unit: "ms", why: "reconnect back-off (ZooKeeper: 0-1000 ms)" },
  zkJitterSeed: { min: -(2 ** 31), max: 2 ** 32 - 1, unit: "", why: "a 32-bit seed" },
  zkHeaderBytes: { min: 0, max: 1_048_576, unit: "bytes", why: "per-message header estimate" },
  // ---- command-line flags ----
  flagPartitions: { min: 1, max: 10_000_000, unit: "partitions", why: "as cluster.partitions" },
  flagSeeds: { min: 1, max: 10_000, unit: "seeds", why: "each seed is a whole run of every cell; larger sweeps are split with --shard" },
  flagWorkers: { min: 1, max: 256, unit: "threads", why: "worker threads; more than the cores only adds memory" },
  flagRuns: { min: 1, max: 100_000_000, unit: "runs", why: "generated schedules; Ctrl-C stops a long hunt" },
  flagCell: { min: 0, max: 100_000_000, unit: "", why: "a cell index" },
  flagMaxEvents: { min: 1, max: 1e13, unit: "events", why: "a cell's event budget; at ~2 M events/s, 1e13 is two months" },
  flagMaxMemory: { min: 64, max: 1_048_576, unit: "MiB", why: "a cell's memory budget; at least what an empty world needs" },
} as const satisfies Record<string, Bound>;

export type BoundName = keyof typeof BOUNDS;

/** "an integer from 1 to 10000 (brokers)". */
export function describeBound(b: Bound, integer: boolean): string {
  const low = b.minInclusive === false ? `above ${b.min}` : `from ${fmtNumber(b.min)}`;
  const kind = integer ? "an integer" : "a number";
  return `${kind} ${low} to ${fmtNumber(b.max)}${b.unit !== "" ? ` (${b.unit})` : ""}`;
}

export function fmtNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) >= 1e6 && String(n).endsWith("000000")) return n.toExponential().replace("e+", "e");
  return String(n);
}

/** Whether `n` is within `b`. */
export function withinBound(b: Bound, n: number): boolean {
  return Number.isFinite(n) && (b.minInclusive === false ? n > b.min : n >= b.min) && n <= b.max;
}
