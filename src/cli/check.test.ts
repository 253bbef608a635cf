import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { BadInputError } from "../scenario/issues.ts";
import { cmdCheck, compareCells, parseSettings, type Io } from "./commands.ts";
import type { HuntMatrix } from "./hunt-matrix.ts";
import { makeHuntProgress } from "./hunt-progress.ts";
import { settingsFor } from "./settings.ts";

const dir = mkdtempSync(join(tmpdir(), "electorate-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): Io & { out: (s: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (s) => void lines.push(s), err: (s) => void lines.push(s), errIsTty: false };
}

describe("electorate check", () => {
  it("parses --set key=value pairs, values as JSON when they parse", () => {
    expect(parseSettings(["a=3", "b=true", 'c="x"', "d=keep-leading", "e={\"k\":1}"])).toEqual({ a: 3, b: true, c: "x", d: "keep-leading", e: { k: 1 } });
    expect(() => parseSettings(["novalue"])).toThrow(BadInputError);
  });

  it("refuses unknown electors, variants, properties and bad option values before running anything", async () => {
    await expect(cmdCheck({ algorithm: "nope", runs: 1 }, io())).rejects.toThrow(/expected a registered elector/);
    await expect(cmdCheck({ algorithm: "raft:no-such-variant", runs: 1 }, io())).rejects.toThrow(/raft:no-such-variant/);
    await expect(cmdCheck({ algorithm: "raft", runs: 1, properties: ["no-stale-acknowledgements"] }, io())).rejects.toThrow(/no-lost-acknowledged-writes/);
    await expect(cmdCheck({ algorithm: "raft", runs: 1, set: ["electionTimeoutMin=abc"] }, io())).rejects.toThrow(BadInputError);
  });

  it("checks a named property, claimed or not, and says which were checked and which found", async () => {
    const out = io();
    const code = await cmdCheck({ algorithm: "raft", runs: 2, seed: 3, properties: ["no-same-epoch-leaders"] }, out);
    const text = out.lines.join("");
    expect(code).toBe(0);
    expect(text).toMatch(/^checked: no-exceptions, no-same-epoch-leaders$/m);
    expect(text).toMatch(/^violations found: none$/m);
    expect(text).toMatch(/^not checked \(hunt one with --property NAME\): /m);
  });

  it("--algorithms: a matrix property x variant with every cell said, every counterexample replayed on every variant, a report written", async () => {
    const out = io();
    const report = join(dir, "matrix");
    const code = await cmdCheck({ algorithms: "naive-race:keep-leading,naive-race:fenced", runs: 3, seed: 42, out: report }, out);
    const text = out.lines.join("");
    expect(code, text).toBe(0); // keep-leading's lost writes are not claimed: no claim broken
    expect(text).toMatch(/^naive-race:keep-leading .*found at run \d+, shrunk to \d+ faults? \*/m);
    expect(text).toMatch(/^naive-race:fenced .*not found in 3 runs/m);
    expect(text).toMatch(/^Every shrunk counterexample replayed on every variant/m);
    expect(text).toMatch(/^naive-race:keep-leading +\[violates\]/m);
    const m = JSON.parse(readFileSync(join(report, "hunt.json"), "utf8")) as HuntMatrix;
    expect(m.variants.map((v) => v.name)).toEqual(["naive-race:keep-leading", "naive-race:fenced"]);
    expect(m.cells.flat().every((c) => ["found", "not-found", "not-measured", "not-checked"].includes(c.status))).toBe(true);
    expect(m.replays.length).toBe(m.counterexamples.length);
    expect(m.replays.every((row) => row.length === 2 && row.filter((r) => r.source).length === 1)).toBe(true);
    expect(readFileSync(join(report, "summary.md"), "utf8")).toMatch(/\| naive-race:fenced \|/);
    expect(readFileSync(join(report, "index.html"), "utf8")).toContain("Every counterexample on every variant");
    for (const c of m.counterexamples) expect(existsSync(join(report, "counterexamples", c.counterexamplePath!.split("/").pop()!))).toBe(true);
  });

  it("--algorithms all leaves bug-zoo variants out unless asked; exactly one of --algorithm / --algorithms", async () => {
    const { selectVariants } = await import("./hunt-matrix.ts");
    const all = selectVariants(electors, "all", false);
    expect(all).toContain("raft:etcd");
    expect(all.length).toBeGreaterThanOrEqual(electors.length);
    const bugs = electors.flatMap((e) => (e.variants ?? []).filter((v) => (v as { bug?: unknown }).bug !== undefined).map((v) => `${e.name}:${v.name}`));
    for (const b of bugs) expect(all).not.toContain(b);
    expect(selectVariants(electors, "all", true).length).toBe(all.length + bugs.length);
    await expect(cmdCheck({ algorithm: "raft", algorithms: "all", runs: 1 }, io())).rejects.toThrow(/exactly one of --algorithm/);
    await expect(cmdCheck({ runs: 1 }, io())).rejects.toThrow(/exactly one of --algorithm/);
    await expect(cmdCheck({ algorithms: "raft,nope", runs: 1 }, io())).rejects.toThrow(/got "nope"/);
  });

  it("--set: a plain key goes to every elector that has the option, ELECTOR.key to one; unknown keys and bad values refused", async () => {
    expect(settingsFor(electors, "raft:paper", { preVote: true, sessionTimeoutMs: 6000 })).toEqual({ preVote: true });
    expect(settingsFor(electors, "naive-race", { preVote: true, sessionTimeoutMs: 6000 })).toEqual({ sessionTimeoutMs: 6000 });
    expect(settingsFor(electors, "raft", { "raft.preVote": false, preVote: true })).toEqual({ preVote: false });
    expect(settingsFor(electors, "zab", { "raft.preVote": false })).toEqual({});
    const { cells } = await compareCells({ algorithms: "raft,naive-race", partitions: "10", scenarios: "broker-crash", set: ["preVote=false"], resume: false, progress: false, timeline: false });
    expect(cells.filter((c) => c.elector === "raft").every((c) => c.options.preVote === false)).toBe(true);
    expect(cells.filter((c) => c.elector === "naive-race").every((c) => !("preVote" in c.options))).toBe(true);
    const plain = await compareCells({ algorithms: "raft,naive-race", partitions: "10", scenarios: "broker-crash", resume: false, progress: false, timeline: false });
    expect(cells.find((c) => c.elector === "raft")!.key).not.toBe(plain.cells.find((c) => c.elector === "raft")!.key);
    await expect(compareCells({ algorithms: "raft", partitions: "10", scenarios: "broker-crash", set: ["noSuchOption=1"], resume: false, progress: false, timeline: false })).rejects.toThrow(
      /--set: refused.*noSuchOption/s,
    );
    await expect(compareCells({ algorithms: "raft", partitions: "10", scenarios: "broker-crash", set: ["preVote=maybe"], resume: false, progress: false, timeline: false })).rejects.toThrow(BadInputError);
  });

  it("progress: a bar redrawn in place on a terminal, a plain line every few seconds when piped", () => {
    let t = 0;
    const tty: string[] = [];
    const bar = makeHuntProgress({ write: (s) => void tty.push(s), isTty: true, columns: 100 }, { totalRuns: 10, now: () => t });
    bar.say("hunting: raft");
    t = 200;
    bar.search("raft", 5, 10);
    bar.finish();
    expect(tty.join("")).toMatch(/hunting: raft\n/);
    expect(tty.join("")).toMatch(/\r\x1b\[2K\[#{12}-{12}\] 5\/10 runs/);
    const piped: string[] = [];
    t = 0;
    const lines = makeHuntProgress({ write: (s) => void piped.push(s), isTty: false }, { totalRuns: 10, now: () => t, plainEveryMs: 5_000 });
    for (let i = 1; i <= 10; i++) {
      t = i * 1_000;
      lines.search("raft", i, 10);
    }
    expect(piped).toEqual(["progress: 5/10 runs searched (50 %), 5 s, eta 5 s\n", "progress: 10/10 runs searched (100 %), 10 s\n"]);
    expect(piped.join("")).not.toMatch(/\x1b|\r/);
  });
});
