/** The verdict: derived from the data, n/a never ranked as a win, the why read from options. */
import { describe, expect, test } from "vitest";
import { fixtureGrid, makeResult } from "../testing/report-fixtures.ts";
import { renderHtml } from "./html.ts";
import { renderSummaryMarkdown } from "./markdown.ts";
import { buildModel } from "./model.ts";
import { buildVerdict, rankingText, whyOf } from "./verdict.ts";

describe("verdict", () => {
  const verdict = buildVerdict(buildModel(fixtureGrid()));
  const of = (scenario: string, elector: string) => verdict.find((v) => v.scenario === scenario)!.lines.find((l) => l.elector === elector)!;

  test("one line per elector per scenario, lost writes named, summed over partition counts", () => {
    expect(verdict.map((v) => v.scenario)).toEqual(["broker-crash", "zk-session-expiry"]);
    expect(verdict[0].lines.map((l) => l.elector)).toEqual(["naive-race", "kafka-controller", "raft"]);
    // The fixture's naive race loses writes 17 and 21 at 10 partitions of zk-session-expiry only.
    expect(of("zk-session-expiry", "naive-race").safety.lost).toBe(2);
    expect(of("zk-session-expiry", "naive-race").safety.text).toMatch(/^LOST 2 acknowledged writes/);
    expect(of("broker-crash", "naive-race").safety.text).toBe("no acknowledged write lost");
  });

  test("rankings put the safe designs first and the loser last", () => {
    const safety = verdict.find((v) => v.scenario === "zk-session-expiry")!.rankings[0];
    expect(safety.order.map((x) => x.elector).at(-1)).toBe("naive-race");
    // Client p99 grows with the fixture's failover: raft (300 ms) serves clients first.
    expect(verdict[0].rankings[1].order[0].elector).toBe("raft");
  });

  test("a design with no coordinator traffic is not ranked on coordinator cost, and says why", () => {
    const r = of("broker-crash", "raft");
    expect(r.coordinator.value).toBeNull();
    expect(r.coordinator.text).toBe("n/a: no coordinator");
    const ranking = verdict[0].rankings[2];
    expect(ranking.order.map((x) => x.elector)).not.toContain("raft");
    expect(rankingText(ranking)).toContain("not ranked: raft (n/a: no coordinator)");
  });

  test("a fault that only touches ZooKeeper is n/a for a design without it, not a win", () => {
    const cut = { at: 1000, type: "cut" as const, from: 0, to: "zk" as const, bothWays: true };
    const raft = makeResult({ elector: "raft", scenario: "broker-crash", partitions: 10 });
    const zkLess = { ...raft, scenario: "cut", faults: [cut], metrics: { ...raft.metrics, coordinator: { ...raft.metrics.coordinator, reads: 0, writes: 0 } } };
    const naive = { ...makeResult({ elector: "naive-race", scenario: "broker-crash", partitions: 10 }), scenario: "cut", faults: [cut] };
    const v = buildVerdict(buildModel([naive, zkLess]))[0];
    const line = v.lines.find((l) => l.elector === "raft")!;
    expect(line.availability.value).toBeNull();
    expect(line.availability.text).toMatch(/^n\/a: the fault touches only ZooKeeper/);
    expect(v.rankings[1].order.map((x) => x.elector)).toEqual(["naive-race"]);
  });

  test("the why names the options that bound failover", () => {
    expect(whyOf({ sessionTimeoutMs: 18000 })).toContain("sessionTimeoutMs 18 s");
    expect(whyOf({ electionTimeoutMin: 150, electionTimeoutMax: 300 })).toContain("150 ms-300 ms");
    expect(whyOf({ syncLimit: 5, tickTimeMs: 2000 })).toContain("syncLimit x tickTime = 10 s");
    expect(whyOf({ acks: "all", minInsyncReplicas: 2 })).toContain("acks=all, min.insync.replicas=2");
    expect(whyOf({})).toBe("");
  });

  test("both reports open with the verdict", () => {
    const results = fixtureGrid();
    const md = renderSummaryMarkdown(results);
    expect(md.indexOf("## Verdict")).toBeGreaterThan(0);
    expect(md.indexOf("## Verdict")).toBeLessThan(md.indexOf("## Split-brain"));
    const html = renderHtml(results);
    expect(html).toContain('<section id="verdict"');
    expect(html.indexOf('id="verdict"')).toBeLessThan(html.indexOf('id="overview"'));
  });
});
