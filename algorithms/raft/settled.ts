/**
 * Settled start (lab addition, issue 15): a Raft group as a quiet start leaves it, built directly.
 *
 * After a quiet start each group's leader L won term T (§5.2; T = 1 unless a split vote came
 * first): every replica is in term T and voted for L; L appended the empty entry of its term
 * (thesis §6.4) at index 1, every follower holds it, L committed it once a majority matched (§5.3)
 * (the followers learn that commit with the next entry: coalesced heartbeats carry none); L's progress has every follower at
 * match 1, next 2, and all of them answered. Coalesced heartbeats: every host bumped its generation
 * towards each peer once at boot (1), every peer acknowledged it, and each follower group accepted
 * its leader's assertion at that generation. Timers: a host tick, and each group's deadline drawn
 * as at boot (a fresh randomized election timeout; a leader's next heartbeat).
 * No coordinator: Raft talks to no ZooKeeper.
 *
 * Who wins is an outcome of randomized timeouts; without a given choice the preferred replica (the
 * first in the assignment) is taken to have won term 1, which spreads leadership evenly as random
 * winners would on average.
 */
import type { ClusterView, SettledChoice } from "../../src/elector/api.ts";

export interface RaftSettled {
  /**
   * Per host, in the order of its groups: each group's leader and the term it won (per-partition
   * tables given to each host as its slice, ClusterView.valuesByHost).
   */
  readonly leadersByHost: readonly Int32Array[];
  readonly termsByHost: readonly Int32Array[];
}

export function settleRaft(cluster: ClusterView, given: SettledChoice | undefined): RaftSettled {
  const choice = given ?? { leaders: cluster.preferredLeaders(), epochs: new Int32Array(cluster.partitions).fill(1) };
  for (let p = 0; p < cluster.partitions; p++) {
    if (cluster.replicaIndex(p, choice.leaders[p]) < 0) throw new Error(`raft settled start: host ${choice.leaders[p]} does not replicate partition ${p}`);
    if (choice.epochs[p] < 1) throw new Error(`raft settled start: partition ${p}: term ${choice.epochs[p]} (a leader's term is at least 1)`);
  }
  return { leadersByHost: cluster.valuesByHost(choice.leaders), termsByHost: cluster.valuesByHost(choice.epochs) };
}
