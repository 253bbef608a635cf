/** Scratch (not committed): run one settled cell, then time the judge a few times. */
import { electors } from "../algorithms/index.ts";
import { judge } from "../src/checker/judge.ts";
import { makeCell } from "../src/runner/cell.ts";
import { buildCell, startBuilt } from "../src/runner/run-cell.ts";
import { outcomeOf } from "../src/world/run.ts";
import { brokersFor } from "./failover-scaling-shape.ts";
import { countList, option } from "./bench-util.ts";

const elector = option("elector") ?? "naive-race";
const p = countList(option("partitions") ?? "10k")[0];
const cell = makeCell(0, { scenario: "x", elector, options: {}, seed: 1, cluster: { brokers: brokersFor(p), partitions: p, replicationFactor: 3 }, faults: [{ at: 1000, type: "crash", host: "leader-of-most" }], durationMs: Number(option("duration") ?? 21000), start: "settled", workload: { startMs: 0 }, timeline: "findings" });
const w = startBuilt(buildCell(cell, electors));
w.run();
const o = outcomeOf(w);
for (let i = 0; i < Number(option("reps") ?? 5); i++) {
  const c0 = process.cpuUsage();
  judge(o);
  const c = process.cpuUsage(c0);
  console.log(`judge ${((c.user + c.system) / 1000).toFixed(0)} ms CPU; log ${o.log.length}`);
}
