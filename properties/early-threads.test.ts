/** Which command lines start hunt threads before the CLI loads (bin/electorate.mjs), and how many. */
import { expect, test } from "vitest";
import { earlyThreadCount } from "./early-threads.ts";

test("check starts --workers threads, one per core by default, never more than its runs", () => {
  expect(earlyThreadCount(["check", "--algorithm", "raft", "--runs", "3000", "--workers", "2"], 8)).toBe(2);
  expect(earlyThreadCount(["check", "--algorithm", "raft", "--workers=3"], 8)).toBe(3);
  expect(earlyThreadCount(["check", "--algorithms", "raft,zab"], 4)).toBe(4);
  expect(earlyThreadCount(["check", "--algorithm", "raft", "--runs", "1"], 4)).toBe(1);
  expect(earlyThreadCount(["check", "--algorithms", "raft,zab", "--runs", "1", "--workers", "4"], 4)).toBe(2);
});

test("other commands, help and numbers the CLI would refuse start none", () => {
  expect(earlyThreadCount([], 2)).toBe(0);
  expect(earlyThreadCount(["compare", "--workers", "2"], 2)).toBe(0);
  expect(earlyThreadCount(["list"], 2)).toBe(0);
  expect(earlyThreadCount(["check", "--help"], 2)).toBe(0);
  expect(earlyThreadCount(["check", "--algorithm", "raft", "--workers", "0"], 2)).toBe(0);
  expect(earlyThreadCount(["check", "--algorithm", "raft", "--runs", "x"], 2)).toBe(0);
  expect(earlyThreadCount(["check", "--algorithm", "raft", "--workers"], 2)).toBe(0);
});
