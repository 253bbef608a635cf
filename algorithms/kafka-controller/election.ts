/**
 * Kafka's partition leader election rules (ZooKeeper era), as pure functions.
 *
 * Rules taken from kafka.controller.PartitionLeaderElectionAlgorithms and kafka.controller.Election
 * (core/src/main/scala/kafka/controller/PartitionStateMachine.scala and Election.scala, Kafka 2.x).
 * Every rule searches the replica list in assignment order, so the preferred replica (the first)
 * wins whenever it qualifies. Each returns the new leader's broker id, or undefined when no replica
 * qualifies (the partition stays offline / keeps its leader).
 *
 * New ISR per rule (Election.leaderForOffline / leaderForControlledShutdown / leaderForReassign /
 * leaderForPreferredReplica): the offline election keeps the live ISR members when the new leader was
 * in the ISR, else the ISR is just the (unclean) leader; controlled shutdown removes the shutting-down
 * brokers; preferred and reassignment elections keep the ISR. Every election bumps the leader epoch
 * by one (LeaderAndIsr.newLeaderAndIsr / newLeader).
 */

export type BrokerId = number;

function has(set: ArrayLike<number> | ReadonlySet<number>, id: number): boolean {
  if ("has" in set && typeof (set as ReadonlySet<number>).has === "function") return (set as ReadonlySet<number>).has(id);
  const a = set as ArrayLike<number>;
  for (let i = 0; i < a.length; i++) if (a[i] === id) return true;
  return false;
}

/**
 * OfflinePartitionLeaderElection: the first replica (assignment order) that is live and in the ISR;
 * failing that, with unclean.leader.election.enable, the first live replica (data may be lost).
 */
export function offlinePartitionLeaderElection(
  assignment: ArrayLike<BrokerId>,
  isr: ArrayLike<BrokerId>,
  liveReplicas: ArrayLike<BrokerId> | ReadonlySet<BrokerId>,
  uncleanLeaderElectionEnabled: boolean,
): BrokerId | undefined {
  for (let i = 0; i < assignment.length; i++) {
    const id = assignment[i];
    if (has(liveReplicas, id) && has(isr, id)) return id;
  }
  if (!uncleanLeaderElectionEnabled) return undefined;
  for (let i = 0; i < assignment.length; i++) {
    const id = assignment[i];
    if (has(liveReplicas, id)) return id;
  }
  return undefined;
}

/** ReassignPartitionLeaderElection: the first replica of the target assignment that is live and in the ISR. */
export function reassignPartitionLeaderElection(
  reassignment: ArrayLike<BrokerId>,
  isr: ArrayLike<BrokerId>,
  liveReplicas: ArrayLike<BrokerId> | ReadonlySet<BrokerId>,
): BrokerId | undefined {
  for (let i = 0; i < reassignment.length; i++) {
    const id = reassignment[i];
    if (has(liveReplicas, id) && has(isr, id)) return id;
  }
  return undefined;
}

/** PreferredReplicaPartitionLeaderElection: the preferred (first) replica, only if it is live and in the ISR. */
export function preferredReplicaPartitionLeaderElection(
  assignment: ArrayLike<BrokerId>,
  isr: ArrayLike<BrokerId>,
  liveReplicas: ArrayLike<BrokerId> | ReadonlySet<BrokerId>,
): BrokerId | undefined {
  if (assignment.length === 0) return undefined;
  const id = assignment[0];
  return has(liveReplicas, id) && has(isr, id) ? id : undefined;
}

/**
 * ControlledShutdownPartitionLeaderElection: the first replica that is live, in the ISR and not
 * shutting down.
 */
export function controlledShutdownPartitionLeaderElection(
  assignment: ArrayLike<BrokerId>,
  isr: ArrayLike<BrokerId>,
  liveReplicas: ArrayLike<BrokerId> | ReadonlySet<BrokerId>,
  shuttingDownBrokers: ArrayLike<BrokerId> | ReadonlySet<BrokerId>,
): BrokerId | undefined {
  for (let i = 0; i < assignment.length; i++) {
    const id = assignment[i];
    if (has(liveReplicas, id) && has(isr, id) && !has(shuttingDownBrokers, id)) return id;
  }
  return undefined;
}

/** Election.leaderForOffline's new ISR: the live ISR members if the leader came from the ISR, else [leader]. */
export function isrAfterOfflineElection(
  leader: BrokerId,
  isr: readonly BrokerId[],
  liveReplicas: ArrayLike<BrokerId> | ReadonlySet<BrokerId>,
): BrokerId[] {
  return isr.includes(leader) ? isr.filter((r) => has(liveReplicas, r)) : [leader];
}

/** Election.leaderForControlledShutdown's new ISR: the ISR without the shutting-down brokers. */
export function isrAfterControlledShutdownElection(
  isr: readonly BrokerId[],
  shuttingDownBrokers: ArrayLike<BrokerId> | ReadonlySet<BrokerId>,
): BrokerId[] {
  return isr.filter((r) => !has(shuttingDownBrokers, r));
}

/**
 * ReplicaStateMachine's OfflineReplica transition (doRemoveReplicasFromIsr): the replica leaves the
 * ISR unless it is the only member (an ISR is never emptied); if it was the leader, the partition
 * has no leader (-1) from now on.
 */
export function removeReplicaFromIsr(
  leader: BrokerId,
  isr: readonly BrokerId[],
  replica: BrokerId,
): { leader: BrokerId; isr: BrokerId[] } {
  return {
    leader: leader === replica ? -1 : leader,
    isr: isr.length === 1 ? isr.slice() : isr.filter((r) => r !== replica),
  };
}
