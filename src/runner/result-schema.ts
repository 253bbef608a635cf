/**
 * The results contract (result.ts) as an effect Schema: what `report`, `merge`, `replay` and
 * `--resume` decode before they touch a results file, so a file with one field changed is refused
 * with the field's path (exit 2) instead of crashing somewhere in a renderer. The runner's own
 * results decode with it (tested), so the two cannot drift apart silently.
 *
 * Keys the schema does not know are let through untouched (a newer lab may add metrics; readers
 * ignore what they do not know), but every key it knows must have its documented type, and
 * numbers must be finite: counts are integers >= 0, times and durations finite.
 */
import { Schema } from "effect";
import { BadInputError } from "../scenario/issues.ts";
import { issuesOf } from "../scenario/issues.ts";
import type { RunResult } from "./result.ts";

const Num = Schema.Finite.annotate({ expected: "a finite number" });
const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0, { expected: "a count (an integer >= 0)" }));
const NonNeg = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0, { expected: "a number >= 0" }));
const Host = Schema.Union([Schema.Int, Schema.Literal("zk")]).annotate({ expected: 'a host number or "zk"' });
const Str = Schema.String;

const Peaks = Schema.Struct({ "10ms": NonNeg, "100ms": NonNeg, "1s": NonNeg });

/** "Not measured" is null, never 0 (the judge's convention). */
const NullOrCount = Schema.NullOr(Count);
const NullOrNonNeg = Schema.NullOr(NonNeg);

const DataFinding = Schema.Struct({
  grade: Schema.Literals(["lost-write", "divergence"]),
  partition: Count,
});

const Finding = Schema.Struct({
  grade: Str,
  partition: Count,
  hosts: Schema.Array(Schema.Int),
  epochs: Schema.Array(Num),
  from: Num,
  to: Num,
  writeId: Schema.optionalKey(Schema.Int),
});

const Metrics = Schema.Struct({
  splitBrain: Schema.Struct({
    overlap: Schema.Struct({ count: Count, totalMs: NonNeg, longestMs: NonNeg, partitions: Count }),
    sameEpoch: Schema.Struct({ count: Count, partitions: Count }),
    lateAcks: Schema.Struct({ count: Count, partitions: Count }),
    findings: Schema.Array(Finding),
  }),
  data: Schema.Struct({
    measured: Schema.Boolean,
    acknowledged: Count,
    lostWrites: Schema.Struct({ count: NullOrCount, partitions: NullOrCount }),
    divergence: Schema.Struct({ count: NullOrCount, partitions: NullOrCount }),
    unjudgedPartitions: NullOrCount,
    findings: Schema.Array(DataFinding),
  }),
  clientAvailability: Schema.Struct({
    partitionsWritten: Count,
    samples: Count,
    p50Ms: NullOrNonNeg,
    p99Ms: NullOrNonNeg,
    maxMs: NullOrNonNeg,
    openAtEnd: Count,
    unavailablePartitionSeconds: NonNeg,
    failed: Count,
    unanswered: Count,
    overTime: Schema.optionalKey(
      Schema.Struct({
        bucketMs: NonNeg,
        ok: Schema.Array(NonNeg),
        failed: Schema.Array(NonNeg),
        unanswered: Schema.Array(NonNeg),
        unavailable: Schema.Array(NonNeg),
      }),
    ),
  }),
  herd: Schema.Array(
    Schema.Struct({
      fault: Count,
      description: Str,
      at: Num,
      until: Num,
      hostsWoken: Count,
      watchNotifications: Count,
      campaigns: Count,
      leadershipChanges: Count,
      coordinatorWrites: Count,
      coordinatorReads: Count,
      messages: Count,
      coordinatorPeakPerSecond: Peaks,
      hostPeakPerSecond: Peaks,
    }),
  ),
  coordinator: Schema.Struct({
    reads: Count,
    writes: Count,
    losingCreates: Count,
    watchesRegistered: Count,
    notifications: Count,
    sessionsExpired: Count,
    maxQueueLength: Count,
    writesPerLeadershipChange: NonNeg,
    peakRequestsPerSecond: Peaks,
  }),
  failover: Schema.Struct({
    samples: Count,
    p50Ms: NonNeg,
    p99Ms: NonNeg,
    maxMs: NonNeg,
    unavailablePartitionSeconds: NonNeg,
    neverLed: Count,
  }),
  balance: Schema.Struct({ leadersPerBrokerMax: NonNeg, leadersPerBrokerMean: NonNeg, preferredLeaderShare: NonNeg }),
  leadershipChanges: Count,
  controllerChanges: Count,
  end: Schema.Struct({
    partitionsWithOneLeader: Count,
    partitionsWithoutLeader: Count,
    partitionsWithSeveralLeaders: Count,
    disagreeingReplicas: Count,
    partitionsWithoutLiveReplica: Schema.optionalKey(Count),
  }),
  workload: Schema.Struct({ sent: Count, acknowledged: Count, rejected: Count, timedOut: Count, connectionReset: Schema.optionalKey(Count), unsent: Count }),
  messages: Schema.Struct({
    sent: Count,
    delivered: Count,
    dropped: Count,
    bytes: NonNeg,
    peakPerSecond: Peaks,
    byType: Schema.Record(Str, Schema.Struct({ count: Count, bytes: NonNeg })),
  }),
  traceHash: Str,
});

const Timeline = Schema.Struct({
  events: Schema.Array(Schema.Struct({ at: Num, host: Host, what: Str })),
  partitions: Schema.Array(
    Schema.Struct({
      partition: Count,
      replicas: Schema.Array(Schema.Int),
      intervals: Schema.Array(Schema.Struct({ host: Schema.Int, epoch: Num, from: Num, to: Num })),
      acks: Schema.Array(Schema.Struct({ writeId: Schema.Int, host: Schema.Int, epoch: Num, at: Num, late: Schema.Boolean })),
    }),
  ),
});

const Fault = Schema.Struct({ at: NonNeg, type: Str });

const Cluster = Schema.Struct({
  brokers: Count.check(Schema.isGreaterThanOrEqualTo(1, { expected: "an integer >= 1" })),
  partitions: Count.check(Schema.isGreaterThanOrEqualTo(1, { expected: "an integer >= 1" })),
  replicationFactor: Count.check(Schema.isGreaterThanOrEqualTo(1, { expected: "an integer >= 1" })),
});

export const RunResultSchema = Schema.Struct({
  scenario: Str,
  elector: Str,
  options: Schema.Unknown,
  seed: Schema.Int,
  cluster: Cluster,
  durationMs: NonNeg,
  faults: Schema.Array(Fault),
  versions: Schema.Struct({ electorate: Str, node: Str }),
  metrics: Metrics,
  cost: Schema.Struct({ events: Count, wallMs: NonNeg, eventsPerSecond: NonNeg, peakHeapBytes: NonNeg }),
  timeline: Timeline,
  cell: Schema.optionalKey(
    Schema.Struct({ index: Count, key: Str, sweep: Schema.optionalKey(Str), total: Schema.optionalKey(Count) }),
  ),
  setup: Schema.optionalKey(
    Schema.Struct({
      cluster: Cluster,
      roles: Schema.optionalKey(Schema.Array(Str)),
      start: Schema.optionalKey(Schema.Literals(["cold", "settled"])),
      startNote: Schema.optionalKey(Str),
    }),
  ),
  violations: Schema.optionalKey(Schema.Array(Str)),
  notes: Schema.optionalKey(Schema.Array(Str)),
  timelines: Schema.optionalKey(Schema.Literal("beside")),
});

const decodeOne = Schema.decodeUnknownExit(RunResultSchema);
const OPTIONS = { errors: "all", reportInput: true } as const;
const MAX_ISSUES = 8;

/**
 * Checks that `value` is a list of run results; returns it (the input objects themselves, unknown
 * keys kept). Throws BadInputError with paths like `[3].metrics.failover.p50Ms`.
 */
export function decodeResults(value: unknown, source: string, prefix?: string): RunResult[] {
  if (!Array.isArray(value)) {
    throw new BadInputError(source, [
      { path: prefix ?? "", message: `expected a list of run results, got ${value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : typeof value}` },
    ]);
  }
  const issues: { path: string; message: string }[] = [];
  for (let i = 0; i < value.length && issues.length < MAX_ISSUES; i++) {
    const r = decodeOne(value[i], OPTIONS);
    if (r._tag === "Success") continue;
    const at = prefix ?? `[${i}]`;
    const reasons = (r.cause as { reasons?: readonly { error?: { issue?: Parameters<typeof issuesOf>[0] } }[] }).reasons ?? [];
    for (const reason of reasons) {
      if (reason.error?.issue !== undefined) issues.push(...issuesOf(reason.error.issue, at));
      else issues.push({ path: at, message: "expected a run result" });
    }
  }
  if (issues.length > 0) throw new BadInputError(source, issues.slice(0, MAX_ISSUES));
  return value as RunResult[];
}
