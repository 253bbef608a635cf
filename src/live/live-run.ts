/**
 * Live mode: the registry's elector instances, unchanged, in one process on real time against a
 * real ZooKeeper. Brokers talk in process; each has its own real ZooKeeper session. The run:
 *   1. makes a fresh chroot on the server (so runs never see each other's znodes);
 *   2. boots every broker and waits until every partition has a leader and the declarations
 *      have been quiet for `quietMs`;
 *   3. applies the fault to one broker — closeSession (its client closes), expireSession (another
 *      connection takes the session over with its id and password and closes it: the server ends
 *      the session now and the owner learns Expired, the usual way to expire a session in tests),
 *      or crash (instance and timers gone, the connection dropped without a close);
 *   4. waits until every partition the broker led has a new leader and the declarations are
 *      quiet again (or `timeoutMs` passes), then closes every session.
 * It reports what a simulated run reports for the same fault (handover.ts) and the client-side
 * counts after the fault.
 */
import zookeeper from "node-zookeeper-client";
import { ClusterModel, type ClusterSpec } from "../cluster/cluster-model.ts";
import type { ElectorDefinition, HostId, Message } from "../elector/api.ts";
import { Obs, ObservationLog } from "../record/observation-log.ts";
import { RandomStreams } from "../sim/random.ts";
import { handoverAfter, type Handover } from "./handover.ts";
import { LiveHost, type LiveBus } from "./live-host.ts";
import { emptyCounts, SessionIds, type LiveClientCounts } from "./real-zk-client.ts";

export type LiveFaultType = "closeSession" | "expireSession" | "crash";
/** A broker number, a role, or the lowest broker that is not the controller and not in `avoid`. */
export type LiveHostRef = number | "leader-of-most" | "controller" | { readonly notController: readonly number[] };

export interface LiveSpec {
  readonly elector: ElectorDefinition<unknown>;
  /** Decoded options. */
  readonly options: unknown;
  /** host:port of the ZooKeeper server. */
  readonly connect: string;
  readonly cluster: ClusterSpec;
  /** Seeds the replica layout and the hosts' random streams, as in a simulated run. */
  readonly seed: number;
  readonly fault: { readonly type: LiveFaultType; readonly host: LiveHostRef };
  /** Declarations must be quiet this long before the fault and before the end (default 1000 ms). */
  readonly quietMs?: number;
  /** Give up waiting for the initial election / the handover after this long (default 120 s each). */
  readonly timeoutMs?: number;
  /** Progress lines (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

export interface LiveCounts {
  readonly watchNotifications: number;
  readonly creates: number;
  readonly writes: number;
  readonly reads: number;
}

export interface LiveResult {
  readonly chroot: string;
  readonly host: HostId;
  readonly fault: LiveFaultType;
  /** Real ms from boot until every partition had a leader and things were quiet. */
  readonly electedMs: number;
  readonly handover: Handover;
  /** Counted at the clients from the fault to the end. */
  readonly afterFault: LiveCounts;
  /** Whether the handover completed before the timeout. */
  readonly complete: boolean;
  /**
   * This process (every broker, the clients and the lab's harness) from the fault to the end:
   * CPU time used and time its event loop was busy (ms). A lab artefact: a real deployment runs
   * each broker in its own process.
   */
  readonly process: { readonly cpuMs: number; readonly busyMs: number };
  /** The same until the handover was seen complete (polled every 50 ms); undefined if it never was. */
  readonly processUntilHandover: { readonly cpuMs: number; readonly busyMs: number } | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Creates `path` (and nothing else) with a short-lived session; resolves when done. */
async function makeChroot(connect: string, path: string): Promise<void> {
  const c = zookeeper.createClient(connect, { sessionTimeout: 10_000, retries: 0 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`live: cannot reach ZooKeeper at ${connect} within 10 s`)), 10_000);
    c.once("connected", () => {
      c.mkdirp(path, (e) => {
        clearTimeout(timer);
        c.close();
        if (e) reject(new Error(`live: cannot create ${path}: ${String(e)}`));
        else resolve();
      });
    });
    c.connect();
  });
}

/**
 * Ends a session from another connection: takes it over with its id and password (the server
 * closes the owner's connection) and closes it. Resolves once the server has answered the close
 * (the takeover's connection ends); the owner's reconnects wait for that (holdReconnects), so it
 * cannot take the session back first and learns Expired when it reconnects.
 */
function expireFromOutside(connect: string, id: Buffer, password: Buffer, onClose: () => void): Promise<void> {
  const c = zookeeper.createClient(connect, { sessionTimeout: 10_000, retries: 0, sessionId: id, sessionPassword: password } as never);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("live: could not take the session over and close it within 10 s")), 10_000);
    let closing = false;
    c.on("state", (s: zookeeper.State) => {
      if (s === zookeeper.State.SYNC_CONNECTED && !closing) {
        closing = true;
        onClose();
        c.close();
      } else if (s === zookeeper.State.DISCONNECTED && closing) {
        clearTimeout(timer);
        resolve();
      } else if (s === zookeeper.State.EXPIRED) {
        clearTimeout(timer);
        reject(new Error("live: the session had already expired"));
      }
    });
    c.connect();
  });
}

/** Current leader per partition and controller, from the log (kept up to date incrementally). */
class LeaderView {
  readonly leader: Int32Array;
  controller = -1;
  private seen = 0;
  constructor(
    private readonly log: ObservationLog,
    partitions: number,
  ) {
    this.leader = new Int32Array(partitions).fill(-1);
  }
  /** Reads new records; returns whether there were any. */
  update(): boolean {
    const l = this.log;
    const had = this.seen;
    for (; this.seen < l.length; this.seen++) {
      const i = this.seen;
      const k = l.kind[i];
      const p = l.partition[i];
      if (k === Obs.Lead) this.leader[p] = l.host[i];
      else if ((k === Obs.StepDown || k === Obs.Follow) && this.leader[p] === l.host[i]) this.leader[p] = -1;
      else if (k === Obs.Controller) this.controller = l.host[i];
      else if (k === Obs.ControllerResigned && this.controller === l.host[i]) this.controller = -1;
      else if (k === Obs.Crash) {
        for (let q = 0; q < this.leader.length; q++) if (this.leader[q] === l.host[i]) this.leader[q] = -1;
        if (this.controller === l.host[i]) this.controller = -1;
      }
    }
    return this.seen > had;
  }
  allLed(): boolean {
    for (let p = 0; p < this.leader.length; p++) if (this.leader[p] < 0) return false;
    return true;
  }
  leaderOfMost(brokers: number): HostId {
    const n = new Int32Array(brokers);
    for (const h of this.leader) if (h >= 0) n[h]++;
    let best = 0;
    for (let h = 1; h < brokers; h++) if (n[h] > n[best]) best = h;
    return best;
  }
}

function sumCounts(hosts: readonly LiveHost[]): LiveClientCounts {
  const s = emptyCounts();
  for (const h of hosts) for (const k of Object.keys(s) as (keyof LiveClientCounts)[]) s[k] += h.zk.counts[k];
  return s;
}

export async function runLive(spec: LiveSpec): Promise<LiveResult> {
  const quietMs = spec.quietMs ?? 1000;
  const timeoutMs = spec.timeoutMs ?? 120_000;
  const say = spec.progress ?? (() => {});
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  // Unique per run, so a server can host many runs; the name is not behaviour.
  const chroot = `/electorate-live/${spec.elector.name}-${spec.cluster.partitions}-${Date.now().toString(36)}-${process.pid}`;
  await makeChroot(spec.connect, chroot);
  const connectString = spec.connect + chroot;

  const streams = new RandomStreams(spec.seed);
  const cluster = new ClusterModel(spec.cluster, streams.stream("cluster"));
  const log = new ObservationLog();
  const ids = new SessionIds();
  const hosts: LiveHost[] = [];
  const down = new Set<HostId>();
  const inbox: [HostId, HostId, Message][] = [];
  let draining = false;
  const drain = (): void => {
    draining = false;
    // Messages posted while draining go to the next round, so timers and ZooKeeper callbacks interleave.
    const batch = inbox.splice(0, inbox.length);
    for (const [from, to, m] of batch) if (!down.has(to)) hosts[to].deliver(from, m);
  };
  const bus: LiveBus = {
    now,
    log,
    post(from, to, message) {
      if (down.has(from) || down.has(to)) return;
      inbox.push([from, to, message]);
      if (!draining) {
        draining = true;
        setImmediate(drain);
      }
    },
    stop(host) {
      down.add(host);
      hosts[host].crash();
    },
  };
  for (let h = 0; h < spec.cluster.brokers; h++) {
    hosts.push(new LiveHost(h, cluster, streams.stream(`host:${h}`), bus, connectString, ids, spec.elector, spec.options));
  }
  const view = new LeaderView(log, spec.cluster.partitions);

  /** Waits until `done()` holds and the log has been quiet for quietMs, or the timeout. */
  const settle = async (done: () => boolean, what: string): Promise<boolean> => {
    const start = now();
    let lastChange = now();
    let lastSay = now();
    for (;;) {
      await sleep(50);
      if (view.update()) lastChange = now();
      if (done() && now() - lastChange >= quietMs) return true;
      if (now() - start > timeoutMs) {
        say(`live: gave up waiting for ${what} after ${Math.round(timeoutMs)} ms`);
        return false;
      }
      if (now() - lastSay > 5000) {
        lastSay = now();
        say(`live: waiting for ${what} (${Math.round(now() - start)} ms)`);
      }
    }
  };

  try {
    for (const h of hosts) h.boot();
    say(`live: ${spec.elector.name}, ${spec.cluster.brokers} brokers, ${spec.cluster.partitions} partitions on ${connectString}`);
    if (!(await settle(() => view.allLed(), "every partition to have a leader"))) {
      throw new Error(`live: the initial election did not finish within ${timeoutMs} ms`);
    }
    const electedMs = now();
    const ref = spec.fault.host;
    let host: HostId;
    if (typeof ref === "number") host = ref;
    else if (ref === "controller" && view.controller >= 0) host = view.controller;
    else if (typeof ref === "object") host = notController(spec.cluster.brokers, view.controller, ref.notController);
    else host = view.leaderOfMost(spec.cluster.brokers);
    if (host < 0 || host >= hosts.length) throw new Error(`live: no broker ${host}`);

    let faultAt = now();
    let before = sumCounts(hosts);
    let cpu0 = process.cpuUsage();
    let elu0 = performance.eventLoopUtilization();
    const target = hosts[host];
    say(`live: ${spec.fault.type} of broker ${host} at ${Math.round(faultAt)} ms`);
    switch (spec.fault.type) {
      case "closeSession":
        target.zk.close();
        break;
      case "crash":
        down.add(host);
        target.crash();
        break;
      case "expireSession": {
        const cred = target.zk.credentials();
        if (cred === undefined) throw new Error(`live: broker ${host} has no connected session to expire`);
        const done = expireFromOutside(spec.connect, cred.id, cred.password, () => {
          faultAt = now();
          before = sumCounts(hosts);
          cpu0 = process.cpuUsage();
          elu0 = performance.eventLoopUtilization();
        });
        target.zk.holdReconnects(done.then(() => {}, () => {}));
        await done;
        break;
      }
    }
    log.record(faultAt, -1, Obs.Fault, -1, 0, 0);
    const affected = handoverAfter(log, host, faultAt).affected;
    // This process's work until the handover is seen complete (polled every 50 ms).
    let handedOverUsage: { cpuMs: number; busyMs: number } | undefined;
    const complete = await settle(() => {
      const h = handoverAfter(log, host, faultAt);
      const done = h.handedOver === h.affected;
      if (done && handedOverUsage === undefined) {
        const cpu = process.cpuUsage(cpu0);
        handedOverUsage = { cpuMs: (cpu.user + cpu.system) / 1000, busyMs: performance.eventLoopUtilization(elu0).active };
      }
      return done;
    }, `the ${affected} partitions broker ${host} led to get new leaders`);
    const after = sumCounts(hosts);
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    return {
      chroot,
      host,
      fault: spec.fault.type,
      electedMs,
      handover: handoverAfter(log, host, faultAt),
      afterFault: {
        watchNotifications: after.watchEvents - before.watchEvents,
        creates: after.creates - before.creates,
        writes: after.writes - before.writes,
        reads: after.reads - before.reads,
      },
      complete,
      process: { cpuMs: (cpu.user + cpu.system) / 1000, busyMs: elu.active },
      processUntilHandover: handedOverUsage,
    };
  } finally {
    for (const h of hosts) h.stop();
    down.clear();
  }
}

/** The lowest broker that is neither the controller nor in `avoid`. */
export function notController(brokers: number, controller: number, avoid: readonly number[]): HostId {
  for (let h = 0; h < brokers; h++) if (h !== controller && !avoid.includes(h)) return h;
  throw new Error(`live: every broker is the controller or excluded (${[controller, ...avoid].join(", ")})`);
}
