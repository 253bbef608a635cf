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
