/**
 * ControllerContext (Kafka 2.x kafka.controller.ControllerContext): what the active controller
 * knows about the cluster — live brokers and their registration epochs (czxid), brokers shutting
 * down, and every partition's state, leader, leader epoch, ISR and state znode version — in typed
 * arrays sized to the cluster's partitions. The state machines and event handlers share it.
 *
 * It also holds this controller incarnation's epoch and /controller_epoch zkVersion (the fencing
 * check op of KAFKA-6082) and its ZooKeeper pipelines (owned by the incarnation, aborted on
 * resignation).
 */
import type { HostContext, ZkOp, ZkResult } from "../../src/elector/api.ts";
import type { KafkaControllerOptions } from "./options.ts";
import type { ZkPipelines } from "./zk-pipeline.ts";
import { CONTROLLER_EPOCH, isrIds } from "./zk-paths.ts";

/** Partition states (PartitionStateMachine), plus "no state znode known". */
export const NO_STATE = 0;
export const NEW = 1;
export const ONLINE = 2;
export const OFFLINE = 3;

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

export class ControllerContext {
  readonly P: number;
  readonly rf: number;
  readonly B: number;
  readonly live: Uint8Array;
  readonly brokerEpoch: Float64Array;
  readonly shuttingDown: Uint8Array;

  readonly cState: Uint8Array;
  readonly cLeader: Int32Array;
  readonly cEpoch: Int32Array;
  readonly cIsr: Int32Array;
  readonly cVersion: Int32Array;
  readonly cCtrlEpoch: Int32Array;
  /** Scratch: the state being written. */
  readonly nLeader: Int32Array;
  readonly nIsr: Int32Array;
  readonly mark: Uint8Array;

  /** ZooKeeper requests outstanding per pipeline (1 in Kafka 1.0's synchronous mode). */
  readonly readInFlight: number;
  /** A write's epoch check failed: another controller exists; nothing more is written. */
  fenced = false;
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
    readonly ctx: HostContext,
    readonly o: KafkaControllerOptions,
    private readonly pipes: ZkPipelines,
    /** Pipeline owner id: the broker aborts this controller's pipelines on resignation. */
    readonly owner: number,
    readonly epoch: number,
    readonly epochZkVersion: number,
    /** Called once when a write's epoch check failed. */
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
  }

  assignmentOf(p: number): Int32Array {
    return this.ctx.cluster.assignment.subarray(p * this.rf, (p + 1) * this.rf);
  }

  liveIds(): number[] {
    const out: number[] = [];
    for (let b = 0; b < this.B; b++) if (this.live[b] === 1) out.push(b);
    return out;
  }

  /** isReplicaOnline without shutting-down brokers. */
  liveNotShuttingDown(): Set<number> {
    const s = new Set<number>();
    for (let b = 0; b < this.B; b++) if (this.live[b] === 1 && this.shuttingDown[b] === 0) s.add(b);
    return s;
  }

  liveSet(): Set<number> {
    const s = new Set<number>();
    for (let b = 0; b < this.B; b++) if (this.live[b] === 1) s.add(b);
    return s;
  }

  isrOf(p: number): number[] {
    return isrIds(this.ctx.cluster.assignment, p * this.rf, this.rf, this.cIsr[p]);
  }

  /** Online or offline: the partition has a state znode this controller knows. */
  hasState(p: number): boolean {
    return this.cState[p] === ONLINE || this.cState[p] === OFFLINE;
  }

  countWithState(): number {
    let k = 0;
    for (let p = 0; p < this.P; p++) if (this.hasState(p)) k++;
    return k;
  }

  /** Starts a pipeline of `count` ZooKeeper requests owned by this incarnation (see zk-pipeline.ts). */
  pipe(count: number, maxInFlight: number, issue: (i: number, tag: number) => void, result: (i: number, r: ZkResult) => void, done: () => void): void {
    this.pipes.start(this.owner, { count, maxInFlight, issue, result, done });
  }

  /** The fencing op of every controller write since Kafka 2.1 (KAFKA-6082). */
  checkOp(): ZkOp {
    return { op: "check", path: CONTROLLER_EPOCH, version: this.epochZkVersion };
  }

  /** A failed multi: was it the /controller_epoch check? */
  epochCheckFailed(r: ZkResult): boolean {
    return this.o.controllerEpochCheck && r.results !== undefined && r.results[0] !== undefined && r.results[0] !== "ok";
  }

  fence(): void {
    if (this.fenced) return;
    this.fenced = true;
    this.onFenced();
  }
}
