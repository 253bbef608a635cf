/**
 * Preferred-replica leader rebalance (Kafka 2.x KafkaController.checkAndTriggerAutoLeaderRebalance
 * and onPreferredReplicaElection): a broker whose preferred partitions are led elsewhere above
 * leader.imbalance.per.broker.percentage gets preferred-replica elections (election.ts) for those
 * whose preferred replica is live and in the ISR; the ISR is kept. The broker schedules the check
 * (5 s after failover, then every leader.imbalance.check.interval.seconds).
 */
import type { ControllerContext } from "./controller-context.ts";
import { preferredReplicaPartitionLeaderElection } from "./election.ts";
import type { PartitionStateMachine } from "./partition-state-machine.ts";
import type { ControllerRequests } from "./request-batch.ts";

/** checkAndTriggerAutoLeaderRebalance: the partitions to move back to their preferred replica. */
export function imbalancedPartitions(cc: ControllerContext): number[] {
  const total = new Int32Array(cc.B);
  const elsewhere = new Int32Array(cc.B);
  const assignment = cc.ctx.cluster.assignment;
  for (let p = 0; p < cc.P; p++) {
    if (!cc.hasState(p)) continue;
    const pref = assignment[p * cc.rf];
    total[pref]++;
    if (cc.cLeader[p] !== pref) elsewhere[pref]++;
  }
  const threshold = cc.o.leaderImbalancePerBrokerPercentage / 100;
  const liveSet = cc.liveNotShuttingDown();
  const candidates: number[] = [];
  for (let p = 0; p < cc.P; p++) {
    if (!cc.hasState(p)) continue;
    const pref = assignment[p * cc.rf];
    if (cc.cLeader[p] === pref || total[pref] === 0 || elsewhere[pref] / total[pref] <= threshold) continue;
    // canPreferredReplicaBeLeader, on the cached ISR.
    if (preferredReplicaPartitionLeaderElection(cc.assignmentOf(p), cc.isrOf(p), liveSet) !== undefined) candidates.push(p);
  }
  return candidates;
}

/** PreferredReplicaPartitionLeaderElectionStrategy for `parts`; the ISR is kept. */
export function preferredReplicaElection(
  cc: ControllerContext,
  psm: PartitionStateMachine,
  requests: ControllerRequests,
  parts: readonly number[],
  done: () => void,
): void {
  if (parts.length === 0) {
    done();
    return;
  }
  const liveSet = cc.liveNotShuttingDown();
  psm.changeStates(
    parts,
    (p) => {
      const isr = cc.isrOf(p);
      cc.counters.elections++;
      const l = preferredReplicaPartitionLeaderElection(cc.assignmentOf(p), isr, liveSet);
      if (l === undefined || l === cc.cLeader[p]) return false;
      cc.nLeader[p] = l;
      cc.nIsr[p] = cc.cIsr[p];
      return true;
    },
    (written) => {
      requests.announce(written);
      done();
    },
  );
}
