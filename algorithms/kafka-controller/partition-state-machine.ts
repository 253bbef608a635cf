/**
 * PartitionStateMachine (Kafka 2.x kafka.controller.PartitionStateMachine) and the state znode
 * writes of KafkaZkClient: how the controller changes partitions' leader and ISR.
 *
 * Every state change reads the state znodes it is about to change (doElectLeaderForPartitions and
 * removeReplicasFromIsr read them from ZooKeeper first), skips partitions a newer controller wrote,
 * lets the caller compute the new leader and ISR (the rules of election.ts), and writes them
 * conditionally on the znode version it read (updateLeaderAndIsr); a version conflict is retried
 * with a fresh read. With controllerEpochCheck each write is a multi with a check op on
 * /controller_epoch's zkVersion (KAFKA-6082); a failed check fences this controller.
 *
 * Topic creation is modelled by the first controller finding no state znodes and creating them
 * (NewPartition -> OnlinePartition: leader = first live replica, ISR = live replicas).
 */
import type { ZkOp } from "../../src/elector/api.ts";
import { NEW, NO_STATE, OFFLINE, ONLINE, type ControllerContext } from "./controller-context.ts";
import { isrAfterOfflineElection, offlinePartitionLeaderElection } from "./election.ts";
import { ReplicaStateMachine } from "./replica-state-machine.ts";
import type { ControllerRequests } from "./request-batch.ts";
import { runSteps } from "./steps.ts";
import { isrIds, isrMask, partitionPath, partitionsPath, statePath, topicPath, type PartitionStateData } from "./zk-paths.ts";
import { KRULE } from "./rules.ts";

export class PartitionStateMachine {
  constructor(
    private readonly cc: ControllerContext,
    private readonly requests: ControllerRequests,
  ) {}

  /** Reads state znodes into the cache; a missing znode leaves the partition without state. */
  readStates(parts: readonly number[], done: () => void): void {
    const cc = this.cc;
    const c = cc.ctx.cluster;
    cc.pipe(
      parts.length,
      cc.readInFlight,
      (i, tag) => {
        cc.counters.stateReads++;
        cc.ctx.zk.getData(statePath(c, parts[i]), false, tag);
      },
      (i, r) => {
        const p = parts[i];
        if (r.err === "ok" && r.stat !== undefined) {
          const d = r.data as PartitionStateData;
          cc.cLeader[p] = d.leader;
          cc.cEpoch[p] = d.leader_epoch;
          cc.cIsr[p] = isrMask(c.assignment, p * cc.rf, cc.rf, d.isr);
          cc.cCtrlEpoch[p] = d.controller_epoch;
          cc.cVersion[p] = r.stat.version;
          if (cc.cState[p] === NO_STATE || cc.cState[p] === NEW) cc.cState[p] = ONLINE;
        } else if (r.err === "NoNode") {
          cc.cState[p] = NO_STATE;
        }
      },
      done,
    );
  }

  /**
   * The state change engine: reads the partitions' state, lets `compute` set nLeader/nIsr
   * (returning whether to write), writes conditionally and retries conflicts with a fresh read.
   * `done` gets the written partitions.
   */
  changeStates(parts: readonly number[], compute: (p: number) => boolean, done: (written: number[]) => void): void {
    const cc = this.cc;
    const written: number[] = [];
    const round = (todo: readonly number[]): void => {
      this.readStates(todo, () => {
        const writes: number[] = [];
        for (const p of todo) {
          if (cc.cState[p] === NO_STATE || cc.cState[p] === NEW) continue;
          // Rule (doElectLeaderForPartitions): a state written by a newer controller is not ours to change.
          if (cc.cCtrlEpoch[p] > cc.epoch) continue;
          if (compute(p)) writes.push(p);
        }
        this.writeStates(writes, (ok, retry) => {
          for (const p of ok) written.push(p);
          if (retry.length > 0) round(retry);
          else done(written);
        });
      });
    };
    round(parts);
  }

  private stateData(p: number): PartitionStateData {
    const cc = this.cc;
    return {
      leader: cc.nLeader[p],
      leader_epoch: cc.cEpoch[p] + 1,
      isr: isrIds(cc.ctx.cluster.assignment, p * cc.rf, cc.rf, cc.nIsr[p]),
      controller_epoch: cc.epoch,
    };
  }

  /** The write was applied: the cache takes the new state (leader epoch and znode version + 1). */
  private applyWritten(p: number): void {
    const cc = this.cc;
    cc.counters.stateWritesApplied++;
    cc.cLeader[p] = cc.nLeader[p];
    cc.cEpoch[p] = cc.cEpoch[p] + 1;
    cc.cIsr[p] = cc.nIsr[p];
    cc.cVersion[p] = cc.cVersion[p] + 1;
    cc.cCtrlEpoch[p] = cc.epoch;
    cc.cState[p] = cc.cLeader[p] >= 0 && cc.live[cc.cLeader[p]] === 1 ? ONLINE : OFFLINE;
  }

  /** Conditional writes of nLeader/nIsr (stateWrites: sequential, pipelined or multi). */
  private writeStates(parts: readonly number[], done: (ok: number[], retry: number[]) => void): void {
    const cc = this.cc;
    const ok: number[] = [];
    const retry: number[] = [];
    const c = cc.ctx.cluster;
    const check = cc.o.controllerEpochCheck;
    if (cc.o.stateWrites === "multi") {
      const size = Math.max(1, cc.o.multiBatchSize);
      const chunks = Math.ceil(parts.length / size);
      cc.pipe(
        chunks,
        cc.readInFlight,
        (k, tag) => {
          const ops: ZkOp[] = check ? [cc.checkOp()] : [];
          for (let i = k * size; i < Math.min(parts.length, (k + 1) * size); i++) {
            const p = parts[i];
            ops.push({ op: "setData", path: statePath(c, p), data: this.stateData(p), version: cc.cVersion[p] });
          }
          cc.counters.stateWrites += ops.length - (check ? 1 : 0);
          cc.ctx.zk.multi(ops, tag);
        },
        (k, r) => {
          const end = Math.min(parts.length, (k + 1) * size);
          if (r.err === "ok") {
            for (let i = k * size; i < end; i++) {
              this.applyWritten(parts[i]);
              ok.push(parts[i]);
            }
          } else if (cc.epochCheckFailed(r)) cc.fence();
          else {
            cc.ctx.observer.rule?.(KRULE.stateWriteConflict);
            cc.counters.stateWriteConflicts++;
            for (let i = k * size; i < end; i++) retry.push(parts[i]);
          }
        },
        () => {
          if (!cc.fenced) done(ok, retry);
        },
      );
      return;
    }
    cc.pipe(
      parts.length,
      cc.readInFlight,
      (i, tag) => {
        const p = parts[i];
        cc.counters.stateWrites++;
        if (check) {
          cc.ctx.zk.multi([cc.checkOp(), { op: "setData", path: statePath(c, p), data: this.stateData(p), version: cc.cVersion[p] }], tag);
        } else cc.ctx.zk.setData(statePath(c, p), this.stateData(p), cc.cVersion[p], tag);
      },
      (i, r) => {
        const p = parts[i];
        if (r.err === "ok") {
          this.applyWritten(p);
          ok.push(p);
        } else if (cc.epochCheckFailed(r)) cc.fence();
        else if (r.err === "BadVersion") {
          cc.ctx.observer.rule?.(KRULE.stateWriteConflict);
          cc.counters.stateWriteConflicts++;
          retry.push(p);
        }
        // NoNode: the partition's state vanished; nothing to do.
      },
      () => {
        if (!cc.fenced) done(ok, retry);
      },
    );
  }

  /**
   * triggerOnlinePartitionStateChange: new partitions get their state znodes created, offline ones
   * an offline election; the replicas of `dead` brokers leave the ISR in the same write
   * (ReplicaStateMachine's OfflineReplica), and `extra` partitions join that pass (see onBrokerFailure).
   */
  triggerOnlinePartitionStateChange(dead: readonly number[], done: () => void, extra: readonly number[] = []): void {
    const cc = this.cc;
    const created: number[] = [];
    const offline: number[] = [];
    const mark = cc.mark;
    for (const p of extra) mark[p] = 1;
    for (let p = 0; p < cc.P; p++) {
      const s = cc.cState[p];
      if (s === NEW) created.push(p);
      else if (s === OFFLINE || mark[p] === 1) offline.push(p);
    }
    for (const p of extra) mark[p] = 0;
    runSteps(
      [
        // 1. NewPartition -> OnlinePartition.
        (next) => this.createPartitions(created, next),
        // 2. OfflinePartition -> OnlinePartition, and dead replicas -> OfflineReplica.
        (next) => {
          if (offline.length === 0 && dead.length === 0) {
            next();
            return;
          }
          const liveSet = cc.liveNotShuttingDown();
          const deadSet = new Set(dead);
          this.changeStates(
            offline,
            (p) => this.offlineElection(p, liveSet, deadSet),
            (written) => {
              this.requests.announce(written);
              next();
            },
          );
        },
      ],
      done,
    );
  }

  /** OfflinePartitionLeaderElection when the leader is gone, then the dead replicas leave the ISR. */
  private offlineElection(p: number, liveSet: ReadonlySet<number>, deadSet: ReadonlySet<number>): boolean {
    const cc = this.cc;
    const a = cc.assignmentOf(p);
    const state = { leader: cc.cLeader[p], isr: cc.isrOf(p) };
    let changed = false;
    if (state.leader < 0 || cc.live[state.leader] === 0) {
      cc.counters.elections++;
      const l = offlinePartitionLeaderElection(a, state.isr, liveSet, cc.o.uncleanLeaderElectionEnable);
      cc.ctx.observer.rule?.(l === undefined ? KRULE.noLeader : state.isr.includes(l) ? KRULE.cleanElection : KRULE.uncleanElection);
      if (l !== undefined) {
        state.isr = isrAfterOfflineElection(l, state.isr, liveSet);
        state.leader = l;
        changed = true;
      } else cc.counters.failedElections++;
    }
    if (ReplicaStateMachine.removeDeadFromIsr(a, deadSet, state)) changed = true;
    if (!changed) return false;
    cc.nLeader[p] = state.leader;
    cc.nIsr[p] = isrMask(cc.ctx.cluster.assignment, p * cc.rf, cc.rf, state.isr);
    return true;
  }

  /**
   * NewPartition -> OnlinePartition (initializeLeaderAndIsrForPartitions): leader = the first live
   * replica, ISR = the live replicas, leader epoch 0; creates the topic, partition and state znodes.
   *
   * Topic creation stands for topics that existed before the experiment: partition and state znodes
   * are created in multis of multiBatchSize partitions whatever stateWrites says (Kafka pipelines one
   * create per znode), so that a 100k-partition cluster is up in seconds of simulated time. A chunk
   * that fails (a znode already there) falls back to one partition at a time.
   */
  private createPartitions(parts: readonly number[], done: () => void): void {
    const cc = this.cc;
    const c = cc.ctx.cluster;
    const zk = cc.ctx.zk;
    const eligible = parts.filter((p) => cc.assignmentOf(p).some((b) => cc.live[b] === 1 && cc.shuttingDown[b] === 0));
    if (eligible.length === 0) {
      done();
      return;
    }
    const topics = Array.from(new Set(eligible.map((p) => c.topicOf(p))));
    const paths = topics.flatMap((t) => [topicPath(t), partitionsPath(t)]);
    const ignore = (): void => {};
    const check = cc.o.controllerEpochCheck;
    const created: number[] = [];
    const lost: number[] = [];
    const fallback: number[] = [];
    const initial = (p: number): PartitionStateData => {
      const live = Array.from(cc.assignmentOf(p)).filter((b) => cc.live[b] === 1 && cc.shuttingDown[b] === 0);
      cc.nLeader[p] = live[0];
      cc.nIsr[p] = isrMask(c.assignment, p * cc.rf, cc.rf, live);
      return { leader: live[0], leader_epoch: 0, isr: live, controller_epoch: cc.epoch };
    };
    const onCreated = (p: number): void => {
      cc.cEpoch[p] = -1; // applyWritten adds one: epoch 0
      cc.cVersion[p] = -1; // version 0
      this.applyWritten(p);
      created.push(p);
    };
    const size = Math.max(1, cc.o.multiBatchSize);
    runSteps(
      [
        // 1. Structural znodes first (creates that find the node are fine), in order.
        (next) => cc.pipe(paths.length, 1, (i, tag) => zk.create(paths[i], null, "persistent", tag), ignore, next),
        // 2. Partition and state znodes in multis of multiBatchSize partitions.
        (next) =>
          cc.pipe(
            Math.ceil(eligible.length / size),
            Math.max(1, cc.o.zkMaxInFlightRequests),
            (k, tag) => {
              const ops: ZkOp[] = check ? [cc.checkOp()] : [];
              for (let i = k * size; i < Math.min(eligible.length, (k + 1) * size); i++) {
                const p = eligible[i];
                ops.push({ op: "create", path: partitionPath(c, p), data: null, mode: "persistent" });
                ops.push({ op: "create", path: statePath(c, p), data: initial(p), mode: "persistent" });
              }
              cc.counters.stateWrites += (ops.length - (check ? 1 : 0)) / 2;
              zk.multi(ops, tag);
            },
            (k, r) => {
              const end = Math.min(eligible.length, (k + 1) * size);
              if (r.err === "ok") for (let i = k * size; i < end; i++) onCreated(eligible[i]);
              else if (cc.epochCheckFailed(r)) cc.fence();
              else for (let i = k * size; i < end; i++) fallback.push(eligible[i]);
            },
            () => {
              if (!cc.fenced) next();
            },
          ),
        // 3. Failed chunks one partition at a time: the partition znodes...
        (next) => {
          if (fallback.length === 0) next();
          else cc.pipe(fallback.length, cc.readInFlight, (i, tag) => zk.create(partitionPath(c, fallback[i]), null, "persistent", tag), ignore, next);
        },
        // 4. ... then their state znodes (one found there was created by someone else).
        (next) => {
          if (fallback.length === 0) {
            next();
            return;
          }
          cc.pipe(
            fallback.length,
            cc.readInFlight,
            (i, tag) => {
              const p = fallback[i];
              const data = initial(p);
              cc.counters.stateWrites++;
              if (check) zk.multi([cc.checkOp(), { op: "create", path: statePath(c, p), data, mode: "persistent" }], tag);
              else zk.create(statePath(c, p), data, "persistent", tag);
            },
            (i, r) => {
              const p = fallback[i];
              if (r.err === "ok") onCreated(p);
              else if (cc.epochCheckFailed(r)) cc.fence();
              else lost.push(p);
            },
            next,
          );
        },
        // 5. Tell the brokers; learn the state of partitions created by someone else meanwhile.
        (next) => {
          if (cc.fenced) return;
          this.requests.announce(created);
          if (lost.length > 0) this.readStates(lost, next);
          else next();
        },
      ],
      done,
    );
  }
}
