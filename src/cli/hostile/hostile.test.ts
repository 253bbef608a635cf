/**
 * The hostile-input suite (issue 17, docs in README "Hostile input"): every case ends in the
 * expected exit code (0, 2, or 130 for signals), prints no stack trace and no raw control
 * character, writes nothing when refusing, and stays within 10 s and 1 GiB. Most cases run in this
 * process through the commands' entry functions (cases.ts); the signal cases and a lock race run
 * real processes. A fast-check property mutates one field of a real results file at a time and
 * asserts that `report` answers 0 or 2, never a crash, and writes nothing when it refuses.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { LOCK_FILE } from "../../runner/lock.ts";
import { CASES, realResultsText } from "./cases.ts";
import { makeCtx, RAW_CONTROL, ROOT, snapshot, STACK, TEST_ELECTOR, type Ctx, type Ran } from "./harness.ts";

const GiB = 2 ** 30;
/**
 * Time bounds are bounds on work (no hang, no runaway, a prompt stop), stated for an idle machine:
 * a case that needs 3 s alone needs 15 s when ten busy threads share two cores, so a bound grows
 * with the load average per core (never below the idle figure).
 */
const onThisLoad = (idleMs: number): number => idleMs * Math.max(1, loadavg()[0] / availableParallelism());
const made: Ctx[] = [];
const ctx = (): Ctx => {
  const c = makeCtx();
  made.push(c);
  return c;
};
afterAll(() => {
  for (const c of made) rmSync(c.dir, { recursive: true, force: true });
});

/** The contract every case is held to. */
function holdsContract(r: Ran, code: number): void {
  expect(r.code, r.err).toBe(code);
  expect(r.err, "no stack trace").not.toMatch(STACK);
  expect(r.out, "no stack trace").not.toMatch(STACK);
  expect(r.err, "no raw control characters").not.toMatch(RAW_CONTROL);
  expect(r.out, "no raw control characters").not.toMatch(RAW_CONTROL);
  const bound = onThisLoad(10_000);
  expect(r.ms, `within 10 s of an idle machine (${(bound / 1000).toFixed(0)} s at this load)`).toBeLessThan(bound);
  expect(process.memoryUsage.rss(), "within 1 GiB").toBeLessThan(GiB);
}

describe("hostile input", () => {
  it(`has at least 70 cases of its own (${CASES.length} in process, plus the property and the processes below)`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(70);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(`${c.group}: ${c.name}`, async () => {
      const x = ctx();
      // Files a case sets up are part of "before": compare after the run with what the case made.
      let before: string | undefined;
      const wrapped: Ctx = {
        ...x,
        cli: async (command, args, verbose) => {
          before = snapshot(x.dir);
          return x.cli(command, args, verbose);
        },
      };
      const r = await c.run(wrapped);
      const verbose = c.name.includes("--verbose");
      if (verbose) {
        expect(r.code).toBe(2);
      } else {
        holdsContract(r, c.code);
      }
      for (const says of Array.isArray(c.says) ? c.says : c.says !== undefined ? [c.says] : []) expect(r.err).toMatch(says);
      if (c.code === 2 && before !== undefined) expect(snapshot(x.dir), "nothing written when refusing").toBe(before);
      c.check?.(r, x);
    });
  }

  it("report: one field of a real results file mutated at a time answers 0 or 2, never a crash (fast-check)", async () => {
    const x = ctx();
    const real = JSON.parse(await realResultsText(x)) as unknown[];
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]): void => {
      paths.push(p);
      if (Array.isArray(v)) v.slice(0, 3).forEach((e, i) => walk(e, [...p, i]));
      else if (typeof v === "object" && v !== null) for (const [k, e] of Object.entries(v)) walk(e, [...p, k]);
    };
    walk(real, []);
    const values = fc.constantFrom<unknown>(null, -1, 0, 1.5, 1e308, -1e308, "x", "\u001b[31m", true, {}, [], [1], { a: 1 }, "DELETE", 2 ** 53);
    let accepted = 0;
    let refused = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: paths.length - 1 }), values, async (pi, value) => {
        const doc = structuredClone(real) as unknown;
        const path = paths[pi];
        if (path.length === 0) return; // the whole file: covered by the cases
        let parent = doc as Record<string | number, unknown>;
        for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
        const last = path[path.length - 1];
        if (value === "DELETE") delete parent[last];
        else parent[last] = value;
        const file = x.file(`m${n}.json`, JSON.stringify(doc));
        const out = join(x.dir, `out${n++}`);
        const r = await x.cli("report", { results: file, out });
        expect([0, 2], `${path.join(".")} = ${JSON.stringify(value)}: ${r.err}`).toContain(r.code);
        expect(r.err).not.toMatch(STACK);
        expect(r.err).not.toMatch(RAW_CONTROL);
        if (r.code === 2) {
          refused++;
          expect(existsSync(out), "nothing written when refusing").toBe(false);
        } else accepted++;
        rmSync(out, { recursive: true, force: true });
      }),
      { numRuns: 120, seed: 17 },
    );
    expect(refused).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  });
});

// ---- real processes: Ctrl-C and two writers ----

const BIN = join(ROOT, "bin", "electorate.mjs");

interface Child {
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; at: number }>;
  readonly pid: number;
  readonly stderr: () => string;
  kill(signal: NodeJS.Signals): void;
}

function start(args: readonly string[], cwd: string): Child {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; at: number }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, out, err, at: performance.now() })),
  );
  return { done, pid: child.pid!, stderr: () => err, kill: (s) => void child.kill(s) };
}

async function waitFor(what: () => boolean, ms: number): Promise<void> {
  const t0 = performance.now();
  while (!what()) {
    if (performance.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("hostile input: real processes", () => {
  it("signals: Ctrl-C stops a long compare and a long check within a second, says what finished, exits 130; a second sweep into a locked folder is refused naming the holder", async () => {
    const x = ctx();
    // A sweep of many small cells that takes far longer than the test: cells finish while it runs.
    const scenario = x.file(
      "long.yaml",
      `name: long\nalgorithm: test-preferred\nseeds: [${Array.from({ length: 400 }, (_, i) => i + 1).join(", ")}]\ncluster: { brokers: 3, partitions: 50 }\ndurationMs: 20000\n`,
    );
    const out = join(x.dir, "out");
    const compare = start(["compare", "--scenarios", scenario, "--out", out, "--workers", "1", "--elector-module", TEST_ELECTOR], x.dir);
    const check = start(["check", "--algorithm", "raft", "--runs", "100000"], x.dir);
    await waitFor(() => existsSync(join(out, "results.jsonl")) && readFileSync(join(out, "results.jsonl"), "utf8").includes("\n"), 60_000);
    await waitFor(() => check.stderr().includes("hunting"), 60_000);

    // A second writer into the same folder, while the first holds it.
    const lock = JSON.parse(readFileSync(join(out, LOCK_FILE), "utf8")) as { pid: number; command: string };
    expect(lock.pid).toBe(compare.pid);
    const second = await x.cli("compare", { scenarios: scenario, out, resume: false, progress: false, timeline: false, modules: [TEST_ELECTOR] });
    holdsContract(second, 2);
    expect(second.err).toContain(`is in use by another electorate process (pid ${compare.pid}: electorate compare --scenarios`);

    const t0 = performance.now();
    compare.kill("SIGINT");
    check.kill("SIGINT");
    const [c, k] = await Promise.all([compare.done, check.done]);
    for (const r of [c, k]) {
      expect(r.code, r.err).toBe(130);
      expect(r.at - t0, "stopped within a second").toBeLessThan(onThisLoad(1_000 + 500)); // + process teardown
      expect(r.err).not.toMatch(STACK);
      expect(r.err).not.toMatch(RAW_CONTROL);
    }
    expect(c.err).toMatch(/interrupted: finished cells are kept in .*results\.jsonl; rerun with --resume to finish/);
    expect(k.err).toMatch(/interrupted: the hunt stopped/);
    const kept = readFileSync(join(out, "results.jsonl"), "utf8").split("\n").filter((l) => l !== "").length;
    expect(kept).toBeGreaterThan(0);
    expect(existsSync(join(out, LOCK_FILE)), "the lock is released").toBe(false);
  }, 120_000);
});
