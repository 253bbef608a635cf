/**
 * The checker: turns one run record (src/record/run-record.ts) into RunMetrics. It stands apart
 * from the simulator and reads only what the lab recorded — declared beliefs, acknowledgements
 * and replica state (the observation log), what the clients were told (the history), counter
 * snapshots of the network and the coordinator, and each broker's status at the end. It imports
 * neither the world nor the runner, and never reads an elector's private state.
 */
import { Obs, type ObservationLog } from "../record/observation-log.ts";
import { FinalStatus, type RunRecord, type SafetyRecord } from "../record/run-record.ts";
import { STANDARD_WINDOWS_MS, type WindowSeries } from "../sim/window-series.ts";
import { judgeClientAvailability } from "./client-availability.ts";
import { judgeFailover } from "./failover.ts";
import { leadershipIntervals, pauseIntervals, type LeadershipIntervals } from "./leadership.ts";
import type {
  BalanceMetrics,
  ClientAvailabilityMetrics,
  CoordinatorMetrics,
  DataMetrics,
  EndState,
  FaultImpact,
  RunMetrics,
  SplitBrainMetrics,
  WindowPeaks,
} from "./metrics.ts";
import { historyByPartition, judgeData } from "./replicas.ts";
import { withScratch, type Scratch } from "./scratch.ts";
import { judgeSplitBrain } from "./split-brain.ts";

/** Peak rates (per second) of a 1 ms series over the standard 10 ms / 100 ms / 1 s windows. */
export function peaks(series: WindowSeries, from?: number, to?: number): WindowPeaks {
  const [w1, w2, w3] = STANDARD_WINDOWS_MS;
  series.peakCounts3(w1, w2, w3, PEAK_COUNTS, from, to);
  return { "10ms": (PEAK_COUNTS[0] * 1000) / w1, "100ms": (PEAK_COUNTS[1] * 1000) / w2, "1s": (PEAK_COUNTS[2] * 1000) / w3 };
}
const PEAK_COUNTS = new Float64Array(3);

function maxPeaks(all: readonly WindowSeries[], from: number, to: number): WindowPeaks {
  let best: WindowPeaks = { "10ms": 0, "100ms": 0, "1s": 0 };
  for (const s of all) {
    if (s.total === 0) continue;
    const p = peaks(s, from, to);
    best = { "10ms": Math.max(best["10ms"], p["10ms"]), "100ms": Math.max(best["100ms"], p["100ms"]), "1s": Math.max(best["1s"], p["1s"]) };
  }
  return best;
}

/** The first index of a time-ordered log whose time is >= t (log.length when none). */
function firstAtOrAfter(log: ObservationLog, t: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log.time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The safety grades and client-side availability: what needs only declarations, the history and final status (a testbed can supply that). */
export interface SafetyVerdict {
  readonly splitBrain: SplitBrainMetrics;
  readonly data: DataMetrics;
  readonly clientAvailability: ClientAvailabilityMetrics;
  readonly end: EndState;
}

/**
 * `scratch`: the judgement's working arrays (judge passes its own; scratch.ts). Without it the kept
 * set is borrowed for this call. The verdict holds none of them.
 */
export function judgeSafety(record: SafetyRecord, intervals?: LeadershipIntervals, scratch?: Scratch): SafetyVerdict {
  if (scratch === undefined) return withScratch((s) => safetyVerdict(record, intervals, s));
  return safetyVerdict(record, intervals, scratch);
}

function safetyVerdict(record: SafetyRecord, intervals: LeadershipIntervals | undefined, scratch: Scratch): SafetyVerdict {
  const { log, cluster } = record;
  const leadership = intervals ?? leadershipIntervals(log, cluster, record.durationMs, true, scratch);
  // Grouped once for both grades (a P-sized array).
  const writes = historyByPartition(record.history, cluster.partitions, scratch);
  return {
    splitBrain: judgeSplitBrain(log, leadership, cluster.partitions, scratch),
    data: judgeData(record, writes, scratch),
    clientAvailability: judgeClientAvailability(record.history, cluster.partitions, record.durationMs, writes),
    end: judgeEndState(record, leadership.finalBelief),
  };
}

export function judge(record: RunRecord): RunMetrics {
  return withScratch((scratch) => judgeWith(record, scratch));
}

/** judge's body: every working array it takes from `scratch` stays inside; the metrics hold none. */
function judgeWith(record: RunRecord, scratch: Scratch): RunMetrics {
  const { log, cluster, counters } = record;
  const end = record.durationMs;
  const intervals = leadershipIntervals(log, cluster, end, true, scratch);
  const pauses = pauseIntervals(log, cluster.brokers, end);
  const safety = judgeSafety(record, intervals, scratch);

  const { faultAt, faultIndex, ordered, leadershipChanges, controllerChanges } = scanLog(log);
  const failover = judgeFailover(intervals, pauses, cluster.partitions, faultAt, end);

  const zk = counters.coordinator;
  const net = counters.messages;
  const brokerInbound = net.inboundPerBroker;
  // The log is appended in time order (checked once, by scanLog): each fault's window is then a
  // slice found by binary search, not a scan of the whole log per fault.
  const herd: FaultImpact[] = faultAt.map((at, n) => {
    const until = n + 1 < faultAt.length ? faultAt[n + 1] : end;
    const woken = new Set<number>();
    let notifications = 0;
    let campaigns = 0;
    let changes = 0;
    for (let i = ordered ? firstAtOrAfter(log, at) : 0; i < log.length; i++) {
      const t = log.time[i];
      if (t >= until && ordered) break;
      if (t < at || t >= until) continue;
      const k = log.kind[i];
      if (k === Obs.WatchFired) notifications++;
      else if (k === Obs.Campaign) campaigns++;
      else if (k === Obs.Lead) changes++;
      else if (k !== Obs.Follow && k !== Obs.StepDown) continue;
      woken.add(log.host[i]);
    }
    return {
      fault: faultIndex[n],
      description: record.faultDescriptions[faultIndex[n]] ?? `fault ${faultIndex[n]}`,
      at,
      until,
      hostsWoken: woken.size,
      watchNotifications: notifications,
      campaigns,
      leadershipChanges: changes,
      coordinatorWrites: zk.writeSeries.sum(at, until),
      coordinatorReads: zk.readSeries.sum(at, until),
      messages: net.all.sum(at, until),
      coordinatorPeakPerSecond: peaks(zk.requestSeries, at, until),
      hostPeakPerSecond: maxPeaks(brokerInbound, at, until),
    };
  });

  const coordinator: CoordinatorMetrics = {
    reads: zk.reads,
    writes: zk.writes,
    losingCreates: zk.losingCreates,
    watchesRegistered: zk.watchesRegistered,
    notifications: zk.notifications,
    sessionsExpired: zk.sessionsExpired,
    maxQueueLength: zk.maxQueueLength,
    writesPerLeadershipChange: leadershipChanges === 0 ? 0 : zk.writes / leadershipChanges,
    peakRequestsPerSecond: peaks(zk.requestSeries),
  };

  return {
    splitBrain: safety.splitBrain,
    data: safety.data,
    clientAvailability: safety.clientAvailability,
    herd,
    coordinator,
    failover,
    balance: judgeBalance(record, intervals),
    leadershipChanges,
    controllerChanges,
    end: safety.end,
    workload: { ...counters.workload },
    messages: {
      sent: net.sent,
      delivered: net.delivered,
      dropped: net.dropped,
      bytes: net.bytes,
      peakPerSecond: peaks(net.all),
      byType: net.byType,
    },
    traceHash: record.traceHash,
  };
}

// judge's scans of the whole log are functions of their own: V8 compiled judge on the stack in such
// a loop (OSR), with no type feedback yet for the code after it, and that code then deoptimized as
// later calls entered the same compiled loop (up to ~200 deoptimizations of judge in a 600-run
// hunt, each followed by a ~75 ms TurboFan compile of the whole function).

interface LogScan {
  /** Faults in the order they were applied: when, and their index in the scenario. */
  readonly faultAt: number[];
  readonly faultIndex: number[];
  /** Whether no record's time is below its predecessor's. */
  readonly ordered: boolean;
  /** Leadership (Lead) and controller declarations in the whole log. */
  readonly leadershipChanges: number;
  readonly controllerChanges: number;
}

/** What judge reads off the whole log, in one pass (three before: ~15-30 ms each over a 1M cell's 3-7M records). */
function scanLog(log: ObservationLog): LogScan {
  const { kind, time, a } = log;
  const n = log.length;
  const faultAt: number[] = [];
  const faultIndex: number[] = [];
  let ordered = true;
  let leadershipChanges = 0;
  let controllerChanges = 0;
  let previous = n > 0 ? time[0] : 0;
  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (t < previous) ordered = false;
    previous = t;
    const k = kind[i];
    if (k === Obs.Lead) leadershipChanges++;
    else if (k === Obs.Controller) controllerChanges++;
    else if (k === Obs.Fault) {
      faultAt.push(t);
      faultIndex.push(a[i]);
    }
  }
  return { faultAt, faultIndex, ordered, leadershipChanges, controllerChanges };
}

/** Leaders at the end of the run (live hosts only) per broker, and the preferred-leader share. */
function judgeBalance(record: RunRecord, intervals: LeadershipIntervals): BalanceMetrics {
  const { cluster, finalStatus, durationMs } = record;
  const perBroker = new Float64Array(cluster.brokers);
  // Hoisted into locals: per-partition loops (a million iterations at 1M) that read a field of the
  // record, the cluster or the intervals per iteration, or call the cluster's accessors, ran 2-3x
  // slower (stop 34).
  const { start, to, host } = intervals;
  const P = cluster.partitions;
  const rf = cluster.replicationFactor;
  const replicas = cluster.assignment;
  let led = 0;
  let preferred = 0;
  for (let p = 0; p < P; p++) {
    let leader = -1;
    for (let k = start[p]; k < start[p + 1]; k++) {
      if (to[k] === durationMs && finalStatus[host[k]] === FinalStatus.Up) leader = host[k];
    }
    if (leader < 0) continue;
    led++;
    perBroker[leader]++;
    if (replicas[p * rf] === leader) preferred++; // the preferred leader: the first replica
  }
  const live = Array.from(perBroker).filter((_, h) => finalStatus[h] !== FinalStatus.Crashed);
  const mean = live.length === 0 ? 0 : led / live.length;
  return {
    leadersPerBrokerMax: Math.max(0, ...perBroker),
    leadersPerBrokerMean: mean,
    preferredLeaderShare: led === 0 ? 0 : preferred / led,
  };
}

/**
 * (leadershipIntervals computes the same table in its own pass when asked: judge and judgeSafety do.)
 * Each live replica's last declared belief per replica slot (p * rf + j): the leader it names (itself
 * when leading), -1 for none; a crash forgets everything the host believed.
 */
function finalBeliefs(record: SafetyRecord): Int32Array {
  const { log, cluster } = record;
  const rf = cluster.replicationFactor;
  const leader = new Int32Array(cluster.assignment.length).fill(-1);
  for (let i = 0; i < log.length; i++) {
    const k = log.kind[i];
    const h = log.host[i];
    if (k === Obs.Lead || k === Obs.Follow || k === Obs.StepDown) {
      const p = log.partition[i];
      const j = cluster.replicaIndex(p, h);
      if (j < 0) continue;
      leader[p * rf + j] = k === Obs.Lead ? h : k === Obs.Follow ? log.a[i] : -1;
    } else if (k === Obs.Crash && h >= 0 && h < cluster.brokers) {
      for (const p of cluster.partitionsOf(h)) leader[p * rf + cluster.replicaIndex(p, h)] = -1;
    }
  }
  return leader;
}

/**
 * For liveness: does each partition end with exactly one live leader that every live replica
 * names? Replayed from the declarations and the brokers' final status.
 */
function judgeEndState(record: SafetyRecord, known?: Int32Array): EndState {
  const { cluster, finalStatus } = record;
  const rf = cluster.replicationFactor;
  const beliefs = known ?? finalBeliefs(record);
  // Locals, not the cluster's fields and accessor per iteration: 33 -> 17 ms at 1M (stop 34).
  const P = cluster.partitions;
  const replicas = cluster.assignment;
  let one = 0;
  let none = 0;
  let several = 0;
  let disagreeing = 0;
  let noLiveReplica = 0;
  for (let p = 0; p < P; p++) {
    const row = p * rf;
    let leader = -1;
    let leaders = 0;
    let live = 0;
    for (let j = 0; j < rf; j++) {
      const h = replicas[row + j];
      if (finalStatus[h] === FinalStatus.Crashed) continue;
      live++;
      if (beliefs[row + j] === h) {
        leaders++;
        leader = h;
      }
    }
    if (live === 0) noLiveReplica++;
    else if (leaders === 0) none++;
    else if (leaders > 1) several++;
    else {
      one++;
      for (let j = 0; j < rf; j++) {
        const h = replicas[row + j];
        if (finalStatus[h] === FinalStatus.Crashed) continue;
        if (beliefs[row + j] !== leader) disagreeing++;
      }
    }
  }
  return {
    partitionsWithOneLeader: one,
    partitionsWithoutLeader: none,
    partitionsWithSeveralLeaders: several,
    disagreeingReplicas: disagreeing,
    partitionsWithoutLiveReplica: noLiveReplica,
  };
}
