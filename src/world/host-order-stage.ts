/**
 * A settled start's belief declarations, kept in the order the hosts make them and moved, in one
 * pass in partition order at the end, into the belief table (beliefs.ts) and the observation log.
 *
 * Why: a settled start boots the hosts one after another and each declares a belief for every
 * partition it replicates, in the order of its own partition list. The belief table is indexed by
 * replica slot (p * rf + j), so those stores land a host's ~30k partitions apart: at a million
 * partitions every store of the 3M misses the caches, twice (leader and epoch), ~145 ms of a 1M
 * settled start against 2-4 ms at 100k (docs/performance.md, "zab's 1M cell: the run phase", stop
 * 33). Kept host by host, the stores are sequential; the move walks the replica slots in order,
 * reading each host's declarations as one stream. The log gets the declarations in that order too
 * (stop 35): the checker walks the log with a per-partition table (src/checker/leadership.ts), and
 * in host order its reads landed as far apart as the table's stores did.
 *
 * The stage takes only what it can place without changing what the table ends up holding, or
 * what the log says of any one host or partition: a host's declaration for the next partition of
 * its list, at the instant of the stage's first. Anything else (a partition out of that order, a
 * repeat, a partition the host does not replicate, a later instant) is refused, and the caller
 * moves what is staged into the table and the log and then stores and logs the rest directly
 * (beliefs.ts). So the table after the start equals the one the direct stores would have made,
 * whatever the elector declares, and the log holds the same rows, each host's in its own order;
 * only rows of different hosts at one instant change places (partition by partition). A settled
 * start that logs other rows too (raft's appends its leaders' first entries) keeps the table's
 * staging but not the log's: at the first such row the staged rows are logged (logStaged).
 */
import type { ClusterModel } from "../cluster/cluster-model.ts";
import { KeptArrays } from "../record/kept-arrays.ts";
import { Obs, type ObservationLog } from "../record/observation-log.ts";

/**
 * The staging arrays of the last stage, for the next stage of the same size (as the belief table's
 * own arrays, beliefs.ts: at 1M they are 36 MiB, mapped fresh for each world otherwise).
 */
const spare = new KeptArrays<{ readonly leader: Int32Array; readonly epoch: Float64Array; readonly kind: Uint8Array }>();

/** A staged declaration's kind: what the log's row says (Obs.Lead, Obs.Follow, Obs.StepDown). */
export type DeclarationKind = typeof Obs.Lead | typeof Obs.Follow | typeof Obs.StepDown;

export class HostOrderStage {
  /** Each host's declarations so far, host-major: host h's k-th at start[h] + k. */
  private readonly leader: Int32Array;
  private readonly epoch: Float64Array;
  private readonly kind: Uint8Array;
  private readonly start: Int32Array;
  /** How many declarations each host has staged: a prefix of its partition list. */
  private readonly count: Int32Array;
  /** Each host's partition list (ClusterModel.partitionsOf makes a view per call: made once here). */
  private readonly lists: Int32Array[];
  /** The instant of the first staged declaration (NaN before it): every staged one was made then. */
  private time = Number.NaN;
  /**
   * Whether the staged declarations' log rows wait for the move (partition by partition). Once
   * another row must enter the log, the waiting ones are logged at once (logStaged) and later
   * staged declarations are logged as they come; the table's stores still wait.
   */
  private rowsWait = true;

  private constructor(
    private readonly cluster: ClusterModel,
    private readonly log: ObservationLog,
  ) {
    const n = cluster.assignment.length;
    const kept = spare.take(n);
    // Only a staged prefix is ever read back: the arrays need no clearing.
    this.leader = kept?.leader ?? new Int32Array(n);
    this.epoch = kept?.epoch ?? new Float64Array(n);
    this.kind = kept?.kind ?? new Uint8Array(n);
    this.start = new Int32Array(cluster.brokers + 1);
    this.count = new Int32Array(cluster.brokers);
    this.lists = [];
    for (let h = 0; h < cluster.brokers; h++) {
      const list = cluster.partitionsOf(h);
      this.lists.push(list);
      this.start[h + 1] = this.start[h] + list.length;
    }
  }

  /**
   * A stage for `cluster`, or undefined where staging could misplace a declaration: a replica list
   * naming one host twice gives that host the partition twice in its list but one slot (its first
   * place, ClusterModel.replicaIndex), which the in-order move cannot tell apart.
   */
  static open(cluster: ClusterModel, log: ObservationLog): HostOrderStage | undefined {
    const a = cluster.assignment;
    const rf = cluster.replicationFactor;
    for (let base = 0; base < a.length; base += rf) {
      for (let i = 1; i < rf; i++) for (let j = 0; j < i; j++) if (a[base + i] === a[base + j]) return undefined;
    }
    return new HostOrderStage(cluster, log);
  }

  /**
   * Stages `host`'s declaration about `partition` (the log's row: Lead, Follow or StepDown; the
   * table's: `leader` and `epoch`) if it is the next partition of the host's list, made at the
   * stage's instant; false otherwise.
   */
  take(host: number, kind: DeclarationKind, partition: number, leader: number, epoch: number, time: number): boolean {
    const list = this.lists[host];
    if (list === undefined) return false; // not a broker: the direct store ignores it
    const k = this.count[host];
    if (k >= list.length || list[k] !== partition) return false;
    if (time !== this.time) {
      if (!Number.isNaN(this.time)) return false;
      this.time = time;
    }
    const at = this.start[host] + k;
    this.leader[at] = leader;
    this.epoch[at] = epoch;
    this.kind[at] = kind;
    this.count[host] = k + 1;
    if (!this.rowsWait) appendDeclaration(this.log, time, host, kind, partition, leader, epoch);
    return true;
  }

  /**
   * Another row is about to enter the log (kafka-controller's controller declares itself amid the
   * brokers' beliefs; raft's settled start appends its leaders' first entries): the staged
   * declarations' rows go first, partition by partition (a few, host by host: a walk of every
   * slot would cost more than their order saves), and from now on the stage logs a declaration as
   * it takes it.
   */
  logStaged(): void {
    if (!this.rowsWait) return;
    this.rowsWait = false;
    let staged = 0;
    for (let h = 0; h < this.lists.length; h++) staged += this.count[h];
    if (staged * 8 >= this.cluster.assignment.length) {
      this.move(null, null, true);
      return;
    }
    const { leader, epoch, kind, log, time } = this;
    for (let h = 0; h < this.lists.length; h++) {
      const list = this.lists[h];
      const from = this.start[h];
      for (let k = 0; k < this.count[h]; k++) appendDeclaration(log, time, h, kind[from + k] as DeclarationKind, list[k], leader[from + k], epoch[from + k]);
    }
  }

  /**
   * Moves every staged belief into its replica slot and, unless logStaged did, appends its row to
   * the log. The stage is spent (its arrays go to the next stage).
   */
  moveInto(leaderOut: Int32Array, epochOut: Float64Array): void {
    this.move(leaderOut, epochOut, this.rowsWait);
    const { leader, epoch, kind } = this;
    spare.give({ leader, epoch, kind }, leader.length);
  }

  /**
   * Walks the replica slots in order: slot p * rf + j belongs to host a[slot], whose partitions
   * appear in its list in increasing order, so the slot is that host's next position. Slots past a
   * host's staged prefix are left as they are. Stores each staged belief into the table if given,
   * and appends its row to the log if `rows`.
   */
  private move(leaderOut: Int32Array | null, epochOut: Float64Array | null, rows: boolean): void {
    const a = this.cluster.assignment;
    const rf = this.cluster.replicationFactor;
    const next = this.start.slice(0, this.cluster.brokers);
    const end = new Int32Array(this.cluster.brokers);
    for (let h = 0; h < end.length; h++) end[h] = this.start[h] + this.count[h];
    const { leader, epoch, kind, log, time } = this;
    for (let slot = 0, p = 0, j = 0; slot < a.length; slot++) {
      const h = a[slot];
      const at = next[h]++;
      if (at < end[h]) {
        const l = leader[at];
        const e = epoch[at];
        if (leaderOut !== null && epochOut !== null) {
          leaderOut[slot] = l;
          epochOut[slot] = e;
        }
        if (rows) appendDeclaration(log, time, h, kind[at] as DeclarationKind, p, l, e);
      }
      if (++j === rf) {
        j = 0;
        p++;
      }
    }
  }
}

/** A declaration's row in the log: what a host's observer appends directly and the stage on its behalf (beliefs.ts). */
export function appendDeclaration(log: ObservationLog, time: number, host: number, kind: DeclarationKind, partition: number, leader: number, epoch: number): void {
  if (kind === Obs.Lead) log.record(time, host, kind, partition, epoch, 0);
  else if (kind === Obs.Follow) log.record(time, host, kind, partition, leader, epoch);
  else log.record(time, host, kind, partition, 0, 0);
}
