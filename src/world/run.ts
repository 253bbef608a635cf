/**
 * Runs one world to its end. A pure function of the config (and its seed): the same config gives
 * the same observation log and trace hash, whatever ran before in the process. The outcome is the
 * run record the checker judges (src/record/run-record.ts) plus the world itself for callers that
 * want more (tests, timelines, benchmarks).
 */
import type { ClusterModel } from "../cluster/cluster-model.ts";
import type { RunRecord } from "../record/run-record.ts";
import { describeFault } from "../sim/faults.ts";
import type { Kernel } from "../sim/kernel.ts";
import type { Network } from "../sim/network.ts";
import { World } from "./world.ts";
import type { WorldConfig } from "./world-config.ts";

export interface WorldOutcome extends RunRecord {
  readonly world: World;
  readonly config: WorldConfig<unknown>;
  readonly kernel: Kernel;
  readonly network: Network;
  readonly cluster: ClusterModel;
}

export function runWorld<Options>(config: WorldConfig<Options>): WorldOutcome {
  const world = new World(config as WorldConfig<unknown>);
  world.start();
  world.run();
  return outcomeOf(world);
}

/** The run record of a world as it stands now (its end, once run). */
export function recordOf(world: World): RunRecord {
  const zk = world.coordinator.accounting;
  const counts = world.network.counts();
  const w = world.workload;
  const brokers = world.cluster.brokers;
  return {
    cluster: world.cluster,
    durationMs: world.config.durationMs,
    log: world.log,
    history: world.history,
    finalStatus: Uint8Array.from({ length: brokers }, (_, h) => world.kernel.hostStatus(h)),
    counters: {
      coordinator: {
        reads: zk.reads,
        writes: zk.writes,
        losingCreates: zk.losingCreates,
        watchesRegistered: zk.watchesRegistered,
        notifications: zk.notifications,
        sessionsExpired: zk.sessionsExpired,
        maxQueueLength: zk.maxQueueLength,
        requestSeries: zk.requestSeries,
        readSeries: zk.readSeries,
        writeSeries: zk.writeSeries,
      },
      // Field by field, like the outcome below: see outcomeOf.
      messages: {
        sent: counts.sent,
        delivered: counts.delivered,
        dropped: counts.dropped,
        bytes: counts.bytes,
        byType: counts.byType,
        all: world.network.all,
        inboundPerBroker: world.network.inbound.slice(0, brokers),
      },
      workload: {
        sent: w.writesSent,
        acknowledged: w.writesAcknowledged,
        rejected: w.writesRejected,
        timedOut: w.writesTimedOut,
        connectionReset: w.writesReset,
        unsent: w.writesUnsent + w.writesRefused,
      },
    },
    coordinatorHost: world.coordinatorHost,
    faultDescriptions: world.config.faults.map(describeFault),
    traceHash: world.kernel.traceHash(),
  };
}

/** The outcome of a world that was run (by runWorld, or stepped by hand to its end). */
export function outcomeOf(world: World): WorldOutcome {
  const r = recordOf(world);
  // Field by field, not {...r}: V8 gave each run's spread copy a hidden class of its own (32 maps
  // for 40 property runs), so the judge's per-fault closure, compiled for one, deoptimized on the
  // next (about two deoptimizations per run of a hunt; no measurable time, but needless churn).
  return {
    cluster: world.cluster,
    durationMs: r.durationMs,
    log: r.log,
    history: r.history,
    finalStatus: r.finalStatus,
    counters: r.counters,
    coordinatorHost: r.coordinatorHost,
    faultDescriptions: r.faultDescriptions,
    traceHash: r.traceHash,
    world,
    config: world.config,
    kernel: world.kernel,
    network: world.network,
  };
}
