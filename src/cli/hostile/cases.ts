/**
 * The hostile-input suite's cases (issue 17): sizes, flags, files, folders, locks, elector
 * modules, decoding, reports and notices, each run in this process through the commands' entry
 * functions. The signal cases and one lock race need real processes: hostile.test.ts runs those.
 * The twelve reproductions of the issue's "Why" list are marked "(why N)".
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { stringify } from "yaml";
import { expect } from "vitest";
import { LOCK_FILE } from "../../runner/lock.ts";
import { TEST_ELECTOR, type Case, type Ctx, type Ran } from "./harness.ts";

const BASE = {
  name: "h",
  algorithm: "test-preferred",
  cluster: { brokers: 3, partitions: 6 },
  workload: { partitions: 2, writesPerSecond: 10, startMs: 200 },
  durationMs: 2000,
};

type Doc = Record<string, unknown>;

function merge(base: Doc, over: Doc): Doc {
  const out: Doc = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = base[k];
    out[k] = v !== null && typeof v === "object" && !Array.isArray(v) && b !== null && typeof b === "object" && !Array.isArray(b) ? merge(b as Doc, v as Doc) : v;
  }
  return out;
}

const yamlOf = (doc: Doc): string => stringify(doc);

/** Runs a scenario (BASE with `over` merged in) written as YAML. */
function runDoc(over: Doc, extra: Doc = {}, name = "s.yaml"): (ctx: Ctx) => Promise<Ran> {
  return (ctx) => {
    const path = ctx.file(name, name.endsWith(".json") ? JSON.stringify(merge(BASE, over)) : yamlOf(merge(BASE, over)));
    return ctx.cli("run", { scenario: path, json: false, timeline: false, progress: false, modules: [TEST_ELECTOR], ...extra });
  };
}

/** Runs a scenario given as raw text. */
function runText(text: string | Buffer, name = "s.yaml", extra: Doc = {}): (ctx: Ctx) => Promise<Ran> {
  return (ctx) => ctx.cli("run", { scenario: ctx.file(name, text), json: false, timeline: false, progress: false, modules: [TEST_ELECTOR], ...extra });
}

/** A compare of BASE into `out` (relative to the case folder) with extra arguments. */
function compareInto(out: string, extra: Doc = {}): (ctx: Ctx) => Promise<Ran> {
  return (ctx) => {
    const scenario = ctx.file("s.yaml", yamlOf(BASE));
    return ctx.cli("compare", { scenarios: scenario, out: join(ctx.dir, out), resume: false, progress: false, timeline: false, modules: [TEST_ELECTOR], ...extra });
  };
}

function moduleCase(name: string, text: string | undefined, says: RegExp, file = "m.mjs"): Case {
  return {
    group: "modules",
    name,
    code: 2,
    says,
    run: (ctx) => {
      const path = text === undefined ? join(ctx.dir, file) : ctx.file(file, text);
      const scenario = ctx.file("s.yaml", yamlOf(BASE));
      return ctx.cli("run", { scenario, json: false, timeline: false, progress: false, modules: [TEST_ELECTOR, path] });
    },
  };
}

/** A real results file (raft, 3 brokers, a crash): written once, copied by the report cases. */
let realResults: Promise<string> | undefined;
export function realResultsText(ctx: Ctx): Promise<string> {
  realResults ??= (async () => {
    const scenario = ctx.file(
      "real.yaml",
      yamlOf({ name: "real", algorithm: "raft", cluster: { brokers: 3, partitions: 4 }, workload: { partitions: 2, writesPerSecond: 20, startMs: 500 }, faults: [{ at: 1500, type: "crash", host: "leader-of-most" }], durationMs: 3000 }),
    );
    const out = join(ctx.dir, "real-out");
    const r = await ctx.cli("run", { scenario, json: false, timeline: true, progress: false, out });
    if (r.code !== 0) throw new Error(`could not make a real results file: ${r.err}`);
    return readFileSync(join(out, "results.json"), "utf8");
  })();
  return realResults;
}

function reportOf(text: (real: string) => string | Buffer, name = "results.json"): (ctx: Ctx) => Promise<Ran> {
  return async (ctx) => {
    const path = ctx.file(name, text(await realResultsText(ctx)));
    return ctx.cli("report", { results: path, out: join(ctx.dir, "report") });
  };
}

const noOut = (ran: Ran, ctx: Ctx): void => void expect(existsSync(join(ctx.dir, "out"))).toBe(false);

export const CASES: readonly Case[] = [
  // ---- sizes: every numeric field has a bound with its unit and reason ----
  { group: "sizes", name: "cluster.partitions: 1e12 (why 1)", code: 2, says: /cluster\.partitions: expected an integer from 1 to 1e7 \(partitions\), got 1000000000000/, run: runDoc({ cluster: { partitions: 1e12 } }) },
  { group: "sizes", name: "cluster.brokers: 1e6 (why 1)", code: 2, says: /cluster\.brokers: expected an integer from 1 to 10000 \(brokers\), got 1000000/, run: runDoc({ cluster: { brokers: 1e6 } }) },
  { group: "sizes", name: "cluster.brokers: 1e9 (why 2: was V8 out of memory)", code: 2, says: /cluster\.brokers: expected an integer from 1 to 10000/, run: runDoc({ cluster: { brokers: 1e9 } }) },
  { group: "sizes", name: "durationMs: 1e15 (why 3: grew to 12 GB)", code: 2, says: /durationMs: expected a number above 0 to 86400000 \(ms\), got 1000000000000000/, run: runDoc({ durationMs: 1e15 }) },
  { group: "sizes", name: "durationMs: 0", code: 2, says: /durationMs: expected a number above 0/, run: runDoc({ durationMs: 0 }) },
  { group: "sizes", name: "durationMs: -5", code: 2, says: /durationMs: expected a number above 0/, run: runDoc({ durationMs: -5 }) },
  { group: "sizes", name: "workload.writesPerSecond: 1e12 (why 4: spun forever)", code: 2, says: /workload\.writesPerSecond: expected a number from 0 to 10000 \(writes\/s per partition\)/, run: runDoc({ workload: { writesPerSecond: 1e12 } }) },
  { group: "sizes", name: "cluster.replicationFactor: 1000", code: 2, says: /cluster\.replicationFactor: expected an integer from 1 to 100/, run: runDoc({ cluster: { replicationFactor: 1000 } }) },
  { group: "sizes", name: "seed: 2^40", code: 2, says: /seed: expected an integer from 0 to 4294967295/, run: runDoc({ seed: 2 ** 40 }) },
  { group: "sizes", name: "20,000 seeds listed", code: 2, says: /seeds: expected at most 10000 seeds/, run: runDoc({ seeds: Array.from({ length: 20_000 }, (_, i) => i) }) },
  { group: "sizes", name: "20,000 faults", code: 2, says: /faults: expected at most 10000 faults/, run: runDoc({ faults: Array.from({ length: 20_000 }, () => ({ at: 1, type: "heal" })) }) },
  { group: "sizes", name: "network delay of 1e9 ms", code: 2, says: /network\.delay\.ms: expected a number from 0 to 60000 \(ms\)/, run: runDoc({ network: { delay: { kind: "constant", ms: 1e9 } } }) },
  { group: "sizes", name: "pause for 1e15 ms", code: 2, says: /faults\[0\]\.for: expected a number above 0 to 86400000 \(ms\)/, run: runDoc({ faults: [{ at: 10, type: "pause", host: 0, for: 1e15 }] }) },
  { group: "sizes", name: "pause longer than the run", code: 2, says: /faults\[0\]\.for: expected a duration within the run/, run: runDoc({ faults: [{ at: 10, type: "pause", host: 0, for: 5000 }] }) },
  { group: "sizes", name: "coordinator.tickTimeMs: 0 (why 1)", code: 2, says: /coordinator\.tickTimeMs: expected a number from 1 to 60000 \(ms\), got 0/, run: runDoc({ coordinator: { tickTimeMs: 0 } }) },
  { group: "sizes", name: "coordinator session ticks max < min", code: 2, says: /coordinator\.maxSessionTimeoutTicks: expected at least minSessionTimeoutTicks \(10\)/, run: runDoc({ coordinator: { minSessionTimeoutTicks: 10, maxSessionTimeoutTicks: 2 } }) },
  { group: "sizes", name: "workload.retryBackoffMs: 0", code: 2, says: /workload\.retryBackoffMs: expected a number from 1 to/, run: runDoc({ workload: { retryBackoffMs: 0 } }) },
  { group: "sizes", name: "workload.requestTimeoutMs: 0", code: 2, says: /workload\.requestTimeoutMs: expected a number above 0/, run: runDoc({ workload: { requestTimeoutMs: 0 } }) },
  { group: "sizes", name: "workload.startMs after the run", code: 2, says: /workload\.startMs: expected a time within the run/, run: runDoc({ workload: { startMs: 1e6 } }) },
  { group: "sizes", name: "naive-race fetchIntervalMs: 0 (why 4: spun forever)", code: 2, says: /algorithm\.options\.fetchIntervalMs: expected a time in ms above 0 to 86400000/, run: runDoc({ algorithm: { name: "naive-race", options: { fetchIntervalMs: 0 } } }) },
  { group: "sizes", name: "kafka sessionTimeoutMs: -1 (why 6)", code: 2, says: /algorithm\.options\.sessionTimeoutMs: expected .*got -1/, run: runDoc({ algorithm: { name: "kafka-controller", options: { sessionTimeoutMs: -1 } } }) },
  { group: "sizes", name: "raft electionTimeoutMax: .inf", code: 2, says: /algorithm\.options\.electionTimeoutMax: expected .*got Infinity/, run: runText(yamlOf(BASE).replace("algorithm: test-preferred", "algorithm: { name: raft, options: { electionTimeoutMax: .inf } }")) },
  { group: "sizes", name: "raft tickMs: 1e-9 (why 1): stopped before it runs, not a bug", code: 2, says: /stopped before it ran: .*Invalid typed array length/, run: runDoc({ algorithm: { name: "raft", options: { tickMs: 1e-9 } } }) },
  { group: "sizes", name: "a timer of 1e-300 ms: virtual time crawls, the watchdog stops the cell", code: 2, says: /at this pace the run needs about .* events, over the budget of 1\.0e10/, run: runDoc({ algorithm: { name: "test-preferred", options: { gossipMs: 1e-300 } } }) },
  { group: "sizes", name: "more events than --max-events: stopped while running", code: 2, says: /stopped after .* events .*over the budget of 100000 events \(--max-events \/ --max-memory raise the limit\)/, run: runDoc({ algorithm: { name: "test-preferred", options: { gossipMs: 0.01 } } }, { maxEvents: 100_000 }) },
  { group: "sizes", name: "more memory than --max-memory: stopped while running", code: 2, says: /the process holds .* GiB, over the budget of/, run: runDoc({ algorithm: { name: "test-preferred", options: { gossipMs: 0.01 } } }, { maxMemoryMiB: 100 }) },
  { group: "sizes", name: "an estimate beyond the event budget is refused before work", code: 2, says: /needs about .* and \d\.\de\d+ events; the event budget is 1\.0e10 per cell \(--max-events \/ --max-memory raise the limit\)/, run: runDoc({ cluster: { partitions: 1e6 }, workload: { partitions: 1e6, writesPerSecond: 10_000, startMs: 0 }, durationMs: 3_600_000 }) },
  { group: "sizes", name: "an estimate beyond --max-memory is refused before work", code: 2, says: /needs about \d+\.\d GiB .*the memory budget is 64 MiB/, run: runDoc({ cluster: { partitions: 4e6 } }, { maxMemoryMiB: 64 }) },

  // ---- flags ----
  { group: "flags", name: "--partitions 1000000m (why 1)", code: 2, says: /--partitions: refused .*expected an integer from 1 to 1e7 \(partitions\) each .*got "1000000m" = 1000000000000/s, run: compareInto("out", { partitions: "1000000m" }), check: noOut },
  { group: "flags", name: "--partitions 0", code: 2, says: /--partitions: .*got "0"/s, run: compareInto("out", { partitions: "0" }), check: noOut },
  { group: "flags", name: "--partitions with 101 counts", code: 2, says: /expected at most 100 counts/, run: compareInto("out", { partitions: Array.from({ length: 101 }, (_, i) => i + 1).join(",") }), check: noOut },
  { group: "flags", name: "--seeds 1000000000 (why 2: was V8 out of memory)", code: 2, says: /--seeds: refused .*expected an integer from 1 to 10000 \(seeds\)/s, run: compareInto("out", { seeds: 1_000_000_000 }), check: noOut },
  { group: "flags", name: "--workers 100000", code: 2, says: /--workers: .*from 1 to 256 \(threads\)/s, run: compareInto("out", { workers: 100_000 }), check: noOut },
  { group: "flags", name: "--max-events 0", code: 2, says: /--max-events: .*from 1 to 1e13 \(events\)/s, run: compareInto("out", { maxEvents: 0 }), check: noOut },
  { group: "flags", name: "--max-memory 1", code: 2, says: /--max-memory: .*from 64 to 1048576 \(MiB\)/s, run: compareInto("out", { maxMemoryMiB: 1 }), check: noOut },
  { group: "flags", name: "--shard 0/0", code: 2, says: /--shard: .*expected k\/n/s, run: compareInto("out", { shard: "0/0" }), check: noOut },
  { group: "flags", name: "check --runs 0", code: 2, says: /--runs: .*from 1 to 1e8 \(runs\)/s, run: (ctx) => ctx.cli("check", { algorithm: "raft", runs: 0 }) },
  { group: "flags", name: "replay --cell -1", code: 2, says: /--cell: .*an integer from 0/s, run: (ctx) => ctx.cli("replay", { file: ctx.file("r.json", "[]"), cell: -1, json: false, timeline: false }) },

  // ---- files: read only regular files, up to a size ----
  { group: "files", name: "run /dev/zero (why 5: ate memory)", code: 2, says: /\/dev\/zero: refused .*expected a regular scenario file, got a character device/s, run: (ctx) => ctx.cli("run", { scenario: "/dev/zero", json: false, timeline: false, progress: false }) },
  {
    group: "files",
    name: "run a named pipe (why 5: hung)",
    code: 2,
    says: /expected a regular scenario file, got a named pipe/,
    run: (ctx) => {
      const fifo = join(ctx.dir, "pipe.yaml");
      execFileSync("mkfifo", [fifo]);
      return ctx.cli("run", { scenario: fifo, json: false, timeline: false, progress: false });
    },
  },
  { group: "files", name: "run a directory", code: 2, says: /expected a regular scenario file, got a directory/, run: (ctx) => ctx.cli("run", { scenario: ctx.dir, json: false, timeline: false, progress: false }) },
  { group: "files", name: "a 2 MiB scenario", code: 2, says: /is 2 MiB; expected a scenario file of at most 1 MiB/, run: runText(`${yamlOf(BASE)}\n# ${"x".repeat(2 << 20)}\n`) },
  { group: "files", name: "a missing scenario", code: 2, says: /no such file/, run: (ctx) => ctx.cli("run", { scenario: join(ctx.dir, "nope.yaml"), json: false, timeline: false, progress: false }) },
  { group: "files", name: "an empty scenario", code: 2, says: /expected|refused/, run: runText("") },
  { group: "files", name: "binary garbage", code: 2, says: /refused/, run: runText(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))) },
  { group: "files", name: "report /dev/zero", code: 2, says: /expected a regular results file, got a character device/, run: (ctx) => ctx.cli("report", { results: "/dev/zero", out: join(ctx.dir, "out") }), check: noOut },
  { group: "files", name: "report a folder with no results", code: 2, says: /expected a directory with results\.json or results\.jsonl/, run: (ctx) => ctx.cli("report", { results: ctx.dir, out: join(ctx.dir, "out") }), check: noOut },
  {
    group: "files",
    name: "report a named pipe",
    code: 2,
    says: /got a named pipe/,
    run: (ctx) => {
      const fifo = join(ctx.dir, "results.json");
      execFileSync("mkfifo", [fifo]);
      return ctx.cli("report", { results: fifo, out: join(ctx.dir, "out") });
    },
    check: noOut,
  },
  { group: "files", name: "replay /dev/zero", code: 2, says: /got a character device/, run: (ctx) => ctx.cli("replay", { file: "/dev/zero", json: false, timeline: false }) },

  // ---- folders: --out checked before anything runs ----
  {
    group: "folders",
    name: "--out names an existing file (why 5)",
    code: 2,
    says: /exists and is a file; expected a folder/,
    run: (ctx) => {
      ctx.file("f", "x");
      return compareInto("f")(ctx);
    },
  },
  {
    group: "folders",
    name: "--out below a file (why 5)",
    code: 2,
    says: /is below a file \(.*\/f\); expected a folder/,
    run: (ctx) => {
      ctx.file("f", "x");
      return compareInto("f/sub/dir")(ctx);
    },
  },
  { group: "folders", name: "--out /proc/x (why 5: hung)", code: 2, says: /a virtual file system/, run: (ctx) => ctx.cli("compare", { scenarios: ctx.file("s.yaml", yamlOf(BASE)), out: "/proc/x", resume: false, progress: false, timeline: false, modules: [TEST_ELECTOR] }) },
  { group: "folders", name: "--out /dev/null/x", code: 2, says: /refused/, run: (ctx) => ctx.cli("run", { scenario: ctx.file("s.yaml", yamlOf(BASE)), json: false, timeline: false, progress: false, modules: [TEST_ELECTOR], out: "/dev/null/x" }) },
  { group: "folders", name: "--out empty", code: 2, says: /expected a folder path, got an empty one/, run: (ctx) => ctx.cli("report", { results: ctx.dir, out: "" }) },
  {
    group: "folders",
    name: "--out is a link to a folder",
    code: 2,
    says: /is a symbolic link; expected a real folder/,
    run: (ctx) => {
      mkdirSync(join(ctx.dir, "real"));
      symlinkSync(join(ctx.dir, "real"), join(ctx.dir, "link"));
      return compareInto("link")(ctx);
    },
  },
  {
    group: "folders",
    name: "results.jsonl linked to /dev/full (why 5: std::bad_alloc)",
    code: 2,
    says: /results\.jsonl in it is a symbolic link; results are never written through a link/,
    run: (ctx) => {
      mkdirSync(join(ctx.dir, "out"));
      symlinkSync("/dev/full", join(ctx.dir, "out", "results.jsonl"));
      return compareInto("out", { resume: true })(ctx);
    },
  },
  {
    group: "folders",
    name: "results.jsonl linked to a file outside --out (why 5: appended to)",
    code: 2,
    says: /results\.jsonl in it is a symbolic link/,
    run: (ctx) => {
      mkdirSync(join(ctx.dir, "out"));
      const victim = ctx.file("victim.txt", "precious\n");
      symlinkSync(victim, join(ctx.dir, "out", "results.jsonl"));
      return compareInto("out", { resume: true })(ctx);
    },
    check: (_r, ctx) => expect(readFileSync(join(ctx.dir, "victim.txt"), "utf8")).toBe("precious\n"),
  },
  {
    group: "folders",
    name: "index.html in --out is a directory",
    code: 2,
    says: /index\.html in it is a directory/,
    run: (ctx) => {
      mkdirSync(join(ctx.dir, "out", "index.html"), { recursive: true });
      return compareInto("out")(ctx);
    },
  },
  {
    group: "folders",
    name: "--out below a link into /proc",
    code: 2,
    says: /is in \/proc, a virtual file system/,
    run: async (ctx) => {
      symlinkSync("/proc/self", join(ctx.dir, "p"));
      return compareInto("p/new")(ctx);
    },
  },
  {
    group: "folders",
    name: "a full disk while results.jsonl is appended (why 5)",
    code: 2,
    says: /cannot append to it: no space left on device \(ENOSPC\)/,
    run: async () => {
      const { appendJsonLine } = await import("../../runner/files.ts");
      const { guard } = await import("../commands.ts");
      let err = "";
      const code = await guard({ out: () => {}, err: (t) => void (err += t), errIsTty: false }, async () => {
        appendJsonLine("/dev/full", { a: 1 });
        return 0;
      });
      return { code, out: "", err, ms: 0 };
    },
  },
  {
    group: "folders",
    name: "results.json below a device file",
    code: 2,
    says: /\/dev\/full: refused .*cannot create the folder: a part of the path is a file, not a folder/s,
    run: async () => {
      const { writeFileAtomic } = await import("../../runner/files.ts");
      const { guard } = await import("../commands.ts");
      let err = "";
      const code = await guard({ out: () => {}, err: (t) => void (err += t), errIsTty: false }, async () => {
        writeFileAtomic("/dev/full/results.json", "[]");
        return 0;
      });
      return { code, out: "", err, ms: 0 };
    },
  },

  // ---- locks: one writer per output folder ----
  {
    group: "locks",
    name: "a folder locked by a live process is refused, naming it (why 8)",
    code: 2,
    says: /is in use by another electorate process \(pid \d+: electorate compare --out elsewhere\)/,
    run: (ctx) => {
      mkdirSync(join(ctx.dir, "out"));
      writeFileSync(join(ctx.dir, "out", LOCK_FILE), JSON.stringify({ pid: process.ppid, command: "electorate compare --out elsewhere" }));
      return compareInto("out")(ctx);
    },
    check: (_r, ctx) => expect(existsSync(join(ctx.dir, "out", "results.jsonl"))).toBe(false),
  },
  {
    group: "locks",
    name: "a stale lock of a dead process is taken over with a notice",
    code: 0,
    says: /notice: taking over a stale lock in .* \(pid 999999999 is gone: electorate compare\)/,
    run: (ctx) => {
      mkdirSync(join(ctx.dir, "out"));
      writeFileSync(join(ctx.dir, "out", LOCK_FILE), JSON.stringify({ pid: 999_999_999, command: "electorate compare" }));
      return compareInto("out")(ctx);
    },
    check: (_r, ctx) => {
      expect(existsSync(join(ctx.dir, "out", "results.json"))).toBe(true);
      expect(existsSync(join(ctx.dir, "out", LOCK_FILE))).toBe(false);
    },
  },
  {
    group: "locks",
    name: "an unreadable lock is taken over with a notice",
    code: 0,
    says: /notice: taking over a stale lock .*unreadable/,
    run: (ctx) => {
      mkdirSync(join(ctx.dir, "out"));
      writeFileSync(join(ctx.dir, "out", LOCK_FILE), "\u0000garbage");
      return compareInto("out")(ctx);
    },
  },
  {
    group: "locks",
    name: "the lock is released after a refusal inside the command",
    code: 2,
    says: /refused/,
    run: async (ctx) => {
      mkdirSync(join(ctx.dir, "out"));
      return ctx.cli("report", { results: ctx.file("bad.json", "[1]"), out: join(ctx.dir, "out") });
    },
    check: (_r, ctx) => expect(existsSync(join(ctx.dir, "out", LOCK_FILE))).toBe(false),
  },

  // ---- elector modules ----
  moduleCase("a missing module (why 7)", undefined, /--elector-module .*m\.mjs: refused .*no such file/s),
  moduleCase("a module that does not compile (why 7)", "export const x = ;\n", /cannot be loaded: it does not compile: /),
  moduleCase("a module that throws at import (why 7)", 'throw new Error("boom at import");\n', /cannot be loaded: it failed while loading: Error: boom at import/),
  moduleCase("a module that exports nothing (why 7: exit 0)", "// nothing\n", /exports nothing; expected an elector definition/),
  moduleCase("a module exporting something else", "export const notAnElector = { name: 1 };\nexport default 42;\n", /exports no elector definition \(exports: notAnElector, default\)/),
  moduleCase("a module importing a missing package", 'import "no-such-package-xyz";\n', /cannot be loaded: it imports something that cannot be found/),
  {
    group: "modules",
    name: "a module that is a folder",
    code: 2,
    says: /expected a module file, got a directory/,
    run: (ctx) => ctx.cli("list", { json: false, modules: [ctx.dir] }),
  },
  {
    group: "modules",
    name: "--verbose shows the module's stack",
    code: 2,
    says: [/boom in verbose/, /\n\s+at /],
    run: (ctx) => ctx.cli("list", { json: false, modules: [ctx.file("v.mjs", 'throw new Error("boom in verbose");\n')] }, true),
  },

  // ---- decoding: strict, with short, escaped excerpts ----
  { group: "decoding", name: "duplicate key in JSON (why 6)", code: 2, says: /durationMs: duplicate key "durationMs" at line 1/, run: runText('{"name":"h","algorithm":"test-preferred","cluster":{"brokers":3,"partitions":6},"durationMs":2000,"durationMs":5}', "s.json") },
  { group: "decoding", name: "nested duplicate key in JSON", code: 2, says: /cluster\.brokers: duplicate key "brokers" at line 3/, run: runText('{"name": "h",\n "algorithm": "test-preferred",\n "cluster": {"brokers": 3, "brokers": 4, "partitions": 6},\n "durationMs": 2000}', "s.json") },
  { group: "decoding", name: "duplicate key in YAML", code: 2, says: /not valid YAML: Map keys must be unique/, run: runText(`${yamlOf(BASE)}durationMs: 3000\n`) },
  { group: "decoding", name: "unknown coordinator key (why 6)", code: 2, says: /coordinator\.bogus: expected "profile" or a ZooKeeper model setting/, run: runDoc({ coordinator: { bogus: 1 } }) },
  { group: "decoding", name: "unknown network key", code: 2, says: /network\.lossy: unknown field/, run: runDoc({ network: { lossy: 0.1 } }) },
  { group: "decoding", name: "unknown workload key", code: 2, says: /workload\.rate: unknown field/, run: runDoc({ workload: { rate: 1 } }) },
  { group: "decoding", name: "unknown fault key", code: 2, says: /faults\[0\]\.hots: unknown field/, run: runDoc({ faults: [{ at: 1, type: "crash", host: 0, hots: 1 }] }) },
  { group: "decoding", name: "unknown elector option", code: 2, says: /algorithm\.options\.bogus: unknown field/, run: runDoc({ algorithm: { name: "test-preferred", options: { bogus: 1 } } }) },
  { group: "decoding", name: "elector options that are a string", code: 2, says: /algorithm\.options: expected an object of elector options/, run: runDoc({ algorithm: { name: "test-preferred", options: "fast" } }) },
  { group: "decoding", name: "brokers as a string", code: 2, says: /cluster\.brokers: .*got "3"/, run: runDoc({ cluster: { brokers: "3" } }) },
  { group: "decoding", name: "brokers: .nan", code: 2, says: /cluster\.brokers/, run: runText(yamlOf(BASE).replace("brokers: 3", "brokers: .nan")) },
  {
    group: "decoding",
    name: "terminal escapes in a key are shown escaped (why 6)",
    code: 2,
    says: /\\x1b\[2J/,
    run: runText(JSON.stringify({ ...BASE, "\u001b[2J\u001b[31mred": 1 }), "s.json"),
  },
  {
    group: "decoding",
    name: "terminal escapes in a value are shown escaped",
    code: 2,
    says: /\\u001b\]0;pwned|\\x1b/,
    run: runDoc({ cluster: { brokers: "\u001b]0;pwned\u0007" } }),
  },
  {
    group: "decoding",
    name: "a 3.5 KB bad value is quoted as a short excerpt (why 6)",
    code: 2,
    says: /cluster\.brokers: .*\.\.\./,
    run: runDoc({ cluster: { brokers: "y".repeat(3500) } }),
    check: (r) => expect(r.err.length).toBeLessThan(600),
  },
  {
    group: "decoding",
    name: "a JSON syntax error does not echo the input",
    code: 2,
    says: /not valid JSON: .*at line 1, column \d+|not valid JSON/,
    run: runText(`{"name": "${"z".repeat(3000)}", oops}`, "s.json"),
    check: (r) => expect(r.err.length).toBeLessThan(600),
  },
  { group: "decoding", name: "a scenario that is a list", code: 2, says: /expected/, run: runText("[1, 2, 3]\n") },
  { group: "decoding", name: "hostOptions for a broker beyond the cluster", code: 2, says: /hostOptions\["7"\]: expected a broker number below cluster\.brokers/, run: runDoc({ algorithm: { name: "test-preferred", hostOptions: { "7": {} } } }) },

  // ---- reports: decoded with the results schema, nothing written when refused ----
  { group: "report", name: "a results file with metrics = 5 (why 9)", code: 2, says: /\[0\]\.metrics: /, run: reportOf((t) => JSON.stringify(JSON.parse(t).map((r: Doc) => ({ ...r, metrics: 5 })))) },
  { group: "report", name: "a results file with a negative count", code: 2, says: /\[0\]\.metrics\.workload\.sent: expected a count/, run: reportOf((t) => t.replace(/"sent":\d+/, '"sent":-3')) },
  { group: "report", name: "a results file with a string seed", code: 2, says: /\[0\]\.seed: /, run: reportOf((t) => t.replace(/"seed":\d+/, '"seed":"one"')) },
  { group: "report", name: "a results file without timeline", code: 2, says: /\[0\]\.timeline: is required but missing/, run: reportOf((t) => JSON.stringify(JSON.parse(t).map(({ timeline: _t, ...r }: Doc) => r))) },
  { group: "report", name: "a results file with a duplicate key", code: 2, says: /duplicate key "seed"/, run: reportOf((t) => t.replace(/"seed":(\d+)/, '"seed":$1,"seed":$1')) },
  { group: "report", name: "a truncated results file", code: 2, says: /not valid JSON/, run: reportOf((t) => t.slice(0, Math.floor(t.length / 2))) },
  { group: "report", name: "a results file that is an object", code: 2, says: /expected a list of run results, got an object/, run: reportOf(() => '{"a": 1}') },
  { group: "report", name: "a results.jsonl with a bad line", code: 2, says: /line 2/, run: reportOf((t) => `${JSON.stringify(JSON.parse(t)[0])}\n{"elector": 3}\n`, "results.jsonl") },
  { group: "report", name: "a real results file is accepted", code: 0, says: /wrote .*results\.json, summary\.md, index\.html \(1 results\)/, run: reportOf((t) => t) },
  { group: "report", name: "merge of a folder with a bad results file", code: 2, says: /refused/, run: async (ctx) => ctx.cli("merge", { dirs: [ctx.file("results.json", "[{}]")], out: join(ctx.dir, "out") }), check: noOut },
  { group: "report", name: "replay of a result with a bad field", code: 2, says: /\[0\]\.metrics\.traceHash/, run: async (ctx) => ctx.cli("replay", { file: ctx.file("r.json", (await realResultsText(ctx)).replace(/"traceHash":"[0-9a-f]+"/, '"traceHash":7')), json: false, timeline: false }) },

  // ---- notices ----
  {
    group: "notices",
    name: "partitions that never had a leader are said on stderr (why 11)",
    code: 0,
    says: /note: 6 of 6 partitions never had a leader in naive-race h p=6 seed=1 \(none was ever led: nothing was elected\)/,
    run: (ctx) => runDoc({ algorithm: "naive-race", faults: [{ at: 0, type: "isolate", host: "zk" }] }, { out: join(ctx.dir, "out") })(ctx),
    check: (_r, ctx) => expect(readFileSync(join(ctx.dir, "out", "summary.md"), "utf8")).toContain("**Partitions that never had a leader:** in 1 of 1 runs some partitions were never led at all (most: 6 of 6 in naive-race h p=6 seed 1"),
  },
  {
    group: "notices",
    name: "a refusal of one case leaves the folder as it was",
    code: 2,
    says: /refused/,
    run: async (ctx) => {
      mkdirSync(join(ctx.dir, "out"));
      writeFileSync(join(ctx.dir, "out", "results.json"), "[]\n");
      chmodSync(join(ctx.dir, "out", "results.json"), 0o644);
      return compareInto("out", { partitions: "x" })(ctx);
    },
    check: (_r, ctx) => expect(readFileSync(join(ctx.dir, "out", "results.json"), "utf8")).toBe("[]\n"),
  },
];
