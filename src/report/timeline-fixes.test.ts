/** Timelines: off periods hatched, windows that reach the event that ends the problem, captions that count everything. */
import { describe, expect, test } from "vitest";
import type { SplitBrainFinding } from "../checker/metrics.ts";
import type { RunResult } from "../runner/result.ts";
import { makeResult } from "../testing/report-fixtures.ts";
import { offPeriods, summarizeOthers, timelineChart, timelineWindow, type TimelineFinding } from "./charts.ts";

const overlap: SplitBrainFinding = { grade: "overlap", partition: 0, hosts: [0, 1], epochs: [1, 2], from: 20_000, to: 21_000 };

function run(): RunResult {
  const r = makeResult({ elector: "naive-race", scenario: "broker-crash", partitions: 10 });
  return {
    ...r,
    durationMs: 60_000,
    timeline: {
      events: [
        { at: 10_000, host: 0, what: "paused" },
        { at: 19_000, host: 0, what: "resumed" },
        { at: 30_000, host: -1, what: "heal" },
        { at: 40_000, host: 2, what: "crashed" },
      ],
      partitions: [
        {
          partition: 0,
          replicas: [0, 1, 2],
          intervals: [
            { host: 0, epoch: 1, from: 1_000, to: 21_000 },
            { host: 1, epoch: 2, from: 20_000, to: 60_000 },
          ],
          acks: [20_100, 20_200, 20_300].map((at, i) => ({ writeId: i + 1, host: 0, epoch: 1, at, late: true })),
        },
      ],
    },
  };
}

describe("timelines", () => {
  test("crashed and paused periods come from host events; one still open ends at the run's end", () => {
    expect(offPeriods(run())).toEqual([
      { host: 0, from: 10_000, to: 19_000, what: "paused" },
      { host: 2, from: 40_000, to: 60_000, what: "down" },
    ]);
  });

  test("the window reaches the event after the finding (the heal), not only the finding", () => {
    const r = run();
    const t: TimelineFinding = { result: r, finding: overlap, others: [], partition: r.timeline.partitions[0] };
    const [, end] = timelineWindow(t);
    expect(end).toBeGreaterThanOrEqual(30_000);
  });

  test("the paused period is drawn hatched on the host's band, with its pattern in the same SVG", () => {
    const r = run();
    const svg = timelineChart({ result: r, finding: overlap, others: [], partition: r.timeline.partitions[0] }, "t", "d");
    expect(svg).toContain('<pattern id="electorate-hatch"');
    expect(svg).toContain('fill="url(#electorate-hatch)"');
    expect(svg).toContain("host 0 paused from 10,000 to 19,000 ms");
  });

  test("a caption counts every late acknowledgement of the partition, not only the listed findings", () => {
    const listed: SplitBrainFinding[] = [{ grade: "late-ack", partition: 0, hosts: [0, 1], epochs: [1, 2], from: 20_000, to: 20_100, writeId: 1 }];
    expect(summarizeOthers(listed)).toBe("1 late acknowledgement (20,000–20,100 ms)");
    expect(summarizeOthers(listed, { "late-ack": 471 })).toBe("471 late acknowledgements (the first from 20,000 ms)");
  });
});
