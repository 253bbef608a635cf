import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { decodeOptions } from "../scenario/load.ts";
import { World } from "./world.ts";
import type { WorldConfig } from "./world-config.ts";
import { defineRules } from "../elector/rules.ts";

describe("named rules (ElectorDefinition.rules)", () => {
  it("numbers rules by position and refuses a key listed twice", () => {
    const r = defineRules([["a", "first"], ["b", "second"]]);
    expect(r.id).toEqual({ a: 0, b: 1 });
    expect(r.names).toEqual(["first", "second"]);
    expect(() => defineRules([["a", "x"], ["a", "y"]])).toThrow(/listed twice/);
  });

  // Every registered elector declares its rules, and a cold start followed by the crash of a broker
  // (the leader of several partitions) and its restart visits the rules of an election: the counts
  // come from the electors' own code paths, so a rule call placed on a dead path shows up here.
  for (const def of electors) {
    it(`${def.name}: a cold start, a crash and a restart visit its election rules`, () => {
      expect(def.rules?.length ?? 0).toBeGreaterThan(5);
      const config: WorldConfig<unknown> = {
        seed: 3,
        durationMs: 60_000,
        cluster: { brokers: 3, partitions: 3, replicationFactor: 3 },
        workload: { partitions: 3 },
        faults: [
          { at: 20_000, type: "crash", host: 0 },
          { at: 40_000, type: "restart", host: 0 },
        ],
        elector: def,
        options: decodeOptions(def, {}, "test"),
      };
      const w = new World(config);
      w.start();
      w.run();
      const visited = def.rules!.filter((_, i) => w.ruleVisits[i] > 0);
      // A cold start elects (someone campaigns and wins), the crash makes a new election.
      expect(visited.length).toBeGreaterThanOrEqual(4);
      expect(w.ruleVisits.length).toBe(def.rules!.length);
    });
  }
});
