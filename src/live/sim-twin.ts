/**
 * The simulated twin of a live run: the same elector, options, cluster and seed in the
 * simulator, the same fault on the same broker, measured the same way (handover.ts and the
 * clients' counts after the fault). No producers, as in live mode.
 *
 * Two things of live mode's harness that a real deployment lacks are mirrored here, so the twin
 * compares like with like:
 *  - expireSession is done as live mode does it: another connection takes the session over (the
 *    server closes the owner's connection and its watches first) and closes it
 *    (ZkServer.takeOverAndExpire), instead of the server expiring a connected session;
 *  - with `liveProcess`, every broker's ZooKeeper events queue for one process that spends that
 *    much CPU per reply and per notification (ZkConfig.liveProcess*, measured by `electorate
 *    calibrate zookeeper`), as the one Node process of live mode does.
 */
import type { ClusterSpec } from "../cluster/cluster-model.ts";
import type { ElectorDefinition, HostId } from "../elector/api.ts";
import { Obs } from "../record/observation-log.ts";
import type { Fault } from "../sim/faults.ts";
import { World } from "../world/world.ts";
import { handoverAfter } from "./handover.ts";
import { notController, type LiveCounts, type LiveFaultType, type LiveHostRef } from "./live-run.ts";

export interface TwinSpec {
  readonly elector: ElectorDefinition<unknown>;
  readonly options: unknown;
  readonly cluster: ClusterSpec;
  readonly seed: number;
  readonly fault: { readonly type: LiveFaultType; readonly host: LiveHostRef };
  /** ZooKeeper model settings (a profile's costs); default: the zookeeper-paper profile. */
  readonly coordinator?: Record<string, number>;
  /** When the fault hits (virtual ms; default 20 s: every partition led and quiet by then). */
  readonly faultAtMs?: number;
  /** At most this long after the fault (default 30 s). */
  readonly afterMs?: number;
  /** Stop once every affected partition has a new leader and declarations were quiet this long (default 1000 ms, as live mode). */
  readonly quietMs?: number;
  /** Live mode's one process: CPU ms per reply and per notification (calibrate's `liveProcess`); default: not modelled. */
  readonly liveProcess?: { readonly replyMs: number; readonly notificationMs: number };
}

export interface TwinResult {
  readonly host: HostId;
  readonly handover: ReturnType<typeof handoverAfter>;
  readonly afterFault: LiveCounts;
  /** The controller just before the fault (-1: none). */
  readonly controller: HostId;
  readonly wallMs: number;
}

export function simulateTwin(spec: TwinSpec): TwinResult {
  const wall0 = performance.now();
  const faultAt = spec.faultAtMs ?? 20_000;
  const lp = spec.liveProcess;
  const coordinator =
    lp === undefined ? spec.coordinator : { ...spec.coordinator, liveProcessReplyMs: lp.replyMs, liveProcessNotificationMs: lp.notificationMs };
  const build = (faults: readonly Fault[]): World => {
    const w = new World({
      seed: spec.seed,
      durationMs: faultAt + (spec.afterMs ?? 30_000),
      cluster: spec.cluster,
      faults,
      elector: spec.elector,
      options: spec.options,
      workload: { partitions: 0 },
      ...(coordinator !== undefined ? { coordinator } : {}),
    });
    w.start();
    return w;
  };
  // A probe up to the fault names the host (runs are deterministic: the real run sees the same).
  const probe = build([]);
  probe.kernel.runUntil(faultAt - 1e-6);
  // Resolve the host as live mode does: from the declarations so far.
  const leader = new Int32Array(spec.cluster.partitions).fill(-1);
  let controller = -1;
  const l = probe.log;
  for (let i = 0; i < l.length; i++) {
    const k = l.kind[i];
    const p = l.partition[i];
    if (k === Obs.Lead) leader[p] = l.host[i];
    else if ((k === Obs.StepDown || k === Obs.Follow) && leader[p] === l.host[i]) leader[p] = -1;
    else if (k === Obs.Controller) controller = l.host[i];
    else if (k === Obs.ControllerResigned && controller === l.host[i]) controller = -1;
  }
  const ref = spec.fault.host;
  let host: HostId;
  if (typeof ref === "number") host = ref;
  else if (ref === "controller" && controller >= 0) host = controller;
  else if (typeof ref === "object") host = notController(spec.cluster.brokers, controller, ref.notController);
  else {
    const n = new Int32Array(spec.cluster.brokers);
    for (const h of leader) if (h >= 0) n[h]++;
    host = 0;
    for (let h = 1; h < spec.cluster.brokers; h++) if (n[h] > n[host]) host = h;
  }
  let world: World;
  if (spec.fault.type === "expireSession") {
    world = build([]);
    const takeover = world.kernel.registerKind("twin.takeOverAndExpire", { handle: () => void world.coordinator.takeOverAndExpire(host) }, false);
    world.kernel.schedule(faultAt, takeover, 0, 0, 0, undefined);
  } else {
    world = build([{ at: faultAt, type: spec.fault.type, host }]);
  }
  world.kernel.runUntil(faultAt - 1e-6);
  const before = clientTotals(world);
  // Stop as live mode does: every affected partition handed over and the declarations quiet for
  // quietMs (checked every 50 ms), or the end of the run.
  const quietMs = spec.quietMs ?? 1000;
  const end = faultAt + (spec.afterMs ?? 30_000);
  let seen = world.log.length;
  let lastChange = faultAt;
  for (let t = faultAt + 50; t <= end; t += 50) {
    world.kernel.runUntil(t);
    if (world.log.length !== seen) {
      seen = world.log.length;
      lastChange = t;
    }
    const h = handoverAfter(world.log, host, faultAt);
    if (h.handedOver === h.affected && t - lastChange >= quietMs) break;
  }
  const after = clientTotals(world);
  return {
    host,
    handover: handoverAfter(world.log, host, faultAt),
    afterFault: {
      watchNotifications: after.watchEvents - before.watchEvents,
      creates: after.creates - before.creates,
      writes: after.writes - before.writes,
      reads: after.reads - before.reads,
    },
    controller,
    wallMs: performance.now() - wall0,
  };
}

function clientTotals(world: World): { watchEvents: number; creates: number; writes: number; reads: number } {
  const t = { watchEvents: 0, creates: 0, writes: 0, reads: 0 };
  for (const s of world.zkClients.stats()) {
    t.watchEvents += s.watchEvents;
    t.creates += s.creates;
    t.writes += s.writes;
    t.reads += s.reads;
  }
  return t;
}
