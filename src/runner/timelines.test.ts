/** A sweep keeps partition timelines beside its results; the report's few come back intact. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testPreferredLeader } from "../testing/test-elector.ts";
import { expandSweep } from "./cell.ts";
import { runSweep } from "./sweep.ts";
import { attachTimelines, mergeTimelines, TIMELINES_FILE } from "./timelines.ts";
import { decodeScenario } from "../scenario/load.ts";
import { fileURLToPath } from "node:url";

const dir = mkdtempSync(join(tmpdir(), "electorate-timelines-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TEST_ELECTOR = fileURLToPath(new URL("../testing/test-elector.ts", import.meta.url));

describe("timelines beside the results", () => {
  it("results and results.jsonl hold no partition timelines; timelines.jsonl does; attachTimelines brings them back", async () => {
    const scenario = decodeScenario(
      { name: "t", algorithm: "test-preferred", seeds: [1, 2, 3], cluster: { brokers: 3, partitions: 4 }, durationMs: 1000 },
      "t.yaml",
      [testPreferredLeader],
    );
    const cells = expandSweep([scenario], { timeline: "all", modules: [TEST_ELECTOR] }, ["test-preferred"]);
    const inside = await runSweep({ cells });
    const out = join(dir, "out");
    const beside = await runSweep({ cells, outDir: out, timelinesBeside: true });
    expect(beside.results.every((r) => r.timelines === "beside" && r.timeline.partitions.length === 0)).toBe(true);
    const lines = readFileSync(join(out, "results.jsonl"), "utf8").trim().split("\n");
    expect(lines.every((l) => (JSON.parse(l) as { timeline: { partitions: unknown[] } }).timeline.partitions.length === 0)).toBe(true);
    expect(readFileSync(join(out, TIMELINES_FILE), "utf8").trim().split("\n")).toHaveLength(3);
    const back = attachTimelines(beside.results, out);
    expect(back.map((r) => r.timeline)).toEqual(inside.results.map((r) => r.timeline));
    expect(back.map((r) => r.metrics.traceHash)).toEqual(inside.results.map((r) => r.metrics.traceHash));

    // A merge copies each shard's timelines beside the merged results.
    const merged = join(dir, "merged");
    mkdirSync(merged);
    mergeTimelines([out], merged);
    expect(attachTimelines(beside.results, merged).map((r) => r.timeline)).toEqual(inside.results.map((r) => r.timeline));
  });
});
