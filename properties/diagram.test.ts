/** Message diagrams: the traced run is the same run, and the picture shows what happened around the finding. */
import { describe, expect, test } from "vitest";
import { judge } from "../src/checker/judge.ts";
import { makeCell } from "../src/runner/cell.ts";
import { buildCell } from "../src/runner/run-cell.ts";
import { runWorld } from "../src/world/run.ts";
import { MAX_ARROWS, diagramOf } from "./diagram.ts";

describe("message diagram", () => {
  // The seeds' split-brain: the naive race's leader cut from ZooKeeper keeps leading while another is elected.
  const cell = makeCell(0, {
    scenario: "leader-cut",
    elector: "naive-race",
    options: {},
    seed: 3,
    cluster: { brokers: 3, partitions: 2, replicationFactor: 3 },
    faults: [
      { at: 8_000, type: "cut", from: "leader-of-most", to: "zk", bothWays: true },
      { at: 34_000, type: "heal" },
    ],
    durationMs: 40_000,
    timeline: "findings",
  });
  const { config } = buildCell(cell);
  const outcome = runWorld(config);
  const metrics = judge(outcome);
  const diagram = diagramOf(config, metrics, "naive-race leader cut from ZooKeeper");

  test("tracing messages changes nothing in the run", () => {
    expect(diagram.traceHash).toBe(outcome.traceHash);
  });

  test("lanes, arrows, the fault, within the arrow budget", () => {
    expect(diagram.drawn).toBeGreaterThan(0);
    expect(diagram.drawn).toBeLessThanOrEqual(MAX_ARROWS);
    expect(diagram.svg.startsWith("<svg")).toBe(true);
    expect(diagram.svg).toContain(">broker 0<");
    expect(diagram.svg).toContain(">ZooKeeper<");
    expect(diagram.svg).toMatch(/marker-end="url\(#arrow(-red)?\)"/);
    expect(metrics.splitBrain.overlap.count + (metrics.data.lostWrites.count ?? 0)).toBeGreaterThan(0);
    // The window holds the finding; the cut that caused it is drawn when it falls inside.
    const [w0, w1] = diagram.window;
    expect(w1).toBeGreaterThan(w0);
    if (w0 <= 8_000 && 8_000 <= w1) expect(diagram.svg).toContain("cut");
  });

  test("the zombie's lost write is the diagram's subject, its messages red", () => {
    expect(metrics.data.lostWrites.count).toBeGreaterThan(0);
    const lost = metrics.data.findings.find((f) => f.grade === "lost-write")!;
    expect(diagram.svg).toContain(`lost write ${lost.writeId}`);
    expect(diagram.svg).toContain('marker-end="url(#arrow-red)"');
  });
});
