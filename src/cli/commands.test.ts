/** The commands in-process (fast): argument parsing and refusals, without spawning the CLI. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cmdCompare, cmdReplay, guard, parseCounts, resolveScenarioPath, type Io } from "./commands.ts";

const dir = mkdtempSync(join(tmpdir(), "electorate-cmd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): Io & { text: () => string } {
  let buf = "";
  return { out: (t) => void (buf += t), err: (t) => void (buf += t), errIsTty: false, text: () => buf };
}

describe("commands", () => {
  it("parses partition counts, refusing anything else", () => {
    expect(parseCounts("100,1k,10_000,1m", "--partitions")).toEqual([100, 1_000, 10_000, 1_000_000]);
    expect(() => parseCounts("100,x", "--partitions")).toThrow(/--partitions: refused .*\n  expected comma-separated integers >= 1 .*got "x"/);
    expect(() => parseCounts("0", "--partitions")).toThrow(/got "0"/);
  });

  it("finds bundled scenarios by name and refuses unknown ones", () => {
    expect(resolveScenarioPath("broker-crash")).toMatch(/benchmarks\/scenarios\/broker-crash\.yaml$/);
    expect(() => resolveScenarioPath("no-such-scenario")).toThrow(/no scenario named "no-such-scenario" in benchmarks\/scenarios\/ \(broker-crash, /);
  });

  it("refuses bad flags with exit code 2 and writes nothing", async () => {
    const out = join(dir, "never");
    for (const args of [
      { algorithms: "nope" },
      { partitions: "1,,x" },
      { shard: "3/2" },
      { seeds: 0 },
      { scenarios: "no-such-scenario" },
    ]) {
      const o = io();
      const code = await guard(o, () => cmdCompare({ ...args, out, resume: false, progress: false, timeline: false }, o));
      expect(code, o.text()).toBe(2);
      expect(o.text()).toMatch(/^error: .*refused/);
      expect(o.text()).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(out)).toBe(false);
    const o = io();
    expect(await guard(o, () => cmdReplay({ file: join(dir, "missing.json"), json: false, timeline: false }, o))).toBe(2);
    expect(o.text()).toContain("missing.json: refused (1 problem):\n  no such file");
  });
});

describe("the default comparison and its report", () => {
  it("adds each variant whose options differ from its elector's defaults, at the two smaller sizes", async () => {
    const { compareCells } = await import("./commands.ts");
    const { cells } = await compareCells({ resume: false, progress: false, timeline: false });
    const names = [...new Set(cells.map((c) => c.elector))];
    expect(names).toContain("raft:paper");
    expect(names).not.toContain("raft:etcd"); // the same options as raft's defaults
    const sizes = (name: string) => [...new Set(cells.filter((c) => c.elector === name).map((c) => c.cluster.partitions))];
    expect(sizes("raft")).toEqual([100, 1_000, 10_000]);
    expect(sizes("raft:paper")).toEqual([100, 1_000]);
  });

  it("embeds a message diagram of a finding and replays the run from the run folder", async () => {
    const out = join(dir, "diagrams-run");
    const o = io();
    const code = await guard(o, () =>
      cmdCompare({ algorithms: "naive-race", partitions: "100", scenarios: "broker-crash", out, resume: false, progress: false, timeline: false }, o),
    );
    expect(code, o.text()).toBe(0);
    const { readFileSync } = await import("node:fs");
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).toContain('id="diagram-1"');
    expect(html).toMatch(/<div class="diagram"><svg[^>]*>[\s\S]*lost write/);
    expect(existsSync(join(out, "diagrams", "cell-0.svg"))).toBe(true);
    const r = io();
    expect(await guard(r, () => cmdReplay({ file: out, cell: 0, json: false, timeline: false }, r)), r.text()).toBe(0);
    expect(r.text()).toContain("reproduced: trace hash");
  });
});
