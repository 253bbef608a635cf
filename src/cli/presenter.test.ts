/** The command line's refusals and help pages as a user sees them (a real process). */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { PACKAGE_ROOT } from "../runner/package-root.ts";

const electorate = (...args: string[]) =>
  spawnSync(process.execPath, [join(PACKAGE_ROOT, "bin", "electorate.mjs"), ...args], { encoding: "utf8", timeout: 30_000 });

describe("command-line presentation", () => {
  test("a missing flag: the error first, then one usage line, exit 2, no help page", () => {
    const r = electorate("live");
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("error: Missing required flag: --algorithm");
    expect(lines[1]).toMatch(/^usage: electorate live --algorithm <string> --connect <string> \[--brokers <integer>\]/);
    expect(lines).toHaveLength(3);
    expect(r.stdout).toBe("");
  });

  test("help lists the command's flags and no framework boilerplate", () => {
    const r = electorate("compare", "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--partitions");
    expect(r.stdout).toContain("--help");
    for (const boilerplate of ["--wizard", "--completions", "--log-level"]) expect(r.stdout).not.toContain(boilerplate);
  });
});
