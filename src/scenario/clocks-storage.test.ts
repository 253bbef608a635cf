/** Scenario files: per-host clocks and disks, clock and disk faults (docs/scenarios.md). */
import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { makeCell } from "../runner/cell.ts";
import { buildCell, runCell } from "../runner/run-cell.ts";
import { testPreferredLeader } from "../testing/test-elector.ts";
import { cellOfResult } from "../cli/commands.ts";
import { BadInputError } from "./issues.ts";
import { decodeScenario } from "./load.ts";

const catalog = [...electors, testPreferredLeader];
const base = { name: "t", cluster: { brokers: 3, partitions: 10 }, durationMs: 60_000 };

function problems(doc: unknown): string[] {
  try {
    decodeScenario(doc, "t.yaml", catalog);
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return (e as BadInputError).issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`));
  }
  throw new Error("expected the document to be refused");
}

const clocks = { offsetMs: { between: [-50, 50] }, driftPpm: 100, hosts: { "2": { driftPpm: { between: [-500, 500] } } } };
const storage = { fsync: { kind: "constant", ms: 2 }, hosts: { "1": { fsync: { kind: "exponential", min: 1, mean: 5 } } } };
const faults = [
  { at: 1000, type: "clockJump", host: 0, byMs: -250 },
  { at: 2000, type: "clockDrift", host: "leader-of-most", ppm: -200, forMs: 5000 },
  { at: 3000, type: "slowDisk", host: 1, factor: 40, forMs: 1000 },
];

describe("scenario files: clocks, disks and their faults", () => {
  it("decodes clocks, storage and clock and disk faults", () => {
    const s = decodeScenario({ ...base, clocks, storage, faults }, "t.yaml", catalog);
    expect(s.clocks).toEqual(clocks);
    expect(s.storage).toEqual(storage);
    expect(s.faults).toEqual(faults);
  });

  it("refuses bad clocks, disks and clock faults with the path and what was expected", () => {
    expect(
      problems({
        ...base,
        clocks: { driftPpm: -1_000_000, offsetMs: { between: [10, 5] }, hosts: { "3": {}, "1": { driftPpm: { between: [1, 0] } } } },
        storage: { fsync: { kind: "uniform", min: 3, max: 1 }, hosts: { x: {} } },
      }),
    ).toEqual(["clocks.driftPpm: expected a drift in ppm between -999999 and 999999, got -1000000"]);
    expect(
      problems({
        ...base,
        clocks: { offsetMs: { between: [10, 5] }, hosts: { "3": {}, "1": { driftPpm: { between: [1, 0] } } } },
        storage: { fsync: { kind: "uniform", min: 3, max: 1 }, hosts: { x: {} } },
      }),
    ).toEqual([
      "clocks.offsetMs.between[1]: expected a value >= 10 (the range's start), got 5",
      'clocks.hosts["1"].driftPpm.between[1]: expected a value >= 1 (the range\'s start), got 0',
      'clocks.hosts["3"]: expected a broker number below cluster.brokers (3) as key, got "3"',
      "storage.fsync.max: expected a value >= min (3), got 1",
      'storage.hosts.x: expected a broker number below cluster.brokers (3) as key, got "x"',
    ]);
    expect(
      problems({
        ...base,
        faults: [
          { at: 1, type: "clockJump", host: "zk", byMs: 5 },
          { at: 1, type: "clockDrift", host: 4, ppm: 1, forMs: 10 },
          { at: 1, type: "slowDisk", host: 0, factor: 0.5, forMs: 10 },
        ],
      }),
    ).toEqual(["faults[2].factor: expected a slow-down factor >= 1, got 0.5"]);
    expect(
      problems({
        ...base,
        faults: [
          { at: 1, type: "clockJump", host: "zk", byMs: 5 },
          { at: 1, type: "clockDrift", host: 4, ppm: 1, forMs: 10 },
        ],
      }),
    ).toEqual([
      'faults[0].host: expected a broker number or a role (the coordinator\'s clock and disk are not modelled), got "zk"',
      'faults[1].host: expected a broker number below cluster.brokers (3) or "zk", got 4',
    ]);
  });

  it("a cell carries clocks and storage to the world, records them, and replays to the same trace hash", () => {
    const s = decodeScenario({ ...base, durationMs: 8_000, clocks, storage, faults }, "t.yaml", catalog);
    const cell = makeCell(0, {
      scenario: s.name,
      elector: "test-preferred",
      options: {},
      seed: 4,
      cluster: { ...s.cluster, partitions: 10 },
      ...(s.clocks !== undefined ? { clocks: s.clocks } : {}),
      ...(s.storage !== undefined ? { storage: s.storage } : {}),
      faults: s.faults,
      durationMs: s.durationMs,
      timeline: "findings",
    });
    expect(buildCell(cell, catalog).config.clocks).toEqual(clocks);
    const r = runCell(cell, catalog);
    expect(r.setup?.clocks).toEqual(clocks);
    expect(r.setup?.storage).toEqual(storage);
    const again = runCell(cellOfResult(r, "findings"), catalog);
    expect(again.metrics.traceHash).toBe(r.metrics.traceHash);
    // The clocks change the run (the test elector's gossip timers run on its clocks).
    const { clocks: _c, index: _i, key: _k, ...plain } = cell;
    expect(runCell(makeCell(0, plain), catalog).metrics.traceHash).not.toBe(r.metrics.traceHash);
  });
});
