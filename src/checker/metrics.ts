/**
 * The checker's verdict on one run: every metric by the name used in docs/metrics.md and in
 * results JSON. All fields are plain JSON. `cost` is the only part that depends on the machine
 * and is left out of the result hash.
 */
import type { ClientSeries } from "./client-series.ts";

export type SplitBrainGrade = "overlap" | "same-epoch" | "late-ack";

/** One split-brain finding: which partition, which hosts and epochs, over which interval. */
export interface SplitBrainFinding {
  readonly grade: SplitBrainGrade;
  readonly partition: number;
  /** [earlier or deposed leader, other leader] */
  readonly hosts: readonly [number, number];
  readonly epochs: readonly [number, number];
  /** Overlap: the shared interval. Same-epoch: the two leaders' first declarations. Late ack: newer leader's election to the ack. */
  readonly from: number;
  readonly to: number;
  /** Late acknowledgement: the write. */
  readonly writeId?: number;
}

export interface SplitBrainMetrics {
  readonly overlap: { readonly count: number; readonly totalMs: number; readonly longestMs: number; readonly partitions: number };
  readonly sameEpoch: { readonly count: number; readonly partitions: number };
  /** Acknowledgements made after a newer leader was declared: a timing observation, not a loss. */
  readonly lateAcks: { readonly count: number; readonly partitions: number };
  /** The first findings of each grade (at most FINDINGS_PER_GRADE each), in time order. */
  readonly findings: readonly SplitBrainFinding[];
}

/** An acknowledged (ok) write absent from its partition's final committed log: data loss. */
export interface LostWriteFinding {
  readonly grade: "lost-write";
  readonly partition: number;
  readonly writeId: number;
  /** The broker whose ok the client received, and the epoch it declared with its acknowledgement (-1: none declared). */
  readonly acknowledgedBy: number;
  readonly epoch: number;
  readonly invokedAt: number;
  /** When the client received the ok. */
  readonly acknowledgedAt: number;
  /** The replica whose committed prefix is the final committed log (-1: no live replica declared one), and its length. */
  readonly finalLog: { readonly host: number; readonly length: number };
  /** Replicas whose final log holds the write uncommitted (beyond their commit point). */
  readonly heldUncommittedBy: readonly number[];
}

/** Two replicas of a partition hold different entries at a position both have committed. */
export interface DivergenceFinding {
  readonly grade: "divergence";
  readonly partition: number;
  readonly hosts: readonly [number, number];
  /** First position (0-based) where their committed prefixes differ. */
  readonly position: number;
  readonly writeIds: readonly [number, number];
  readonly epochs: readonly [number, number];
  /** Each replica's committed count. */
  readonly committed: readonly [number, number];
}

export type DataFinding = LostWriteFinding | DivergenceFinding;

/**
 * What became of acknowledged data, from the client history and the replicas' final declared
 * state. `measured` is false when the elector declared no replica state in the run: the counts
 * are then null (not measured), never 0.
 */
export interface DataMetrics {
  readonly measured: boolean;
  /** Writes the clients got an ok for. */
  readonly acknowledged: number;
  readonly lostWrites: { readonly count: number | null; readonly partitions: number | null };
  readonly divergence: { readonly count: number | null; readonly partitions: number | null };
  /** Partitions with acknowledged writes but no live replica at the end: their writes are not judged. */
  readonly unjudgedPartitions: number | null;
  /** The first findings of each grade (at most FINDINGS_PER_GRADE each), lost writes first. */
  readonly findings: readonly DataFinding[];
}

/**
 * Availability as the clients saw it: per written partition, a window from the first write that
 * failed or went unanswered (after the partition's first ok) to the next ok write's answer.
 */
export interface ClientAvailabilityMetrics {
  readonly partitionsWritten: number;
  /** Windows that closed with an ok. */
  readonly samples: number;
  /** Nearest-rank percentiles of closed windows (null: no window closed). */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  /** Windows still open when the run ended (their length is unknown). */
  readonly openAtEnd: number;
  /** Summed window lengths (open ones up to the run's end), in partition-seconds. */
  readonly unavailablePartitionSeconds: number;
  /** Writes that failed: refused, or not sent for want of a known leader. */
  readonly failed: number;
  /** Writes with an unknown outcome: timed out, or still unanswered at the end. */
  readonly unanswered: number;
  /** The same over time (rate and availability plots); absent in results written before it existed. */
  readonly overTime?: ClientSeries;
}

export interface WindowPeaks {
  readonly "10ms": number;
  readonly "100ms": number;
  readonly "1s": number;
}

/** What one injected fault set off, counted from its time until the next fault (or the end). */
export interface FaultImpact {
  readonly fault: number;
  readonly description: string;
  readonly at: number;
  readonly until: number;
  readonly hostsWoken: number;
  readonly watchNotifications: number;
  readonly campaigns: number;
  readonly leadershipChanges: number;
  readonly coordinatorWrites: number;
  readonly coordinatorReads: number;
  readonly messages: number;
  /** Peak request rate at the coordinator (requests per second) over sliding windows. */
  readonly coordinatorPeakPerSecond: WindowPeaks;
  /** Peak inbound message rate at the busiest broker (messages per second). */
  readonly hostPeakPerSecond: WindowPeaks;
}

export interface CoordinatorMetrics {
  readonly reads: number;
  readonly writes: number;
  readonly losingCreates: number;
  readonly watchesRegistered: number;
  readonly notifications: number;
  readonly sessionsExpired: number;
  readonly maxQueueLength: number;
  /** Coordinator writes per leadership change over the run (0 when there was none). */
  readonly writesPerLeadershipChange: number;
  readonly peakRequestsPerSecond: WindowPeaks;
}

export interface FailoverMetrics {
  /** Leaderless spells that began after a fault (one per partition per spell). */
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Partition-seconds without a leader that is up, after each partition's first leader. */
  readonly unavailablePartitionSeconds: number;
  /** Partitions that never had a leader during the run. */
  readonly neverLed: number;
}

export interface BalanceMetrics {
  readonly leadersPerBrokerMax: number;
  readonly leadersPerBrokerMean: number;
  /** Share of led partitions whose leader is the preferred (first) replica. */
  readonly preferredLeaderShare: number;
}

/** The state at the end of the run, for the liveness property. */
export interface EndState {
  readonly partitionsWithOneLeader: number;
  /** Partitions with a live replica but no live leader. */
  readonly partitionsWithoutLeader: number;
  /** Partitions whose replicas are all down: nobody can lead them, and liveness does not ask it. */
  readonly partitionsWithoutLiveReplica: number;
  readonly partitionsWithSeveralLeaders: number;
  /** Live replicas whose declared leader differs from the partition's unique live leader. */
  readonly disagreeingReplicas: number;
}

export interface WorkloadMetrics {
  readonly sent: number;
  readonly acknowledged: number;
  readonly rejected: number;
  readonly timedOut: number;
  /** Writes in flight to a broker whose connection was reset (its process crashed); absent in older results. */
  readonly connectionReset?: number;
  readonly unsent: number;
}

export interface MessageMetrics {
  readonly sent: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly bytes: number;
  readonly peakPerSecond: WindowPeaks;
  readonly byType: Readonly<Record<string, { readonly count: number; readonly bytes: number }>>;
}

export interface CostMetrics {
  readonly events: number;
  readonly wallMs: number;
  readonly eventsPerSecond: number;
  readonly peakHeapBytes: number;
}

export interface RunMetrics {
  readonly splitBrain: SplitBrainMetrics;
  readonly data: DataMetrics;
  readonly clientAvailability: ClientAvailabilityMetrics;
  readonly herd: readonly FaultImpact[];
  readonly coordinator: CoordinatorMetrics;
  readonly failover: FailoverMetrics;
  readonly balance: BalanceMetrics;
  readonly leadershipChanges: number;
  readonly controllerChanges: number;
  readonly end: EndState;
  readonly workload: WorkloadMetrics;
  readonly messages: MessageMetrics;
  readonly traceHash: string;
}
