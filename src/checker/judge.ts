/**
 * The checker: turns one finished world into RunMetrics. It stands apart from the simulator and
 * reads only what the lab observed — declared beliefs and acknowledgements (the observation
 * log), message counts (the network), coordinator operations (the ZooKeeper model's counters)
 * and host status at the end. It never reads an elector's private state.
 */
import { describeFault } from "../sim/faults.ts";
import { HostStatus } from "../sim/kernel.ts";
import { STANDARD_WINDOWS_MS, type WindowSeries } from "../sim/window-series.ts";
import { Obs } from "../record/observation-log.ts";
import type { WorldOutcome } from "../world/run.ts";
import type { AcknowledgedWrite, HostEvent, PartitionTimeline, RunTimeline } from "../runner/result.ts";
import { judgeFailover } from "./failover.ts";
import { leadershipIntervals, pauseIntervals, type LeadershipIntervals } from "./leadership.ts";
import type { BalanceMetrics, CoordinatorMetrics, EndState, FaultImpact, RunMetrics, WindowPeaks } from "./metrics.ts";
import { judgeSplitBrain, staleAckCheck } from "./split-brain.ts";

/** Peak rates (per second) of a 1 ms series over the standard 10 ms / 100 ms / 1 s windows. */
export function peaks(series: WindowSeries, from?: number, to?: number): WindowPeaks {
  const [a, b, c] = STANDARD_WINDOWS_MS.map((w) => series.peak(w, from, to).perSecond);
  return { "10ms": a, "100ms": b, "1s": c };
}

function maxPeaks(all: readonly WindowSeries[], from: number, to: number): WindowPeaks {
  let best: WindowPeaks = { "10ms": 0, "100ms": 0, "1s": 0 };
  for (const s of all) {
    if (s.total === 0) continue;
    const p = peaks(s, from, to);
    best = { "10ms": Math.max(best["10ms"], p["10ms"]), "100ms": Math.max(best["100ms"], p["100ms"]), "1s": Math.max(best["1s"], p["1s"]) };
  }
  return best;
}

export function judge(outcome: WorldOutcome): RunMetrics {
  const { log, cluster, network, config, world } = outcome;
  const end = config.durationMs;
  const intervals = leadershipIntervals(log, cluster, end);
  const pauses = pauseIntervals(log, cluster.brokers, end);
  const splitBrain = judgeSplitBrain(log, intervals, cluster.partitions);

  // Faults in the order they were applied, with the window each one owns.
  const faultAt: number[] = [];
  const faultIndex: number[] = [];
  for (let i = 0; i < log.length; i++) {
    if (log.kind[i] === Obs.Fault) {
      faultAt.push(log.time[i]);
      faultIndex.push(log.a[i]);
    }
  }
  const failover = judgeFailover(intervals, pauses, cluster.partitions, faultAt, end);

  const zk = world.coordinator.accounting;
  const brokerInbound = network.inbound.slice(0, cluster.brokers);
  const herd: FaultImpact[] = faultAt.map((at, n) => {
    const until = n + 1 < faultAt.length ? faultAt[n + 1] : end;
    const woken = new Set<number>();
    let notifications = 0;
    let campaigns = 0;
    let changes = 0;
    for (let i = 0; i < log.length; i++) {
      const t = log.time[i];
      if (t < at || t >= until) continue;
      const k = log.kind[i];
      if (k === Obs.WatchFired) notifications++;
      else if (k === Obs.Campaign) campaigns++;
      else if (k === Obs.Lead) changes++;
      else if (k !== Obs.Follow && k !== Obs.StepDown) continue;
      woken.add(log.host[i]);
    }
    const f = config.faults[faultIndex[n]];
    return {
      fault: faultIndex[n],
      description: describeFault(f),
      at,
      until,
      hostsWoken: woken.size,
      watchNotifications: notifications,
      campaigns,
      leadershipChanges: changes,
      coordinatorWrites: zk.writeSeries.sum(at, until),
      coordinatorReads: zk.readSeries.sum(at, until),
      messages: network.all.sum(at, until),
      coordinatorPeakPerSecond: peaks(zk.requestSeries, at, until),
      hostPeakPerSecond: maxPeaks(brokerInbound, at, until),
    };
  });

  let leadershipChanges = 0;
  let controllerChanges = 0;
  for (let i = 0; i < log.length; i++) {
    if (log.kind[i] === Obs.Lead) leadershipChanges++;
    else if (log.kind[i] === Obs.Controller) controllerChanges++;
  }
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

  const counts = network.counts();
  const w = world.workload;
  return {
    splitBrain,
    herd,
    coordinator,
    failover,
    balance: judgeBalance(outcome, intervals),
    leadershipChanges,
    controllerChanges,
    end: judgeEndState(outcome),
    workload: {
      sent: w.writesSent,
      acknowledged: w.writesAcknowledged,
      rejected: w.writesRejected,
      timedOut: w.writesTimedOut,
      unsent: w.writesUnsent,
    },
    messages: {
      sent: counts.sent,
      delivered: counts.delivered,
      dropped: counts.dropped,
      bytes: counts.bytes,
      peakPerSecond: peaks(network.all),
      byType: counts.byType,
    },
    traceHash: outcome.traceHash,
  };
}

/** Leaders at the end of the run (live hosts only) per broker, and the preferred-leader share. */
function judgeBalance(outcome: WorldOutcome, intervals: LeadershipIntervals): BalanceMetrics {
  const { cluster, kernel, config } = outcome;
  const perBroker = new Float64Array(cluster.brokers);
  let led = 0;
  let preferred = 0;
  for (let p = 0; p < cluster.partitions; p++) {
    let leader = -1;
    for (let k = intervals.start[p]; k < intervals.start[p + 1]; k++) {
      if (intervals.to[k] === config.durationMs && kernel.hostStatus(intervals.host[k]) === HostStatus.Up) leader = intervals.host[k];
    }
    if (leader < 0) continue;
    led++;
    perBroker[leader]++;
    if (cluster.preferredLeader(p) === leader) preferred++;
  }
  const live = Array.from(perBroker).filter((_, h) => kernel.hostStatus(h) !== HostStatus.Crashed);
  const mean = live.length === 0 ? 0 : led / live.length;
  return {
    leadersPerBrokerMax: Math.max(0, ...perBroker),
    leadersPerBrokerMean: mean,
    preferredLeaderShare: led === 0 ? 0 : preferred / led,
  };
}

/**
 * For liveness: does each partition end with exactly one live leader that every live replica
 * names? Read from the belief table (built only from declarations) and host status.
 */
function judgeEndState(outcome: WorldOutcome): EndState {
  const { cluster, kernel, world } = outcome;
  const rf = cluster.replicationFactor;
  const beliefs = world.beliefs;
  let one = 0;
  let none = 0;
  let several = 0;
  let disagreeing = 0;
  let noLiveReplica = 0;
  for (let p = 0; p < cluster.partitions; p++) {
    let leader = -1;
    let leaders = 0;
    let live = 0;
    for (let j = 0; j < rf; j++) {
      const h = cluster.replica(p, j);
      if (kernel.hostStatus(h) === HostStatus.Crashed) continue;
      live++;
      if (beliefs.leader[p * rf + j] === h) {
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
        const h = cluster.replica(p, j);
        if (kernel.hostStatus(h) === HostStatus.Crashed) continue;
        if (beliefs.leader[p * rf + j] !== leader) disagreeing++;
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

/**
 * The readable story of a run: faults and host events, and per partition the leadership
 * intervals and acknowledged writes. `which`: the partitions named by split-brain findings (and
 * at most `limit` of them), or every partition.
 */
export function timelineOf(outcome: WorldOutcome, which: "findings" | "all", metrics?: RunMetrics, limit = 12): RunTimeline {
  const { log, cluster, config } = outcome;
  const end = config.durationMs;
  const intervals = leadershipIntervals(log, cluster, end);
  let partitions: number[];
  if (which === "all") {
    partitions = Array.from({ length: cluster.partitions }, (_, p) => p);
  } else {
    const m = metrics ?? judge(outcome);
    partitions = [...new Set(m.splitBrain.findings.map((f) => f.partition))].slice(0, limit);
  }
  const wanted = new Set(partitions);
  const stale = staleAckCheck(log, cluster.partitions);
  const acks = new Map<number, AcknowledgedWrite[]>();
  const events: HostEvent[] = [];
  const zkHost = outcome.world.coordinatorHost;
  const name = (h: number): number | "zk" => (h === zkHost ? "zk" : h);
  for (let i = 0; i < log.length; i++) {
    const k = log.kind[i];
    const t = log.time[i];
    if (k === Obs.Ack && wanted.has(log.partition[i])) {
      const p = log.partition[i];
      const list = acks.get(p) ?? [];
      list.push({ writeId: log.b[i], host: log.host[i], epoch: log.a[i], at: t, stale: stale.isStale(p, log.a[i], t) });
      acks.set(p, list);
    } else if (k === Obs.Fault) {
      events.push({ at: t, host: -1, what: describeFault(config.faults[log.a[i]]) });
    } else if (k === Obs.Crash || k === Obs.Restart || k === Obs.Pause || k === Obs.Resume || k === Obs.ShutdownComplete) {
      const what = k === Obs.Crash ? "crashed" : k === Obs.Restart ? "restarted" : k === Obs.Pause ? "paused" : k === Obs.Resume ? "resumed" : "shut down";
      events.push({ at: t, host: name(log.host[i]), what });
    } else if (k === Obs.Controller) {
      events.push({ at: t, host: log.host[i], what: `became controller (epoch ${log.a[i]})` });
    } else if (k === Obs.ControllerResigned) {
      events.push({ at: t, host: log.host[i], what: "resigned as controller" });
    }
  }
  const timelines: PartitionTimeline[] = partitions.map((p) => {
    const list = [];
    for (let k = intervals.start[p]; k < intervals.start[p + 1]; k++) {
      list.push({ host: intervals.host[k], epoch: intervals.epoch[k], from: intervals.from[k], to: intervals.to[k] });
    }
    const replicas = Array.from({ length: cluster.replicationFactor }, (_, j) => cluster.replica(p, j));
    return { partition: p, replicas, intervals: list, acks: acks.get(p) ?? [] };
  });
  return { events, partitions: timelines };
}
