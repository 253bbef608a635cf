/**
 * The active controller (Kafka 2.x KafkaController + PartitionStateMachine + ReplicaStateMachine +
 * ControllerChannelManager's request batch), on the one broker that won /controller.
 *
 * It caches every partition's leader, leader epoch, ISR and state znode version in typed arrays
 * sized to the cluster's partitions. Every state change reads the state znodes it is about to
 * change (PartitionStateMachine.doElectLeaderForPartitions and ReplicaStateMachine.
 * removeReplicasFromIsr read them from ZooKeeper first), skips partitions a newer controller wrote,
 * computes the new leader and ISR with the election rules of election.ts, and writes them
 * conditionally on the znode version it read; a version conflict is retried with a fresh read.
 * With controllerEpochCheck each write is a multi with a check op on /controller_epoch's zkVersion
 * (KAFKA-6082); a failed check means another controller was elected: this one resigns.
 *
 * Requests to brokers are batched per broker (ControllerBrokerRequestBatch): one LeaderAndIsr per
 * broker per state change, and an UpdateMetadata to every live broker.
 *
 * Simplified: topic creation is modelled by the first controller finding no state znodes and
 * creating them (NewPartition -> OnlinePartition: leader = first live replica, ISR = live replicas);
 * no reassignment, topic deletion, ISR-change notifications or log-dir events.
 */
import type { HostContext, HostId, ZkOp, ZkResult } from "../../src/elector/api.ts";
import {
  controlledShutdownPartitionLeaderElection,
  isrAfterControlledShutdownElection,
  isrAfterOfflineElection,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  removeReplicaFromIsr,
} from "./election.ts";
import {
  leaderAndIsrBytes,
  stopReplicaBytes,
  updateMetadataBytes,
  type LeaderAndIsrRequest,
  type StopReplicaRequest,
  type UpdateMetadataRequest,
} from "./messages.ts";
import type { KafkaControllerOptions } from "./options.ts";
import { ChannelManager } from "./channel.ts";
import type { ZkPipelines } from "./zk-pipeline.ts";
import {
  BROKER_IDS,
  CONTROLLER_EPOCH,
  ISR_CHANGE,
  TOPICS,
  type IsrChangeData,
  isrIds,
  isrMask,
  partitionPath,
  partitionsPath,
  statePath,
  topicPath,
  type PartitionStateData,
} from "./zk-paths.ts";

/** Partition states (PartitionStateMachine), plus "no state znode known". */
const NO_STATE = 0;
const NEW = 1;
const ONLINE = 2;
const OFFLINE = 3;

/** Counters a test or benchmark may read through the broker. */
export interface ControllerCounters {
  stateReads: number;
  stateWrites: number;
  /** State writes ZooKeeper applied. */
  stateWritesApplied: number;
  stateWriteConflicts: number;
  leaderAndIsrRequests: number;
  updateMetadataRequests: number;
  elections: number;
  failedElections: number;
}

export class ControllerRole {
  readonly P: number;
  private readonly rf: number;
  private readonly B: number;
  readonly live: Uint8Array;
  private readonly brokerEpoch: Float64Array;
  readonly shuttingDown: Uint8Array;

  readonly cState: Uint8Array;
  readonly cLeader: Int32Array;
  readonly cEpoch: Int32Array;
  readonly cIsr: Int32Array;
  readonly cVersion: Int32Array;
  readonly cCtrlEpoch: Int32Array;
  /** Scratch: the state being written. */
  private readonly nLeader: Int32Array;
  private readonly nIsr: Int32Array;
  private readonly mark: Uint8Array;

  private readonly readInFlight: number;
  private fenced = false;
  readonly channel: ChannelManager;
  readonly counters: ControllerCounters = {
    stateReads: 0,
    stateWrites: 0,
    stateWritesApplied: 0,
    stateWriteConflicts: 0,
    leaderAndIsrRequests: 0,
    updateMetadataRequests: 0,
    elections: 0,
    failedElections: 0,
  };

  constructor(
    private readonly ctx: HostContext,
    private readonly o: KafkaControllerOptions,
    private readonly pipes: ZkPipelines,
    /** Pipeline owner id: the broker aborts this controller's pipelines on resignation. */
    readonly owner: number,
    readonly epoch: number,
    readonly epochZkVersion: number,
    /** Called when a write's epoch check failed: another controller exists. */
    private readonly onFenced: () => void,
  ) {
    const c = ctx.cluster;
    this.P = c.partitions;
    this.rf = c.replicationFactor;
    this.B = c.brokers;
    this.live = new Uint8Array(this.B);
    this.brokerEpoch = new Float64Array(this.B).fill(-1);
    this.shuttingDown = new Uint8Array(this.B);
    this.cState = new Uint8Array(this.P);
    this.cLeader = new Int32Array(this.P).fill(-1);
    this.cEpoch = new Int32Array(this.P).fill(-1);
    this.cIsr = new Int32Array(this.P);
    this.cVersion = new Int32Array(this.P).fill(-1);
    this.cCtrlEpoch = new Int32Array(this.P);
    this.nLeader = new Int32Array(this.P);
    this.nIsr = new Int32Array(this.P);
    this.mark = new Uint8Array(this.P);
    this.readInFlight = o.stateWrites === "sequential" ? 1 : Math.max(1, o.zkMaxInFlightRequests);
    this.channel = new ChannelManager(ctx, o.controllerSocketTimeoutMs);
  }

  /** onControllerResignation: the request queues go. */
  shutdown(): void {
    this.channel.shutdown();
  }

  // ---- helpers ----

  private assignmentOf(p: number): Int32Array {
    return this.ctx.cluster.assignment.subarray(p * this.rf, (p + 1) * this.rf);
  }

  private liveIds(): number[] {
    const out: number[] = [];
    for (let b = 0; b < this.B; b++) if (this.live[b] === 1) out.push(b);
    return out;
  }

  /** isReplicaOnline without shutting-down brokers. */
  private liveNotShuttingDown(): Set<number> {
    const s = new Set<number>();
    for (let b = 0; b < this.B; b++) if (this.live[b] === 1 && this.shuttingDown[b] === 0) s.add(b);
    return s;
  }

  private liveSet(): Set<number> {
    const s = new Set<number>();
    for (let b = 0; b < this.B; b++) if (this.live[b] === 1) s.add(b);
    return s;
  }

  private isrOf(p: number): number[] {
    return isrIds(this.ctx.cluster.assignment, p * this.rf, this.rf, this.cIsr[p]);
  }

  private pipe(count: number, maxInFlight: number, issue: (i: number, tag: number) => void, result: (i: number, r: ZkResult) => void, done: () => void): void {
    this.pipes.start(this.owner, { count, maxInFlight, issue, result, done });
  }

  // ---- broker registrations ----

  /** KafkaZkClient.getAllBrokerAndEpochsInCluster: children of /brokers/ids (watched), then each one's czxid. */
  readBrokers(done: (ids: number[], epochs: number[]) => void): void {
    let names: readonly string[] = [];
    this.pipe(
      1,
      1,
      (_i, tag) => this.ctx.zk.getChildren(BROKER_IDS, true, tag),
      (_i, r) => {
        if (r.err === "ok" && r.children !== undefined) names = r.children;
      },
      () => {
        const ids = names.map(Number).filter((b) => Number.isInteger(b) && b >= 0 && b < this.B).sort((a, b) => a - b);
        const epochs = new Array<number>(ids.length).fill(-1);
        this.pipe(
          ids.length,
          this.readInFlight,
          (i, tag) => this.ctx.zk.getData(`${BROKER_IDS}/${ids[i]}`, false, tag),
          (i, r) => {
            if (r.err === "ok" && r.stat !== undefined) epochs[i] = r.stat.czxid;
          },
          () => {
            const okIds: number[] = [];
            const okEpochs: number[] = [];
            ids.forEach((b, i) => {
              if (epochs[i] >= 0) {
                okIds.push(b);
                okEpochs.push(epochs[i]);
              }
            });
            done(okIds, okEpochs);
          },
        );
      },
    );
  }

  // ---- failover ----

  /**
   * onControllerFailover: live brokers, every partition's state from ZooKeeper (reads grow with
   * partitions), UpdateMetadata to all, LeaderAndIsr for every replica (ReplicaStateMachine.startup),
   * then elections for new and offline partitions (PartitionStateMachine.startup).
   */
  failover(done: () => void): void {
    this.readBrokers((ids, epochs) => {
      ids.forEach((b, i) => {
        this.live[b] = 1;
        this.brokerEpoch[b] = epochs[i];
        this.channel.addBroker(b);
      });
      this.existingPartitions((existing) => {
        // The IsrChangeNotification handler: older notifications are superseded by the full read.
        this.drainIsrChanges(() => {});
        this.readStates(existing, () => {
          for (let p = 0; p < this.P; p++) {
            if (this.cState[p] === NO_STATE) this.cState[p] = NEW;
            else this.cState[p] = this.cLeader[p] >= 0 && this.live[this.cLeader[p]] === 1 ? ONLINE : OFFLINE;
          }
          this.sendUpdateMetadata(this.liveIds(), this.countWithState());
          const batch = new RequestBatch();
          for (let p = 0; p < this.P; p++) {
            if (this.cState[p] === NEW) continue;
            const a = this.assignmentOf(p);
            for (let j = 0; j < a.length; j++) if (this.live[a[j]] === 1) batch.add(a[j], p);
          }
          this.sendLeaderAndIsr(batch);
          this.triggerOnlinePartitionStateChange([], done);
        });
      });
    });
  }

  /**
   * initializeControllerContext: the topics under /brokers/topics, then each topic's partitions;
   * only those have state to read (a partition not there yet is new).
   */
  private existingPartitions(done: (parts: number[]) => void): void {
    const c = this.ctx.cluster;
    const topics = new Map<string, number[]>();
    for (let p = 0; p < this.P; p++) {
      const t = c.topicOf(p);
      let list = topics.get(t);
      if (list === undefined) topics.set(t, (list = []));
      list.push(p);
    }
    let present: readonly string[] = [];
    this.pipe(
      1,
      1,
      (_i, tag) => this.ctx.zk.getChildren(TOPICS, false, tag),
      (_i, r) => {
        if (r.err === "ok" && r.children !== undefined) present = r.children;
      },
      () => {
        const names = present.filter((t) => topics.has(t)).sort();
        const existing: number[] = [];
        this.pipe(
          names.length,
          this.readInFlight,
          (i, tag) => this.ctx.zk.getChildren(partitionsPath(names[i]), false, tag),
          (i, r) => {
            if (r.err !== "ok" || r.children === undefined) return;
            const have = new Set(r.children);
            for (const p of topics.get(names[i]) as number[]) if (have.has(String(c.indexInTopic(p)))) existing.push(p);
          },
          () => done(existing.sort((a, b) => a - b)),
        );
      },
    );
  }

  private countWithState(): number {
    let k = 0;
    for (let p = 0; p < this.P; p++) if (this.cState[p] === ONLINE || this.cState[p] === OFFLINE) k++;
    return k;
  }

  /** Reads state znodes into the cache; a missing znode leaves the partition without state. */
  private readStates(parts: readonly number[], done: () => void): void {
    const c = this.ctx.cluster;
    this.pipe(
      parts.length,
      this.readInFlight,
      (i, tag) => {
        this.counters.stateReads++;
        this.ctx.zk.getData(statePath(c, parts[i]), false, tag);
      },
      (i, r) => {
        const p = parts[i];
        if (r.err === "ok" && r.stat !== undefined) {
          const d = r.data as PartitionStateData;
          this.cLeader[p] = d.leader;
          this.cEpoch[p] = d.leader_epoch;
          this.cIsr[p] = isrMask(c.assignment, p * this.rf, this.rf, d.isr);
          this.cCtrlEpoch[p] = d.controller_epoch;
          this.cVersion[p] = r.stat.version;
          if (this.cState[p] === NO_STATE || this.cState[p] === NEW) this.cState[p] = ONLINE;
        } else if (r.err === "NoNode") {
          this.cState[p] = NO_STATE;
        }
      },
      done,
    );
  }

  // ---- the state change engine ----

  /**
   * Reads the partitions' state, lets `compute` set nLeader/nIsr (returning whether to write),
   * writes conditionally and retries conflicts with a fresh read. `done` gets the written partitions.
   */
  private changeStates(parts: readonly number[], compute: (p: number) => boolean, done: (written: number[]) => void): void {
    const written: number[] = [];
    const round = (todo: readonly number[]): void => {
      this.readStates(todo, () => {
        const writes: number[] = [];
        for (const p of todo) {
          if (this.cState[p] === NO_STATE || this.cState[p] === NEW) continue;
          // Rule (doElectLeaderForPartitions): a state written by a newer controller is not ours to change.
          if (this.cCtrlEpoch[p] > this.epoch) continue;
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
    return {
      leader: this.nLeader[p],
      leader_epoch: this.cEpoch[p] + 1,
      isr: isrIds(this.ctx.cluster.assignment, p * this.rf, this.rf, this.nIsr[p]),
      controller_epoch: this.epoch,
    };
  }

  private applyWritten(p: number): void {
    this.counters.stateWritesApplied++;
    this.cLeader[p] = this.nLeader[p];
    this.cEpoch[p] = this.cEpoch[p] + 1;
    this.cIsr[p] = this.nIsr[p];
    this.cVersion[p] = this.cVersion[p] + 1;
    this.cCtrlEpoch[p] = this.epoch;
    this.cState[p] = this.cLeader[p] >= 0 && this.live[this.cLeader[p]] === 1 ? ONLINE : OFFLINE;
  }

  private checkOp(): ZkOp {
    return { op: "check", path: CONTROLLER_EPOCH, version: this.epochZkVersion };
  }

  /** A failed multi: was it the /controller_epoch check? */
  private epochCheckFailed(r: ZkResult): boolean {
    return this.o.controllerEpochCheck && r.results !== undefined && r.results[0] !== undefined && r.results[0] !== "ok";
  }

  private fence(): void {
    if (this.fenced) return;
    this.fenced = true;
    this.onFenced();
  }

  /** Conditional writes of nLeader/nIsr (stateWrites: sequential, pipelined or multi). */
  private writeStates(parts: readonly number[], done: (ok: number[], retry: number[]) => void): void {
    const ok: number[] = [];
    const retry: number[] = [];
    const c = this.ctx.cluster;
    const check = this.o.controllerEpochCheck;
    if (this.o.stateWrites === "multi") {
      const size = Math.max(1, this.o.multiBatchSize);
      const chunks = Math.ceil(parts.length / size);
      this.pipe(
        chunks,
        this.readInFlight,
        (k, tag) => {
          const ops: ZkOp[] = check ? [this.checkOp()] : [];
          for (let i = k * size; i < Math.min(parts.length, (k + 1) * size); i++) {
            const p = parts[i];
            ops.push({ op: "setData", path: statePath(c, p), data: this.stateData(p), version: this.cVersion[p] });
          }
          this.counters.stateWrites += ops.length - (check ? 1 : 0);
          this.ctx.zk.multi(ops, tag);
        },
        (k, r) => {
          const end = Math.min(parts.length, (k + 1) * size);
          if (r.err === "ok") {
            for (let i = k * size; i < end; i++) {
              this.applyWritten(parts[i]);
              ok.push(parts[i]);
            }
          } else if (this.epochCheckFailed(r)) this.fence();
          else {
            this.counters.stateWriteConflicts++;
            for (let i = k * size; i < end; i++) retry.push(parts[i]);
          }
        },
        () => {
          if (!this.fenced) done(ok, retry);
        },
      );
      return;
    }
    this.pipe(
      parts.length,
      this.readInFlight,
      (i, tag) => {
        const p = parts[i];
        this.counters.stateWrites++;
        if (check) {
          this.ctx.zk.multi(
            [this.checkOp(), { op: "setData", path: statePath(c, p), data: this.stateData(p), version: this.cVersion[p] }],
            tag,
          );
        } else this.ctx.zk.setData(statePath(c, p), this.stateData(p), this.cVersion[p], tag);
      },
      (i, r) => {
        const p = parts[i];
        if (r.err === "ok") {
          this.applyWritten(p);
          ok.push(p);
        } else if (this.epochCheckFailed(r)) this.fence();
        else if (r.err === "BadVersion") {
          this.counters.stateWriteConflicts++;
          retry.push(p);
        }
        // NoNode: the partition's state vanished; nothing to do.
      },
      () => {
        if (!this.fenced) done(ok, retry);
      },
    );
  }

  // ---- partition state machine ----

  /**
   * triggerOnlinePartitionStateChange: new partitions get their state znodes created, offline ones
   * an offline election; `extra` partitions join the offline/ISR pass (see onBrokerFailure).
   */
  private triggerOnlinePartitionStateChange(dead: readonly number[], done: () => void, extra: readonly number[] = []): void {
    const created: number[] = [];
    const offline: number[] = [];
    const mark = this.mark;
    for (const p of extra) mark[p] = 1;
    for (let p = 0; p < this.P; p++) {
      const s = this.cState[p];
      if (s === NEW) created.push(p);
      else if (s === OFFLINE || mark[p] === 1) offline.push(p);
    }
    for (const p of extra) mark[p] = 0;
    this.createPartitions(created, () => {
      if (offline.length === 0 && dead.length === 0) {
        done();
        return;
      }
      const liveSet = this.liveNotShuttingDown();
      const deadSet = new Set(dead);
      const unclean = this.o.uncleanLeaderElectionEnable;
      this.changeStates(
        offline,
        (p) => {
          const a = this.assignmentOf(p);
          let leader = this.cLeader[p];
          let isr = this.isrOf(p);
          let changed = false;
          if (leader < 0 || this.live[leader] === 0) {
            // OfflinePartition -> OnlinePartition: offline election.
            this.counters.elections++;
            const l = offlinePartitionLeaderElection(a, isr, liveSet, unclean);
            if (l !== undefined) {
              isr = isrAfterOfflineElection(l, isr, liveSet);
              leader = l;
              changed = true;
            } else this.counters.failedElections++;
          }
          // ReplicaStateMachine: dead replicas -> OfflineReplica (leave the ISR).
          for (let j = 0; j < a.length; j++) {
            if (!deadSet.has(a[j]) || !isr.includes(a[j])) continue;
            const r = removeReplicaFromIsr(leader, isr, a[j]);
            leader = r.leader;
            isr = r.isr;
            changed = true;
          }
          if (!changed) return false;
          this.nLeader[p] = leader;
          this.nIsr[p] = isrMask(this.ctx.cluster.assignment, p * this.rf, this.rf, isr);
          return true;
        },
        (written) => {
          this.announce(written);
          done();
        },
      );
    });
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
    const c = this.ctx.cluster;
    const zk = this.ctx.zk;
    const eligible = parts.filter((p) => this.assignmentOf(p).some((b) => this.live[b] === 1 && this.shuttingDown[b] === 0));
    if (eligible.length === 0) {
      done();
      return;
    }
    const topics = Array.from(new Set(eligible.map((p) => c.topicOf(p))));
    const paths = topics.flatMap((t) => [topicPath(t), partitionsPath(t)]);
    const ignore = (): void => {};
    const check = this.o.controllerEpochCheck;
    const created: number[] = [];
    const lost: number[] = [];
    const fallback: number[] = [];
    const initial = (p: number): PartitionStateData => {
      const live = Array.from(this.assignmentOf(p)).filter((b) => this.live[b] === 1 && this.shuttingDown[b] === 0);
      this.nLeader[p] = live[0];
      this.nIsr[p] = isrMask(c.assignment, p * this.rf, this.rf, live);
      return { leader: live[0], leader_epoch: 0, isr: live, controller_epoch: this.epoch };
    };
    const onCreated = (p: number): void => {
      this.cEpoch[p] = -1; // applyWritten adds one: epoch 0
      this.cVersion[p] = -1; // version 0
      this.applyWritten(p);
      created.push(p);
    };
    const finish = (): void => {
      if (this.fenced) return;
      this.announce(created);
      // Created by someone else meanwhile: learn their state.
      if (lost.length > 0) this.readStates(lost, done);
      else done();
    };
    const oneByOne = (): void => {
      this.pipe(fallback.length, this.readInFlight, (i, tag) => zk.create(partitionPath(c, fallback[i]), null, "persistent", tag), ignore, () => {
        this.pipe(
          fallback.length,
          this.readInFlight,
          (i, tag) => {
            const p = fallback[i];
            const data = initial(p);
            this.counters.stateWrites++;
            if (check) zk.multi([this.checkOp(), { op: "create", path: statePath(c, p), data, mode: "persistent" }], tag);
            else zk.create(statePath(c, p), data, "persistent", tag);
          },
          (i, r) => {
            const p = fallback[i];
            if (r.err === "ok") onCreated(p);
            else if (this.epochCheckFailed(r)) this.fence();
            else lost.push(p);
          },
          finish,
        );
      });
    };
    // Structural znodes first (creates that find the node are fine), in order.
    this.pipe(paths.length, 1, (i, tag) => zk.create(paths[i], null, "persistent", tag), ignore, () => {
      const size = Math.max(1, this.o.multiBatchSize);
      const chunks = Math.ceil(eligible.length / size);
      this.pipe(
        chunks,
        Math.max(1, this.o.zkMaxInFlightRequests),
        (k, tag) => {
          const ops: ZkOp[] = check ? [this.checkOp()] : [];
          for (let i = k * size; i < Math.min(eligible.length, (k + 1) * size); i++) {
            const p = eligible[i];
            ops.push({ op: "create", path: partitionPath(c, p), data: null, mode: "persistent" });
            ops.push({ op: "create", path: statePath(c, p), data: initial(p), mode: "persistent" });
          }
          this.counters.stateWrites += (ops.length - (check ? 1 : 0)) / 2;
          zk.multi(ops, tag);
        },
        (k, r) => {
          const end = Math.min(eligible.length, (k + 1) * size);
          if (r.err === "ok") for (let i = k * size; i < end; i++) onCreated(eligible[i]);
          else if (this.epochCheckFailed(r)) this.fence();
          else for (let i = k * size; i < end; i++) fallback.push(eligible[i]);
        },
        () => {
          if (this.fenced) return;
          if (fallback.length > 0) oneByOne();
          else finish();
        },
      );
    });
  }

  // ---- ISR change notifications ----

  /**
   * Reads (and watches) /isr_change_notification, deletes the notifications and returns the
   * partitions they name.
   */
  private drainIsrChanges(done: (partitions: number[]) => void): void {
    let names: readonly string[] = [];
    this.pipe(
      1,
      1,
      (_i, tag) => this.ctx.zk.getChildren(ISR_CHANGE, true, tag),
      (_i, r) => {
        if (r.err === "ok" && r.children !== undefined) names = r.children.slice().sort();
      },
      () => {
        const changed = new Set<number>();
        this.pipe(
          names.length,
          this.readInFlight,
          (i, tag) => this.ctx.zk.getData(`${ISR_CHANGE}/${names[i]}`, false, tag),
          (_i, r) => {
            if (r.err === "ok") for (const p of (r.data as IsrChangeData).partitions) if (p >= 0 && p < this.P) changed.add(p);
          },
          () => {
            const ignore = (): void => {};
            // Deletions carry the epoch check in 2.1+ (deleteIsrChangeNotifications(epochZkVersion)).
            this.pipe(
              names.length,
              this.readInFlight,
              (i, tag) => {
                const del: ZkOp = { op: "delete", path: `${ISR_CHANGE}/${names[i]}`, version: -1 };
                if (this.o.controllerEpochCheck) this.ctx.zk.multi([this.checkOp(), del], tag);
                else this.ctx.zk.delete(del.path, -1, tag);
              },
              ignore,
              () => done(Array.from(changed).sort((a, b) => a - b)),
            );
          },
        );
      },
    );
  }

  /** processIsrChangeNotification: refresh those partitions' cached state, UpdateMetadata to all. */
  onIsrChangeNotification(done: () => void): void {
    this.drainIsrChanges((partitions) => {
      if (partitions.length === 0) {
        done();
        return;
      }
      this.readStates(partitions, () => {
        this.sendUpdateMetadata(this.liveIds(), partitions.length);
        done();
      });
    });
  }

  // ---- broker changes ----

  /** BrokerChange: compares /brokers/ids (and each broker's czxid) with the live set. */
  onBrokerChange(done: () => void): void {
    this.readBrokers((ids, epochs) => {
      const now = new Map<number, number>();
      ids.forEach((b, i) => now.set(b, epochs[i]));
      const dead: number[] = [];
      const born: number[] = [];
      for (let b = 0; b < this.B; b++) {
        const e = now.get(b);
        if (this.live[b] === 1 && e === undefined) dead.push(b);
        else if (this.live[b] === 0 && e !== undefined) born.push(b);
        else if (this.live[b] === 1 && e !== undefined && e !== this.brokerEpoch[b]) {
          dead.push(b); // bounced: a new registration of the same id
          born.push(b);
        }
      }
      const startup = (): void => {
        if (born.length === 0) done();
        else this.onBrokerStartup(born, now, done);
      };
      if (dead.length === 0) startup();
      else this.onBrokerFailure(dead, startup);
    });
  }

  /**
   * onBrokerFailure -> onReplicasBecomeOffline: partitions led by a dead broker go offline and get
   * an offline election; the dead replicas leave every ISR. Kafka does this in two passes (the
   * partition state machine, then the replica state machine), each sending its own batch; here
   * both changes of a partition go into one conditional write and one batch per broker.
   */
  onBrokerFailure(dead: readonly number[], done: () => void): void {
    const affected = new Set<number>();
    for (const d of dead) {
      this.live[d] = 0;
      this.shuttingDown[d] = 0;
      this.brokerEpoch[d] = -1;
      this.channel.removeBroker(d);
      for (const p of this.ctx.cluster.partitionsOf(d)) affected.add(p);
    }
    for (const p of affected) {
      if (this.cState[p] === ONLINE && (this.cLeader[p] < 0 || this.live[this.cLeader[p]] === 0)) this.cState[p] = OFFLINE;
    }
    const extra = Array.from(affected).filter((p) => this.cState[p] === ONLINE || this.cState[p] === OFFLINE);
    let anyOffline = false;
    for (const p of extra) if (this.cState[p] === OFFLINE) anyOffline = true;
    this.triggerOnlinePartitionStateChange(dead, () => {
      if (!anyOffline && extra.length === 0) this.sendUpdateMetadata(this.liveIds(), 0);
      done();
    }, extra);
  }

  /** onBrokerStartup: metadata to everyone, the new brokers' replicas online, elections for new/offline partitions. */
  onBrokerStartup(born: readonly number[], epochs: ReadonlyMap<number, number>, done: () => void): void {
    const existing = this.liveIds();
    for (const b of born) {
      this.live[b] = 1;
      this.shuttingDown[b] = 0;
      this.brokerEpoch[b] = epochs.get(b) ?? -1;
      this.channel.addBroker(b);
    }
    this.sendUpdateMetadata(existing, 0);
    this.sendUpdateMetadata(born, this.countWithState());
    const batch = new RequestBatch();
    for (const b of born) {
      for (const p of this.ctx.cluster.partitionsOf(b)) {
        if (this.cState[p] === ONLINE || this.cState[p] === OFFLINE) batch.add(b, p);
      }
    }
    this.sendLeaderAndIsr(batch);
    this.triggerOnlinePartitionStateChange([], done);
  }

  // ---- controlled shutdown ----

  /**
   * doControlledShutdown: partitions the broker leads move by the controlled-shutdown rule; on the
   * partitions it follows it gets StopReplica and leaves the ISR. Answers how many it still leads.
   * stateWrites=sequential moves one partition per request batch (Kafka 1.0).
   */
  controlledShutdown(id: number, done: (ok: boolean, remaining: number) => void): void {
    if (this.live[id] === 0) {
      done(false, 0);
      return;
    }
    this.shuttingDown[id] = 1;
    const led: number[] = [];
    const followed: number[] = [];
    for (const p of this.ctx.cluster.partitionsOf(id)) {
      if (this.rf <= 1 || !(this.cState[p] === ONLINE || this.cState[p] === OFFLINE)) continue;
      if (this.cLeader[p] === id) led.push(p);
      else followed.push(p);
    }
    const shutting = new Set<number>();
    for (let b = 0; b < this.B; b++) if (this.shuttingDown[b] === 1) shutting.add(b);
    const liveSet = this.liveSet();
    const moveLeader = (p: number): boolean => {
      const isr = this.isrOf(p);
      this.counters.elections++;
      const l = controlledShutdownPartitionLeaderElection(this.assignmentOf(p), isr, liveSet, shutting);
      if (l === undefined) {
        this.counters.failedElections++;
        return false;
      }
      this.nLeader[p] = l;
      this.nIsr[p] = isrMask(this.ctx.cluster.assignment, p * this.rf, this.rf, isrAfterControlledShutdownElection(isr, shutting));
      return true;
    };
    const leaveIsr = (p: number): boolean => {
      const isr = this.isrOf(p);
      if (!isr.includes(id)) return false;
      const r = removeReplicaFromIsr(this.cLeader[p], isr, id);
      this.nLeader[p] = r.leader;
      this.nIsr[p] = isrMask(this.ctx.cluster.assignment, p * this.rf, this.rf, r.isr);
      return true;
    };
    const sendMoved = (written: readonly number[], except: number): void => this.announce(written, except);
    const answer = (): void => {
      let remaining = 0;
      for (const p of this.ctx.cluster.partitionsOf(id)) if (this.cLeader[p] === id && this.rf > 1) remaining++;
      done(true, remaining);
    };
    const stopReplicas = (parts: readonly number[]): void => {
      if (parts.length === 0) return;
      const m: StopReplicaRequest = {
        type: "kafka.StopReplica",
        controllerId: this.ctx.host,
        controllerEpoch: this.epoch,
        correlationId: this.channel.nextCorrelationId(id),
        partitions: Int32Array.from(parts),
      };
      this.channel.send(id, m, stopReplicaBytes(parts.length));
    };
    if (this.o.stateWrites === "sequential") {
      // Kafka 1.0: one partition at a time, each with its own state change and request batch.
      let k = 0;
      const next = (): void => {
        if (k === led.length + followed.length) {
          answer();
          return;
        }
        const idx = k++;
        if (idx < led.length) this.changeStates([led[idx]], moveLeader, (w) => (sendMoved(w, -1), next()));
        else {
          const p = followed[idx - led.length];
          stopReplicas([p]);
          this.changeStates([p], leaveIsr, (w) => (sendMoved(w, id), next()));
        }
      };
      next();
      return;
    }
    this.changeStates(led, moveLeader, (movedLeaders) => {
      sendMoved(movedLeaders, -1);
      stopReplicas(followed);
      this.changeStates(followed, leaveIsr, (left) => {
        sendMoved(left, id);
        answer();
      });
    });
  }

  // ---- preferred replica election ----

  /** checkAndTriggerAutoLeaderRebalance. */
  autoRebalance(done: () => void): void {
    const total = new Int32Array(this.B);
    const elsewhere = new Int32Array(this.B);
    for (let p = 0; p < this.P; p++) {
      if (!(this.cState[p] === ONLINE || this.cState[p] === OFFLINE)) continue;
      const pref = this.ctx.cluster.assignment[p * this.rf];
      total[pref]++;
      if (this.cLeader[p] !== pref) elsewhere[pref]++;
    }
    const threshold = this.o.leaderImbalancePerBrokerPercentage / 100;
    const liveSet = this.liveNotShuttingDown();
    const candidates: number[] = [];
    for (let p = 0; p < this.P; p++) {
      if (!(this.cState[p] === ONLINE || this.cState[p] === OFFLINE)) continue;
      const pref = this.ctx.cluster.assignment[p * this.rf];
      if (this.cLeader[p] === pref || total[pref] === 0 || elsewhere[pref] / total[pref] <= threshold) continue;
      // canPreferredReplicaBeLeader, on the cached ISR.
      if (preferredReplicaPartitionLeaderElection(this.assignmentOf(p), this.isrOf(p), liveSet) !== undefined) candidates.push(p);
    }
    this.preferredElection(candidates, done);
  }

  /** PreferredReplicaPartitionLeaderElectionStrategy for `parts`; the ISR is kept. */
  preferredElection(parts: readonly number[], done: () => void): void {
    if (parts.length === 0) {
      done();
      return;
    }
    const liveSet = this.liveNotShuttingDown();
    this.changeStates(
      parts,
      (p) => {
        const isr = this.isrOf(p);
        this.counters.elections++;
        const l = preferredReplicaPartitionLeaderElection(this.assignmentOf(p), isr, liveSet);
        if (l === undefined || l === this.cLeader[p]) return false;
        this.nLeader[p] = l;
        this.nIsr[p] = this.cIsr[p];
        return true;
      },
      (written) => {
        this.announce(written);
        done();
      },
    );
  }

  // ---- ControllerChannelManager ----

  /**
   * Tells the brokers about partitions whose state the controller just wrote: LeaderAndIsr to
   * their live replicas (but `except`), batched per broker, and UpdateMetadata to every live broker.
   */
  private announce(written: readonly number[], except = -1): void {
    const batch = new RequestBatch();
    for (const p of written) {
      const a = this.assignmentOf(p);
      for (let j = 0; j < a.length; j++) if (this.live[a[j]] === 1 && a[j] !== except) batch.add(a[j], p);
    }
    this.sendLeaderAndIsr(batch);
    this.sendUpdateMetadata(this.liveIds(), written.length);
  }

  private sendLeaderAndIsr(batch: RequestBatch): void {
    for (const [broker, parts] of batch.byBroker) {
      const m = parts.length;
      const req: LeaderAndIsrRequest = {
        type: "kafka.LeaderAndIsr",
        controllerId: this.ctx.host,
        controllerEpoch: this.epoch,
        correlationId: this.channel.nextCorrelationId(broker),
        partitions: Int32Array.from(parts),
        leaders: new Int32Array(m),
        leaderEpochs: new Int32Array(m),
        isrs: new Int32Array(m),
        zkVersions: new Int32Array(m),
        stateControllerEpochs: new Int32Array(m),
      };
      for (let k = 0; k < m; k++) {
        const p = parts[k];
        req.leaders[k] = this.cLeader[p];
        req.leaderEpochs[k] = this.cEpoch[p];
        req.isrs[k] = this.cIsr[p];
        req.zkVersions[k] = this.cVersion[p];
        req.stateControllerEpochs[k] = this.cCtrlEpoch[p];
      }
      this.counters.leaderAndIsrRequests++;
      this.channel.send(broker, req, leaderAndIsrBytes(m, this.rf));
    }
  }

  private sendUpdateMetadata(brokers: readonly number[], partitions: number): void {
    const liveBrokers = this.live.slice();
    for (const b of brokers) {
      const req: UpdateMetadataRequest = {
        type: "kafka.UpdateMetadata",
        controllerId: this.ctx.host,
        controllerEpoch: this.epoch,
        correlationId: this.channel.nextCorrelationId(b),
        liveBrokers,
        partitionCount: partitions,
      };
      this.counters.updateMetadataRequests++;
      this.channel.send(b, req, updateMetadataBytes(this.B, partitions, this.rf));
    }
  }

  /** Partitions the broker leads in the controller's view. */
  leadersOn(id: HostId): number {
    let k = 0;
    for (let p = 0; p < this.P; p++) if (this.cLeader[p] === id) k++;
    return k;
  }
}

/** ControllerBrokerRequestBatch's LeaderAndIsr part: partitions per destination broker. */
class RequestBatch {
  readonly byBroker = new Map<number, number[]>();
  add(broker: number, p: number): void {
    let list = this.byBroker.get(broker);
    if (list === undefined) this.byBroker.set(broker, (list = []));
    list.push(p);
  }
}
