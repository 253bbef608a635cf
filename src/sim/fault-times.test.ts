import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { makeCell } from "../runner/cell.ts";
import { runCell } from "../runner/run-cell.ts";
import { BadInputError } from "../scenario/issues.ts";
import { decodeScenario } from "../scenario/load.ts";
import type { FaultSpec } from "../scenario/schema.ts";
import { drawFaultTimes } from "./fault-times.ts";

describe("fault times drawn per seed", () => {
  const faults: FaultSpec[] = [
    { at: 100, type: "heal" },
    { at: { between: [10_000, 12_000] }, type: "crash", host: 1 },
    { at: { between: [0.5, 0.75] }, type: "heal" },
  ];

  it("draws ranged times within their range (whole ms for whole ends), leaves fixed ones, the same for the same seed", () => {
    const a = drawFaultTimes(faults, 7);
    expect(a[0]).toBe(faults[0]);
    expect(a[1]).toMatchObject({ type: "crash", host: 1 });
    expect(Number.isInteger(a[1].at) && a[1].at >= 10_000 && a[1].at <= 12_000).toBe(true);
    expect(a[2].at >= 0.5 && a[2].at <= 0.75).toBe(true);
    expect(drawFaultTimes(faults, 7)).toEqual(a);
    const times = new Set(Array.from({ length: 200 }, (_, seed) => drawFaultTimes(faults, seed)[1].at));
    expect(times.size).toBeGreaterThan(150);
    expect(Math.min(...times)).toBeLessThan(10_200);
    expect(Math.max(...times)).toBeGreaterThan(11_800);
  });

  it("a run with a ranged time equals the run with that time fixed: drawing it reshuffles nothing else", () => {
    const cell = (f: FaultSpec[]) =>
      makeCell(0, {
        scenario: "t",
        elector: "raft",
        options: {},
        seed: 5,
        cluster: { brokers: 3, partitions: 20, replicationFactor: 3 },
        faults: f,
        durationMs: 8_000,
        timeline: "findings",
      });
    const ranged = runCell(cell([{ at: { between: [3_000, 4_000] }, type: "crash", host: 0 }]), electors);
    const drawn = ranged.faults[0].at;
    expect(drawn).not.toBe(3_000);
    const fixed = runCell(cell([{ at: drawn, type: "crash", host: 0 }]), electors);
    expect(fixed.metrics.traceHash).toBe(ranged.metrics.traceHash);
  });

  it("scenario files: a range must be ordered and end within the run", () => {
    const base = { name: "t", cluster: { brokers: 3, partitions: 1 }, durationMs: 60_000 };
    const problems = (doc: unknown): string[] => {
      try {
        decodeScenario(doc, "t.yaml", electors);
      } catch (e) {
        return (e as BadInputError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    expect(problems({ ...base, faults: [{ at: { between: [5, 70_000] }, type: "crash", host: 0 }] })).toEqual([
      "faults[0].at.between[1]: expected a time within the run (at most durationMs = 60000), got 70000",
    ]);
    expect(problems({ ...base, faults: [{ at: { between: [5, 1] }, type: "heal" }] })).toEqual([
      "faults[0].at.between[1]: expected a value >= 5 (the range's start), got 1",
    ]);
    expect(problems({ ...base, faults: [{ at: { from: 5 }, type: "heal" }] })[0]).toMatch(/^faults\[0\]\.at/);
    expect(problems({ ...base, faults: [{ at: { between: [1000, 2000] }, type: "heal" }] })).toEqual([]);
  });
});
