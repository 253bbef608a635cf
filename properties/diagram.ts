/**
 * The message diagram of a judged run (a replayed counterexample): runs the world again with the
 * message trace on (the trace reads nothing random, so the run is the same one: the test checks
 * the trace hash), picks the window around the first finding, and draws it with
 * src/report/lamport.ts. The violating write's messages are red.
 */
import type { SafetyVerdict } from "../src/checker/judge.ts";
import { Obs } from "../src/record/observation-log.ts";
import { fmt } from "../src/report/format.ts";
import { lamportSvg, type DiagramInput, type DiagramMessage } from "../src/report/lamport.ts";
import { runWorld, type WorldOutcome } from "../src/world/run.ts";
import type { WorldConfig } from "../src/world/world-config.ts";

/** Arrows drawn at most; beyond it the most frequent message types are left out first (and said so). */
export const MAX_ARROWS = 600;

export interface Diagram {
  readonly svg: string;
  readonly traceHash: string;
  readonly drawn: number;
  readonly window: readonly [number, number];
}

/** Workload traffic: drawn only for the violating write (otherwise thousands of writes hide the protocol). */
const WORKLOAD = new Set(["produce", "produce.response", "metadata", "metadata.response"]);

/**
 * The window worth drawing: for a lost write, from the fault before it (up to 30 s back) or the
 * election of the leader that does not hold it, to just after its acknowledgement; else around
 * the first split-brain finding; else the run's last 5 s.
 */
export function focusOf(metrics: SafetyVerdict, outcome: WorldOutcome): { window: [number, number]; writeIds: Set<number>; what: string; partition?: number } {
  const durationMs = outcome.config.durationMs;
  const lost = metrics.data.findings.find((f) => f.grade === "lost-write");
  if (lost !== undefined && lost.grade === "lost-write") {
    let start = lost.invokedAt - 1_000;
    const { log } = outcome;
    for (let i = 0; i < log.length && log.time[i] <= lost.acknowledgedAt; i++) {
      const t = log.time[i];
      if (lost.acknowledgedAt - t > 30_000) continue;
      const rival = log.kind[i] === Obs.Lead && log.partition[i] === lost.partition && log.host[i] !== lost.acknowledgedBy;
      if (rival || log.kind[i] === Obs.Fault) start = Math.min(start, t - 500);
    }
    return {
      window: [Math.max(0, start), Math.min(durationMs, lost.acknowledgedAt + 2_000)],
      writeIds: new Set([lost.writeId]),
      what: `lost write ${lost.writeId} on partition ${lost.partition} (acknowledged by broker ${lost.acknowledgedBy} at ${fmt(lost.acknowledgedAt)} ms)`,
      partition: lost.partition,
    };
  }
  const sb = metrics.splitBrain.findings[0];
  if (sb !== undefined) {
    return {
      window: [Math.max(0, sb.from - 1_000), Math.min(durationMs, sb.to + 1_000)],
      writeIds: new Set(sb.writeId !== undefined ? [sb.writeId] : []),
      what: `${sb.grade} on partition ${sb.partition} between brokers ${sb.hosts[0]} and ${sb.hosts[1]}`,
    };
  }
  return { window: [Math.max(0, durationMs - 5_000), durationMs], writeIds: new Set(), what: "the run's last 5 s" };
}

function laneLabel(outcome: WorldOutcome, host: number): string {
  if (host < outcome.cluster.brokers) return `broker ${host}`;
  if (host === outcome.world.coordinatorHost) return "ZooKeeper";
  return `client ${host - outcome.world.firstProducer}`;
}

export function diagramOf(config: WorldConfig<unknown>, metrics: SafetyVerdict, title: string): Diagram {
  return diagramOfOutcome(runWorld({ ...config, traceMessages: 400_000 }), metrics, title);
}

/** The diagram of a run already made with the message trace on (the explorer's replay builds its own). */
export function diagramOfOutcome(outcome: WorldOutcome, metrics: SafetyVerdict, title: string): Diagram {
  const config = outcome.config;
  const trace = outcome.network.trace!;
  const focus = focusOf(metrics, outcome);
  const [w0, w1] = focus.window;
  const writeOf = (i: number): number | undefined => (trace.message[i] as { writeId?: number }).writeId;
  const highlighted = (i: number): boolean => {
    const w = writeOf(i);
    return w !== undefined && focus.writeIds.has(w);
  };
  let picked: number[] = [];
  let workload = 0;
  for (let i = 0; i < trace.length; i++) {
    if (trace.sentAt[i] < w0 || trace.sentAt[i] > w1) continue;
    if (WORKLOAD.has(trace.message[i].type) && !highlighted(i)) workload++;
    else picked.push(i);
  }
  // Too many arrows: leave out whole message types, the most frequent first, never the violating write's.
  const left: string[] = [];
  while (picked.length > MAX_ARROWS) {
    const byType = new Map<string, number>();
    for (const i of picked) if (!highlighted(i)) byType.set(trace.message[i].type, (byType.get(trace.message[i].type) ?? 0) + 1);
    const top = [...byType].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (top === undefined) break;
    left.push(`${top[1]} ${top[0]}`);
    picked = picked.filter((i) => highlighted(i) || trace.message[i].type !== top[0]);
  }
  const messages: DiagramMessage[] = picked.map((i) => {
    const w = writeOf(i);
    return {
      from: trace.from[i],
      to: trace.to[i],
      sentAt: trace.sentAt[i],
      deliveredAt: trace.deliveredAt[i],
      dropped: trace.dropped[i],
      label: w !== undefined ? `${trace.message[i].type} w${w}` : trace.message[i].type,
      highlight: highlighted(i),
    };
  });
  const hosts = new Set<number>();
  for (const m of messages) {
    hosts.add(m.from);
    hosts.add(m.to);
  }
  const lanes = [...hosts].sort((a, b) => a - b).map((host) => ({ host, label: laneLabel(outcome, host) }));
  const { log } = outcome;
  const events: { at: number; text: string }[] = [];
  const off: { host: number; from: number; to: number; what: string }[] = [];
  const openOff = new Map<string, number>();
  for (let i = 0; i < log.length; i++) {
    const k = log.kind[i];
    const t = log.time[i];
    if (k === Obs.Fault) events.push({ at: t, text: outcome.faultDescriptions[log.a[i]] ?? `fault ${log.a[i]}` });
    else if (k === Obs.Crash || k === Obs.Pause) openOff.set(`${log.host[i]}:${k === Obs.Crash ? "crashed" : "paused"}`, t);
    else if (k === Obs.Restart || k === Obs.Resume) {
      const key = `${log.host[i]}:${k === Obs.Restart ? "crashed" : "paused"}`;
      const from = openOff.get(key);
      if (from !== undefined) off.push({ host: log.host[i], from, to: t, what: key.split(":")[1] });
      openOff.delete(key);
    }
  }
  for (const [key, from] of openOff) off.push({ host: Number(key.split(":")[0]), from, to: config.durationMs, what: key.split(":")[1] });
  const input: DiagramInput = {
    title: `${title}: ${focus.what}`,
    lanes,
    messages,
    events,
    off,
    window: [w0, w1],
    note: `${messages.length} messages from ${fmt(w0)} to ${fmt(w1)} ms; not drawn: ${workload} other clients' messages${left.length > 0 ? `, ${left.join(", ")}` : ""}${trace.overflow > 0 ? `; ${trace.overflow} messages beyond the trace's capacity` : ""}`,
  };
  return { svg: lamportSvg(input), traceHash: outcome.traceHash, drawn: messages.length, window: [w0, w1] };
}
