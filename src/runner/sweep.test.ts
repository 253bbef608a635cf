import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { decodeScenario, type Scenario } from "../scenario/load.ts";
import { expandSweep, shardCells, type Cell } from "./cell.ts";
import { readJsonLines, readResults } from "./files.ts";
import type { RunResult } from "./result.ts";
import { runCell } from "./run-cell.ts";
import { mergeResults, runSweep } from "./sweep.ts";
import { testPreferredLeader } from "../testing/test-elector.ts";

const catalog = [...electors, testPreferredLeader];
const TEST_MODULE = new URL("../testing/test-elector.ts", import.meta.url).href;
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "electorate-sweep-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const scenario = (name: string, extra: Record<string, unknown> = {}): Scenario =>
  decodeScenario(
    {
      name,
      algorithm: "test-preferred",
      seeds: [1, 2],
      cluster: { brokers: 4, partitions: [8, 16], replicationFactor: 3 },
      workload: { partitions: 4, writesPerSecond: 20, startMs: 500 },
      faults: [
        { at: 1500, type: "crash", host: "leader-of-most" },
        { at: 2500, type: "restart", host: "leader-of-most" },
      ],
      durationMs: 4000,
      ...extra,
    },
    `${name}.yaml`,
    catalog,
  );

/** A tiny sweep: 1 elector x 2 partition counts x 2 scenarios x 2 seeds = 8 cells. */
function tinySweep(): Cell[] {
  return expandSweep([scenario("crash-restart"), scenario("slow-links", { network: { delay: { kind: "uniform", min: 1, max: 5 } } })], { modules: [TEST_MODULE] }, catalog.map((e) => e.name));
}

/** Everything but the machine-dependent cost. */
const stable = (results: readonly RunResult[]): unknown[] => results.map(({ cost: _c, ...rest }) => rest);

describe("sweep", () => {
  it("orders cells elector x partitions x scenario x seed and keys them by content", () => {
    const cells = tinySweep();
    expect(cells.map((c) => `${c.cluster.partitions}/${c.scenario}/${c.seed}`)).toEqual([
      "8/crash-restart/1",
      "8/crash-restart/2",
      "8/slow-links/1",
      "8/slow-links/2",
      "16/crash-restart/1",
      "16/crash-restart/2",
      "16/slow-links/1",
      "16/slow-links/2",
    ]);
    expect(cells.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(cells.map((c) => c.key)).size).toBe(8);
    expect(tinySweep().map((c) => c.key)).toEqual(cells.map((c) => c.key));
  });

  it("resolves role hosts by probing the same world, and records them", () => {
    const r = runCell(tinySweep()[0], catalog);
    const crash = r.faults[0];
    expect(crash.type).toBe("crash");
    expect(typeof (crash as { host: unknown }).host).toBe("number");
    expect((r.faults[1] as { host: unknown }).host).toBe((crash as { host: unknown }).host);
    expect(r.setup?.roles?.[0]).toMatch(/^leader-of-most = broker \d/);
    expect(r.cost.events).toBeGreaterThan(0);
  });

  it("gives identical results with 1 and 2 workers", async () => {
    const cells = tinySweep();
    const [one, two] = await Promise.all([
      runSweep({ cells, workers: 1, outDir: tmp() }),
      runSweep({ cells, workers: 2, outDir: tmp() }),
    ]);
    expect(one.failures).toEqual([]);
    expect(two.failures).toEqual([]);
    expect(one.results).toHaveLength(8);
    expect(stable(two.results)).toEqual(stable(one.results));
    // And the files written say the same.
    expect(stable(readResults(one.resultsFile!))).toEqual(stable(readResults(two.resultsFile!)));
  });

  it("keeps finished cells of an interrupted sweep; --resume runs only the rest", async () => {
    const cells = tinySweep();
    const out = tmp();
    const abort = new AbortController();
    let finished = 0;
    const first = await runSweep({
      cells,
      outDir: out,
      workers: 1,
      signal: abort.signal,
      onResult: () => {
        if (++finished === 3) abort.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.resultsFile).toBeUndefined();
    expect(existsSync(join(out, "results.json"))).toBe(false);
    const kept = readJsonLines(join(out, "results.jsonl"));
    expect(kept).toHaveLength(3);

    const resumed = await runSweep({ cells, outDir: out, workers: 1, resume: true });
    expect(resumed.reused).toBe(3);
    expect(resumed.ran).toBe(5);
    const full = await runSweep({ cells, workers: 1 });
    expect(stable(readResults(join(out, "results.json")))).toEqual(stable(full.results));
  });

  it("shard 1/2 + shard 2/2, merged, equal the full sweep", async () => {
    const cells = tinySweep();
    expect(shardCells(cells, { k: 1, n: 2 }).map((c) => c.index)).toEqual([0, 2, 4, 6]);
    const [a, b, full] = await Promise.all([
      runSweep({ cells, outDir: tmp(), workers: 1, shard: { k: 1, n: 2 } }),
      runSweep({ cells, outDir: tmp(), workers: 1, shard: { k: 2, n: 2 } }),
      runSweep({ cells, workers: 1 }),
    ]);
    expect(a.results).toHaveLength(4);
    const merged = mergeResults([b.resultsFile!, a.resultsFile!]);
    expect(merged.missing).toEqual([]);
    expect(stable(merged.results)).toEqual(stable(full.results));
    // One shard alone is reported as incomplete.
    expect(mergeResults([a.resultsFile!]).missing).toEqual([1, 3, 5, 7]);
    expect(readFileSync(a.resultsFile!, "utf8").startsWith("[\n")).toBe(true);
  });
});
