import { describe, expect, it } from "vitest";
import { BadInputError } from "../scenario/issues.ts";
import { cmdCheck, parseSettings, type Io } from "./commands.ts";

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
});
