/**
 * `electorate calibrate zookeeper --connect HOST:PORT`: a fixed probe against a real server that
 * fits the coordinator model's cost profile (src/coordinator/profiles.ts). An edge: real time,
 * callbacks. Every figure is a mean over many operations; the raw measurements go into the
 * profile file next to the fitted costs, and fields the probe cannot see are listed as such.
 *
 * The probe (in a fresh chroot, one session unless said otherwise):
 *   seq read / seq create   S of each one after the other, alternating: the median latency a client sees;
 *   pipelined ...           N operations issued at once: total time / N is the server's time per
 *                           operation when it is saturated (what the model's service time is):
 *                           create, setData, getData, delete, failed create (NodeExists),
 *                           failed setData (BadVersion), multi of 1 and of MULTI_OPS setData ops;
 *   herd                    W sessions watch one znode, one setData: time until the last
 *                           notification arrives, against a single watcher;
 *   session close           a session owning E ephemerals closes: time until the server answers
 *                           the close (the connection ends), against a session owning one, and
 *                           against the same close when another session watches each ephemeral;
 *   session connect         K sessions opened one after the other;
 *   this process            CPU time (process.cpuUsage) this process spends per reply and per watch
 *                           notification through live mode's own client (real-zk-client.ts): N
 *                           creates, N failing creates and N exists issued at once; E ephemerals
 *                           watched by one client while their owner closes. Live mode runs every
 *                           broker in this one process, so these are the live harness's cost
 *                           (`liveProcess`, used only by the simulated twin of a live run), kept
 *                           apart from the server's costs.
 * Fitting (a standalone server has no quorum round, so quorumRoundMs = 0):
 *   rtt = seq read - readMs;  commit = seq create - rtt - createMs;
 *   logWriteMs = the server's own mean fsync time over the probe (ZooKeeper's `mntr`:
 *   zk_sum_fsynctime / zk_cnt_fsynctime, each fsync timed in whole ms by FileTxnLog, so sub-ms
 *   fsyncs count as 0 and the mean is a lower bound) when the server answers mntr; else commit.
 *   The mean, not the median commit: a run of fsyncs costs their mean, stalls included;
 *   notificationMs = (close(E, each watched) - close(E)) / E;  ephemeralDeleteMs = (close(E) - close(1)) / (E - 1);
 *   sessionCloseMs = close(1) - rtt - commit - ephemeralDeleteMs;  sessionConnectMs = connect - rtt - commit
 *   (connect includes the TCP handshake). A negative fit is clamped to 0 and reported.
 */
import { createConnection } from "node:net";
import zookeeper from "node-zookeeper-client";
import { COST_FIELDS, ZOOKEEPER_PAPER_PROFILE, type ZkCostProfile, type ZkProfile } from "../coordinator/profiles.ts";
import type { ZkEvent } from "../elector/zookeeper-client.ts";
import { RealZkClient, SessionIds } from "./real-zk-client.ts";

type Lib = ReturnType<typeof zookeeper.createClient>;
type Cb = (e: unknown) => void;

export interface CalibrationSizes {
  /** Pipelined operations per kind. */
  readonly pipelined: number;
  /** Sequential operations per kind. */
  readonly sequential: number;
  /** Watcher sessions in the herd. */
  readonly watchers: number;
  /** Ephemerals owned by the closing session. */
  readonly ephemerals: number;
  /** Sessions opened one after the other. */
  readonly connects: number;
}

export const DEFAULT_SIZES: CalibrationSizes = { pipelined: 2000, sequential: 300, watchers: 100, ephemerals: 2000, connects: 20 };
const MULTI_OPS = 10;

export interface CalibratedProfile extends ZkProfile {
  /** Raw figures (ms) the costs were fitted from. */
  readonly measurements: Readonly<Record<string, number>>;
  /** Cost fields the probe does not measure: kept at the zookeeper-paper profile's value. */
  readonly notMeasured: readonly (keyof ZkCostProfile)[];
  /** Fits that came out negative and were clamped to 0. */
  readonly clamped: readonly (keyof ZkCostProfile)[];
  readonly sizes: CalibrationSizes;
  /**
   * LAB ADDITION, live harness only: CPU ms this process spends per reply and per watch
   * notification (ZkConfig.liveProcessReplyMs / liveProcessNotificationMs). Not server costs:
   * a scenario naming this profile does not get them; the simulated twin of a live run does.
   */
  readonly liveProcess: { readonly replyMs: number; readonly notificationMs: number };
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Live mode's client (real-zk-client.ts), connected, with a callback for every event. */
function liveClient(connectString: string, onEvent: (e: ZkEvent) => void): Promise<RealZkClient> {
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`calibrate: no ZooKeeper answered at ${connectString} within 10 s`)), 10_000);
    const c: RealZkClient = new RealZkClient(connectString, new SessionIds(), (e) => {
      if (!ready && e.kind === "session" && e.state === "connected") {
        ready = true;
        clearTimeout(timer);
        resolve(c);
      } else onEvent(e);
    });
    c.connect(20_000);
  });
}

/**
 * CPU ms of this process per operation: `n` requests issued at once through live mode's client,
 * until every result is back. `issue(i, tag)` sends request i.
 */
async function processCpuPerOp(c: RealZkClient, results: { wait: (n: number) => Promise<void> }, n: number, issue: (i: number) => void): Promise<number> {
  const t0 = cpuMs();
  const done = results.wait(n);
  for (let i = 0; i < n; i++) issue(i);
  await done;
  return (cpuMs() - t0) / n;
}

/** Measures liveProcess (see CalibratedProfile) under `root`. */
async function measureLiveProcess(connect: string, root: string, n: number, m: Record<string, number>): Promise<{ replyMs: number; notificationMs: number }> {
  let waiting = 0;
  let wake: () => void = () => {};
  let watchEvents = 0;
  let watchWake: () => void = () => {};
  let watchTarget = Number.POSITIVE_INFINITY;
  const results = {
    wait: (k: number): Promise<void> =>
      new Promise((resolve) => {
        waiting = k;
        wake = resolve;
      }),
  };
  const dir = `${root}/live-process`;
  await pipelinedCreate(connect, dir);
  const c = await liveClient(connect + dir, (e) => {
    if (e.kind === "result" && --waiting === 0) wake();
    else if (e.kind === "watch" && ++watchEvents === watchTarget) watchWake();
  });
  try {
    // Warm the JIT of the client and its mapping first.
    await processCpuPerOp(c, results, n, (i) => c.create(`/w${i}`, i, "persistent", i));
    m.processCreateCpuMs = await processCpuPerOp(c, results, n, (i) => c.create(`/p${i}`, i, "persistent", i));
    m.processNodeExistsCpuMs = await processCpuPerOp(c, results, n, (i) => c.create(`/p${i}`, i, "persistent", i));
    m.processExistsCpuMs = await processCpuPerOp(c, results, n, (i) => c.exists(`/p${i}`, false, i));
    // Notifications: another session owns n ephemerals this client watches, then closes.
    const owner = await connectClient(connect + dir);
    await pipelined(n, (i, cb) => owner.create(`/e${i}`, data, zookeeper.CreateMode.EPHEMERAL, cb), ok);
    await processCpuPerOp(c, results, n, (i) => c.exists(`/e${i}`, true, i));
    const told = new Promise<void>((resolve) => {
      watchTarget = n;
      watchWake = resolve;
    });
    const t0 = cpuMs();
    owner.close();
    await told;
    m.processNotificationCpuMs = (cpuMs() - t0) / n;
  } finally {
    c.close();
  }
  return {
    replyMs: (m.processCreateCpuMs + m.processNodeExistsCpuMs + m.processExistsCpuMs) / 3,
    notificationMs: m.processNotificationCpuMs,
  };
}

/** Creates `path` (with its parents) through a short-lived session. */
async function pipelinedCreate(connect: string, path: string): Promise<void> {
  const c = await connectClient(connect);
  try {
    await pipelined(1, (_i, cb) => c.mkdirp(path, cb), ok);
  } finally {
    c.close();
  }
}

const now = (): number => performance.now();
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function connectClient(connect: string, timeoutMs = 10_000): Promise<Lib> {
  return new Promise((resolve, reject) => {
    const c = zookeeper.createClient(connect, { sessionTimeout: 20_000, retries: 0 });
    const timer = setTimeout(() => {
      c.close();
      reject(new Error(`calibrate: no ZooKeeper answered at ${connect} within ${timeoutMs} ms`));
    }, timeoutMs);
    c.once("connected", () => {
      clearTimeout(timer);
      resolve(c);
    });
    c.connect();
  });
}

/** Issues `n` operations at once; resolves with the total time. `expect` checks each outcome. */
function pipelined(n: number, issue: (i: number, cb: Cb) => void, expect: (e: unknown) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const t0 = now();
    for (let i = 0; i < n; i++) {
      issue(i, (e) => {
        if (!expect(e)) {
          reject(new Error(`calibrate: unexpected outcome ${String(e)}`));
          return;
        }
        if (++done === n) resolve(now() - t0);
      });
    }
  });
}

/** Issues `n` operations one after the other; resolves with the total time. */
function sequential(n: number, issue: (i: number, cb: Cb) => void, expect: (e: unknown) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const next = (i: number): void => {
      if (i === n) {
        resolve(now() - t0);
        return;
      }
      issue(i, (e) => {
        if (!expect(e)) reject(new Error(`calibrate: unexpected outcome ${String(e)}`));
        else next(i + 1);
      });
    };
    next(0);
  });
}

const ok = (e: unknown): boolean => e === null || e === undefined;
const code = (c: number) => (e: unknown): boolean => (e as { getCode?: () => number } | null)?.getCode?.() === c;
const NODE_EXISTS = -110;
const BAD_VERSION = -103;
const data = Buffer.from("x");

/** Time from one setData until `watchers` sessions watching the znode have all been told. */
async function herd(connect: string, root: string, writer: Lib, watchers: number): Promise<number> {
  const path = `${root}/herd-${watchers}`;
  await pipelined(1, (_i, cb) => writer.create(path, data, cb), ok);
  const clients = await Promise.all(Array.from({ length: watchers }, () => connectClient(connect)));
  try {
    let told = 0;
    let resolveAll: (t: number) => void = () => {};
    const all = new Promise<number>((r) => (resolveAll = r));
    await Promise.all(
      clients.map(
        (c) =>
          new Promise<void>((resolve, reject) =>
            c.exists(
              path,
              () => {
                if (++told === watchers) resolveAll(now());
              },
              (e) => (ok(e) ? resolve() : reject(new Error(String(e)))),
            ),
          ),
      ),
    );
    const t0 = now();
    writer.setData(path, data, -1, () => {});
    return (await all) - t0;
  } finally {
    for (const c of clients) c.close();
  }
}

/**
 * Time from close() of a session owning `ephemerals` ephemerals until the server ends its
 * connection; with `watched`, another session holds an exists-watch on each of them first, so the
 * close also sends that many notifications (to one connection: the server's cost, not a herd of
 * client processes).
 */
async function closeOwning(connect: string, root: string, ephemerals: number, watched = false): Promise<number> {
  const c = await connectClient(connect);
  const dir = `${root}/close-${ephemerals}${watched ? "-watched" : ""}`;
  await pipelined(1, (_i, cb) => c.create(dir, cb), ok);
  await pipelined(ephemerals, (i, cb) => c.create(`${dir}/e${i}`, data, zookeeper.CreateMode.EPHEMERAL, cb), ok);
  let watcher: Lib | undefined;
  if (watched) {
    const w = await connectClient(connect);
    watcher = w;
    await pipelined(ephemerals, (i, cb) => w.exists(`${dir}/e${i}`, () => {}, cb), ok);
  }
  const t = await new Promise<number>((resolve) => {
    const t0 = now();
    c.on("state", (s: zookeeper.State) => {
      if (s === zookeeper.State.DISCONNECTED) resolve(now() - t0);
    });
    c.close();
  });
  watcher?.close();
  return t;
}

/** The server's `mntr` numbers, or undefined if it does not answer it (not in 4lw.commands.whitelist). */
export function mntr(connect: string, timeoutMs = 3000): Promise<Record<string, number> | undefined> {
  const i = connect.lastIndexOf(":");
  const host = connect.slice(0, i).replace(/^\[|\]$/g, "");
  const port = Number(connect.slice(i + 1));
  return new Promise((resolve) => {
    let text = "";
    let idle: ReturnType<typeof setTimeout> | undefined;
    const socket = createConnection({ host, port }, () => socket.write("mntr\n"));
    const finish = (): void => {
      clearTimeout(idle);
      clearTimeout(limit);
      socket.destroy();
      const out: Record<string, number> = {};
      for (const line of text.split("\n")) {
        const [k, v] = line.split("\t");
        if (k !== undefined && v !== undefined && k.startsWith("zk_") && v.trim() !== "" && Number.isFinite(Number(v))) out[k] = Number(v);
      }
      resolve(Object.keys(out).length > 0 ? out : undefined);
    };
    const limit = setTimeout(finish, timeoutMs);
    socket.on("data", (d) => {
      text += d.toString("utf8");
      clearTimeout(idle);
      idle = setTimeout(finish, 200); // the server may keep the connection open after answering
    });
    socket.on("close", finish);
    socket.on("error", finish);
  });
}

export async function calibrateZookeeper(connect: string, sizes: CalibrationSizes = DEFAULT_SIZES, say: (line: string) => void = () => {}): Promise<CalibratedProfile> {
  const root = `/electorate-calibrate/${Date.now().toString(36)}-${process.pid}`;
  const c = await connectClient(connect);
  const m: Record<string, number> = {};
  let liveProcess = { replyMs: 0, notificationMs: 0 };
  const server0 = await mntr(connect);
  let server1: Record<string, number> | undefined;
  try {
    await pipelined(1, (_i, cb) => c.mkdirp(root, cb), ok);
    const N = sizes.pipelined;
    const S = sizes.sequential;
    const per = (total: number, n: number): number => total / n;
    say(`calibrate: ${connect}, ${N} pipelined and ${S} sequential operations per kind`);
    // Warm the server's JIT and the connection first.
    await pipelined(N, (i, cb) => c.create(`${root}/w${i}`, data, cb), ok);
    await pipelined(N, (i, cb) => c.remove(`${root}/w${i}`, -1, cb), ok);

    // Reads and creates alternate, one at a time, so both see the same load; medians, not means,
    // so a stall of the machine does not move the fit.
    const reads: number[] = [];
    const creates: number[] = [];
    for (let i = 0; i < S; i++) {
      reads.push(await sequential(1, (_j, cb) => c.exists(root, cb), ok));
      creates.push(await sequential(1, (_j, cb) => c.create(`${root}/s${i}`, data, cb), ok));
    }
    m.seqReadMs = median(reads);
    m.seqCreateMs = median(creates);
    m.pipelinedCreateMs = per(await pipelined(N, (i, cb) => c.create(`${root}/p${i}`, data, cb), ok), N);
    m.pipelinedSetDataMs = per(await pipelined(N, (i, cb) => c.setData(`${root}/p${i}`, data, -1, cb), ok), N);
    m.pipelinedReadMs = per(await pipelined(N, (i, cb) => c.getData(`${root}/p${i}`, cb), ok), N);
    m.pipelinedNodeExistsMs = per(await pipelined(N, (i, cb) => c.create(`${root}/p${i}`, data, cb), code(NODE_EXISTS)), N);
    m.pipelinedBadVersionMs = per(await pipelined(N, (i, cb) => c.setData(`${root}/p${i}`, data, 999, cb), code(BAD_VERSION)), N);
    const multi = (k: number) => (i: number, cb: Cb): void => {
      const t = c.transaction();
      for (let j = 0; j < k; j++) t.setData(`${root}/p${(i * k + j) % N}`, data, -1);
      t.commit(cb);
    };
    const M = Math.max(1, Math.floor(N / MULTI_OPS));
    m.pipelinedMulti1Ms = per(await pipelined(M, multi(1), ok), M);
    m.pipelinedMulti10Ms = per(await pipelined(M, multi(MULTI_OPS), ok), M);
    m.pipelinedDeleteMs = per(await pipelined(N, (i, cb) => c.remove(`${root}/p${i}`, -1, cb), ok), N);
    say("calibrate: herd of watchers");
    m.herd1Ms = await herd(connect, root, c, 1);
    m.herdWMs = await herd(connect, root, c, sizes.watchers);
    say("calibrate: session close owning ephemerals");
    m.close1Ms = await closeOwning(connect, root, 1);
    m.closeEMs = await closeOwning(connect, root, sizes.ephemerals);
    m.closeEWatchedMs = await closeOwning(connect, root, sizes.ephemerals, true);
    say("calibrate: session connects");
    let connectTotal = 0;
    for (let i = 0; i < sizes.connects; i++) {
      const t0 = now();
      const s = await connectClient(connect);
      connectTotal += now() - t0;
      s.close();
    }
    m.connectMs = connectTotal / sizes.connects;
    server1 = server0 === undefined ? undefined : await mntr(connect);
    say("calibrate: this process's CPU per reply and per notification (live mode's harness)");
    liveProcess = await measureLiveProcess(connect, root, N, m);
  } finally {
    c.close();
  }

  const clamped: (keyof ZkCostProfile)[] = [];
  const fitted = (field: keyof ZkCostProfile, x: number): number => {
    if (!(x >= 0)) {
      clamped.push(field);
      return 0;
    }
    return x;
  };
  const readMs = fitted("readMs", m.pipelinedReadMs);
  const rtt = Math.max(0, m.seqReadMs - readMs);
  m.roundTripMs = rtt;
  const createMs = fitted("createMs", m.pipelinedCreateMs);
  const commit = fitted("logWriteMs", m.seqCreateMs - rtt - createMs);
  m.commitMs = commit;
  const fsyncs = server0 !== undefined && server1 !== undefined ? (server1.zk_cnt_fsynctime ?? 0) - (server0.zk_cnt_fsynctime ?? 0) : 0;
  if (fsyncs > 0) {
    m.serverFsyncs = fsyncs;
    m.serverFsyncMeanMs = ((server1 as Record<string, number>).zk_sum_fsynctime - (server0 as Record<string, number>).zk_sum_fsynctime) / fsyncs;
  }
  const logWriteMs = m.serverFsyncMeanMs ?? commit;
  const ephemeralDeleteMs = fitted("ephemeralDeleteMs", (m.closeEMs - m.close1Ms) / (sizes.ephemerals - 1));
  const paper = ZOOKEEPER_PAPER_PROFILE.costs;
  const costs: ZkCostProfile = {
    createMs,
    setDataMs: fitted("setDataMs", m.pipelinedSetDataMs),
    deleteMs: fitted("deleteMs", m.pipelinedDeleteMs),
    readMs,
    failedWriteMs: fitted("failedWriteMs", (m.pipelinedNodeExistsMs + m.pipelinedBadVersionMs) / 2),
    multiSubOpMs: fitted("multiSubOpMs", (m.pipelinedMulti10Ms - m.pipelinedMulti1Ms) / (MULTI_OPS - 1)),
    // The server's cost per notification: a close whose deletions each notify a watcher, against
    // the same close unwatched. (The herd of sessions is kept as a measurement: it includes the
    // client process receiving on many sockets.)
    notificationMs: fitted("notificationMs", (m.closeEWatchedMs - m.closeEMs) / sizes.ephemerals),
    ephemeralDeleteMs,
    sessionCloseMs: fitted("sessionCloseMs", m.close1Ms - rtt - commit - ephemeralDeleteMs),
    sessionConnectMs: fitted("sessionConnectMs", m.connectMs - rtt - commit),
    pingMs: paper.pingMs,
    logWriteMs,
    quorumRoundMs: 0,
  };
  for (const f of COST_FIELDS) if (!Number.isFinite(costs[f])) throw new Error(`calibrate: ${f} came out ${costs[f]}`);
  return {
    name: `calibrated ${connect}`,
    source:
      `electorate calibrate zookeeper --connect ${connect} (standalone server: quorumRoundMs 0; pingMs not measured, the zookeeper-paper value; ` +
      `logWriteMs ${m.serverFsyncMeanMs !== undefined ? "the server's mean fsync (mntr)" : "fitted from a sequential create (the server does not answer mntr)"})`,
    costs,
    measurements: m,
    notMeasured: ["pingMs"],
    clamped,
    sizes,
    liveProcess,
  };
}
