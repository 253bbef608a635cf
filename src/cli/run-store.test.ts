/** The run store: a folder per sweep, reports/latest re-pointed, an index of kept runs, nothing overwritten. */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { latestRunDir, newRunDir, pointLatest, writeRunsIndex } from "./run-store.ts";

let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));
const fresh = () => (root = mkdtempSync(join(tmpdir(), "electorate-store-")));
const at = new Date(Date.UTC(2026, 11, 3, 14, 5, 9));

describe("run store", () => {
  test("each sweep gets its own folder; the same second gets a suffix, never a reused folder", () => {
    fresh();
    const a = newRunDir("0123456789abcdef", root, at);
    const b = newRunDir("0123456789abcdef", root, at);
    expect(a).toBe(join(root, "20261203-140509Z-01234567"));
    expect(b).toBe(join(root, "20261203-140509Z-01234567-2"));
  });

  test("latest links to the newest run, and a plain --resume continues it (the folder, not the link)", () => {
    fresh();
    const a = newRunDir("aaaaaaaa", root, at);
    pointLatest("20261203-140509Z-aaaaaaaa", root);
    const b = newRunDir("bbbbbbbb", root, new Date(at.getTime() + 1000));
    pointLatest("20261203-140510Z-bbbbbbbb", root);
    expect(readlinkSync(join(root, "latest"))).toBe("20261203-140510Z-bbbbbbbb");
    expect(latestRunDir(root)).toBe(b);
    expect(existsSync(a)).toBe(true);
  });

  test("a real latest folder from an older version is kept under a new name, with a notice", () => {
    fresh();
    mkdirSync(join(root, "latest"));
    writeFileSync(join(root, "latest", "results.json"), "[]");
    newRunDir("cccccccc", root, at);
    const notice = pointLatest("20261203-140509Z-cccccccc", root);
    expect(notice).toMatch(/^kept the old .*latest folder as /);
    expect(lstatSync(join(root, "latest")).isSymbolicLink()).toBe(true);
    const kept = notice!.replace(/^.* as /, "");
    expect(readFileSync(join(kept, "results.json"), "utf8")).toBe("[]");
  });

  test("the index lists every kept run, newest first, with what it ran", () => {
    fresh();
    const a = newRunDir("aaaaaaaa", root, at);
    writeFileSync(join(a, "summary.md"), "# Electorate\n\n3 runs of 1 elector (raft).\n\n## Verdict\n");
    newRunDir("bbbbbbbb", root, new Date(at.getTime() + 60_000));
    const html = readFileSync(writeRunsIndex(root), "utf8");
    expect(html).toContain("2 kept runs");
    expect(html.indexOf("20261203-140609Z-bbbbbbbb")).toBeLessThan(html.indexOf("20261203-140509Z-aaaaaaaa"));
    expect(html).toContain("3 runs of 1 elector (raft).");
    expect(html).toContain("(no summary: the sweep did not finish)");
  });
});
