/** Cells that would mislead as plain numbers: censored spells, nothing measured, faults a design cannot see. */
import { describe, expect, test } from "vitest";
import type { RunResult } from "../runner/result.ts";
import { makeResult } from "../testing/report-fixtures.ts";
import { renderSummaryMarkdown } from "./markdown.ts";
import { buildModel } from "./model.ts";
import { SECTIONS, cellOf } from "./tables.ts";

const table = (id: string) => SECTIONS.flatMap((s) => s.tables).find((t) => t.id === id)!;
function cell(results: RunResult[], id: string, elector: string): string {
  const model = buildModel(results);
  return cellOf(model, table(id), model.rows[0], elector).text;
}
const base = (elector = "raft") => makeResult({ elector, scenario: "broker-crash", partitions: 10 });

describe("honest cells", () => {
  test("partitions leaderless at the end censor the failover: >= max, counted, flagged", () => {
    const r = base();
    const censored = { ...r, metrics: { ...r.metrics, end: { ...r.metrics.end, partitionsWithoutLeader: 3 } } };
    const text = cell([censored], "failover-time", "raft");
    expect(text).toMatch(/\(>= max: 3 never recovered\)$/);
    const model = buildModel([censored]);
    expect(cellOf(model, table("failover-time"), model.rows[0], "raft").bad).toBe(true);
  });

  test("no spell is 'no failover', never 0 / 0 / 0", () => {
    const r = base();
    const none = { ...r, metrics: { ...r.metrics, failover: { ...r.metrics.failover, samples: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 } } };
    expect(cell([none], "failover-time", "raft")).toBe("no failover (no partition lost its leader)");
  });

  test("a fault that only cuts ZooKeeper is n/a for a design that never talks to it", () => {
    const r = base();
    const cut = {
      ...r,
      faults: [{ at: 1000, type: "cut" as const, from: 0, to: "zk" as const, bothWays: true }],
      metrics: { ...r.metrics, coordinator: { ...r.metrics.coordinator, reads: 0, writes: 0 } },
    };
    expect(cell([cut], "failover-time", "raft")).toBe("n/a: the fault does not reach this design");
    expect(cell([cut], "client-outage", "raft")).toBe("n/a: the fault does not reach this design");
  });

  test("the clients section counts every write and states the workload", () => {
    const md = renderSummaryMarkdown([base()]);
    expect(md).toContain("## Clients");
    expect(md).toContain("Workload: 1 producer writing to 10 sampled partitions at 50 writes/s each from 5 s");
    // fixture: 100 sent, 95 ok, 6 failed (3 per fault), 2 unknown
    expect(cell([base()], "client-writes", "raft")).toBe("100 / 95 / 6 / 2");
  });

  test("several seeds show the range of p99 beside the mean", () => {
    const runs = [1, 2, 3].map((seed) => makeResult({ elector: "raft", scenario: "broker-crash", partitions: 10, seed }));
    expect(cell(runs, "failover-time", "raft")).toMatch(/\(600–640\) n=10$/);
  });
});
