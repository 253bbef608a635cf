/**
 * Kafka's rack-unaware replica assignment (AdminUtils.assignReplicasToBrokers, Kafka 2.x):
 * partition p's first replica goes on broker (p + startIndex) % n; the shift between the first
 * replica and its followers grows by one each time p wraps round the brokers; follower j sits at
 * (first + 1 + (shift + j) % (n - 1)) % n. The result is written flat: replica j of partition p
 * at [p * rf + j].
 */
export class AssignmentError extends Error {}

export function assignReplicasToBrokers(
  brokers: number,
  partitions: number,
  replicationFactor: number,
  startIndex: number,
  nextReplicaShift: number,
): Int32Array {
  if (!Number.isInteger(brokers) || brokers < 1) throw new AssignmentError(`brokers must be a positive integer, got ${brokers}`);
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new AssignmentError(`partitions must be a positive integer, got ${partitions}`);
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new AssignmentError(`replication factor must be larger than 0, got ${replicationFactor}`);
  }
  if (replicationFactor > brokers) {
    throw new AssignmentError(`replication factor ${replicationFactor} larger than available brokers ${brokers}`);
  }
  const n = brokers;
  const rf = replicationFactor;
  const out = new Int32Array(partitions * rf);
  let shift = nextReplicaShift;
  for (let p = 0; p < partitions; p++) {
    if (p > 0 && p % n === 0) shift += 1;
    const first = (p + startIndex) % n;
    out[p * rf] = first;
    for (let j = 0; j < rf - 1; j++) {
      // Kafka's replicaIndex: shift is taken modulo (n - 1) so followers never land on the first.
      out[p * rf + 1 + j] = (first + 1 + ((shift + j) % (n - 1))) % n;
    }
  }
  return out;
}
