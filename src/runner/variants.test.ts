import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { resolveElectorName, splitElectorName, variantNames } from "../elector/variants.ts";
import { BadInputError } from "../scenario/issues.ts";
import { decodeScenario } from "../scenario/load.ts";
import { testPreferredLeader } from "../testing/test-elector.ts";
import { makeCell } from "./cell.ts";
import { runCell } from "./run-cell.ts";

const catalog = [...electors, testPreferredLeader];

function cell(elector: string, options: Record<string, unknown> = {}) {
  return makeCell(0, {
    scenario: "t",
    elector,
    options,
    seed: 1,
    cluster: { brokers: 3, partitions: 2, replicationFactor: 3 },
    faults: [],
    durationMs: 2_000,
    timeline: "findings",
  });
}

describe('"elector:variant" wherever an elector name is accepted', () => {
  it("splits and resolves names, and lists every variant", () => {
    expect(splitElectorName("raft:etcd")).toEqual({ elector: "raft", variant: "etcd" });
    expect(splitElectorName("raft")).toEqual({ elector: "raft", variant: undefined });
    expect(resolveElectorName(catalog, "test-preferred:epoch7")?.variant?.options).toEqual({ epoch: 7 });
    expect(resolveElectorName(catalog, "test-preferred:nope")).toBeUndefined();
    expect(variantNames(testPreferredLeader)).toEqual(["test-preferred", "test-preferred:epoch7"]);
  });

  it("a run records the variant's name and the options it selected; explicit options override it", () => {
    const r = runCell(cell("test-preferred:epoch7"), catalog);
    expect(r.elector).toBe("test-preferred:epoch7");
    expect(r.variant).toBe("epoch7");
    expect(r.options).toMatchObject({ epoch: 7 });
    expect(r.timeline.partitions).toEqual([]);
    const over = runCell(cell("test-preferred:epoch7", { epoch: 9 }), catalog);
    expect(over.options).toMatchObject({ epoch: 9 });
    const plain = runCell(cell("test-preferred"), catalog);
    expect(plain.variant).toBeUndefined();
    expect(plain.options).toMatchObject({ epoch: 1 });
  });

  it("scenario files accept variant names and refuse unknown variants with the known names", () => {
    const base = { name: "t", cluster: { brokers: 3, partitions: 2 }, durationMs: 10_000, faults: [{ at: 1000, type: "crash", host: 0 }] };
    const s = decodeScenario({ ...base, algorithms: ["test-preferred:epoch7", { name: "test-preferred:epoch7", options: { epoch: 2 } }] }, "t.yaml", catalog);
    expect(s.algorithms?.map((a) => a.elector)).toEqual(["test-preferred:epoch7", "test-preferred:epoch7"]);
    try {
      decodeScenario({ ...base, algorithm: "test-preferred:nope" }, "t.yaml", catalog);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BadInputError);
      expect((e as BadInputError).issues[0]).toMatchObject({ path: "algorithm", message: expect.stringContaining("test-preferred:epoch7") });
    }
  });
});
