/**
 * Failover at scale: for every registered elector, a cluster of 100 brokers (fewer for small
 * partition counts: 10 partitions per broker at least... up to 100 brokers), replication factor
 * 3, partitions 100 / 1k / 10k / 100k (and 1M with --big). Two faults, each in its own run:
 * crash the broker leading the most partitions; crash the controller (designs without one: the
 * busiest leader again). Prints whole-cell wall time (role probe + world run + judging, each also
 * apart), events per second, heap, peak RSS, whether the fault hit a settled cluster, and the
 * failover, coordinator and herd figures. A target is called met or MISSED only for a failover
 * measured on a settled cluster; otherwise the line says why it was not judged.
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
import { HEADER, countList, flag, measure, mib, n0, option, row, table, unjudgeable, type Measured } from "./bench-util.ts";

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
      `  ${cell.elector} ${cell.scenario} ${n0(cell.cluster.partitions)} partitions (${cell.cluster.brokers} brokers; ${m.hosts}): cell ${n0(m.wallMs)} ms (probe ${n0(m.probeMs)}, run ${n0(m.runMs)}, judge ${n0(m.judgeMs)}), ${n0(m.events)} events, heap ${mib(m.peakHeapBytes)} MiB, peak RSS ${mib(m.maxRssBytes)} MiB\n`,
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
    const perPartition = mine.map((m) => `${n0(m.cell.cluster.partitions)}: ${((m.wallMs * 1000) / m.cell.cluster.partitions).toFixed(1)} µs`);
    lines.push(`${name}: whole-cell time per partition ${perPartition.join(", ")}`);
    const marginal = mine.slice(1).map((m, i) => {
      const prev = mine[i];
      const dp = m.cell.cluster.partitions - prev.cell.cluster.partitions;
      return `${n0(prev.cell.cluster.partitions)}->${n0(m.cell.cluster.partitions)}: ${(((m.wallMs - prev.wallMs) * 1000) / dp).toFixed(1)} µs`;
    });
    if (marginal.length > 0) lines.push(`  marginal whole-cell time per added partition ${marginal.join(", ")}`);
    // A target is judged only on a failover measured on a settled cluster (bench-util's unjudgeable).
    if (ten !== undefined) {
      const why = unjudgeable(ten);
      lines.push(`  10k partitions: cell ${n0(ten.wallMs)} ms (target < 1000 ms: ${why !== undefined ? `NOT JUDGED: ${why}` : ten.wallMs < 1000 ? "met" : "MISSED"})`);
    }
    if (million !== undefined) {
      const why = unjudgeable(million);
      const ok = million.wallMs < 60_000 && million.maxRssBytes < 8 * 2 ** 30;
      lines.push(
        `  1M partitions: cell ${n0(million.wallMs)} ms, peak RSS ${mib(million.maxRssBytes)} MiB (target < 60 s and < 8 GiB: ${why !== undefined ? `NOT JUDGED: ${why}` : ok ? "met" : "MISSED"})`,
      );
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
          wallMs: m.wallMs,
          maxRssBytes: m.maxRssBytes,
          settled: m.settled ?? null,
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
