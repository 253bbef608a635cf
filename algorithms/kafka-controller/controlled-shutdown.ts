/**
 * Controlled shutdown, the controller's side (Kafka 2.x KafkaController.doControlledShutdown). The
 * broker's side (ask, retry, stop) is KafkaServer.controlledShutdown in broker.ts.
 *
 * The partitions the broker leads move by the controlled-shutdown rule (election.ts: the first live
 * ISR member not shutting down; the ISR loses the shutting-down brokers); on the partitions it
 * follows it gets StopReplica and leaves the ISR (OfflineReplica). The answer says how many
 * partitions it still leads. stateWrites=sequential moves one partition per request batch (Kafka
 * 1.0); otherwise all of them in one state change each.
 */
import type { ControllerContext } from "./controller-context.ts";
import { controlledShutdownPartitionLeaderElection, isrAfterControlledShutdownElection } from "./election.ts";
import type { PartitionStateMachine } from "./partition-state-machine.ts";
import type { ReplicaStateMachine } from "./replica-state-machine.ts";
import type { ControllerRequests } from "./request-batch.ts";
import { runSteps, type Step } from "./steps.ts";
import { isrMask } from "./zk-paths.ts";

export function doControlledShutdown(
  cc: ControllerContext,
  psm: PartitionStateMachine,
  rsm: ReplicaStateMachine,
  requests: ControllerRequests,
  id: number,
  done: (ok: boolean, remaining: number) => void,
): void {
  if (cc.live[id] === 0) {
    done(false, 0);
    return;
  }
  cc.shuttingDown[id] = 1;
  const led: number[] = [];
  const followed: number[] = [];
  for (const p of cc.ctx.cluster.partitionsOf(id)) {
    if (cc.rf <= 1 || !cc.hasState(p)) continue;
    if (cc.cLeader[p] === id) led.push(p);
    else followed.push(p);
  }
  const shutting = new Set<number>();
  for (let b = 0; b < cc.B; b++) if (cc.shuttingDown[b] === 1) shutting.add(b);
  const liveSet = cc.liveSet();
  const moveLeader = (p: number): boolean => {
    const isr = cc.isrOf(p);
    cc.counters.elections++;
    const l = controlledShutdownPartitionLeaderElection(cc.assignmentOf(p), isr, liveSet, shutting);
    if (l === undefined) {
      cc.counters.failedElections++;
      return false;
    }
    cc.nLeader[p] = l;
    cc.nIsr[p] = isrMask(cc.ctx.cluster.assignment, p * cc.rf, cc.rf, isrAfterControlledShutdownElection(isr, shutting));
    return true;
  };
  const leaveIsr = (p: number): boolean => rsm.leaveIsr(p, id);
  // Step: move the leaders of `parts` away (LeaderAndIsr to every live replica).
  const moveLeaders =
    (parts: readonly number[]): Step =>
    (next) =>
      psm.changeStates(parts, moveLeader, (written) => {
        requests.announce(written);
        next();
      });
  // Step: StopReplica to the broker for `parts`, which it then leaves the ISR of (LeaderAndIsr to the others).
  const stopFollowing =
    (parts: readonly number[]): Step =>
    (next) => {
      requests.sendStopReplica(id, parts);
      psm.changeStates(parts, leaveIsr, (written) => {
        requests.announce(written, id);
        next();
      });
    };
  const steps: Step[] =
    cc.o.stateWrites === "sequential"
      ? // Kafka 1.0: one partition at a time, each with its own state change and request batch.
        [...led.map((p) => moveLeaders([p])), ...followed.map((p) => stopFollowing([p]))]
      : [moveLeaders(led), stopFollowing(followed)];
  runSteps(steps, () => {
    let remaining = 0;
    for (const p of cc.ctx.cluster.partitionsOf(id)) if (cc.cLeader[p] === id && cc.rf > 1) remaining++;
    done(true, remaining);
  });
}
