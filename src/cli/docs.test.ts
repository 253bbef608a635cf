/**
 * The documentation's runnable shell blocks, run as a newcomer would: every fenced block whose info
 * string is `sh runnable` in README.md and docs/*.md runs as one bash script (set -e), in a fresh
 * folder of its own where `benchmarks/` is the repository's and `npx electorate` is this checkout's
 * CLI, and must exit 0. A block that stops working fails here, naming the file and line. The blocks
 * run side by side (each in its own folder): one after another they were the suite's longest chain.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { PACKAGE_ROOT } from "../runner/package-root.ts";

interface Block {
  readonly file: string;
  readonly line: number;
  readonly script: string;
}

function runnableBlocks(file: string): Block[] {
  const lines = readFileSync(join(PACKAGE_ROOT, file), "utf8").split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```sh runnable") continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && lines[j].trim() !== "```") j++;
    out.push({ file, line: start + 1, script: lines.slice(start, j).join("\n") });
    i = j;
  }
  return out;
}

const files = ["README.md", ...readdirSync(join(PACKAGE_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const blocks = files.flatMap(runnableBlocks);
const work = mkdtempSync(join(tmpdir(), "electorate-docs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fresh folder for one block, with the repository's `benchmarks/` in it. */
function folderFor(b: Block): string {
  const dir = join(work, `${b.file.replaceAll("/", "_")}-${b.line}`);
  mkdirSync(dir);
  symlinkSync(join(PACKAGE_ROOT, "benchmarks"), join(dir, "benchmarks"));
  return dir;
}

interface Ran {
  readonly status: number | null;
  readonly stderr: string;
}

/** bash -c script in `cwd`, killed after `timeoutMs`; resolves with its exit status and stderr. */
function bash(script: string, cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { cwd, stdio: ["ignore", "ignore", "pipe"], timeout: timeoutMs });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

/** `npx electorate ...` is this checkout's CLI; anything else npx would fetch is refused. */
const PRELUDE = `set -euo pipefail
npx() { if [ "$1" = electorate ]; then shift; node ${JSON.stringify(join(PACKAGE_ROOT, "bin", "electorate.mjs"))} "$@"; else echo "docs test: npx $1 is not allowed here" >&2; return 1; fi; }
`;

describe("documentation that runs", () => {
  test("the docs mark runnable blocks", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  test.concurrent.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))("%s", { timeout: 330_000 }, async (_where, b) => {
    // About a minute each on an idle 2-core machine, side by side; the bound only catches a hang.
    const r = await bash(PRELUDE + b.script, folderFor(b), 300_000);
    expect(r.status, `${b.file}:${b.line} exited ${r.status}\n${r.stderr.slice(-2000)}`).toBe(0);
    expect(r.stderr).not.toMatch(/unexpected failure|at .*\.ts:\d+/);
  });
});
