/**
 * The systematic explorer on tiny explorations (seconds): it runs the real elector code, judges
 * with the lab's checker, is deterministic for a states budget, and refuses bad settings by field.
 */
import { describe, expect, it } from "vitest";
import { exploreElector, ExploreSettingsError } from "./index.ts";

describe("exploreElector", () => {
  it("explores raft:paper (3 brokers, 1 partition) to depth 2 with one fault and finds no violation", () => {
    const r = exploreElector({ algorithm: "raft:paper", brokers: 3, partitions: 1, depth: 2, faults: 1, save: false });
    expect(r.violation).toBeUndefined();
    expect(r.stoppedBy).toBe("exhausted");
    expect(r.depthReached).toBe(2);
    expect(r.distinctStates).toBeGreaterThan(10);
    expect(r.distinctStates).toBeLessThanOrEqual(r.statesGenerated);
    expect(r.properties).toEqual(["no-exceptions", "no-lost-acknowledged-writes", "no-divergence", "no-same-epoch-leaders", "liveness"]);
    // Coverage: the explored paths delivered raft's own messages to brokers.
    expect(Object.keys(r.coverage.ran).some((k) => k.startsWith("received raft."))).toBe(true);
  });

  it("gives the same figures for the same states budget (deterministic)", () => {
    const s = { algorithm: "raft:paper", brokers: 3, partitions: 1, depth: 3, faults: 1, maxStates: 40, save: false } as const;
    const a = exploreElector(s);
    const b = exploreElector(s);
    expect(a.stoppedBy).toBe("max-states");
    expect([a.statesGenerated, a.distinctStates, a.depthReached, a.eventsRun]).toEqual([b.statesGenerated, b.distinctStates, b.depthReached, b.eventsRun]);
  });

  it("refuses bad settings with the field's name", () => {
    expect(() => exploreElector({ algorithm: "raft:nope", brokers: 3, partitions: 1, depth: 1, faults: 0 })).toThrow(ExploreSettingsError);
    expect(() => exploreElector({ algorithm: "raft", brokers: 9, partitions: 1, depth: 1, faults: 0 })).toThrow(/brokers: expected an integer from 2 to 5/);
    expect(() => exploreElector({ algorithm: "raft", brokers: 3, partitions: 1, depth: 1, faults: 0, faultKinds: ["boom" as never] })).toThrow(/faultKinds\[0\]/);
  });
});
