/**
 * Heap of a million-znode tree (run: npx tsx --expose-gc src/coordinator/tree-heap.measure.ts).
 * The shape is Kafka's: /brokers/topics/<topic>/partitions/<p>/state with small JSON data.
 */
import { ZnodeTree } from "./tree.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");
const topics = Number(process.argv[2] ?? 100);
const partitions = Number(process.argv[3] ?? 5000);

gc();
const before = process.memoryUsage().heapUsed;
const t0 = performance.now();
const tree = new ZnodeTree();
let zxid = 1;
tree.create("/brokers", null, "persistent", 0, zxid++);
tree.create("/brokers/topics", null, "persistent", 0, zxid++);
for (let t = 0; t < topics; t++) {
  const topic = `/brokers/topics/t${t}`;
  tree.create(topic, { partitions: partitions }, "persistent", 0, zxid++);
  tree.create(`${topic}/partitions`, null, "persistent", 0, zxid++);
  for (let p = 0; p < partitions; p++) {
    tree.create(`${topic}/partitions/${p}`, null, "persistent", 0, zxid++);
    tree.create(`${topic}/partitions/${p}/state`, process.env.NODATA ? null : { leader: p % 7, leader_epoch: 0, isr: [p % 7, (p + 1) % 7] }, "persistent", 0, zxid++);
  }
}
const built = performance.now() - t0;
gc();
const after = process.memoryUsage().heapUsed;
const bytes = after - before;
console.log(
  JSON.stringify({ znodes: tree.size, heapMB: +(bytes / 1048576).toFixed(1), bytesPerZnode: Math.round(bytes / tree.size), buildMs: Math.round(built) }),
);
