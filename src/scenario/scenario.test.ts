import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { testPreferredLeader } from "../testing/test-elector.ts";
import { BadInputError } from "./issues.ts";
import { decodeScenario, parseScenarioText, readScenarioFile } from "./load.ts";

const catalog = [...electors, testPreferredLeader];
const SCENARIOS = fileURLToPath(new URL("../../benchmarks/scenarios/", import.meta.url));

const base = { name: "t", cluster: { brokers: 3, partitions: 10 }, durationMs: 60_000 };

/** The problems a document is refused for, as "path: message" lines. */
function problems(doc: unknown): string[] {
  try {
    decodeScenario(doc, "t.yaml", catalog);
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return (e as BadInputError).issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`));
  }
  throw new Error("expected the document to be refused");
}

describe("scenario files", () => {
  it("decodes every shipped example", () => {
    const files = readdirSync(SCENARIOS).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const s = readScenarioFile(join(SCENARIOS, f), catalog);
      expect(s.name).toBe(f.replace(/\.(ya?ml|json)$/, ""));
      expect(s.faults.length).toBeGreaterThan(0);
    }
  });

  it("fills defaults and keeps sweeps", () => {
    const s = decodeScenario({ ...base, cluster: { brokers: 5, partitions: [100, 1000] }, seeds: [3, 4] }, "t.yaml", catalog);
    expect(s.partitions).toEqual([100, 1000]);
    expect(s.seeds).toEqual([3, 4]);
    expect(s.cluster.replicationFactor).toBe(3);
    expect(s.faults).toEqual([]);
    expect(s.algorithms).toBeUndefined();
  });

  it("refuses a bad fault host with its path and the expected shape", () => {
    expect(problems({ ...base, faults: [{ at: 1, type: "crash", host: 0 }, { at: 2, type: "heal" }, { at: 3, type: "crash", host: "x" }] })).toEqual([
      'faults[2].host: expected a broker number or "zk" (or a role: "controller", "leader-of-most"), got "x"',
    ]);
    expect(problems({ ...base, faults: [{ at: 1, type: "pause", host: 1.5, for: 10 }] })[0]).toMatch(/^faults\[0\]\.host: expected a broker number/);
  });

  it("names the fault type when it is unknown, and missing or unknown fields", () => {
    expect(problems({ ...base, faults: [{ at: 1, type: "crush", host: 0 }] })[0]).toMatch(/^faults\[0\]\.type: expected one of "crash", "restart", .* got "crush"$/);
    expect(problems({ ...base, faults: [{ at: 1, type: "pause", host: 0 }] })).toEqual(["faults[0].for: is required but missing"]);
    expect(problems({ ...base, fault: [] })[0]).toMatch(/^fault: unknown field \(expected one of: name, .*faults/);
    expect(problems({ ...base, network: { loss: 2 } })).toEqual(["network.loss: expected a probability between 0 and 1, got 2"]);
  });

  it("checks fields against each other", () => {
    expect(problems({ ...base, cluster: { brokers: 3, partitions: 10, replicationFactor: 4 } })).toEqual([
      "cluster.replicationFactor: expected at most cluster.brokers (3), got 4",
    ]);
    expect(problems({ ...base, faults: [{ at: 1, type: "cut", from: 3, to: "zk" }, { at: 99_000, type: "heal" }] })).toEqual([
      'faults[0].from: expected a broker number below cluster.brokers (3) or "zk", got 3',
      "faults[1].at: expected a time within the run (at most durationMs = 60000), got 99000",
    ]);
    expect(problems({ ...base, faults: [{ at: 1, type: "partition", groups: [[0, 1], [1, 7]] }] })).toEqual([
      "faults[0].groups[1][0]: expected each host in one group only, got 1 again (also at faults[0].groups[0][1])",
      'faults[0].groups[1][1]: expected a broker number below cluster.brokers (3) or "zk", got 7',
    ]);
  });

  it("checks electors and decodes their options with their own schema", () => {
    expect(problems({ ...base, algorithm: "nope" })[0]).toMatch(/^algorithm: expected a registered elector \(.*test-preferred.*\), got "nope"$/);
    expect(problems({ ...base, algorithms: [{ name: "test-preferred", options: { epoch: "x", bogus: 1 } }] }).sort()).toEqual([
      "algorithms[0].options.bogus: unknown field (expected one of: epoch, gossipMs, throwOnGossip)",
      'algorithms[0].options.epoch: expected number, got "x"',
    ]);
    expect(problems({ ...base, algorithm: { name: "test-preferred", hostOptions: { "5": {} } } })[0]).toMatch(
      /^algorithm\.hostOptions\["5"\]: expected a broker number below cluster\.brokers \(3\) as key/,
    );
    const ok = decodeScenario({ ...base, algorithm: { name: "test-preferred", options: { epoch: 2 }, hostOptions: { "1": { epoch: 3 } } } }, "t.yaml", catalog);
    expect(ok.algorithms).toEqual([{ elector: "test-preferred", options: { epoch: 2 }, hostOptions: { "1": { epoch: 3 } } }]);
  });

  it("reports JSON and YAML syntax errors with a position", () => {
    expect(() => parseScenarioText('{"name": 1,, }', "x.json")).toThrow(/x\.json: refused .*\n  not valid JSON: .* at line 1, column \d+/);
    expect(() => parseScenarioText("name: [1, 2\ncluster: 3\n", "x.yaml")).toThrow(/not valid YAML/);
  });
});
