/**
 * Scratch profiler (not committed): build one settled bench:scaling cell and report the time.
 */
import { electors } from "../algorithms/index.ts";
import { makeCell } from "../src/runner/cell.ts";
import { buildCell } from "../src/runner/run-cell.ts";
import { brokersFor } from "./failover-scaling-shape.ts";
import { countList, option } from "./bench-util.ts";

const elector = option("elector") ?? "zab";
const p = countList(option("partitions") ?? "1M")[0];
for (let rep = 0; rep < Number(option("reps") ?? 1); rep++) {
  const cell = makeCell(0, { scenario: "x", elector, options: {}, seed: 1, cluster: { brokers: brokersFor(p), partitions: p, replicationFactor: 3 }, faults: [{ at: 1000, type: "crash", host: "leader-of-most" }], durationMs: 61000, start: "settled", timeline: "findings" });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  buildCell(cell, electors);
  const c = process.cpuUsage(c0);
  console.log(`${elector} ${p}: build ${(performance.now() - t0).toFixed(0)} ms wall, ${((c.user + c.system) / 1000).toFixed(0)} ms CPU, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
}
