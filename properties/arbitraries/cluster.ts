/**
 * Small clusters: brokers, partitions, replication factor. Each is an integer that shrinks toward
 * its minimum; the replication factor is clamped to the broker count (never above it), so the
 * three shrink independently and every generated spec is valid.
 */
import fc from "fast-check";
import type { ClusterSpec } from "../../src/cluster/cluster-model.ts";

export interface ClusterArbitraryOptions {
  readonly minBrokers: number;
  readonly maxBrokers: number;
  readonly minPartitions: number;
  readonly maxPartitions: number;
  readonly minReplicationFactor: number;
  readonly maxReplicationFactor: number;
}

/** Modest defaults for speed: 3-5 brokers, 1-20 partitions, RF 1-3. The lab allows 3-7 x 1-30 x RF 1-5. */
export const DEFAULT_CLUSTER: ClusterArbitraryOptions = {
  minBrokers: 3,
  maxBrokers: 5,
  minPartitions: 1,
  maxPartitions: 20,
  minReplicationFactor: 1,
  maxReplicationFactor: 3,
};

/** The widest cluster the property suite is meant for. */
export const WIDEST_CLUSTER: ClusterArbitraryOptions = {
  minBrokers: 3,
  maxBrokers: 7,
  minPartitions: 1,
  maxPartitions: 30,
  minReplicationFactor: 1,
  maxReplicationFactor: 5,
};

export function brokerCount(min: number, max: number): fc.Arbitrary<number> {
  return fc.integer({ min, max });
}

export function partitionCount(min: number, max: number): fc.Arbitrary<number> {
  return fc.integer({ min, max });
}

export function replicationFactor(min: number, max: number): fc.Arbitrary<number> {
  return fc.integer({ min, max });
}

/** A cluster spec: RF never above the broker count. Replica placement comes from the run's seed. */
export function clusterSpec(options: Partial<ClusterArbitraryOptions> = {}): fc.Arbitrary<ClusterSpec> {
  const o = { ...DEFAULT_CLUSTER, ...options };
  if (o.minBrokers < 1 || o.maxBrokers < o.minBrokers) throw new Error(`bad broker range ${o.minBrokers}..${o.maxBrokers}`);
  return fc
    .record({
      brokers: brokerCount(o.minBrokers, o.maxBrokers),
      partitions: partitionCount(o.minPartitions, o.maxPartitions),
      rf: replicationFactor(o.minReplicationFactor, o.maxReplicationFactor),
    })
    .map(({ brokers, partitions, rf }) => ({ brokers, partitions, replicationFactor: Math.min(rf, brokers) }));
}
