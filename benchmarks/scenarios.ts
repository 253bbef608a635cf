/**
 * The operational scenarios, for every registered elector: controlled shutdown, rolling restart,
 * leader paused past its session timeout, leader cut off from ZooKeeper, minority and majority
 * partitions, a flapping link (benchmarks/scenarios/*.yaml). Prints wall time, events per
 * second and heap with the run's metrics.
 *
 *   npm run bench:scenarios                       # 1000 partitions each
 *   npm run bench:scenarios -- --partitions 10k --electors raft,zab
 */
import { join } from "node:path";
import { expandSweep } from "../src/runner/cell.ts";
import { electorCatalog, moduleUrl } from "../src/runner/electors.ts";
import { readScenarioFile } from "../src/scenario/load.ts";
import { HEADER, countList, measure, mib, n0, option, row, table, type Measured } from "./bench-util.ts";

export const SCENARIOS = [
  "controlled-shutdown",
  "rolling-restart",
  "leader-paused-past-session",
  "leader-cut-from-zk",
  "minority-partition",
  "majority-partition",
  "flapping-link",
] as const;

const dir = new URL("./scenarios/", import.meta.url).pathname;
const modules = (option("elector-module") ?? "").split(",").filter((s) => s !== "").map(moduleUrl);
const catalog = await electorCatalog(modules);
const names = option("electors")?.split(",") ?? catalog.map((e) => e.name);
const partitions = countList(option("partitions") ?? "1000");
const chosen = option("scenarios")?.split(",") ?? [...SCENARIOS];
const scenarios = chosen.map((s) => readScenarioFile(join(dir, `${s}.yaml`), catalog));
const cells = expandSweep(scenarios, { algorithms: names.map((elector) => ({ elector, options: {} })), partitions, seeds: [1], modules }, names);
process.stderr.write(`scenarios: ${names.join(", ")} x ${chosen.length} scenarios x ${partitions.map(n0).join(" / ")} partitions = ${cells.length} runs\n`);
const measured: Measured[] = [];
for (const cell of cells) {
  const m = measure(cell, catalog);
  measured.push(m);
  process.stderr.write(`  ${cell.elector} ${cell.scenario} ${n0(cell.cluster.partitions)}: run ${n0(m.runMs)} ms, ${n0(m.events)} events, heap ${mib(m.peakHeapBytes)} MiB (${m.hosts})\n`);
}
// Group by scenario so each block compares electors on one fault.
measured.sort((a, b) => chosen.indexOf(a.cell.scenario) - chosen.indexOf(b.cell.scenario) || a.cell.index - b.cell.index);
process.stdout.write(`${table(HEADER, measured.map(row))}\n`);
