/**
 * A failing run as text an engineer can read top to bottom: the schedule, then a timeline (time,
 * host, what happened, who believed it led what) of the partitions that matter, then the state at
 * the end. Built from the checker's timelineOf (src/checker/judge.ts) and describeFault.
 */
import { timelineOf } from "../src/runner/timeline.ts";
import type { SafetyVerdict } from "../src/checker/judge.ts";
import type { PartitionTimeline, RunTimeline } from "../src/runner/result.ts";
import { describeFault } from "../src/sim/faults.ts";
import { HostStatus } from "../src/sim/kernel.ts";
import { Obs } from "../src/record/observation-log.ts";
import type { WorldOutcome } from "../src/world/run.ts";
import type { RunSpec } from "./plan.ts";
import type { Evaluation, PropertyName } from "./properties.ts";

/** At most this many partitions in a timeline, and individually listed stale acks per partition. */
const MAX_PARTITIONS = 3;
const MAX_STALE_LINES = 3;
const MAX_END_LINES = 10;

export function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : " ".repeat(width - text.length) + text;
}

function hostText(h: number | "zk"): string {
  return h === "zk" ? "zk" : h < 0 ? "-" : `host ${h}`;
}

/** The schedule: generated faults, then the recovery phase. */
export function scheduleText(spec: RunSpec): string {
  const lines = spec.faults.map((f, i) => {
    const tag = i >= spec.recoveryFromIndex ? "  (recovery)" : "";
    return `  ${pad(secondsText(f.at), 10)}  ${describeFault(f)}${tag}`;
  });
  if (spec.recoveryFromIndex === 0) lines.unshift("  (no faults)");
  lines.push(`  ${pad(secondsText(spec.durationMs), 10)}  end (the quiet period of ${spec.quietPeriodMs} ms after recovery is over)`);
  return lines.join("\n");
}

/** Per partition, at the end: the live leaders and what every live replica believes. */
function endStates(outcome: WorldOutcome): { partition: number; ok: boolean; text: string }[] {
  const { cluster, kernel, world } = outcome;
  const out: { partition: number; ok: boolean; text: string }[] = [];
  for (let p = 0; p < cluster.partitions; p++) {
    const parts: string[] = [];
    const leaders: number[] = [];
    for (let j = 0; j < cluster.replicationFactor; j++) {
      const h = cluster.replica(p, j);
      const status = kernel.hostStatus(h);
      if (status === HostStatus.Crashed) {
        parts.push(`host ${h} is down`);
        continue;
      }
      const believed = world.beliefs.leaderSeenBy(h, p);
      if (believed === h) leaders.push(h);
      parts.push(believed === h ? `host ${h} leads` : believed < 0 ? `host ${h} knows no leader` : `host ${h} follows host ${believed}`);
    }
    let ok = leaders.length === 1;
    if (ok) {
      for (let j = 0; j < cluster.replicationFactor; j++) {
        const h = cluster.replica(p, j);
        if (kernel.hostStatus(h) !== HostStatus.Crashed && world.beliefs.leaderSeenBy(h, p) !== leaders[0]) ok = false;
      }
    }
    out.push({ partition: p, ok, text: `partition ${p}: ${parts.join(", ")}` });
  }
  return out;
}

/** The partitions a violation is about. */
function partitionsOf(property: PropertyName | undefined, metrics: SafetyVerdict, outcome: WorldOutcome): number[] {
  let chosen: number[];
  if (property === "no-lost-acknowledged-writes" || property === "no-divergence") {
    const grade = property === "no-divergence" ? "divergence" : "lost-write";
    chosen = [...new Set(metrics.data.findings.filter((f) => f.grade === grade).map((f) => f.partition))];
  } else {
    const grade = property === "no-same-epoch-leaders" ? "same-epoch" : undefined;
    const findings = metrics.splitBrain.findings.filter((f) => grade === undefined || f.grade === grade);
    chosen = [...new Set(findings.map((f) => f.partition))];
  }
  if (property === "liveness" || chosen.length === 0) {
    const bad = endStates(outcome).filter((e) => !e.ok).map((e) => e.partition);
    if (property === "liveness" || bad.length > 0) chosen = bad;
  }
  if (chosen.length === 0) chosen = [0];
  return chosen.slice(0, MAX_PARTITIONS);
}

interface Line {
  readonly at: number;
  readonly order: number;
  /** Within one partition at one instant: a leadership starts (0), then acknowledgements (1), then it ends (2). */
  readonly sub?: number;
  readonly host: string;
  readonly what: string;
}

function partitionLines(pt: PartitionTimeline, end: number, order: number): Line[] {
  const p = pt.partition;
  const lines: Line[] = [];
  for (const iv of pt.intervals) {
    lines.push({ at: iv.from, order, host: hostText(iv.host), what: `believes it leads partition ${p} in epoch ${iv.epoch}` });
    if (iv.to < end) lines.push({ at: iv.to, order, sub: 2, host: hostText(iv.host), what: `no longer believes it leads partition ${p} (epoch ${iv.epoch})` });
  }
  // Acknowledgements: runs of consecutive acks by one host in one epoch, late ones called out.
  let k = 0;
  let staleShown = 0;
  while (k < pt.acks.length) {
    const a = pt.acks[k];
    let n = k + 1;
    while (n < pt.acks.length && pt.acks[n].host === a.host && pt.acks[n].epoch === a.epoch && pt.acks[n].late === a.late) n++;
    const count = n - k;
    const last = pt.acks[n - 1];
    const span = count > 1 ? ` (${count} writes, until ${secondsText(last.at)})` : "";
    if (a.late) {
      if (staleShown < MAX_STALE_LINES) {
        lines.push({
          at: a.at,
          order,
          sub: 1,
          host: hostText(a.host),
          what: `acknowledges write ${a.writeId} on partition ${p} in epoch ${a.epoch}: LATE, a newer leader was already declared${span}`,
        });
      }
      staleShown++;
    } else {
      lines.push({ at: a.at, order, sub: 1, host: hostText(a.host), what: `acknowledges writes on partition ${p} in epoch ${a.epoch}${span || ` (write ${a.writeId})`}` });
    }
    k = n;
  }
  if (staleShown > MAX_STALE_LINES) {
    lines.push({ at: end, order, host: "-", what: `(${staleShown - MAX_STALE_LINES} more runs of late acknowledgements on partition ${p} not shown)` });
  }
  return lines;
}

/**
 * What the replicas of the wanted partitions said they followed, from the observation log: one
 * line per change of a host's belief (repeated declarations of the same belief are left out).
 * Leading is told by the leadership intervals.
 */
function followerLines(outcome: WorldOutcome, wanted: readonly number[]): Line[] {
  const { log } = outcome;
  const lines: Line[] = [];
  const last = new Map<string, string>();
  for (let i = 0; i < log.length; i++) {
    const k = log.kind[i];
    if (k !== Obs.Follow && k !== Obs.StepDown && k !== Obs.Lead) continue;
    const p = log.partition[i];
    const order = wanted.indexOf(p);
    if (order < 0) continue;
    const host = log.host[i];
    const key = `${host}:${p}`;
    let what: string;
    if (k === Obs.Lead) {
      last.set(key, "lead");
      continue;
    } else if (k === Obs.StepDown) {
      if (last.get(key) === "lead") {
        // The end of the leadership interval already says it.
        last.set(key, "stepped down");
        continue;
      }
      what = `steps down on partition ${p}`;
    } else {
      const leader = log.a[i];
      const epoch = log.b[i];
      what =
        leader < 0
          ? `knows no leader of partition ${p}`
          : `follows host ${leader} on partition ${p}${epoch >= 0 ? ` (epoch ${epoch})` : ""}`;
    }
    if (last.get(key) === what) continue;
    last.set(key, what);
    lines.push({ at: log.time[i], order: 2 + order, sub: 2, host: hostText(host), what });
  }
  return lines;
}

/** The timeline of the partitions a violation is about, as text. */
export function timelineText(outcome: WorldOutcome, metrics: SafetyVerdict, spec: RunSpec, property?: PropertyName): string {
  const wanted = partitionsOf(property, metrics, outcome);
  const fromFindings = wanted.every((p) => metrics.splitBrain.findings.some((f) => f.partition === p) || metrics.data.findings.some((f) => f.partition === p));
  const timeline: RunTimeline = timelineOf(outcome, fromFindings ? "findings" : "all", metrics);
  const end = spec.durationMs;
  const lines: Line[] = [];
  for (const e of timeline.events) {
    const isFault = e.host === -1;
    const recovery = isFault && e.at >= spec.recoveryAtMs ? " (recovery)" : "";
    lines.push({ at: e.at, order: isFault ? 0 : 1, host: isFault ? "fault" : hostText(e.host), what: `${e.what}${recovery}` });
  }
  for (const pt of timeline.partitions) {
    if (wanted.includes(pt.partition)) lines.push(...partitionLines(pt, end, 2 + wanted.indexOf(pt.partition)));
  }
  lines.push(...followerLines(outcome, wanted));
  lines.sort((x, y) => x.at - y.at || x.order - y.order || (x.sub ?? 0) - (y.sub ?? 0));
  const replicas = timeline.partitions
    .filter((pt) => wanted.includes(pt.partition))
    .map((pt) => `partition ${pt.partition} on hosts ${pt.replicas.join(", ")} (preferred leader ${pt.replicas[0]})`);
  const out: string[] = [];
  out.push(`Timeline (${replicas.join("; ")}):`);
  for (const l of lines) out.push(`  ${pad(secondsText(l.at), 10)}  ${l.host.padEnd(7)}  ${l.what}`);
  out.push(`At the end (${secondsText(end)}):`);
  const shown = endStates(outcome).filter((e) => wanted.includes(e.partition) || !e.ok);
  for (const e of shown.slice(0, MAX_END_LINES)) out.push(`  ${e.ok ? " " : "!"} ${e.text}`);
  for (const p of wanted) {
    const lost = metrics.data.findings.filter((f) => f.grade === "lost-write" && f.partition === p);
    if (lost.length === 0) continue;
    const ids = lost.map((f) => (f.grade === "lost-write" ? f.writeId : -1));
    const by = [...new Set(lost.map((f) => (f.grade === "lost-write" ? f.acknowledgedBy : -1)))];
    out.push(`  ! partition ${p}: acknowledged write(s) ${ids.slice(0, 12).join(", ")}${ids.length > 12 ? ", ..." : ""} (acknowledged by host ${by.join(", ")}) are not in the final committed log: LOST`);
  }
  for (const f of metrics.data.findings) {
    if (f.grade === "divergence" && wanted.includes(f.partition)) {
      out.push(`  ! partition ${f.partition}: hosts ${f.hosts[0]} and ${f.hosts[1]} committed different entries at position ${f.position}: DIVERGED`);
    }
  }
  if (shown.length > MAX_END_LINES) out.push(`  (${shown.length - MAX_END_LINES} more partitions without exactly one agreed leader)`);
  return out.join("\n");
}

/** The timeline of an evaluation: of the run, or of the world an exception stopped, with the exception. */
export function evaluationText(ev: Evaluation, spec: RunSpec, property: PropertyName): string {
  const parts: string[] = [];
  if (ev.error !== undefined) parts.push(`Exception:\n  ${ev.error.stack.split("\n").join("\n  ")}`);
  if (ev.run !== undefined) parts.push(timelineText(ev.run.outcome, ev.run.metrics, spec, property));
  else if (ev.partial?.metrics !== undefined) {
    parts.push(`(the timeline up to the exception, at ${secondsText(ev.error?.atMs ?? 0)})`);
    parts.push(timelineText(ev.partial.outcome, ev.partial.metrics, spec, property));
  } else parts.push("(no timeline: the world could not be judged)");
  return parts.join("\n");
}

/** The trace hash of an evaluation ("" when no world was built). */
export function traceHashOf(ev: Evaluation): string {
  return ev.run?.outcome.traceHash ?? ev.partial?.outcome.traceHash ?? "";
}
