/**
 * Heap used by the cluster model (replica assignment + per-broker index) at 1,000,000 partitions
 * x RF 3 on 100 brokers. Run: npx tsx --expose-gc benchmarks/cluster-model.bench.ts
 */
import { ClusterModel } from "../src/cluster/cluster-model.ts";
import { RandomStream } from "../src/sim/random.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};
const before = heap();
const t0 = performance.now();
const cluster = new ClusterModel({ brokers: 100, partitions: 1_000_000, replicationFactor: 3 }, new RandomStream(1, "cluster"));
const ms = performance.now() - t0;
const used = heap() - before;
console.log(`cluster model: 100 brokers, 1,000,000 partitions, RF 3`);
console.log(`  built in ${ms.toFixed(0)} ms; heap + array buffers ${(used / 1048576).toFixed(1)} MiB (${(used / cluster.partitions).toFixed(1)} bytes per partition)`);
console.log(`  broker 0 replicates ${cluster.partitionsOf(0).length} partitions${gc ? "" : " (run with --expose-gc for exact figures)"}`);
