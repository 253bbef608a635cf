/**
 * The readable story of a run for results and reports: faults and host events, and per partition
 * the leadership intervals and acknowledged writes. Built from the run record and the checker's
 * findings (the checker itself stays narrow: it builds no timelines).
 */
import { leadershipIntervals } from "../checker/leadership.ts";
import { judge, type SafetyVerdict } from "../checker/judge.ts";
import { lateAckCheck } from "../checker/split-brain.ts";
import { Obs } from "../record/observation-log.ts";
import type { RunRecord } from "../record/run-record.ts";
import type { AcknowledgedWrite, HostEvent, PartitionTimeline, RunTimeline } from "./result.ts";

/**
 * `which`: the partitions named by findings (split-brain, lost writes, divergence; at most `limit`
 * of them), or every partition.
 */
export function timelineOf(record: RunRecord, which: "findings" | "all", metrics?: SafetyVerdict, limit = 12): RunTimeline {
  const { log, cluster } = record;
  const end = record.durationMs;
  const intervals = leadershipIntervals(log, cluster, end);
  let partitions: number[];
  if (which === "all") {
    partitions = Array.from({ length: cluster.partitions }, (_, p) => p);
  } else {
    const m = metrics ?? judge(record);
    const named = [...m.data.findings.map((f) => f.partition), ...m.splitBrain.findings.map((f) => f.partition)];
    partitions = [...new Set(named)].slice(0, limit);
  }
  const wanted = new Set(partitions);
  const late = lateAckCheck(log, cluster.partitions);
  const acks = new Map<number, AcknowledgedWrite[]>();
  const events: HostEvent[] = [];
  const name = (h: number): number | "zk" => (h === record.coordinatorHost ? "zk" : h);
  for (let i = 0; i < log.length; i++) {
    const k = log.kind[i];
    const t = log.time[i];
    if (k === Obs.Ack && wanted.has(log.partition[i])) {
      const p = log.partition[i];
      const list = acks.get(p) ?? [];
      list.push({ writeId: log.b[i], host: log.host[i], epoch: log.a[i], at: t, late: late.isLate(p, log.a[i], t) });
      acks.set(p, list);
    } else if (k === Obs.Fault) {
      events.push({ at: t, host: -1, what: record.faultDescriptions[log.a[i]] ?? `fault ${log.a[i]}` });
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
