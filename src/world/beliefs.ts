/**
 * The observer an elector declares its beliefs through, and the table of current beliefs the
 * lab keeps from those declarations (used to answer producers' metadata requests, and by the
 * liveness check). Every declaration is also appended to the observation log and mixed into the
 * trace hash.
 */
import type { HostId, Observer, PartitionId } from "../elector/api.ts";
import type { ClusterModel } from "../cluster/cluster-model.ts";
import type { Kernel } from "../sim/kernel.ts";
import { Obs, type ObsKind, type ObservationLog } from "../record/observation-log.ts";
import { KeptArrays } from "../record/kept-arrays.ts";
import { appendDeclaration, HostOrderStage, type DeclarationKind } from "./host-order-stage.ts";

/** Where acknowledgements and refusals go so the producer hears back. */
export interface WriteOutcomeSink {
  writeAnswered(host: HostId, partition: PartitionId, writeId: number, accepted: boolean): void;
}

/**
 * The arrays of the last released table, for the next table of the same size. Why: at a million
 * partitions the two are 36 MiB (3M replica slots), which the C allocator maps fresh for every
 * world and unmaps when it is collected, so each world's constructor paid a page fault per 4 KiB
 * (~9k, ~100 ms of a 1M build) to fill them. Refilled on reuse, a kept pair equals a fresh one.
 * One pair is kept (as the observation log's columns, observation-log.ts).
 */
const spare = new KeptArrays<{ readonly leader: Int32Array; readonly epoch: Float64Array }>();

export class BeliefTable {
  /** Believed leader per replica slot (p * rf + j): the host itself when it leads, -1 for none. */
  readonly leader: Int32Array;
  /** Believed leader epoch per replica slot (-1 unknown). */
  readonly epoch: Float64Array;

  constructor(private readonly cluster: ClusterModel) {
    const n = cluster.assignment.length;
    const kept = spare.take(n);
    this.leader = (kept?.leader ?? new Int32Array(n)).fill(-1);
    this.epoch = (kept?.epoch ?? new Float64Array(n)).fill(-1);
  }

  /**
   * The world is done (its run judged and reported): the arrays may serve the next table. Called by
   * the world's observation log's release (World wires it), whose caller holds the last reference.
   */
  release(): void {
    spare.give({ leader: this.leader, epoch: this.epoch }, this.leader.length); // refilled on reuse
  }

  /** Open while a settled start's hosts boot (World): declarations are staged host by host (host-order-stage.ts). */
  private stage: HostOrderStage | undefined;

  /**
   * The hosts are about to boot settled, one after another: stage their declarations in host order,
   * for this table and for `log` (a staged declaration's row is appended when the stage ends, or
   * when another row must enter the log first).
   */
  beginHostOrder(log: ObservationLog): void {
    this.stage = HostOrderStage.open(this.cluster, log);
  }

  /** Whether declarations are being staged (a test's question: a settled start's order keeps it open). */
  get staging(): boolean {
    return this.stage !== undefined;
  }

  /** Every staged declaration goes to its slot and its row to the log; later ones are stored directly. */
  endHostOrder(): void {
    const stage = this.stage;
    if (stage === undefined) return;
    this.stage = undefined;
    stage.moveInto(this.leader, this.epoch);
  }

  /** Another row is about to enter the log: the staged declarations' rows go first (HostOrderStage.logStaged). */
  beforeOtherRow(): void {
    this.stage?.logStaged();
  }

  /**
   * A declaration while staging: true if staged (stored when the stage ends; logged then, or now
   * once another row entered the log; host-order-stage.ts). False when there is no stage, or it
   * refused the declaration and has been emptied: the caller then logs and stores it directly
   * (set), after everything staged before it.
   */
  staged(host: HostId, kind: DeclarationKind, partition: PartitionId, leader: HostId, epoch: number, time: number): boolean {
    const stage = this.stage;
    if (stage === undefined) return false;
    if (stage.take(host, kind, partition, leader, epoch, time)) return true;
    this.endHostOrder(); // out of host order: what is staged first, then this one directly
    return false;
  }

  /** Stores a declaration directly (after anything staged: the stage is emptied first). */
  set(host: HostId, partition: PartitionId, leader: HostId, epoch: number): void {
    this.endHostOrder();
    const j = this.cluster.replicaIndex(partition, host);
    if (j < 0) return; // a broker that does not replicate the partition keeps no slot
    const slot = partition * this.cluster.replicationFactor + j;
    this.leader[slot] = leader;
    this.epoch[slot] = epoch;
  }

  /** A crashed host believes nothing. */
  forget(host: HostId): void {
    this.endHostOrder();
    const rf = this.cluster.replicationFactor;
    for (const p of this.cluster.partitionsOf(host)) {
      const slot = p * rf + this.cluster.replicaIndex(p, host);
      this.leader[slot] = -1;
      this.epoch[slot] = -1;
    }
  }

  leaderSeenBy(host: HostId, partition: PartitionId): HostId {
    if (this.stage !== undefined) this.endHostOrder();
    const j = this.cluster.replicaIndex(partition, host);
    return j < 0 ? -1 : this.leader[partition * this.cluster.replicationFactor + j];
  }
}

/** One host's observer: records, updates the belief table, answers producers. */
export class HostObserver implements Observer {
  constructor(
    private readonly host: HostId,
    private readonly kernel: Kernel,
    private readonly log: ObservationLog,
    private readonly beliefs: BeliefTable,
    private readonly writes: WriteOutcomeSink,
    /** Visits per named rule of the elector (ElectorDefinition.rules), shared by every host. */
    private readonly ruleVisits: Float64Array,
  ) {}

  private record(kind: ObsKind, partition: number, a: number, b: number, c = 0): void {
    this.beliefs.beforeOtherRow(); // a row after staged declarations follows their rows in the log
    this.log.record(this.kernel.now, this.host, kind, partition, a, b, c);
    this.mix(kind, partition, a);
  }

  private mix(kind: ObsKind, partition: number, a: number): void {
    this.kernel.mix(kind * 1_000_003 + this.host);
    this.kernel.mix(partition);
    this.kernel.mix(a);
  }

  /**
   * A belief (the table's leader and epoch; the log's row, appendDeclaration), mixed into the trace
   * now (with the row's first value, `a`) and logged and stored now, or, while a settled start
   * stages them, when the stage ends (their rows then come partition by partition;
   * host-order-stage.ts).
   */
  private declare(kind: DeclarationKind, partition: PartitionId, leader: HostId, epoch: number, a: number): void {
    this.mix(kind, partition, a);
    const now = this.kernel.now;
    if (this.beliefs.staged(this.host, kind, partition, leader, epoch, now)) return;
    appendDeclaration(this.log, now, this.host, kind, partition, leader, epoch);
    this.beliefs.set(this.host, partition, leader, epoch);
  }

  lead(partition: PartitionId, epoch: number): void {
    this.declare(Obs.Lead, partition, this.host, epoch, epoch);
  }

  follow(partition: PartitionId, leader: HostId, epoch: number): void {
    this.declare(Obs.Follow, partition, leader, epoch, leader);
  }

  stepDown(partition: PartitionId): void {
    this.declare(Obs.StepDown, partition, -1, -1, 0);
  }

  acknowledged(partition: PartitionId, writeId: number, epoch: number): void {
    this.record(Obs.Ack, partition, epoch, writeId);
    this.writes.writeAnswered(this.host, partition, writeId, true);
  }

  rejected(partition: PartitionId, writeId: number): void {
    this.record(Obs.Reject, partition, 0, writeId);
    this.writes.writeAnswered(this.host, partition, writeId, false);
  }

  campaign(partition: PartitionId): void {
    this.record(Obs.Campaign, partition, 0, 0);
  }

  controller(epoch: number): void {
    this.record(Obs.Controller, -1, epoch, 0);
  }

  controllerResigned(): void {
    this.record(Obs.ControllerResigned, -1, 0, 0);
  }

  append(partition: PartitionId, writeId: number, position: number, epoch: number): void {
    this.record(Obs.Append, partition, position, writeId, epoch);
    this.kernel.mix(writeId);
  }

  truncate(partition: PartitionId, fromPosition: number): void {
    this.record(Obs.Truncate, partition, fromPosition, 0);
  }

  commit(partition: PartitionId, count: number): void {
    this.record(Obs.Commit, partition, count, 0);
  }

  /** Coverage only: counted, not logged and not mixed into the trace. */
  rule(rule: number): void {
    if (rule >= 0 && rule < this.ruleVisits.length) this.ruleVisits[rule]++;
    else throw new Error(`host ${this.host} reported rule ${rule}; its elector declares ${this.ruleVisits.length}`);
  }
}
