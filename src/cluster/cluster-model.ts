/**
 * Brokers, one topic's partitions and their replica lists, held flat in typed arrays so a
 * million partitions at replication factor 3 cost a few dozen megabytes.
 */
import type { ClusterView, HostId, PartitionId } from "../elector/api.ts";
import type { RandomStream } from "../sim/random.ts";
import { assignReplicasToBrokers } from "./assignment.ts";

export interface ClusterSpec {
  readonly brokers: number;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Kafka draws these at random; fixed values make a layout reproducible by hand. */
  readonly startIndex?: number;
  readonly nextReplicaShift?: number;
  /** Partitions per topic (one topic "t0" by default). */
  readonly partitionsPerTopic?: number;
}

export class ClusterModel implements ClusterView {
  readonly brokers: number;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly assignment: Int32Array;
  readonly startIndex: number;
  readonly nextReplicaShift: number;
  private readonly perTopic: number;
  /** CSR index of partitions per broker: partitions of host h are byHost[byHostStart[h] .. byHostStart[h+1]). */
  private readonly byHostStart: Int32Array;
  private readonly byHost: Int32Array;
  /** Beside byHost: the host's replica index in that partition (its first place in the list); made when first asked. */
  private byHostReplicaIndex: Uint8Array | undefined;
  /**
   * localIndex's buckets, per host, made on its first lookup: bucket b starts at the first position
   * of the host's list at or after partition b << bucketShift. A lookup searches one bucket (~8
   * entries) instead of the host's whole list: at 1M partitions a binary search over a host's 30k
   * took a dozen dependent cache misses, once per group message an elector receives.
   */
  private readonly buckets: (Int32Array | undefined)[];
  private readonly bucketShift: number;

  /** Kafka's assignment from the spec; `explicit` replica lists (flat, p * rf + j) replace it. */
  constructor(spec: ClusterSpec, random: RandomStream | undefined, explicit?: Int32Array) {
    this.brokers = spec.brokers;
    this.partitions = spec.partitions;
    this.replicationFactor = spec.replicationFactor;
    this.perTopic = spec.partitionsPerTopic ?? spec.partitions;
    if (explicit !== undefined) {
      this.startIndex = -1;
      this.nextReplicaShift = -1;
      this.assignment = explicit;
    } else {
      if (random === undefined) throw new Error("cluster model: a random stream is needed for Kafka's assignment");
      // As AdminUtils: both drawn uniformly from [0, brokers) when not fixed.
      this.startIndex = spec.startIndex ?? random.int(0, spec.brokers - 1);
      this.nextReplicaShift = spec.nextReplicaShift ?? random.int(0, spec.brokers - 1);
      this.assignment = assignReplicasToBrokers(
        spec.brokers,
        spec.partitions,
        spec.replicationFactor,
        this.startIndex,
        this.nextReplicaShift,
      );
    }
    const counts = new Int32Array(this.brokers + 1);
    for (let i = 0; i < this.assignment.length; i++) counts[this.assignment[i] + 1]++;
    for (let h = 0; h < this.brokers; h++) counts[h + 1] += counts[h];
    this.byHostStart = counts;
    this.byHost = new Int32Array(this.assignment.length);
    const fill = counts.slice(0, this.brokers);
    const rf = this.replicationFactor;
    for (let p = 0; p < this.partitions; p++) {
      for (let j = 0; j < rf; j++) this.byHost[fill[this.assignment[p * rf + j]]++] = p;
    }
    // ~8 of a host's partitions a bucket on average: its share is rf / brokers of them.
    const perHost = this.brokers > 0 ? this.assignment.length / this.brokers : 0;
    this.bucketShift = perHost > 0 ? Math.max(0, Math.min(30, Math.floor(Math.log2((8 * this.partitions) / perHost)))) : 0;
    this.buckets = new Array<Int32Array | undefined>(this.brokers).fill(undefined);
  }

  /** A cluster laid out by hand: replica lists in assignment order, all of one length. */
  static fromReplicaLists(brokers: number, lists: readonly (readonly HostId[])[]): ClusterModel {
    const rf = lists[0]?.length ?? 0;
    if (lists.some((l) => l.length !== rf)) throw new Error("cluster model: replica lists must share one length");
    return new ClusterModel({ brokers, partitions: lists.length, replicationFactor: rf }, undefined, Int32Array.from(lists.flat()));
  }

  replica(partition: PartitionId, index: number): HostId {
    return this.assignment[partition * this.replicationFactor + index];
  }

  preferredLeader(partition: PartitionId): HostId {
    return this.assignment[partition * this.replicationFactor];
  }

  preferredLeaders(): Int32Array {
    const leaders = new Int32Array(this.partitions);
    const rf = this.replicationFactor;
    const a = this.assignment;
    // A plain loop: Int32Array.from with a callback costs a call per partition (~30 ms at 1M).
    for (let p = 0; p < leaders.length; p++) leaders[p] = a[p * rf];
    return leaders;
  }

  partitionsOf(host: HostId): Int32Array {
    return this.byHost.subarray(this.byHostStart[host], this.byHostStart[host + 1]);
  }

  replicaIndexesOf(host: HostId): Uint8Array {
    const table = this.byHostReplicaIndex ?? this.replicaIndexesByHost();
    return table.subarray(this.byHostStart[host], this.byHostStart[host + 1]);
  }

  /** Every host's replica indexes at once, partition by partition (as byHost was filled). */
  private replicaIndexesByHost(): Uint8Array {
    const table = new Uint8Array(this.assignment.length);
    const fill = this.byHostStart.slice(0, this.brokers);
    const rf = this.replicationFactor;
    const a = this.assignment;
    for (let base = 0; base < a.length; base += rf) {
      for (let j = 0; j < rf; j++) {
        const h = a[base + j];
        let first = 0;
        while (a[base + first] !== h) first++;
        table[fill[h]++] = first;
      }
    }
    this.byHostReplicaIndex = table;
    return table;
  }

  valuesByHost(values: Int32Array): Int32Array[] {
    const out = new Int32Array(this.assignment.length);
    const fill = this.byHostStart.slice(0, this.brokers);
    const rf = this.replicationFactor;
    const a = this.assignment;
    // Partition by partition: the values are read in order and each host's part is written in
    // order, where a host's partitions lie ~brokers / rf apart in `values`.
    for (let p = 0, slot = 0; p < this.partitions; p++) {
      const v = values[p];
      for (let j = 0; j < rf; j++, slot++) out[fill[a[slot]]++] = v;
    }
    const hosts: Int32Array[] = [];
    for (let h = 0; h < this.brokers; h++) hosts.push(out.subarray(this.byHostStart[h], this.byHostStart[h + 1]));
    return hosts;
  }

  localIndex(host: HostId, partition: PartitionId): number {
    if (!(partition >= 0 && partition < this.partitions && host >= 0 && host < this.brokers)) return -1;
    const a = this.byHost;
    const start = this.byHostStart[host];
    const buckets = this.buckets[host] ?? this.bucketsOf(host);
    const b = partition >> this.bucketShift;
    let lo = buckets[b];
    let hi = buckets[b + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = a[mid];
      if (v === partition) return mid - start;
      if (v < partition) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private bucketsOf(host: HostId): Int32Array {
    const a = this.byHost;
    const end = this.byHostStart[host + 1];
    const shift = this.bucketShift;
    const count = (this.partitions >> shift) + 1;
    const buckets = new Int32Array(count + 1);
    let b = 0;
    for (let i = this.byHostStart[host]; i < end; i++) {
      const of = a[i] >> shift;
      while (b <= of) buckets[b++] = i;
    }
    while (b <= count) buckets[b++] = end;
    this.buckets[host] = buckets;
    return buckets;
  }

  /** Index of `host` in partition's replica list, or -1. */
  replicaIndex(partition: PartitionId, host: HostId): number {
    const rf = this.replicationFactor;
    const base = partition * rf;
    for (let j = 0; j < rf; j++) if (this.assignment[base + j] === host) return j;
    return -1;
  }

  topicOf(partition: PartitionId): string {
    return `t${Math.floor(partition / this.perTopic)}`;
  }

  indexInTopic(partition: PartitionId): number {
    return partition % this.perTopic;
  }
}
