/**
 * One bench:scaling cell (busiest-leader crash, settled start, as failover-scaling.ts builds it),
 * with the garbage collector's pauses split by phase — build, run, judge — as V8 reports them
 * (perf_hooks "gc" entries: major = mark-compact, minor = scavenge). For finding what a phase costs
 * in collections at 1M partitions, where one mark-compact of the ~0.5 GiB heap takes 0.3-0.4 s:
 *
 *   node --max-old-space-size=8192 --import tsx benchmarks/cell-gc.ts [ELECTOR] [PARTITIONS]
 *
 * The run goes to the bound (61 s simulated) unless --until-ms T (--keep-world: judge with the world
 * still referenced, as bench:scaling did before stop 25); timing here only, nothing that
 * decides behaviour reads a clock.
 */
import { constants, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { electors } from "../algorithms/index.ts";
import { judge } from "../src/checker/judge.ts";
import { buildCell, startBuilt } from "../src/runner/run-cell.ts";
import type { RunRecord } from "../src/record/run-record.ts";
import { recordOf } from "../src/world/run.ts";
import type { World } from "../src/world/world.ts";
import { scalingCells } from "./failover-scaling.ts";

const args = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--until-ms");
const [name = "naive-race", partitions = "1000000"] = args;
const untilAt = process.argv.indexOf("--until-ms");
const cell = scalingCells([name], [Number(partitions)], "settled", ["crash-busiest-leader"])[0];
const until = untilAt >= 0 ? Number(process.argv[untilAt + 1]) : cell.durationMs;

const pauses: { at: number; ms: number; major: boolean }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push({ at: e.startTime, ms: e.duration, major: (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR });
}).observe({ entryTypes: ["gc"] });

// As bench:scaling (bench-util's measure) the judge runs with the world unreachable, only its record
// live; --keep-world judges with the world still referenced, as before stop 25 (the judge's full
// collection then marks the whole world).
const keepWorld = process.argv.includes("--keep-world");
function buildAndRun(): { t0: number; t1: number; record: RunRecord; world: World | undefined } {
  const t0 = performance.now();
  const built = buildCell(cell, electors);
  const t1 = performance.now();
  const world = startBuilt(built);
  world.kernel.runUntil(until);
  return { t0, t1, record: recordOf(world), world: keepWorld ? world : undefined };
}
const { t0, t1, record, world } = buildAndRun(); // with --keep-world, `world` (module scope) stays referenced
const t2 = performance.now();
judge(record);
const t3 = performance.now();
await new Promise((r) => setTimeout(r, 20)); // let the observer deliver the last entries

console.log(`${name} ${Number(partitions).toLocaleString("en-US")} partitions, run to ${until} ms: build ${(t1 - t0).toFixed(0)} ms, run ${(t2 - t1).toFixed(0)} ms, judge ${(t3 - t2).toFixed(0)} ms`);
for (const [phase, from, to] of [["build", t0, t1], ["run", t1, t2], ["judge", t2, t3]] as const) {
  const inPhase = pauses.filter((p) => p.at >= from && p.at < to);
  const sum = (major: boolean): string => {
    const ps = inPhase.filter((p) => p.major === major);
    return `${ps.length} (${ps.reduce((s, p) => s + p.ms, 0).toFixed(0)} ms)`;
  };
  console.log(`  ${phase}: mark-compact ${sum(true)}, scavenge ${sum(false)}`);
}
