/**
 * ReplicaStateMachine (Kafka 2.x kafka.controller.ReplicaStateMachine): the replica side of the
 * controller's state changes.
 *  - OnlineReplica at startup and when a broker (re)starts: every live replica of a partition with
 *    state gets a LeaderAndIsr (ReplicaStateMachine.startup, onBrokerStartup).
 *  - OfflineReplica (doRemoveReplicasFromIsr): a dead or shutting-down replica leaves the ISR, by the
 *    rule of election.ts's removeReplicaFromIsr; the partition state machine writes the result.
 */
import { removeReplicaFromIsr } from "./election.ts";
import { NEW, type ControllerContext } from "./controller-context.ts";
import type { RequestBatch } from "./request-batch.ts";
import { isrMask } from "./zk-paths.ts";

export class ReplicaStateMachine {
  constructor(private readonly cc: ControllerContext) {}

  /** ReplicaStateMachine.startup: LeaderAndIsr for every live replica of every partition with state. */
  startup(batch: RequestBatch): void {
    const cc = this.cc;
    for (let p = 0; p < cc.P; p++) {
      if (cc.cState[p] === NEW) continue;
      const a = cc.assignmentOf(p);
      for (let j = 0; j < a.length; j++) if (cc.live[a[j]] === 1) batch.add(a[j], p);
    }
  }

  /** onBrokerStartup's OnlineReplica transition: LeaderAndIsr for the new brokers' replicas. */
  brokersOnline(born: readonly number[], batch: RequestBatch): void {
    const cc = this.cc;
    for (const b of born) {
      for (const p of cc.ctx.cluster.partitionsOf(b)) {
        if (cc.hasState(p)) batch.add(b, p);
      }
    }
  }

  /**
   * OfflineReplica for the replicas of `dead` brokers, applied to a partition's (leader, isr) after
   * its election: each dead replica leaves the ISR. Returns whether anything changed.
   */
  static removeDeadFromIsr(a: ArrayLike<number>, dead: ReadonlySet<number>, state: { leader: number; isr: number[] }): boolean {
    let changed = false;
    for (let j = 0; j < a.length; j++) {
      if (!dead.has(a[j]) || !state.isr.includes(a[j])) continue;
      const r = removeReplicaFromIsr(state.leader, state.isr, a[j]);
      state.leader = r.leader;
      state.isr = r.isr;
      changed = true;
    }
    return changed;
  }

  /**
   * OfflineReplica for one replica (a broker shutting down leaves the ISRs it is in): sets the
   * state to write (nLeader, nIsr); false if the replica is not in the ISR.
   */
  leaveIsr(p: number, replica: number): boolean {
    const cc = this.cc;
    const isr = cc.isrOf(p);
    if (!isr.includes(replica)) return false;
    const r = removeReplicaFromIsr(cc.cLeader[p], isr, replica);
    cc.nLeader[p] = r.leader;
    cc.nIsr[p] = isrMask(cc.ctx.cluster.assignment, p * cc.rf, cc.rf, r.isr);
    return true;
  }
}
