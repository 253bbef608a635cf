/**
 * The scenario file format (docs/scenarios.md), as an effect Schema. Decoding validates every
 * field and fills defaults; cross-field checks (replication factor against brokers, host numbers
 * against brokers, fault times against the run's duration) and elector options (each elector's
 * own schema) are checked in load.ts, after this structural pass.
 *
 * Hosts are named as in src/sim/faults.ts: a broker number or "zk". A scenario may also name a
 * host by its role at the fault's time — "controller" or "leader-of-most" — which the runner
 * resolves to a broker number before the run (src/runner/roles.ts), so results always record
 * plain numbers.
 */
import { Effect, Schema } from "effect";
import type { Timed } from "../sim/fault-times.ts";
import { BOUNDS, describeBound, withinBound, type Bound } from "./bounds.ts";

// ---- numbers ----

const Int = Schema.Int.annotate({ expected: "an integer" });
export const NonNegativeInt = Int.check(Schema.isGreaterThanOrEqualTo(0, { expected: "an integer >= 0" }));
export const PositiveInt = Int.check(Schema.isGreaterThanOrEqualTo(1, { expected: "an integer >= 1" }));
/** A time or duration in virtual milliseconds. */
export const Millis = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0, { expected: "a time in ms >= 0" }));
export const PositiveMillis = Schema.Finite.check(Schema.isGreaterThan(0, { expected: "a duration in ms > 0" }));
export const Probability = Schema.Finite.check(
  Schema.isBetween({ minimum: 0, maximum: 1 }, { expected: "a probability between 0 and 1" }),
);

/** A finite number within a bound of bounds.ts (the message names the range and the unit). */
export function boundedNumber(b: Bound) {
  return Schema.Finite.check(Schema.makeFilter((n: number) => withinBound(b, n), { expected: describeBound(b, false) }));
}
/** An integer within a bound of bounds.ts. */
export function boundedInt(b: Bound) {
  return Int.check(Schema.makeFilter((n: number) => withinBound(b, n), { expected: describeBound(b, true) }));
}
const AtMs = boundedNumber(BOUNDS.timeMs);
const ForMs = boundedNumber({ ...BOUNDS.timeMs, minInclusive: false });
const DelayMs = boundedNumber(BOUNDS.linkDelayMs);

// ---- hosts ----

/** Roles a scenario may name instead of a broker number; resolved per run before it starts. */
export const HOST_ROLES = ["controller", "leader-of-most"] as const;
export type HostRole = (typeof HOST_ROLES)[number];
/** A host as a scenario names it: a broker number, "zk" (the coordinator), or a role. */
export type ScenarioHostRef = number | "zk" | HostRole;

export const HOST_REF_EXPECTED = 'a broker number or "zk" (or a role: "controller", "leader-of-most")';

export const HostRef = Schema.declare(
  (u: unknown): u is ScenarioHostRef =>
    (typeof u === "number" && Number.isInteger(u) && u >= 0) ||
    u === "zk" ||
    (typeof u === "string" && (HOST_ROLES as readonly string[]).includes(u)),
  { expected: HOST_REF_EXPECTED },
);

// ---- network ----

export const DelayDistribution = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("constant"), ms: DelayMs }),
  Schema.Struct({ kind: Schema.Literal("uniform"), min: DelayMs, max: DelayMs }),
  Schema.Struct({ kind: Schema.Literal("exponential"), min: DelayMs, mean: DelayMs }),
]).annotate({ discriminator: "kind", discriminatorValues: ["constant", "uniform", "exponential"] });

/** A partial LinkSettings (src/sim/network.ts): what is absent keeps the default link. */
export const NetworkSpec = Schema.Struct({
  delay: Schema.optionalKey(DelayDistribution),
  loss: Schema.optionalKey(Probability),
  duplicate: Schema.optionalKey(Probability),
});

// ---- clocks and disks (src/sim/clocks.ts, src/sim/storage.ts) ----

/** Drift in parts per million, ±999999 (a clock must keep running forward). */
export const DriftPpm = Schema.Finite.check(
  Schema.isBetween({ minimum: -999_999, maximum: 999_999 }, { expected: "a drift in ppm between -999999 and 999999" }),
);

/** `{ between: [a, b] }`: drawn per seed, uniformly, from [a, b] (a <= b is checked in load.ts). */
const between = <S extends Schema.Top>(value: S) =>
  Schema.Struct({ between: Schema.Tuple([value, value]) }).annotate({ expected: "{ between: [a, b] }" });

const numberOrRange = <S extends Schema.Top>(value: S, expected: string) =>
  Schema.Union([value, between(value)]).annotate({ expected: `${expected}, or { between: [a, b] } drawn per seed` });

const HostClock = Schema.Struct({
  offsetMs: Schema.optionalKey(numberOrRange(Schema.Finite, "an offset in ms")),
  driftPpm: Schema.optionalKey(numberOrRange(DriftPpm, "a drift in ppm")),
});

/** Brokers' clocks: offset and drift for all, overridden per broker number. */
export const ClocksSpec = Schema.Struct({
  offsetMs: Schema.optionalKey(numberOrRange(Schema.Finite, "an offset in ms")),
  driftPpm: Schema.optionalKey(numberOrRange(DriftPpm, "a drift in ppm")),
  hosts: Schema.optionalKey(Schema.Record(Schema.String, HostClock)),
});

/** Brokers' fsync latency for all, overridden per broker number. */
export const StorageSpec = Schema.Struct({
  fsync: Schema.optionalKey(DelayDistribution),
  hosts: Schema.optionalKey(Schema.Record(Schema.String, Schema.Struct({ fsync: Schema.optionalKey(DelayDistribution) }))),
});

// ---- faults (src/sim/faults.ts, with role host names) ----

/** When a fault happens: a time in ms, or `{ between: [a, b] }` drawn per seed (src/sim/fault-times.ts). */
const at = Schema.Union([AtMs, between(AtMs)]).annotate({ expected: "a time in ms >= 0, or { between: [a, b] } drawn per seed" });
const hostFault = <T extends string>(type: T) => Schema.Struct({ at, type: Schema.Literal(type), host: HostRef });

export const FAULT_TYPES = [
  "crash",
  "restart",
  "pause",
  "partition",
  "cut",
  "isolate",
  "heal",
  "clog",
  "link",
  "shutdown",
  "clockJump",
  "clockDrift",
  "slowDisk",
  "expireSession",
  "closeSession",
] as const;

export const FaultSpec = Schema.Union([
  hostFault("crash"),
  hostFault("restart"),
  Schema.Struct({ at, type: Schema.Literal("pause"), host: HostRef, for: ForMs }),
  Schema.Struct({
    at,
    type: Schema.Literal("partition"),
    groups: Schema.Array(Schema.Array(HostRef).check(Schema.isMinLength(1, { expected: "a non-empty group of hosts" }))).check(
      Schema.isMinLength(1, { expected: "at least one group of hosts" }),
    ),
  }),
  Schema.Struct({ at, type: Schema.Literal("cut"), from: HostRef, to: HostRef, bothWays: Schema.optionalKey(Schema.Boolean) }),
  hostFault("isolate"),
  Schema.Struct({ at, type: Schema.Literal("heal") }),
  Schema.Struct({ at, type: Schema.Literal("clog"), from: HostRef, to: HostRef, for: ForMs }),
  Schema.Struct({
    at,
    type: Schema.Literal("link"),
    from: Schema.optionalKey(HostRef),
    to: Schema.optionalKey(HostRef),
    loss: Schema.optionalKey(Probability),
    duplicate: Schema.optionalKey(Probability),
    delay: Schema.optionalKey(DelayDistribution),
  }),
  hostFault("shutdown"),
  Schema.Struct({ at, type: Schema.Literal("clockJump"), host: HostRef, byMs: Schema.Finite }),
  Schema.Struct({ at, type: Schema.Literal("clockDrift"), host: HostRef, ppm: DriftPpm, forMs: PositiveMillis }),
  Schema.Struct({
    at,
    type: Schema.Literal("slowDisk"),
    host: HostRef,
    factor: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(1, { expected: "a slow-down factor >= 1" })),
    forMs: PositiveMillis,
  }),
  hostFault("expireSession"),
  hostFault("closeSession"),
]).annotate({ discriminator: "type", discriminatorValues: FAULT_TYPES });

export type FaultSpec = typeof FaultSpec.Type;
/** A fault as written, its time drawn (a number). */
export type TimedFaultSpec = Timed<FaultSpec>;

// ---- cluster, workload, algorithms ----

const PartitionCount = boundedInt(BOUNDS.partitions);
const Partitions = Schema.Union([
  PartitionCount,
  Schema.Array(PartitionCount).check(
    Schema.isMinLength(1, { expected: "a non-empty list of partition counts" }),
    Schema.isMaxLength(100, { expected: "at most 100 partition counts" }),
  ),
]).annotate({ expected: `a partition count (${describeBound(BOUNDS.partitions, true)}) or a list of them` });

export const ClusterSpecSchema = Schema.Struct({
  brokers: boundedInt(BOUNDS.brokers),
  /** One count, or several for a sweep. */
  partitions: Partitions,
  replicationFactor: boundedInt(BOUNDS.replicationFactor).pipe(Schema.withDecodingDefaultKey(Effect.succeed(3))),
  startIndex: Schema.optionalKey(NonNegativeInt),
  nextReplicaShift: Schema.optionalKey(NonNegativeInt),
  partitionsPerTopic: Schema.optionalKey(boundedInt(BOUNDS.partitionsPerTopic)),
});

/** A partial WorkloadSpec (src/world/world-config.ts). */
export const WorkloadSpecSchema = Schema.Struct({
  producers: Schema.optionalKey(boundedInt(BOUNDS.producers)),
  partitions: Schema.optionalKey(boundedInt(BOUNDS.workloadPartitions)),
  writesPerSecond: Schema.optionalKey(boundedNumber(BOUNDS.writesPerSecond)),
  startMs: Schema.optionalKey(AtMs),
  requestTimeoutMs: Schema.optionalKey(boundedNumber(BOUNDS.requestTimeoutMs)),
  retryBackoffMs: Schema.optionalKey(boundedNumber(BOUNDS.retryBackoffMs)),
});


const OptionsObject = Schema.Record(Schema.String, Schema.Unknown).annotate({ expected: "an object of elector options" });

export const AlgorithmEntry = Schema.Union([
  Schema.String.annotate({ expected: "an elector name" }),
  Schema.Struct({
    name: Schema.String,
    /** Elector options, decoded with the elector's own schema (defaults filled). */
    options: Schema.optionalKey(OptionsObject),
    /** Per-broker overrides merged over `options`, keyed by broker number. */
    hostOptions: Schema.optionalKey(Schema.Record(Schema.String, OptionsObject)),
  }),
]).annotate({ expected: 'an elector name or { name, options?, hostOptions? }' });
export type AlgorithmEntry = typeof AlgorithmEntry.Type;

export const ScenarioFile = Schema.Struct({
  name: Schema.String.check(Schema.isMinLength(1, { expected: "a non-empty name" })),
  description: Schema.optionalKey(Schema.String),
  /** One elector; or use `algorithms`. Neither: every registered elector. */
  algorithm: Schema.optionalKey(AlgorithmEntry),
  algorithms: Schema.optionalKey(Schema.Array(AlgorithmEntry).check(Schema.isMinLength(1, { expected: "a non-empty list of electors" }))),
  seed: boundedInt(BOUNDS.seed).pipe(Schema.withDecodingDefaultKey(Effect.succeed(1))),
  /** Several seeds for a sweep (overrides `seed`). */
  seeds: Schema.optionalKey(
    Schema.Array(boundedInt(BOUNDS.seed)).check(
      Schema.isMinLength(1, { expected: "a non-empty list of seeds" }),
      Schema.isMaxLength(BOUNDS.seedsListed.max, { expected: `at most ${BOUNDS.seedsListed.max} seeds (${BOUNDS.seedsListed.why})` }),
    ),
  ),
  cluster: ClusterSpecSchema,
  network: Schema.optionalKey(NetworkSpec),
  /** ZooKeeper model: `profile` (a cost profile's name or .json file) and settings by name (src/coordinator/config.ts). */
  coordinator: Schema.optionalKey(
    Schema.Record(Schema.String, Schema.Union([Schema.Finite, Schema.String])).annotate({
      expected: "an object of ZooKeeper model settings (numbers) and an optional profile (a name or a .json file)",
    }),
  ),
  workload: Schema.optionalKey(WorkloadSpecSchema),
  /** Brokers' clocks (default: all read true time). */
  clocks: Schema.optionalKey(ClocksSpec),
  /** Brokers' fsync latency (default: src/sim/storage.ts DEFAULT_FSYNC). */
  storage: Schema.optionalKey(StorageSpec),
  /**
   * How the cluster begins: "cold" (the default: every broker boots at 0 and elects) or "settled"
   * (as a quiet start leaves it, built directly; src/world/settled-start.ts). An elector without a
   * settled state starts cold and the results say so.
   */
  start: Schema.optionalKey(Schema.Literals(["cold", "settled"]).annotate({ expected: '"cold" or "settled"' })),
  faults: Schema.Array(FaultSpec)
    .check(Schema.isMaxLength(BOUNDS.faults.max, { expected: `at most ${BOUNDS.faults.max} faults (${BOUNDS.faults.why})` }))
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed([]))),
  durationMs: boundedNumber(BOUNDS.durationMs),
});

export type ScenarioFile = typeof ScenarioFile.Type;
