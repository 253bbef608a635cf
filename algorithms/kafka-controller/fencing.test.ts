/**
 * Fencing a zombie controller (KAFKA-6082). The controller is paused (a long GC) in the middle of
 * a controlled shutdown's state writes, for longer than its ZooKeeper session. Another broker becomes
 * controller. When the zombie resumes it learns that its session expired, opens a new one, and its
 * event in progress carries on over the new session:
 *  - Kafka 2.1+ (controllerEpochCheck): each write is a multi with a check op on /controller_epoch's
 *    zkVersion; the first one fails, the zombie resigns, and no state znode is written by it;
 *  - before 2.1: its conditional setData calls succeed wherever the new controller has not yet
 *    touched the znode: state written by epoch 1 after epoch 2 began, which brokers that already
 *    follow epoch 2 refuse to act on (STALE_CONTROLLER_EPOCH).
 */
import { describe, expect, it } from "vitest";
import { Obs } from "../../src/record/observation-log.ts";
import type { World } from "../../src/world/world.ts";
import { CONTROLLER_EPOCH, statePath, type ControllerEpochData, type PartitionStateData } from "./zk-paths.ts";
import { countObs, currentController, leadersNow } from "../../src/testing/world-bench.ts";
import { broker, kafkaWorld } from "./test-util.ts";

const cluster = { brokers: 3, partitions: 3000, replicationFactor: 3 };
const SEED = 5;
const SHUTDOWN_AT = 8_000;
const PAUSE_AT = 8_200; // the controller is then writing the moved leaders (8.11 s - 8.31 s)
const PAUSE_FOR = 25_000;
const END = 45_000;

const RESUME = PAUSE_AT + PAUSE_FOR;
/** After the zombie resumed and resigned, before the shutting-down broker leaves (40.4 s). */
const CHECK_AT = RESUME + 4_000;

function leaderEpochs(w: World): Int32Array {
  const out = new Int32Array(w.cluster.partitions).fill(-1);
  for (let p = 0; p < w.cluster.partitions; p++) {
    const node = w.coordinator.tree.get(statePath(w.cluster, p));
    if (node !== undefined) out[p] = (node.data as PartitionStateData).leader_epoch;
  }
  return out;
}

/**
 * Controller writes (they bump the leader epoch; a leader's own ISR update does not) made since
 * `before` by an older controller epoch than the current one.
 */
function staleStateWrites(w: World, before: Int32Array): { stale: number; epoch: number } {
  const tree = w.coordinator.tree;
  const epochNode = tree.get(CONTROLLER_EPOCH);
  if (epochNode === undefined) throw new Error("no /controller_epoch");
  const epoch = (epochNode.data as ControllerEpochData).epoch;
  let stale = 0;
  for (let p = 0; p < w.cluster.partitions; p++) {
    const node = tree.get(statePath(w.cluster, p));
    if (node === undefined) continue;
    const d = node.data as PartitionStateData;
    if (d.leader_epoch !== before[p] && d.controller_epoch < epoch) stale++;
  }
  return { stale, epoch };
}

/** Runs to CHECK_AT, measures, then to the end. */
function scenario(controllerEpochCheck: boolean): {
  w: World;
  c: number;
  stale: number;
  epoch: number;
  refused: number;
  /**
   * Successful state writes the zombie learnt of after it resumed: the replies to its (at most 10)
   * requests ZooKeeper executed before the session expired, held during the pause, plus any new ones.
   */
  zombieWrites: number;
} {
  const probe = kafkaWorld({ seed: SEED, durationMs: 6_000, cluster });
  probe.kernel.runUntil(6_000);
  const c = currentController(probe);
  const x = (c + 1) % cluster.brokers;
  const w = kafkaWorld({
    seed: SEED,
    durationMs: END,
    cluster,
    options: { controllerEpochCheck },
    faults: [
      { at: SHUTDOWN_AT, type: "shutdown", host: x },
      { at: PAUSE_AT, type: "pause", host: c, for: PAUSE_FOR },
    ],
  });
  w.kernel.runUntil(RESUME - 1);
  const role = broker(w, c)?.controller;
  if (role === undefined) throw new Error("the paused broker should still think it is the controller");
  const appliedBefore = role.counters.stateWritesApplied;
  const before = leaderEpochs(w);
  const refusedBefore = staleRequestsRefused(w);
  w.kernel.runUntil(CHECK_AT);
  const { stale, epoch } = staleStateWrites(w, before);
  const refused = staleRequestsRefused(w) - refusedBefore;
  const zombieWrites = role.counters.stateWritesApplied - appliedBefore;
  w.kernel.runUntil(END);
  return { w, c, stale, epoch, refused, zombieWrites };
}

function staleRequestsRefused(w: World): number {
  let k = 0;
  for (let h = 0; h < cluster.brokers; h++) k += broker(w, h)?.rm.staleControllerRequests ?? 0;
  return k;
}

describe("kafka-controller: fencing a zombie controller", () => {
  it("2.1+: the resumed controller's writes fail the epoch check; it resigns having written nothing", () => {
    const { w, c, stale, epoch, refused, zombieWrites } = scenario(true);
    const resume = RESUME;
    // Another broker took over while the controller was frozen.
    const successors = w.log;
    let newController = -1;
    for (let i = 0; i < successors.length; i++) {
      if (successors.kind[i] === Obs.Controller && successors.time[i] > PAUSE_AT && successors.time[i] < resume) newController = successors.host[i];
    }
    expect(newController).not.toBe(-1);
    expect(newController).not.toBe(c);
    // The zombie resigned after resuming.
    expect(countObs(w, Obs.ControllerResigned, resume, CHECK_AT, c)).toBe(1);
    expect(epoch).toBe(2);
    expect(zombieWrites).toBeLessThanOrEqual(10); // only replies held during the pause
    expect(stale).toBe(0);
    expect(refused).toBe(0);
    expect(Array.from(leadersNow(w)).filter((l) => l < 0)).toEqual([]);
  });

  it("before 2.1: the resumed controller's stale writes land in ZooKeeper and brokers refuse its requests", () => {
    const { w, c, stale, epoch, refused, zombieWrites } = scenario(false);
    expect(epoch).toBe(2);
    expect(zombieWrites).toBeGreaterThan(10);
    expect(stale).toBeGreaterThan(0);
    expect(stale).toBeLessThanOrEqual(zombieWrites);
    // Its LeaderAndIsr/UpdateMetadata carry epoch 1: brokers that already follow epoch 2 drop them.
    expect(refused).toBeGreaterThan(0);
    // It resigns only when its current event is over (the queued Expire).
    expect(countObs(w, Obs.ControllerResigned, RESUME, CHECK_AT, c)).toBe(1);
    expect(Array.from(leadersNow(w)).filter((l) => l < 0)).toEqual([]);
  });
});
