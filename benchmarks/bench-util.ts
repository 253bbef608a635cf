/**
 * Shared bits of the benchmark suites: timing one cell phase by phase (role probe, world run,
 * judge), heap sampling, flags, and a plain table. Benchmarks report; they do not assert.
 */
import { getHeapStatistics } from "node:v8";
import { judge } from "../src/checker/judge.ts";
import type { RunMetrics } from "../src/checker/metrics.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import type { Cell } from "../src/runner/cell.ts";
import { buildCell, startBuilt } from "../src/runner/run-cell.ts";
import { Obs, type ObservationLog } from "../src/record/observation-log.ts";
import { HostStatus } from "../src/sim/kernel.ts";
import { recordOf } from "../src/world/run.ts";
import type { World } from "../src/world/world.ts";

export interface Measured {
  readonly cell: Cell;
  readonly metrics: RunMetrics;
  readonly events: number;
  /**
   * Building the cell: the role probe (finding the leader / controller to hit). For a settled start
   * this is building the settled world once; roles are read from it and the run reuses it.
   */
  readonly probeMs: number;
  /** Of runMs: starting the world (a cold boot; for a reused settled world, scheduling its faults). */
  readonly startMs: number;
  readonly runMs: number;
  /** How the world began: "settled", or "cold" (with the reason when a settled start was asked for). */
  readonly started: string;
  readonly judgeMs: number;
  readonly peakHeapBytes: number;
  readonly rssBytes: number;
  /** The process's peak resident set so far (cells run smallest first, so in practice this cell's). */
  readonly maxRssBytes: number;
  /** The whole cell: probe + run + judge. */
  readonly wallMs: number;
  /** CPU time of the process over the whole cell (user + system, ms): steadier than wall on a shared machine. */
  readonly cpuMs: number;
  /**
   * The kernel's share of cpuMs (system time): mostly page faults on memory touched for the first
   * time, which on this lab's VMs cost ~3 ms per MiB — a 1M cell's fresh gigabyte is seconds of it.
   */
  readonly sysMs: number;
  /** The same, per phase: build (probe), run, judge. */
  readonly buildCpuMs: number;
  readonly runCpuMs: number;
  readonly judgeCpuMs: number;
  /** Whether the first fault hit a settled cluster; undefined when the cell has no fault. */
  readonly settled?: Settled;
  /** With `until`: where the run ended and whether it was settled again there (else it hit its bound). */
  readonly ended?: Ended;
  readonly hosts: string;
}

/**
 * Ending a run once its failover is over (bench:scaling): after the first fault the world runs in
 * `stepMs` steps and stops at the first step where the cluster is settled again — the fault changed
 * something (a leadership or controllership declared after it), every partition has a leader on a
 * live host, and for `quietMs` no leadership, follow, step-down, campaign or controller declaration
 * and no coordinator write happened — or at the cell's duration, its bound. Stopping there is the
 * same run as one configured to end there (the kernel's runUntil steps compose), so it stays a pure
 * function of the cell; the run record ends where the run stopped.
 */
export interface UntilSettled {
  readonly quietMs: number;
  readonly stepMs: number;
}

export interface Ended {
  /** Simulated ms where the run stopped. */
  readonly atMs: number;
  /** Settled again (true), or stopped by the cell's duration (false). */
  readonly settledAgain: boolean;
}

/** Every partition has a leader on a live host (the belief table: a replica that believes it leads). */
function everyPartitionLed(world: World): boolean {
  const { cluster, beliefs, kernel } = world;
  const rf = cluster.replicationFactor;
  const assignment = cluster.assignment;
  const leader = beliefs.leader;
  for (let p = 0, slot = 0; p < cluster.partitions; p++, slot += rf) {
    let led = false;
    for (let j = 0; j < rf && !led; j++) {
      const h = assignment[slot + j];
      led = leader[slot + j] === h && kernel.hostStatus(h) === HostStatus.Up;
    }
    if (!led) return false;
  }
  return true;
}

/** Runs a started world to its duration, or (with `until`) until it is settled again after its first fault. */
function runWorldOf(world: World, until: UntilSettled | undefined): Ended | undefined {
  const end = world.config.durationMs;
  const first = world.config.faults[0];
  if (until === undefined || first === undefined || typeof first.at !== "number") {
    world.run();
    return undefined;
  }
  const { kernel, log } = world;
  const accounting = world.coordinator.accounting;
  kernel.runUntil(Math.min(first.at, end));
  let scanned = 0;
  while (scanned < log.length && log.time[scanned] < first.at) scanned++;
  let changed = false;
  let lastDeclarationAt = first.at;
  let writes = accounting.writes;
  let lastWriteAt = -Infinity;
  for (let t = first.at + until.stepMs; ; t += until.stepMs) {
    const to = Math.min(t, end);
    kernel.runUntil(to);
    for (; scanned < log.length; scanned++) {
      const k = log.kind[scanned];
      if (k === Obs.Lead || k === Obs.Controller) changed = true;
      if (k === Obs.Lead || k === Obs.Follow || k === Obs.StepDown || k === Obs.Campaign || k === Obs.Controller || k === Obs.ControllerResigned) {
        lastDeclarationAt = log.time[scanned];
      }
    }
    if (accounting.writes !== writes) {
      writes = accounting.writes;
      lastWriteAt = to;
    }
    if (changed && to - lastDeclarationAt >= until.quietMs && to - lastWriteAt >= until.quietMs && everyPartitionLed(world)) {
      if (to < end) world.config = { ...world.config, durationMs: to };
      return { atMs: to, settledAgain: true };
    }
    if (to >= end) return { atMs: end, settledAgain: false };
  }
}


/**
 * A cluster is settled at a fault when every partition has a leader and no leadership was
 * declared in the second before it: a fault earlier than that measures start-up, not failover.
 */
export interface Settled {
  readonly at: number;
  readonly led: number;
  readonly partitions: number;
  /** The last leadership declaration before the fault (ms), -1 if none. */
  readonly lastLeadAt: number;
  readonly ok: boolean;
}

export const SETTLE_QUIET_MS = 1_000;

function settledAt(log: ObservationLog, at: number, partitions: number): Settled {
  // Just before the fault: a crash at `at` is in the log at `at` and would end its host's
  // leaderships. Replayed into one typed array (leadersAt's Map costs seconds at 1M partitions).
  const before = at - 1e-6;
  const leader = new Int32Array(partitions).fill(-1);
  let lastLeadAt = -1;
  for (let i = 0; i < log.length && log.time[i] <= before; i++) {
    const k = log.kind[i];
    const p = log.partition[i];
    const h = log.host[i];
    if (k === Obs.Lead) {
      leader[p] = h;
      lastLeadAt = log.time[i];
    } else if ((k === Obs.StepDown || k === Obs.Follow) && leader[p] === h) leader[p] = -1;
    else if (k === Obs.Crash) for (let q = 0; q < partitions; q++) if (leader[q] === h) leader[q] = -1;
  }
  let led = 0;
  for (let p = 0; p < partitions; p++) if (leader[p] >= 0) led++;
  return { at, led, partitions, lastLeadAt, ok: led === partitions && lastLeadAt <= at - SETTLE_QUIET_MS };
}

const heap = (): number => getHeapStatistics().used_heap_size;

/**
 * Builds and runs a cell and returns its run record with the few facts about the world the report
 * needs, and nothing that keeps the world alive: the judge then runs with the world unreachable. At
 * 1M partitions the judge's fresh arrays start a full collection (V8 collects on external-memory
 * growth, ~15 MiB of headroom left after a kafka-controller run); with the world still referenced
 * it marked the whole ~0.75 GiB heap (0.4-1 s, more when loaded), with only the record live it takes
 * ~15 ms. A cell's world is never needed after its record is taken.
 */
function buildAndRun(cell: Cell, electors: readonly ElectorDefinition[], until: UntilSettled | undefined, sample: () => void) {
  const t0 = performance.now();
  const built = buildCell(cell, electors);
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  sample();
  const world = startBuilt(built);
  const tStarted = performance.now();
  sample();
  const ended = runWorldOf(world, until);
  const record = recordOf(world);
  const started = world.startedAs === "settled" ? "settled" : world.startNote !== undefined ? `cold (${world.startNote})` : "cold";
  return { t0, t1, cpu1, tStarted, ended, record, started, events: world.kernel.eventsProcessed, faults: built.config.faults };
}

export function measure(cell: Cell, electors: readonly ElectorDefinition[], until?: UntilSettled): Measured {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  let peak = heap();
  const sample = (): void => {
    peak = Math.max(peak, heap());
  };
  const cpu0 = process.cpuUsage();
  const { t0, t1, cpu1, tStarted, ended, record, started, events, faults } = buildAndRun(cell, electors, until, sample);
  const t2 = performance.now();
  const cpu2 = process.cpuUsage();
  sample();
  const metrics = judge(record);
  const t3 = performance.now();
  const cpu3 = process.cpuUsage();
  sample();
  const hosts = faults.map((f) => ("host" in f ? `${f.type} ${String(f.host)}` : f.type)).join(", ");
  const first = faults[0];
  const settled = first !== undefined && typeof first.at === "number" ? settledAt(record.log, first.at, cell.cluster.partitions) : undefined;
  record.log.release(); // judged and read: its columns may serve the next run's log
  return {
    cell,
    metrics,
    events,
    probeMs: t1 - t0,
    startMs: tStarted - t1,
    runMs: t2 - t1,
    started,
    judgeMs: t3 - t2,
    peakHeapBytes: peak,
    rssBytes: process.memoryUsage().rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    wallMs: t3 - t0,
    cpuMs: cpuMsBetween(cpu0, cpu3),
    sysMs: (cpu3.system - cpu0.system) / 1000,
    buildCpuMs: cpuMsBetween(cpu0, cpu1),
    runCpuMs: cpuMsBetween(cpu1, cpu2),
    judgeCpuMs: cpuMsBetween(cpu2, cpu3),
    ...(settled !== undefined ? { settled } : {}),
    ...(ended !== undefined ? { ended } : {}),
    hosts,
  };
}

/** User + system CPU ms of this process between two process.cpuUsage() readings. */
export function cpuMsBetween(a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number {
  return (b.user - a.user + b.system - a.system) / 1000;
}

/** User + system CPU ms of this process since `start` (process.cpuUsage). */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

export function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

/** A numeric `--name value` / `--name=value` argument, or `fallback` when absent. */
export function numberOption(name: string, fallback: number): number {
  const v = option(name);
  return v === undefined ? fallback : Number(v);
}

export function countList(text: string): number[] {
  return text.split(",").map((s) => {
    const m = /^(\d+)(k|m)?$/i.exec(s.trim());
    if (m === null) throw new Error(`not a count: ${s}`);
    return Number(m[1]) * (m[2] === undefined ? 1 : m[2].toLowerCase() === "k" ? 1_000 : 1_000_000);
  });
}

export const mib = (b: number): string => (b / (1 << 20)).toFixed(0);
export const n0 = (x: number): string => Math.round(x).toLocaleString("en-US");

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export const HEADER = [
  "elector",
  "scenario",
  "partitions",
  "start",
  "settled",
  "end s",
  "cell ms",
  "cell CPU ms",
  "run ms",
  "start ms",
  "build ms",
  "judge ms",
  "events",
  "events/s",
  "heap MiB",
  "RSS MiB",
  "fo n",
  "fo p50",
  "fo p99",
  "fo max",
  "unavail p·s",
  "zk writes",
  "herd",
  "overlaps",
  "stale acks",
  "messages",
] as const;

export function row(m: Measured): string[] {
  const x = m.metrics;
  const herd = x.herd[0];
  return [
    m.cell.elector,
    m.cell.scenario,
    n0(m.cell.cluster.partitions),
    m.started.startsWith("cold") ? "cold" : m.started,
    settledText(m.settled),
    endText(m),
    n0(m.wallMs),
    n0(m.cpuMs),
    n0(m.runMs),
    n0(m.startMs),
    n0(m.probeMs),
    n0(m.judgeMs),
    n0(m.events),
    n0(m.runMs > 0 ? (m.events / m.runMs) * 1000 : 0),
    mib(m.peakHeapBytes),
    mib(m.maxRssBytes),
    n0(x.failover.samples),
    // No spell, no failover time: "-" (not measured), never 0.
    x.failover.samples > 0 ? n0(x.failover.p50Ms) : "-",
    x.failover.samples > 0 ? n0(x.failover.p99Ms) : "-",
    x.failover.samples > 0 ? n0(x.failover.maxMs) : "-",
    n0(x.failover.unavailablePartitionSeconds),
    n0(x.coordinator.writes),
    herd === undefined ? "-" : n0(herd.watchNotifications + herd.campaigns),
    n0(x.splitBrain.overlap.count),
    n0(x.splitBrain.lateAcks.count),
    n0(x.messages.sent),
  ];
}

/** Where the run ended (simulated s): "12.3" when settled again, "61.0 (bound)" when not; the duration without `until`. */
export function endText(m: Measured): string {
  if (m.ended === undefined) return (m.cell.durationMs / 1000).toFixed(1);
  return m.ended.settledAgain ? (m.ended.atMs / 1000).toFixed(1) : `${(m.ended.atMs / 1000).toFixed(1)} (bound)`;
}

export function settledText(s: Settled | undefined): string {
  if (s === undefined) return "no fault";
  if (s.ok) return "yes";
  if (s.led < s.partitions) return `no: ${n0(s.led)} led`;
  return `no: lead at ${n0(s.lastLeadAt)} ms`;
}

/**
 * Whether a failover target can be judged on this cell at all: the fault hit a settled cluster
 * and at least one failover was measured. Otherwise the reason, printed instead of met/MISSED.
 */
export function unjudgeable(m: Measured): string | undefined {
  if (m.settled === undefined) return "no fault in the cell";
  if (!m.settled.ok) {
    return m.settled.led < m.settled.partitions
      ? `the fault at ${n0(m.settled.at)} ms hit a cluster still starting up (${n0(m.settled.led)} of ${n0(m.settled.partitions)} partitions led)`
      : `the fault at ${n0(m.settled.at)} ms hit a cluster still electing (a leader declared at ${n0(m.settled.lastLeadAt)} ms)`;
  }
  if (m.metrics.failover.samples === 0) return "no failover was measured (no partition lost its leader after the fault)";
  if (m.ended !== undefined && !m.ended.settledAgain) {
    return `the failover was not over by the run's bound (${n0(m.ended.atMs)} ms: not every partition led again, or still electing)`;
  }
  return undefined;
}
