/**
 * What a zombie controller's unfenced write costs (KAFKA-6082), judged by the lab's liveness claim.
 *
 * 3 brokers, one partition p (replicas [0, 2, 1]: broker 0 leads it), broker 1 the controller:
 *  1. broker 0 crashes; when its session expires, the controller's BrokerChange reads p's state to
 *     elect a new leader (the first live ISR replica: broker 2) — and the controller is paused (a
 *     long GC) between that read and its write, past its own session timeout;
 *  2. broker 0 restarts meanwhile and registers again; the controller's session expires and broker
 *     2 (or 0) becomes controller: it finds p's leader 0 alive, so it leaves p's state as it is and
 *     tells every live broker "0 leads p in leader epoch 0" (controller epoch 2);
 *  3. the old controller resumes: its event in progress carries on over a new session (Kafka <= 1.0's
 *     ZkClient.retryUntilConnected retried a write on SessionExpired over the next session) and writes
 *     "2 leads p, leader epoch 1" with the zkVersion it read. Brokers 0 and 2 refuse its
 *     LeaderAndIsr (controller epoch 1 < 2), but its own broker has heard from no newer controller
 *     and applies it: it follows broker 2 in leader epoch 1. When it registers again, the new
 *     controller sends it "0 leads p in leader epoch 0", which it ignores (not newer than 1).
 * Nothing repairs it: the new controller's cache still holds the state it read (it has no reason to
 * write p), the leader's own ISR updates fail on the zkVersion the zombie moved on ("Cached
 * zkVersion not equal to that in zookeeper", the KAFKA-2729 symptom), so p ends with a replica
 * that disagrees with its leader until a later fault makes a controller write p again: the liveness
 * claim, which kafka-controller makes, is broken. Observed beside it (not a claimed property): the
 * leader keeps the zombie's broker in its ISR, so its high watermark never advances — acks=all writes
 * are never acknowledged, acks=1 writes never become readable.
 *
 *  - Kafka 2.1+ (controllerEpochCheck): the zombie's write is a multi with a check op on
 *    /controller_epoch's zkVersion; it fails, the zombie resigns, and the cluster agrees.
 */
import { describe, expect, it } from "vitest";
import { judge } from "../../src/checker/judge.ts";
import { Obs } from "../../src/record/observation-log.ts";
import { currentController, leadersNow } from "../../src/testing/world-bench.ts";
import { recordOf } from "../../src/world/run.ts";
import type { World } from "../../src/world/world.ts";
import { broker, kafkaWorld } from "./test-util.ts";
import { CONTROLLER_EPOCH, statePath, type ControllerEpochData, type PartitionStateData } from "./zk-paths.ts";

const cluster = { brokers: 3, partitions: 1, replicationFactor: 3 };
const CRASH_AT = 8_000;
const RESTART_AT = 10_000;
/** Longer than zookeeper.session.timeout.ms (18 s): the paused controller's session expires. */
const PAUSE_FOR = 25_000;
/** Long after everything: 2 x session timeout + 15 s (the elector's quiet period) past the resume, and more. */
const END = 150_000;

interface Outcome {
  readonly w: World;
  readonly zombie: number;
  readonly pausedAt: number;
  /** p's state znode at the end. */
  readonly state: PartitionStateData;
  readonly controllerEpoch: number;
  /** The zombie's own follow declarations for p, in order: [leader it follows, leader epoch]. */
  readonly zombieFollows: [number, number][];
}

function scenario(controllerEpochCheck: boolean, acks: "1" | "all" = "1", writesPerSecond = 0): Outcome {
  const w = kafkaWorld({
    seed: 1,
    durationMs: END,
    cluster,
    options: { controllerEpochCheck, acks },
    ...(writesPerSecond > 0 ? { workload: { partitions: 1, writesPerSecond, startMs: 2_000 } } : {}),
    faults: [
      { at: CRASH_AT, type: "crash", host: 0 },
      { at: RESTART_AT, type: "restart", host: 0 },
    ],
  });
  w.kernel.runUntil(CRASH_AT - 1);
  const zombie = currentController(w);
  if (zombie !== 1 || leadersNow(w)[0] !== 0) throw new Error(`setup changed: controller ${zombie}, leader ${leadersNow(w)[0]} (expected 1 and 0)`);
  const role = broker(w, zombie)?.controller;
  if (role === undefined) throw new Error("no controller role");
  // Step until the controller's BrokerChange reads p's state (after broker 0's session expired), then freeze it.
  const reads = role.counters.stateReads;
  while (role.counters.stateReads === reads) if (!w.kernel.step()) throw new Error("the controller never read p's state");
  const pausedAt = w.kernel.now;
  w.kernel.pause(zombie);
  w.kernel.runUntil(pausedAt + PAUSE_FOR);
  w.kernel.resume(zombie);
  w.kernel.runUntil(END);
  const tree = w.coordinator.tree;
  const state = tree.get(statePath(w.cluster, 0))?.data as PartitionStateData;
  const controllerEpoch = (tree.get(CONTROLLER_EPOCH)?.data as ControllerEpochData).epoch;
  const zombieFollows: [number, number][] = [];
  const l = w.log;
  for (let i = 0; i < l.length; i++) {
    if (l.kind[i] === Obs.Follow && l.host[i] === zombie && l.partition[i] === 0) zombieFollows.push([l.a[i], l.b[i]]);
  }
  return { w, zombie, pausedAt, state, controllerEpoch, zombieFollows };
}

/** Acknowledgements and high-watermark advances (commit declarations) from `from` to the end. */
function progress(w: World, from: number): { acks: number; commits: number } {
  const l = w.log;
  let acks = 0;
  let commits = 0;
  for (let i = 0; i < l.length; i++) {
    if (l.time[i] < from) continue;
    if (l.kind[i] === Obs.Ack) acks++;
    else if (l.kind[i] === Obs.Commit) commits++;
  }
  return { acks, commits };
}

describe("kafka-controller: a zombie controller's unfenced write (KAFKA-6082) breaks liveness", () => {
  it("before 2.1: its write lands, its own broker follows it, and a replica disagrees with the leader for good", () => {
    const { w, zombie, pausedAt, state, controllerEpoch, zombieFollows } = scenario(false);
    expect(pausedAt).toBeGreaterThan(CRASH_AT + 18_000); // after broker 0's session expired
    // A newer controller exists, yet p's state was last written by controller epoch 1: the zombie's write.
    expect(controllerEpoch).toBe(2);
    expect(state).toEqual({ leader: 2, leader_epoch: 1, isr: [2, 1], controller_epoch: 1 });
    // Broker 0 leads p in leader epoch 0, as the new controller said; the zombie follows broker 2 in epoch 1.
    expect(leadersNow(w)[0]).toBe(0);
    expect(zombieFollows.at(-1)).toEqual([2, 1]);
    // The checker's end state, 100 s after the resume (the quiet period is 51 s): a disagreeing replica.
    const end = judge(recordOf(w)).end;
    expect(end.disagreeingReplicas + end.partitionsWithSeveralLeaders).toBeGreaterThan(0);
    expect(zombie).toBe(1);
  });

  it("before 2.1, observed: the leader's ISR update fails on the zkVersion the zombie moved on, so its high watermark never moves again (acks=all writes are never acknowledged)", () => {
    // 10 writes/s to p; the last 50 s of the run (long after every fault).
    const w = scenario(false, "all", 10).w;
    expect(leadersNow(w)[0]).toBe(0);
    expect(broker(w, 0)?.rm.isrConflicts).toBeGreaterThan(0); // "Cached zkVersion not equal to that in zookeeper, skip updating ISR"
    expect(progress(w, END - 50_000)).toEqual({ acks: 0, commits: 0 });
    const fixed = progress(scenario(true, "all", 10).w, END - 50_000);
    expect(fixed.acks).toBeGreaterThan(400);
    expect(fixed.commits).toBeGreaterThan(400);
  });

  it("2.1+: the zombie's write fails the epoch check, it resigns, and every replica follows the one leader", () => {
    const { w, state, controllerEpoch, zombieFollows } = scenario(true);
    expect(controllerEpoch).toBe(2);
    expect(state).toEqual({ leader: 0, leader_epoch: 0, isr: [0, 2, 1], controller_epoch: 1 });
    expect(zombieFollows.at(-1)).toEqual([0, 0]);
    const end = judge(recordOf(w)).end;
    expect(end.partitionsWithOneLeader).toBe(1);
    expect(end.disagreeingReplicas).toBe(0);
    expect(end.partitionsWithSeveralLeaders).toBe(0);
  });
});
