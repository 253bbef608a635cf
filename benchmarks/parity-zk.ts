/**
 * bench:parity's ZooKeeper rows (benchmarks/parity.ts runs them):
 *  - live vs simulated: naive-race and kafka-controller on a real ZooKeeper (live mode) next to
 *    their simulated twins (src/live/sim-twin.ts) with the zookeeper-paper profile, the calibrated
 *    profile with the txn log's group commit, and that plus live mode's own harness (one process
 *    for every broker: `liveProcess`, measured by the same calibration, never fitted to these rows);
 *  - the ZooKeeper paper's figure (Hunt et al., USENIX ATC 2010, §2.3): "a new leader that must
 *    update 5000 different znodes will take 10 seconds if the requests are issued one after the
 *    other; by issuing the requests asynchronously ... less than a second" — in the model (default
 *    link 0.2-0.6 ms) with a given cost profile, and on a real server through node-zookeeper-client.
 */
import { loadavg } from "node:os";
import { Schema } from "effect";
import zookeeper from "node-zookeeper-client";
import { electors } from "../algorithms/index.ts";
import type { ZkConfig } from "../src/coordinator/config.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import { runLive, type LiveHostRef, type LiveResult } from "../src/live/live-run.ts";
import { simulateTwin, type TwinResult } from "../src/live/sim-twin.ts";
import { DEFAULT_LINK } from "../src/sim/network.ts";
import { Harness } from "../src/testing/coordinator-harness.ts";
import { table } from "./bench-util.ts";

const NM = "not measured";
const fmt = (x: number | undefined, digits = 0): string => (x === undefined || !Number.isFinite(x) ? NM : x.toFixed(digits));
const ratio = (measured: number | undefined, reference: number | undefined): string =>
  measured === undefined || reference === undefined || !Number.isFinite(measured) || !Number.isFinite(reference) || reference === 0
    ? "n/a"
    : (measured / reference).toFixed(2);

/** Why live runs stop at 10k partitions by default (measured on the development machine; docs/live.md). */
export const LIVE_TOO_BIG =
  "one Node process runs every broker: a live naive-race run at 10k partitions on the loaded 2-core machine exhausted a 4 GB heap during its " +
  "initial election, and in the simulator with the calibrated profile naive-race's initial election at 100k partitions does not finish within 60 s";

export interface LiveSectionOptions {
  readonly connect: string | undefined;
  /** A calibrated profile's costs (server), or undefined. */
  readonly calibrated: Record<string, number> | undefined;
  /** The same calibration's `liveProcess` (live mode's one process), or undefined. */
  readonly liveProcess: { readonly replyMs: number; readonly notificationMs: number } | undefined;
  readonly partitions: readonly number[];
  /** Bounds each phase of a live run (initial election, handover). */
  readonly liveTimeoutMs: number;
  /** Live runs are attempted up to this many partitions (larger rows print why not). */
  readonly liveMaxPartitions: number;
  readonly say: (line: string) => void;
}

function elector(name: string): { e: ElectorDefinition<unknown>; options: unknown } {
  const e = electors.find((x) => x.name === name) as ElectorDefinition<unknown>;
  return { e, options: Schema.decodeUnknownSync(e.options)({}) };
}

/**
 * Live vs simulated: 6 brokers, RF 3, expireSession of the busiest leader (kafka-controller: the
 * lowest broker that is not the controller); time until every partition it led has a new leader.
 */
export async function liveSection(o: LiveSectionOptions): Promise<string> {
  const rows: string[][] = [];
  const notes: string[] = [];
  const times = new Map<string, number>();
  for (const p of o.partitions) {
    for (const name of ["naive-race", "kafka-controller"]) {
      const { e, options } = elector(name);
      const cluster = { brokers: 6, partitions: p, replicationFactor: 3 };
      const host: LiveHostRef = name === "kafka-controller" ? { notController: [] } : "leader-of-most";
      const fault = { type: "expireSession" as const, host };
      const twin = (coordinator?: Record<string, number>, liveProcess?: LiveSectionOptions["liveProcess"]): TwinResult =>
        simulateTwin({ elector: e, options, cluster, seed: 1, fault, afterMs: 120_000, ...(coordinator !== undefined ? { coordinator } : {}), ...(liveProcess !== undefined ? { liveProcess } : {}) });
      o.say(`parity: ${name} ${p} partitions: simulated (paper profile)`);
      const paper = twin();
      let cal: TwinResult | undefined;
      let harness: TwinResult | undefined;
      if (o.calibrated !== undefined) {
        // The calibrated server with its txn log's group commit (ZooKeeper's SyncRequestProcessor).
        const server = { ...o.calibrated, groupCommit: 1 };
        o.say(`parity: ${name} ${p} partitions: simulated (calibrated profile, group commit)`);
        cal = twin(server);
        if (o.liveProcess !== undefined) {
          o.say(`parity: ${name} ${p} partitions: simulated (calibrated profile, group commit, live mode's one process)`);
          harness = twin(server, o.liveProcess);
        }
      }
      for (const [label, t] of [["paper", paper], ["calibrated", cal], ["calibrated + one process", harness]] as const) {
        if (t !== undefined && t.handover.affected === 0) {
          notes.push(`${name} ${p}: sim ${label} not measured: no partition had a leader when the fault hit at 20 s (the simulated start-up had not settled)`);
        }
      }
      let live: LiveResult | undefined;
      let load = "";
      if (o.connect !== undefined && p > o.liveMaxPartitions) {
        notes.push(`${name} ${p}: live not measured: not attempted above --live-max-partitions ${o.liveMaxPartitions} (${LIVE_TOO_BIG})`);
      } else if (o.connect !== undefined) {
        o.say(`parity: ${name} ${p} partitions: live on ${o.connect}`);
        const before = loadavg()[0];
        try {
          live = await runLive({ elector: e, options, connect: o.connect, cluster, seed: 1, fault, timeoutMs: o.liveTimeoutMs, progress: o.say });
        } catch (err) {
          o.say(`parity: live run failed: ${(err as Error).message}`);
          notes.push(`${name} ${p}: live run failed: ${(err as Error).message}`);
        }
        load = `${before.toFixed(1)}/${loadavg()[0].toFixed(1)}`;
      }
      const liveMs = live?.complete === true ? live.handover.allMs : undefined;
      if (live !== undefined && !live.complete) notes.push(`${name} ${p}: live not measured: the handover did not finish within ${o.liveTimeoutMs} ms`);
      times.set(`${name}/${p}/paper`, paper.handover.allMs);
      if (cal !== undefined) times.set(`${name}/${p}/cal`, cal.handover.allMs);
      if (harness !== undefined) times.set(`${name}/${p}/harness`, harness.handover.allMs);
      if (liveMs !== undefined) times.set(`${name}/${p}/live`, liveMs);
      o.say(
        `parity: row: ${name} ${p}: live ${fmt(liveMs, 1)} ms (led ${live?.handover.affected ?? NM}, process busy ${fmt(live?.processUntilHandover?.busyMs, 0)} ms, cpu ${fmt(live?.processUntilHandover?.cpuMs, 0)} ms), ` +
          `sim paper ${fmt(paper.handover.allMs, 1)}, calibrated ${fmt(cal?.handover.allMs, 1)}, + one process ${fmt(harness?.handover.allMs, 1)} ms`,
      );
      rows.push([
        name,
        String(p),
        `${live?.handover.affected ?? NM} / ${paper.handover.affected}`,
        fmt(liveMs, 0),
        fmt(live?.processUntilHandover?.cpuMs, 0),
        load === "" ? NM : load,
        fmt(paper.handover.allMs, 0),
        fmt(cal?.handover.allMs, 0),
        fmt(harness?.handover.allMs, 0),
        ratio(cal?.handover.allMs, liveMs),
        ratio(harness?.handover.allMs, liveMs),
        `${live?.afterFault.watchNotifications ?? NM} / ${paper.afterFault.watchNotifications}`,
        `${live?.afterFault.writes ?? NM} / ${paper.afterFault.writes}`,
      ]);
    }
  }
  const out = [
    "## Live (real ZooKeeper) vs simulated: 6 brokers, RF 3, expireSession of the busiest leader (kafka-controller: the lowest non-controller broker)",
    "",
    table(
      [
        "elector", "partitions", "led: live / sim", "live ms", "live cpu ms", "load 1m before/after",
        "sim paper ms", "sim calibrated ms", "sim cal. + one process ms", "calibrated/live", "cal. + one process/live",
        "notifications live / sim", "writes live / sim",
      ],
      rows,
    ),
    "",
    "time = until every partition the broker led has a new leader (src/live/handover.ts); counts at the clients after the fault.",
    "live cpu = CPU time of the live process (every broker, one Node process) from the fault until the handover was seen complete.",
    "sim calibrated = the calibrated server costs with the txn log's group commit (groupCommit: 1: one fsync at a time, shared by the writes that reach the log meanwhile).",
    "sim cal. + one process = that plus live mode's own harness: one process that spends the calibrated CPU per reply and per",
    "notification for every broker (a lab artefact: a real deployment runs each broker in its own process).",
    ...(o.liveProcess !== undefined ? [`one process: ${o.liveProcess.replyMs.toFixed(4)} ms per reply, ${o.liveProcess.notificationMs.toFixed(4)} ms per notification.`] : []),
    ...notes.map((n) => `- ${n}`),
    "",
    "naive-race time / kafka-controller time, per partition count:",
    "",
  ];
  const rr: string[][] = [];
  for (const p of o.partitions) {
    const r = (k: string): string => ratio(times.get(`naive-race/${p}/${k}`), times.get(`kafka-controller/${p}/${k}`));
    rr.push([String(p), r("live"), r("paper"), r("cal"), r("harness")]);
  }
  out.push(table(["partitions", "live", "sim paper", "sim calibrated", "sim cal. + one process"], rr));
  return out.join("\n");
}

const N = 5000;

export interface PaperFigures {
  readonly sequentialS: number;
  readonly pipelinedS: number;
}

export function paperFiguresSim(costs: Partial<ZkConfig> | undefined): PaperFigures {
  const h = new Harness(1, { link: DEFAULT_LINK, seed: 7, ...(costs !== undefined ? { config: costs } : {}) });
  h.connectAll([0]);
  const c = h.client(0);
  for (let i = 0; i < N; i++) c.create(`/p${i}`, i, "persistent", i);
  h.advance(600_000);
  const SEQ = 100_000;
  const ASYNC = 200_000;
  let done = 0;
  let end = 0;
  h.onEvent = (_host, e) => {
    if (e.kind !== "result" || e.tag < SEQ || e.tag >= ASYNC) return;
    done++;
    if (done < N) c.setData(`/p${done}`, done, -1, SEQ + done);
    else end = h.kernel.now;
  };
  let start = h.kernel.now;
  c.setData("/p0", 0, -1, SEQ);
  h.advance(10_000_000);
  const sequentialS = (end - start) / 1000;
  h.onEvent = undefined;
  start = h.kernel.now;
  for (let i = 0; i < N; i++) c.setData(`/p${i}`, -i, -1, ASYNC + i);
  h.advance(10_000_000);
  let last = 0;
  for (const r of h.results(0)) if (r.tag >= ASYNC) last = Math.max(last, r.t);
  return { sequentialS, pipelinedS: (last - start) / 1000 };
}

export async function paperFiguresLive(connect: string): Promise<PaperFigures | undefined> {
  const c = zookeeper.createClient(connect, { sessionTimeout: 20_000, retries: 0 });
  const connected = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 10_000);
    c.once("connected", () => {
      clearTimeout(t);
      resolve(true);
    });
    c.connect();
  });
  if (!connected) return undefined;
  const root = `/electorate-parity/${Date.now().toString(36)}-${process.pid}`;
  const data = Buffer.from("x");
  const all = (issue: (i: number, cb: (e: unknown) => void) => void): Promise<number> =>
    new Promise((resolve, reject) => {
      let n = 0;
      const t0 = performance.now();
      for (let i = 0; i < N; i++) issue(i, (e) => (e ? reject(e) : ++n === N && resolve(performance.now() - t0)));
    });
  try {
    await new Promise<void>((resolve, reject) => c.mkdirp(root, (e) => (e ? reject(e) : resolve())));
    await all((i, cb) => c.create(`${root}/p${i}`, data, cb));
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const next = (i: number): void => {
        if (i === N) resolve();
        else c.setData(`${root}/p${i}`, data, -1, (e) => (e ? reject(e) : next(i + 1)));
      };
      next(0);
    });
    const sequentialS = (performance.now() - t0) / 1000;
    const pipelinedS = (await all((i, cb) => c.setData(`${root}/p${i}`, data, -1, cb))) / 1000;
    return { sequentialS, pipelinedS };
  } finally {
    c.close();
  }
}
