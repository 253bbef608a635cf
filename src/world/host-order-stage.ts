/**
 * A settled start's belief declarations, kept in the order the hosts make them and moved into the
 * belief table (beliefs.ts) in one pass in partition order at the end.
 *
 * Why: a settled start boots the hosts one after another and each declares a belief for every
 * partition it replicates, in the order of its own partition list. The belief table is indexed by
 * replica slot (p * rf + j), so those stores land a host's ~30k partitions apart: at a million
 * partitions every store of the 3M misses the caches, twice (leader and epoch), ~145 ms of a 1M
 * settled start against 2-4 ms at 100k (docs/performance.md, "zab's 1M cell: the run phase", stop
 * 33). Kept host by host, the stores are sequential; the move walks the replica slots in order,
 * reading each host's declarations as one stream.
 *
 * The stage takes only what it can place without changing what the table ends up holding: a
 * host's declaration for the next partition of its list. Anything else (a partition out of that
 * order, a repeat, a partition the host does not replicate) is refused, and the caller moves what
 * is staged into the table and stores the rest directly (beliefs.ts). So the table after the start
 * equals the one the direct stores would have made, whatever the elector declares.
 */
import type { ClusterModel } from "../cluster/cluster-model.ts";
import { KeptArrays } from "../record/kept-arrays.ts";

/**
 * The staging arrays of the last stage, for the next stage of the same size (as the belief table's
 * own arrays, beliefs.ts: at 1M they are 36 MiB, mapped fresh for each world otherwise).
 */
const spare = new KeptArrays<{ readonly leader: Int32Array; readonly epoch: Float64Array }>();

export class HostOrderStage {
  /** Each host's declarations so far, host-major: host h's k-th at start[h] + k. */
  private readonly leader: Int32Array;
  private readonly epoch: Float64Array;
  private readonly start: Int32Array;
  /** How many declarations each host has staged: a prefix of its partition list. */
  private readonly count: Int32Array;
  /** Each host's partition list (ClusterModel.partitionsOf makes a view per call: made once here). */
  private readonly lists: Int32Array[];

  private constructor(private readonly cluster: ClusterModel) {
    const n = cluster.assignment.length;
    const kept = spare.take(n);
    // Only a staged prefix is ever read back: the arrays need no clearing.
    this.leader = kept?.leader ?? new Int32Array(n);
    this.epoch = kept?.epoch ?? new Float64Array(n);
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
  static open(cluster: ClusterModel): HostOrderStage | undefined {
    const a = cluster.assignment;
    const rf = cluster.replicationFactor;
    for (let base = 0; base < a.length; base += rf) {
      for (let i = 1; i < rf; i++) for (let j = 0; j < i; j++) if (a[base + i] === a[base + j]) return undefined;
    }
    return new HostOrderStage(cluster);
  }

  /** Stages `host`'s belief about `partition` if it is the next partition of the host's list; false otherwise. */
  take(host: number, partition: number, leader: number, epoch: number): boolean {
    const list = this.lists[host];
    if (list === undefined) return false; // not a broker: the direct store ignores it
    const k = this.count[host];
    if (k >= list.length || list[k] !== partition) return false;
    const at = this.start[host] + k;
    this.leader[at] = leader;
    this.epoch[at] = epoch;
    this.count[host] = k + 1;
    return true;
  }

  /**
   * Moves every staged belief into its replica slot, walking the slots in order: slot p * rf + j
   * belongs to host a[slot], whose partitions appear in its list in increasing order, so the slot
   * is that host's next position. Slots past a host's staged prefix keep what the table holds. The
   * stage is spent (its arrays go to the next stage).
   */
  moveInto(leaderOut: Int32Array, epochOut: Float64Array): void {
    const a = this.cluster.assignment;
    const next = this.start.slice(0, this.cluster.brokers);
    const end = new Int32Array(this.cluster.brokers);
    for (let h = 0; h < end.length; h++) end[h] = this.start[h] + this.count[h];
    const leader = this.leader;
    const epoch = this.epoch;
    for (let slot = 0; slot < a.length; slot++) {
      const h = a[slot];
      const at = next[h]++;
      if (at < end[h]) {
        leaderOut[slot] = leader[at];
        epochOut[slot] = epoch[at];
      }
    }
    spare.give({ leader, epoch }, leader.length);
  }
}
