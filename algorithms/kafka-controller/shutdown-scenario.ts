/**
 * The controlled-shutdown experiment behind Kafka 1.1's published improvement (Jun Rao, "Apache
 * Kafka Supports 200K Partitions Per Cluster": 10k partitions per broker, controlled shutdown from
 * 6.5 minutes in 1.0 to 3 seconds in 1.1), shared by shutdown.test.ts and benchmarks/controlled-shutdown.bench.ts.
 *
 * A cluster of `brokers` brokers at replication factor 2 where every broker hosts
 * `partitionsPerBroker` replicas (and is the preferred leader of half of them). Once the cluster has
 * settled, one broker (not the controller) asks for a controlled shutdown. Measured in simulated
 * time from the request: until the last of its partitions has a new leader, and until the broker
 * stops (clean or after its retries ran out).
 */
import { Obs } from "../../src/record/observation-log.ts";
import type { KafkaControllerOptions } from "./options.ts";
import { currentController } from "../../src/testing/world-bench.ts";
import { broker, kafkaWorld } from "./test-util.ts";

export interface ShutdownResult {
  readonly stateWrites: KafkaControllerOptions["stateWrites"];
  readonly partitions: number;
  /** Partitions the shutting-down broker led when it asked. */
  readonly led: number;
  /** ms from the request until its last partition had a new leader (NaN: not all moved). */
  readonly leadersMovedMs: number;
  /** ms from the request until the broker stopped. */
  readonly shutdownMs: number;
  /** ControlledShutdown requests it sent (1 = first attempt succeeded). */
  readonly attempts: number;
  /** LeaderAndIsr requests the controller sent for the shutdown. */
  readonly leaderAndIsrRequests: number;
  readonly wallMs: number;
}

export function controlledShutdown(
  stateWrites: KafkaControllerOptions["stateWrites"],
  partitionsPerBroker: number,
  brokers = 5,
): ShutdownResult {
  const started = performance.now();
  const rf = 2;
  const partitions = (partitionsPerBroker * brokers) / rf;
  const cluster = { brokers, partitions, replicationFactor: rf, startIndex: 0, nextReplicaShift: 0 };
  const options: Partial<KafkaControllerOptions> = { stateWrites, autoLeaderRebalanceEnable: false };
  // Settle first: the first controller creates every state znode (serially in 1.0 mode).
  const settle = stateWrites === "sequential" ? 20_000 + partitions * 6 : 20_000 + partitions * 1;
  const probe = kafkaWorld({ durationMs: settle, cluster, options });
  probe.kernel.runUntil(settle);
  const controller = currentController(probe);
  const victim = (controller + 1) % brokers;
  const at = settle;
  const end = at + 200_000;
  const w = kafkaWorld({ durationMs: end, cluster, options, faults: [{ at, type: "shutdown", host: victim }] });
  w.kernel.runUntil(at);
  const c = broker(w, controller)?.controller;
  const before = c?.counters.leaderAndIsrRequests ?? 0;
  const led = broker(w, victim)?.rm.leaderPartitionCount() ?? 0;
  const ledSet = new Set<number>();
  for (const p of w.cluster.partitionsOf(victim)) {
    const i = broker(w, victim)?.rm.local(p) ?? -1;
    if (i >= 0 && broker(w, victim)?.rm.isLeading(i)) ledSet.add(p);
  }
  let attempts = 0;
  w.kernel.runUntil(end);
  const after = c?.counters.leaderAndIsrRequests ?? 0;
  const l = w.log;
  let stopped = NaN;
  const moved = new Map<number, number>();
  for (let i = 0; i < l.length; i++) {
    if (l.time[i] < at) continue;
    if (l.kind[i] === Obs.ShutdownComplete && l.host[i] === victim) stopped = l.time[i];
    if (l.kind[i] === Obs.Lead && l.host[i] !== victim && ledSet.has(l.partition[i]) && !moved.has(l.partition[i])) {
      moved.set(l.partition[i], l.time[i]);
    }
  }
  attempts = w.network.counts().byType["kafka.ControlledShutdown"]?.count ?? 0;
  let last = -Infinity;
  for (const t of moved.values()) if (t > last) last = t;
  return {
    stateWrites,
    partitions,
    led,
    leadersMovedMs: moved.size === ledSet.size ? last - at : NaN,
    shutdownMs: stopped - at,
    attempts,
    leaderAndIsrRequests: after - before,
    wallMs: performance.now() - started,
  };
}
