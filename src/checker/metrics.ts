/**
 * The checker's verdict on one run: every metric by the name used in docs/metrics.md and in
 * results JSON. All fields are plain JSON. `cost` is the only part that depends on the machine
 * and is left out of the result hash.
 */

export type SplitBrainGrade = "overlap" | "same-epoch" | "stale-ack";

/** One split-brain finding: which partition, which hosts and epochs, over which interval. */
export interface SplitBrainFinding {
  readonly grade: SplitBrainGrade;
  readonly partition: number;
  /** [earlier or deposed leader, other leader] */
  readonly hosts: readonly [number, number];
  readonly epochs: readonly [number, number];
  /** Overlap: the shared interval. Same-epoch: the two leaders' first declarations. Stale ack: newer leader's election to the ack. */
  readonly from: number;
  readonly to: number;
  /** Stale acknowledgement: the write. */
  readonly writeId?: number;
}

export interface SplitBrainMetrics {
  readonly overlap: { readonly count: number; readonly totalMs: number; readonly longestMs: number; readonly partitions: number };
  readonly sameEpoch: { readonly count: number; readonly partitions: number };
  readonly staleAcks: { readonly count: number; readonly partitions: number };
  /** The first findings of each grade (at most FINDINGS_PER_GRADE each), in time order. */
  readonly findings: readonly SplitBrainFinding[];
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
