import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BadInputError } from "../scenario/issues.ts";
import { decodeScenario } from "../scenario/load.ts";
import { ZOOKEEPER_PAPER_PROFILE } from "./profiles.ts";

const base = { name: "p", cluster: { brokers: 3, partitions: 10 }, durationMs: 1000 };

function refusal(input: unknown, source: string): string[] {
  try {
    decodeScenario(input, source, []);
  } catch (e) {
    if (e instanceof BadInputError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("coordinator: { profile }", () => {
  it("a built-in profile expands to its costs, with settings named beside it on top", () => {
    const s = decodeScenario({ ...base, coordinator: { profile: "zookeeper-paper", notificationMs: 0.1 } }, "x.yaml", []);
    expect(s.coordinator).toEqual({ ...ZOOKEEPER_PAPER_PROFILE.costs, notificationMs: 0.1 });
  });

  it("a calibrated profile file is read relative to the scenario", () => {
    const dir = mkdtempSync(join(tmpdir(), "profile-"));
    const costs = { ...ZOOKEEPER_PAPER_PROFILE.costs, createMs: 0.5 };
    writeFileSync(join(dir, "real.json"), JSON.stringify({ name: "real", source: "test", costs, measurements: {} }));
    const s = decodeScenario({ ...base, coordinator: { profile: "real.json" } }, join(dir, "s.yaml"), []);
    expect(s.coordinator?.createMs).toBe(0.5);
  });

  it("bad profiles and unknown settings are refused with the field's path", () => {
    const dir = mkdtempSync(join(tmpdir(), "profile-"));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ name: "b", source: "t", costs: { createMs: "fast" } }));
    const bad = refusal({ ...base, coordinator: { profile: "bad.json" } }, join(dir, "s.yaml"));
    expect(bad[0]).toMatch(/^coordinator\.profile\(costs\.createMs\): .*expected a time in ms >= 0, got "fast"/);
    expect(refusal({ ...base, coordinator: { profile: "nope" } }, "s.yaml")[0]).toMatch(/^coordinator\.profile: expected a built-in profile \(zookeeper-paper\)/);
    expect(refusal({ ...base, coordinator: { profile: "missing.json" } }, "s.yaml")[0]).toMatch(/cannot read profile file .*ENOENT/);
    expect(refusal({ ...base, coordinator: { writeServiceMs: 1 } }, "s.yaml")[0]).toMatch(/^coordinator\.writeServiceMs: expected "profile" or a ZooKeeper model setting/);
    expect(refusal({ ...base, coordinator: { createMs: "x" } }, "s.yaml")[0]).toMatch(/^coordinator\.createMs: expected a number/);
  });
});
