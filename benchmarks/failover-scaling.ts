/**
 * Failover at scale: for every registered elector, a cluster of 100 brokers (fewer for small
 * partition counts: 10 partitions per broker at least... up to 100 brokers), replication factor
 * 3, partitions 100 / 1k / 10k / 100k (and 1M with --big). Two faults, each in its own run:
 * crash the broker leading the most partitions; crash the controller (designs without one: the
 * busiest leader again). Prints wall time (world run; the role probe and judging apart), events
 * per second, heap, and the failover, coordinator and herd figures.
 *
 *   npm run bench:scaling                  # 100 .. 100k
 *   npm run bench:scaling -- --big         # and 1M (give Node 8 GiB: the script does)
 *   npm run bench:scaling -- --electors raft --partitions 10k,100k --json out.json
 *
 * Targets (DESIGN.md; a benchmark reports, it does not fail): 10k partitions under 1 s per
 * elector; 1M under 60 s and 8 GiB; time linear in partitions.
 */
import { writeFileSync } from "node:fs";
import { electors as registry } from "../algorithms/index.ts";
import { makeCell, type Cell } from "../src/runner/cell.ts";
import { electorCatalog, moduleUrl } from "../src/runner/electors.ts";
import { HEADER, countList, flag, measure, mib, n0, option, row, table, type Measured } from "./bench-util.ts";

const FAULT_AT = 10_000;
/** Session expiry (18 s) plus the time to settle after it. */
const DURATION = 40_000;

export function brokersFor(partitions: number): number {
  return Math.max(6, Math.min(100, Math.floor(partitions / 10)));
}

export function scalingCells(electorNames: readonly string[], partitions: readonly number[]): Cell[] {
  const cells: Cell[] = [];
  for (const elector of electorNames) {
    for (const p of partitions) {
      for (const [scenario, host] of [
        ["crash-busiest-leader", "leader-of-most"],
        ["crash-controller", "controller"],
      ] as const) {
        cells.push(
          makeCell(cells.length, {
            scenario,
            elector,
            options: {},
            seed: 1,
            cluster: { brokers: brokersFor(p), partitions: p, replicationFactor: 3 },
            faults: [{ at: FAULT_AT, type: "crash", host }],
            durationMs: DURATION,
            timeline: "findings",
          }),
        );
      }
    }
  }
  return cells;
}

async function main(): Promise<void> {
  const modules = (option("elector-module") ?? "").split(",").filter((s) => s !== "").map(moduleUrl);
  const catalog = await electorCatalog(modules);
  const names = option("electors")?.split(",") ?? catalog.map((e) => e.name);
  const partitions = option("partitions") !== undefined ? countList(option("partitions")!) : [100, 1_000, 10_000, 100_000, ...(flag("big") ? [1_000_000] : [])];
  const cells = scalingCells(names, partitions);
  process.stderr.write(
    `failover-scaling: ${names.join(", ")} x ${partitions.map(n0).join(" / ")} partitions x 2 faults = ${cells.length} runs (registry: ${registry.length} electors)\n`,
  );
  const measured: Measured[] = [];
  for (const cell of cells) {
    const m = measure(cell, catalog);
    measured.push(m);
    process.stderr.write(
      `  ${cell.elector} ${cell.scenario} ${n0(cell.cluster.partitions)} partitions (${cell.cluster.brokers} brokers; ${m.hosts}): run ${n0(m.runMs)} ms, ${n0(m.events)} events, heap ${mib(m.peakHeapBytes)} MiB\n`,
    );
  }
  process.stdout.write(`${table(HEADER, measured.map(row))}\n\n`);

  // Targets and linearity, per elector (busiest-leader crash).
  const lines: string[] = [];
  for (const name of names) {
    const mine = measured.filter((m) => m.cell.elector === name && m.cell.scenario === "crash-busiest-leader");
    const at = (p: number): Measured | undefined => mine.find((m) => m.cell.cluster.partitions === p);
    const ten = at(10_000);
    const million = at(1_000_000);
    const perPartition = mine.map((m) => `${n0(m.cell.cluster.partitions)}: ${((m.runMs * 1000) / m.cell.cluster.partitions).toFixed(1)} µs`);
    lines.push(`${name}: run time per partition ${perPartition.join(", ")}`);
    const marginal = mine.slice(1).map((m, i) => {
      const prev = mine[i];
      const dp = m.cell.cluster.partitions - prev.cell.cluster.partitions;
      return `${n0(prev.cell.cluster.partitions)}->${n0(m.cell.cluster.partitions)}: ${(((m.runMs - prev.runMs) * 1000) / dp).toFixed(1)} µs`;
    });
    if (marginal.length > 0) lines.push(`  marginal run time per added partition ${marginal.join(", ")}`);
    if (ten !== undefined) lines.push(`  10k partitions: ${n0(ten.runMs)} ms (target < 1000 ms: ${ten.runMs < 1000 ? "met" : "MISSED"})`);
    if (million !== undefined) {
      const ok = million.runMs < 60_000 && million.peakHeapBytes < 8 * 2 ** 30;
      lines.push(`  1M partitions: ${n0(million.runMs)} ms, heap ${mib(million.peakHeapBytes)} MiB (target < 60 s and < 8 GiB: ${ok ? "met" : "MISSED"})`);
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);

  const out = option("json");
  if (out !== undefined) {
    writeFileSync(
      out,
      `${JSON.stringify(
        measured.map((m) => ({
          elector: m.cell.elector,
          scenario: m.cell.scenario,
          cluster: m.cell.cluster,
          faults: m.hosts,
          runMs: m.runMs,
          probeMs: m.probeMs,
          judgeMs: m.judgeMs,
          events: m.events,
          peakHeapBytes: m.peakHeapBytes,
          metrics: m.metrics,
        })),
        null,
        1,
      )}\n`,
    );
  }
}

await main();
