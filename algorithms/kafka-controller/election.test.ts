/**
 * Kafka's leader election rules (PartitionLeaderElectionAlgorithms, Election.scala), case by case,
 * as Kafka's own PartitionLeaderElectionAlgorithmsTest and the docs describe them.
 */
import { describe, expect, it } from "vitest";
import {
  controlledShutdownPartitionLeaderElection,
  isrAfterControlledShutdownElection,
  isrAfterOfflineElection,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  reassignPartitionLeaderElection,
  removeReplicaFromIsr,
} from "./election.ts";

describe("offlinePartitionLeaderElection", () => {
  it("picks the first replica in assignment order that is live and in the ISR", () => {
    expect(offlinePartitionLeaderElection([2, 4, 3], [4, 2, 3], new Set([2, 3, 4]), false)).toBe(2);
    expect(offlinePartitionLeaderElection([2, 4, 3], [4, 3], new Set([2, 3, 4]), false)).toBe(4);
  });

  it("skips a live replica that is not in the ISR, and an ISR member that is not live", () => {
    // 2 is live but out of sync; 4 is in sync but dead: 3 is the only clean choice.
    expect(offlinePartitionLeaderElection([2, 4, 3], [4, 3], new Set([2, 3]), false)).toBe(3);
  });

  it("with unclean election off, elects nobody when no ISR member is live", () => {
    expect(offlinePartitionLeaderElection([2, 4, 3], [4], new Set([2, 3]), false)).toBeUndefined();
  });

  it("with unclean election on, falls back to the first live replica (assignment order)", () => {
    expect(offlinePartitionLeaderElection([2, 4, 3], [4], new Set([3, 2]), true)).toBe(2);
    expect(offlinePartitionLeaderElection([2, 4, 3], [4], new Set([3]), true)).toBe(3);
  });

  it("prefers a clean leader even when unclean election is on", () => {
    expect(offlinePartitionLeaderElection([2, 4, 3], [3], new Set([2, 3]), true)).toBe(3);
  });

  it("elects nobody when no replica is live, clean or unclean", () => {
    expect(offlinePartitionLeaderElection([2, 4, 3], [2, 4, 3], new Set<number>(), false)).toBeUndefined();
    expect(offlinePartitionLeaderElection([2, 4, 3], [2, 4, 3], new Set<number>(), true)).toBeUndefined();
  });

  it("keeps the live ISR members after a clean election, only the leader after an unclean one", () => {
    expect(isrAfterOfflineElection(4, [4, 2, 3], new Set([3, 4]))).toEqual([4, 3]);
    expect(isrAfterOfflineElection(2, [4], new Set([2, 3]))).toEqual([2]);
  });
});

describe("reassignPartitionLeaderElection", () => {
  it("picks the first target replica that is live and in the ISR", () => {
    expect(reassignPartitionLeaderElection([5, 6, 7], [7, 6, 1], new Set([5, 6, 7]))).toBe(6);
  });

  it("elects nobody when no target replica is both live and in sync", () => {
    expect(reassignPartitionLeaderElection([5, 6], [1, 2, 5], new Set([6]))).toBeUndefined();
  });
});

describe("preferredReplicaPartitionLeaderElection", () => {
  it("elects the preferred (first) replica when it is live and in the ISR", () => {
    expect(preferredReplicaPartitionLeaderElection([1, 2, 3], [2, 3, 1], new Set([1, 2, 3]))).toBe(1);
  });

  it("elects nobody (and never the second replica) when the preferred one is out of the ISR", () => {
    expect(preferredReplicaPartitionLeaderElection([1, 2, 3], [2, 3], new Set([1, 2, 3]))).toBeUndefined();
  });

  it("elects nobody when the preferred replica is dead", () => {
    expect(preferredReplicaPartitionLeaderElection([1, 2, 3], [1, 2, 3], new Set([2, 3]))).toBeUndefined();
  });

  it("elects nobody for an empty assignment", () => {
    expect(preferredReplicaPartitionLeaderElection([], [], new Set([1]))).toBeUndefined();
  });
});

describe("controlledShutdownPartitionLeaderElection", () => {
  it("picks the first live ISR member that is not shutting down", () => {
    expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 2, 3], new Set([1, 2, 3]), new Set([1]))).toBe(2);
  });

  it("skips out-of-sync and dead replicas", () => {
    expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 3], new Set([1, 2, 3]), new Set([1]))).toBe(3);
    expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 2, 3], new Set([1, 3]), new Set([1]))).toBe(3);
  });

  it("elects nobody when every ISR member is shutting down", () => {
    expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 2], new Set([1, 2, 3]), new Set([1, 2]))).toBeUndefined();
    expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 2, 3], new Set([1, 2, 3]), new Set([1, 2, 3]))).toBeUndefined();
  });

  it("removes the shutting-down brokers from the ISR", () => {
    expect(isrAfterControlledShutdownElection([1, 2, 3], new Set([1, 3]))).toEqual([2]);
  });
});

describe("OfflineReplica: removeReplicaFromIsr", () => {
  it("drops a follower from the ISR and keeps the leader", () => {
    expect(removeReplicaFromIsr(1, [1, 2, 3], 2)).toEqual({ leader: 1, isr: [1, 3] });
  });

  it("keeps a one-member ISR as it is, and leaves no leader when the leader went", () => {
    expect(removeReplicaFromIsr(1, [1], 1)).toEqual({ leader: -1, isr: [1] });
  });

  it("accepts arrays as live sets too", () => {
    expect(offlinePartitionLeaderElection([2, 4, 3], [4, 3], [3, 4], false)).toBe(4);
    expect(controlledShutdownPartitionLeaderElection(Int32Array.of(1, 2, 3), [1, 2, 3], [1, 2, 3], [1])).toBe(2);
  });
});
