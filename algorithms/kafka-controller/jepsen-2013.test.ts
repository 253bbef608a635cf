/**
 * Jepsen's 2013 Kafka result (Kyle Kingsbury, "Jepsen: Kafka"), reproduced in the lab's world:
 * with acks=all and min.insync.replicas=1, a leader whose followers fall out of the ISR acknowledges
 * on its own word; lose that leader and elect an out-of-sync replica (unclean leader election, the
 * default before Kafka 0.11) and the acknowledged writes are gone — the old leader truncates them by
 * leader epoch when it returns. With unclean election off the same schedule loses nothing but leaves
 * the partition without a leader until the old leader returns (a liveness finding, not loss). With
 * min.insync.replicas=2 the shrunk leader refuses writes instead, and nothing acknowledged is lost.
 *
 * Schedule (3 brokers, one partition on brokers 0 and 1, broker 1 the controller, 10 writes/s):
 * 5 s the leader (0) and its follower (1) are cut from each other; the leader drops the follower
 * from the ISR at the first isr-expiration check 30 s later (45 s, replica.lag.time.max.ms); 60 s the
 * leader crashes and the cut heals; its session expires at 78 s (zookeeper.session.timeout.ms); 100 s
 * it restarts. Judged by the lab's checker from the client history and the declared replica state.
 */
import { describe, expect, it } from "vitest";
import { Obs } from "../../src/record/observation-log.ts";
import { currentController, leadersNow } from "../../src/testing/world-bench.ts";
import type { World } from "../../src/world/world.ts";
import { kafkaController } from "./index.ts";
import { decodeOptions } from "./options.ts";
import { countOn, kafkaWorld, verdict } from "./test-util.ts";
import { statePath, type PartitionStateData } from "./zk-paths.ts";

const CUT = 5_000;
const SHRINK = 45_000;
const CRASH = 60_000;
const RESTART = 100_000;
const END = 160_000;

interface Run {
  readonly w: World;
  readonly isrBeforeCrash: readonly number[];
  /** Leader of the partition just before the restart (-1: none). */
  readonly leaderWhileDown: number;
  readonly controller: number;
}

function run(minInsyncReplicas: number, uncleanLeaderElectionEnable: boolean): Run {
  const w = kafkaWorld({
    seed: 1,
    durationMs: END,
    cluster: { brokers: 3, partitions: 1, replicationFactor: 2, startIndex: 0, nextReplicaShift: 0 },
    options: { acks: "all", minInsyncReplicas, uncleanLeaderElectionEnable },
    workload: { partitions: 1, writesPerSecond: 10, startMs: 2_000 },
    faults: [
      { at: CUT, type: "cut", from: 0, to: 1, bothWays: true },
      { at: CRASH, type: "crash", host: 0 },
      { at: CRASH, type: "heal" },
      { at: RESTART, type: "restart", host: 0 },
    ],
  });
  w.kernel.runUntil(CRASH - 1);
  const isrBeforeCrash = (w.coordinator.tree.get(statePath(w.cluster, 0))?.data as PartitionStateData).isr;
  const controller = currentController(w);
  w.kernel.runUntil(RESTART - 1);
  const leaderWhileDown = leadersNow(w)[0];
  w.kernel.runUntil(END);
  return { w, isrBeforeCrash, leaderWhileDown, controller };
}

/** Acknowledgements by `host` of writes to partition 0 in [from, to). */
function acksBy(w: World, host: number, from: number, to: number): number[] {
  const l = w.log;
  const out: number[] = [];
  for (let i = 0; i < l.length; i++) if (l.kind[i] === Obs.Ack && l.host[i] === host && l.time[i] >= from && l.time[i] < to) out.push(l.b[i]);
  return out;
}

describe("kafka-controller: Jepsen 2013 (acks=all, the ISR shrunk to the leader, the leader lost)", () => {
  it("min.insync.replicas=1 with unclean election (before 0.11): the writes the lone leader acknowledged are lost", () => {
    const { w, isrBeforeCrash, leaderWhileDown, controller } = run(1, true);
    expect(controller).toBe(1);
    expect(isrBeforeCrash).toEqual([0]); // the follower was dropped; the leader acknowledges alone
    const alone = acksBy(w, 0, SHRINK, CRASH);
    expect(alone.length).toBeGreaterThan(100);
    expect(leaderWhileDown).toBe(1); // the out-of-sync replica was elected
    expect(countOn(w, Obs.Truncate, 0, RESTART)).toBe(1); // the old leader truncated by leader epoch on its return
    const { data } = verdict(w);
    // Nearly all of them (an ok still on the wire at the crash never reached its client).
    expect(data.lostWrites.count).toBeGreaterThanOrEqual(alone.length - 5);
    const ackedByLoneLeader = new Set(acksBy(w, 0, CUT, CRASH));
    const lost = data.findings.filter((f) => f.grade === "lost-write");
    expect(lost.length).toBeGreaterThan(0);
    for (const f of lost) {
      expect(f.acknowledgedBy).toBe(0);
      expect(ackedByLoneLeader.has(f.writeId)).toBe(true);
    }
    expect(kafkaController.claims(decodeOptions({ acks: "all", minInsyncReplicas: 1, uncleanLeaderElectionEnable: true }))).toMatchObject({
      noLostAcknowledgedWrites: false,
      noDivergence: false,
    });
  });

  it("min.insync.replicas=1 with unclean election off (0.11+): nothing is lost, the partition has no leader until the old one returns", () => {
    const { w, isrBeforeCrash, leaderWhileDown } = run(1, false);
    expect(isrBeforeCrash).toEqual([0]);
    expect(acksBy(w, 0, SHRINK, CRASH).length).toBeGreaterThan(100);
    expect(leaderWhileDown).toBe(-1);
    // Unavailable: nobody acknowledges while the only ISR member is down, ...
    expect(countOn(w, Obs.Ack, 0, CRASH, RESTART)).toBe(0);
    // ... then the returned leader is elected again (clean: it is the ISR) and nothing is lost.
    expect(leadersNow(w)[0]).toBe(0);
    expect(countOn(w, Obs.Ack, 0, RESTART, END)).toBeGreaterThan(100);
    const { data, clientAvailability } = verdict(w);
    expect(data.lostWrites.count).toBe(0);
    expect(data.divergence.count).toBe(0);
    // The clients saw the outage: one window of at least the 40 s the leader was down.
    expect(clientAvailability.maxMs).toBeGreaterThanOrEqual(RESTART - CRASH);
  });

  for (const unclean of [true, false]) {
    it(`min.insync.replicas=2 (unclean election ${unclean ? "on" : "off"}): the shrunk leader refuses writes; nothing acknowledged is lost`, () => {
      const { w, isrBeforeCrash } = run(2, unclean);
      expect(isrBeforeCrash).toEqual([0]);
      expect(acksBy(w, 0, CUT, CRASH)).toEqual([]); // nothing acknowledged once the follower was cut
      expect(countOn(w, Obs.Reject, 0, SHRINK, CRASH)).toBeGreaterThan(100); // NOT_ENOUGH_REPLICAS
      expect(countOn(w, Obs.Ack, 0, RESTART, END)).toBeGreaterThan(100); // and writes are acknowledged again later
      expect(verdict(w).data.lostWrites.count).toBe(0);
    });
  }
});
