/**
 * What each `electorate` command does, as plain async functions returning an exit code:
 * 0 ok, 1 a property was violated (an elector broke its own claims, a replay did not reproduce,
 * a cell failed), 2 bad input (one paragraph on stderr, no stack trace, nothing written),
 * 130 interrupted. main.ts only parses the command line and calls these.
 */
import { resolveElectorName } from "../elector/variants.ts";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { PACKAGE_ROOT } from "../runner/package-root.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import { BadInputError, isBadInput } from "../scenario/issues.ts";
import { decodeOptions, decodeScenario, parseScenarioText, readScenarioFile, unknownElectorMessage, type Scenario, type ScenarioAlgorithm } from "../scenario/load.ts";
import { expandSweep, makeCell, sweepId, type Cell } from "../runner/cell.ts";
import { latestRunDir, newRunDir, pointLatest, writeRunsIndex } from "./run-store.ts";
import { electorCatalog, moduleUrl } from "../runner/electors.ts";
import { checkOutputDir, checkResults, isIoError, makeDir, readRegularFile, readResults, SCENARIO_MAX_BYTES, RESULTS_MAX_BYTES, writeFileAtomic } from "../runner/files.ts";
import { checkEstimates } from "../runner/estimate.ts";
import { acquireOutputLock } from "../runner/lock.ts";
import { attachTimelines, mergeTimelines } from "../runner/timelines.ts";
import { defaultLimits, isCellStopped, type Limits } from "../runner/watchdog.ts";
import { BOUNDS, describeBound, withinBound, type Bound } from "../scenario/bounds.ts";
import { defaultWorkers } from "../runner/pool.ts";
import { makeProgress, noProgress } from "../runner/progress.ts";
import type { RunResult } from "../runner/result.ts";
import { runCell } from "../runner/run-cell.ts";
import { cellLabel, mergeResults, parseShard, runSweep, type SweepOutcome } from "../runner/sweep.ts";
import type { RunResult as _R } from "../runner/result.ts";

/** The report module (charts, HTML) loads only when a command writes or prints a report. */
const report = async (): Promise<typeof import("../report/index.ts")> => import("../report/index.ts");
const runDiagrams = async (): Promise<typeof import("./run-diagrams.ts")> => import("./run-diagrams.ts");
async function buildReports(results: readonly _R[], outDir: string, timelinesDir = outDir): Promise<void> {
  // Timelines and message diagrams a sweep kept beside its results: the few the report draws are read back.
  const { copyRunDiagrams, readRunDiagrams } = await runDiagrams();
  const diagrams = readRunDiagrams(timelinesDir);
  if (resolve(timelinesDir) !== resolve(outDir)) copyRunDiagrams(diagrams, outDir);
  await (await report()).buildReports(attachTimelines(results, timelinesDir), outDir, results, diagrams);
}
async function renderTable(results: readonly _R[]): Promise<string> {
  return (await report()).renderTable(results);
}
import { electorList, runDetail, timelineText } from "./text.ts";
import { checkSettings, parseSettings, settingsFor } from "./settings.ts";
import { matrixHtml as matrixHtmlSync, matrixMarkdown as matrixMarkdownSync } from "./hunt-matrix-render.ts";
import { availableParallelism } from "node:os";

export const REPO_ROOT = PACKAGE_ROOT;
export const SCENARIO_DIR = join(REPO_ROOT, "benchmarks", "scenarios");
import { DEFAULT_PARTITIONS, DEFAULT_SCENARIOS, defaultAlgorithmNames, defaultPartitionsOf } from "./default-comparison.ts";
export { DEFAULT_PARTITIONS, DEFAULT_SCENARIOS };

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bar by default). */
  readonly errIsTty: boolean;
}

// A closed pipe (`electorate list | head`) ends the output quietly, as for any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  errIsTty: process.stderr.isTTY === true,
};

/**
 * Runs a command body; bad input (and an I/O error: disk full, permission denied) becomes exit
 * code 2 with its message and no stack trace (`verbose` adds the cause's stack, e.g. an elector
 * module's); anything else is a bug: exit 1 with the stack.
 */
export async function guard(io: Io, body: () => Promise<number>, verbose = false): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (isBadInput(e)) {
      io.err(`error: ${(e as Error).message}\n`);
      const detail = (e as BadInputError).detail;
      if (verbose && detail !== undefined) io.err(`${detail}\n`);
      return 2;
    }
    if (isIoError(e)) {
      const err = e as NodeJS.ErrnoException;
      io.err(`error: ${err.path ?? "a file"}: cannot ${err.syscall ?? "access it"}: ${err.code}\n`);
      if (verbose && err.stack !== undefined) io.err(`${err.stack}\n`);
      return 2;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.err(`electorate: unexpected failure (a bug, not your input):\n${err.stack ?? err.message}\n`);
    return 1;
  }
}

// ---- argument helpers ----

export function splitList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return items;
}

export function parseCounts(text: string, flag: string): number[] {
  const items = splitList(text) ?? [];
  const bad = items.find((s) => !/^\d+(_\d{3})*$/.test(s.replace(/(k|m)$/i, "")) || parseCount(s) < 1);
  if (items.length === 0 || bad !== undefined) {
    throw new BadInputError(flag, [
      { path: "", message: `expected comma-separated integers >= 1 (e.g. 100,1000,10k), got ${JSON.stringify(bad ?? text)}` },
    ]);
  }
  if (items.length > 100) throw new BadInputError(flag, [{ path: "", message: `expected at most 100 counts, got ${items.length}` }]);
  const counts = items.map(parseCount);
  const big = counts.findIndex((n) => !withinBound(BOUNDS.flagPartitions, n));
  if (big >= 0) {
    throw new BadInputError(flag, [{ path: "", message: `expected ${describeBound(BOUNDS.flagPartitions, true)} each (${BOUNDS.flagPartitions.why}), got ${JSON.stringify(items[big])} = ${counts[big]}` }]);
  }
  return counts;
}

function parseCount(s: string): number {
  const m = /^(\d+(?:_\d{3})*)(k|m)?$/i.exec(s);
  if (m === null) return NaN;
  const base = Number(m[1].replace(/_/g, ""));
  return m[2] === undefined ? base : base * (m[2].toLowerCase() === "k" ? 1_000 : 1_000_000);
}

/** An integer flag within its bound (bounds.ts), or a refusal naming the range, the unit and why. */
export function boundedFlag(n: number | undefined, flag: string, bound: Bound): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || !withinBound(bound, n)) {
    throw new BadInputError(flag, [{ path: "", message: `expected ${describeBound(bound, true)}: ${bound.why}; got ${n}` }]);
  }
  return n;
}

/** The watchdog's budget from --max-events and --max-memory (MiB), defaults otherwise. */
export function limitsFrom(args: { readonly maxEvents?: number; readonly maxMemoryMiB?: number }): Limits {
  const d = defaultLimits();
  const events = boundedFlag(args.maxEvents, "--max-events", BOUNDS.flagMaxEvents);
  const mib = boundedFlag(args.maxMemoryMiB, "--max-memory", BOUNDS.flagMaxMemory);
  return { maxEvents: events ?? d.maxEvents, maxMemoryBytes: mib !== undefined ? mib * 2 ** 20 : d.maxMemoryBytes };
}

/** The command line as shown in a lock (who holds an output folder). */
function commandLine(): string {
  return ["electorate", ...process.argv.slice(2)].join(" ");
}

/**
 * Checks the output folder, then creates it and takes its lock for the command's duration.
 * Returns the release function.
 */
export function claimOutputDir(out: string, io: Io): () => void {
  checkOutputDir(out);
  makeDir(out);
  return acquireOutputLock(out, commandLine(), (t) => io.err(t)).release;
}

/** A scenario argument: a path, or the name of a file in benchmarks/scenarios/. */
export function resolveScenarioPath(arg: string): string {
  if (arg === "") throw new BadInputError("scenario", [{ path: "", message: "expected a file or a scenario name, got an empty one" }]);
  if (existsSync(arg)) return arg;
  if (!arg.includes("/") && extname(arg) === "") {
    for (const ext of [".yaml", ".yml", ".json"]) {
      const p = join(SCENARIO_DIR, `${arg}${ext}`);
      if (existsSync(p)) return p;
    }
    throw new BadInputError(arg, [{ path: "", message: `no such file, and no scenario named ${JSON.stringify(arg)} in benchmarks/scenarios/ (${knownScenarios().join(", ")})` }]);
  }
  throw new BadInputError(arg, [{ path: "", message: "no such file" }]);
}

export function knownScenarios(): string[] {
  try {
    return readdirNames(SCENARIO_DIR);
  } catch {
    return [];
  }
}

function readdirNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => f.replace(/\.(ya?ml|json)$/, ""))
    .sort();
}

function algorithmsFrom(names: string[] | undefined, catalog: readonly ElectorDefinition[]): ScenarioAlgorithm[] | undefined {
  if (names === undefined) return undefined;
  if (names.length === 0) throw new BadInputError("--algorithms", [{ path: "", message: "expected at least one elector name" }]);
  const issues = names.filter((n) => resolveElectorName(catalog, n) === undefined).map((n) => ({ path: "", message: unknownElectorMessage(n, catalog) }));
  if (issues.length > 0) throw new BadInputError("--algorithms", issues);
  return names.map((elector) => ({ elector, options: {} }));
}

function requireElectors(catalog: readonly ElectorDefinition[], scenarios: readonly Scenario[], algorithms: unknown): void {
  if (catalog.length === 0 && algorithms === undefined && scenarios.some((s) => s.algorithms === undefined)) {
    throw new BadInputError("algorithms", [{ path: "", message: "no electors are registered (algorithms/index.ts) and the scenario names none" }]);
  }
}

function reportViolations(io: Io, results: readonly RunResult[]): number {
  const bad = results.filter((r) => (r.violations ?? []).length > 0);
  for (const r of bad) io.err(`claims violated: ${cellLabel(r)}: ${(r.violations ?? []).join("; ")}\n`);
  return bad.length > 0 ? 1 : 0;
}

function reportFailures(io: Io, outcome: SweepOutcome, outDir: string | undefined): number {
  if (outcome.interrupted) {
    io.err(`interrupted: ${outcome.results.length} finished cells kept${outDir !== undefined ? ` in ${join(outDir, "results.jsonl")}; rerun with --resume to finish` : ""}\n`);
    return 130;
  }
  if (outcome.failures.length === 0) return 0;
  // Cells the watchdog stopped (over the budget, a clock that stopped): their reason, no stack.
  const stopped = outcome.failures.filter((f) => isCellStopped(f.error));
  for (const f of stopped) io.err(`cell ${f.cell.index} (${cellLabel(f.cell)}) ${f.error.message}\n`);
  if (stopped.length === outcome.failures.length) {
    io.err(`${stopped.length} cells stopped${outDir !== undefined ? `; the ${outcome.results.length} finished cells are in ${join(outDir, "results.jsonl")}` : ""}\n`);
    return 2;
  }
  for (const f of outcome.failures) {
    if (isCellStopped(f.error)) continue;
    io.err(`cell ${f.cell.index} (${cellLabel(f.cell)}) failed: ${f.error.name}: ${f.error.message}\n`);
    if (f.error.stack !== undefined) io.err(`${f.error.stack.split("\n").slice(1, 6).join("\n")}\n`);
  }
  io.err(`${outcome.failures.length} cells failed${outDir !== undefined ? `; the others are in ${join(outDir, "results.jsonl")} (--resume reruns only what is missing)` : ""}\n`);
  return 1;
}

// ---- run ----

/** `--set`: the overrides merged into every cell whose elector has the option (a new key per changed cell). */
function applySettings(cells: Cell[], catalog: readonly ElectorDefinition[], pairs: readonly string[] | undefined): Cell[] {
  const settings = parseSettings(pairs ?? []);
  if (Object.keys(settings).length === 0) return cells;
  checkSettings(catalog, [...new Set(cells.map((c) => c.elector))], settings);
  const checked = new Set<string>();
  return cells.map((c) => {
    const mine = settingsFor(catalog, c.elector, settings);
    if (Object.keys(mine).length === 0) return c;
    const options = { ...c.options, ...mine };
    const id = `${c.elector} ${JSON.stringify(options)}`;
    const resolved = resolveElectorName(catalog, c.elector);
    if (!checked.has(id) && resolved !== undefined) {
      checked.add(id);
      decodeOptions(resolved.definition, { ...resolved.variant?.options, ...options }, "--set", `options of ${c.elector} in ${c.scenario}`);
    }
    const { index, key: _key, ...input } = c;
    return makeCell(index, { ...input, options });
  });
}

export interface RunArgs {
  /** Option overrides, "key=value" or "ELECTOR.key=value", over the scenario's options (settings.ts). */
  readonly set?: readonly string[];
  readonly scenario: string;
  readonly json: boolean;
  readonly timeline: boolean;
  readonly workers?: number;
  readonly progress: boolean;
  readonly out?: string;
  readonly modules?: readonly string[];
  readonly maxEvents?: number;
  /** MiB. */
  readonly maxMemoryMiB?: number;
}

export async function cmdRun(args: RunArgs, io: Io = processIo, signal?: AbortSignal): Promise<number> {
  const limits = limitsFrom(args);
  const workersArg = boundedFlag(args.workers, "--workers", BOUNDS.flagWorkers);
  if (args.out !== undefined) checkOutputDir(args.out);
  const modules = (args.modules ?? []).map(moduleUrl);
  const catalog = await electorCatalog(modules);
  const scenario = readScenarioFile(resolveScenarioPath(args.scenario), catalog);
  requireElectors(catalog, [scenario], undefined);
  const cells = applySettings(expandSweep([scenario], { timeline: args.timeline ? "all" : "findings", modules, limits }, catalog.map((e) => e.name)), catalog, args.set);
  const workers = workersArg ?? (cells.length === 1 ? 1 : defaultWorkers(cells.length));
  checkEstimates(cells, limits, workers);
  const release = args.out !== undefined ? claimOutputDir(args.out, io) : undefined;
  try {
    return await runAndReport(args, cells, workers, io, signal);
  } finally {
    release?.();
  }
}

async function runAndReport(args: RunArgs, cells: Cell[], workers: number, io: Io, signal: AbortSignal | undefined): Promise<number> {
  let finished = 0;
  signal?.addEventListener("abort", () => io.err(`\ninterrupted: ${finished} of ${cells.length} cells finished${args.out !== undefined ? ` (kept in ${join(args.out, "results.jsonl")})` : ""}\n`), { once: true });
  const outcome = await runSweep({
    cells,
    ...(args.out !== undefined ? { outDir: args.out } : {}),
    workers,
    progress: args.progress || (io.errIsTty && cells.length > 1) ? makeProgress() : noProgress,
    ...(signal !== undefined ? { signal, threads: true } : {}),
    onResult: () => void finished++,
  });
  const failed = reportFailures(io, outcome, args.out);
  if (failed !== 0) return failed;
  const results = outcome.results;
  if (args.json) {
    io.out(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
  } else if (results.length === 1) {
    io.out(runDetail(results[0]));
    const t = timelineText(results[0]);
    if (t !== "") io.out(`\n${t}`);
  } else {
    io.out(await renderTable(results));
  }
  if (args.out !== undefined) {
    await buildReports(results, args.out);
    io.err(`wrote ${join(args.out, "results.json")}, summary.md, index.html\n`);
  }
  reportNeverLed(io, results);
  return reportViolations(io, results);
}

/** Partitions that never had a leader in the whole run: said on stderr, not left to the tables. */
export function reportNeverLed(io: Io, results: readonly RunResult[]): void {
  const bad = results.filter((r) => r.metrics.failover.neverLed > 0);
  for (const r of bad.slice(0, 5)) {
    io.err(
      `note: ${r.metrics.failover.neverLed} of ${r.cluster.partitions} partitions never had a leader in ${cellLabel(r)}${r.metrics.failover.neverLed === r.cluster.partitions ? " (none was ever led: nothing was elected)" : ""}\n`,
    );
  }
  if (bad.length > 5) io.err(`note: ... and ${bad.length - 5} more runs with partitions that never had a leader (metrics.failover.neverLed)\n`);
}

// ---- compare ----

export interface CompareArgs {
  /** Option overrides, "key=value" or "ELECTOR.key=value", over the scenario's options (settings.ts). */
  readonly set?: readonly string[];
  readonly algorithms?: string;
  readonly partitions?: string;
  readonly scenarios?: string;
  readonly seeds?: number;
  readonly workers?: number;
  readonly shard?: string;
  readonly out?: string;
  readonly resume: boolean;
  readonly progress: boolean;
  readonly timeline: boolean;
  readonly modules?: readonly string[];
  readonly maxEvents?: number;
  /** MiB. */
  readonly maxMemoryMiB?: number;
}

/** The cells of a comparison (also used by scripts/results-docs and tests). */
export async function compareCells(args: CompareArgs): Promise<{ cells: Cell[]; catalog: readonly ElectorDefinition[] }> {
  const modules = (args.modules ?? []).map(moduleUrl);
  const catalog = await electorCatalog(modules);
  const scenarioArgs = splitList(args.scenarios);
  // Named nothing: the default comparison, which adds the variants that differ from their elector's defaults.
  const defaultComparison = args.algorithms === undefined && scenarioArgs === undefined;
  const algorithmArgs = splitList(args.algorithms) ?? (defaultComparison ? defaultAlgorithmNames(catalog) : undefined);
  const algorithms = algorithmsFrom(algorithmArgs, catalog);
  if (scenarioArgs !== undefined && scenarioArgs.length === 0) throw new BadInputError("--scenarios", [{ path: "", message: "expected at least one scenario" }]);
  const scenarios = (scenarioArgs ?? [...DEFAULT_SCENARIOS]).map((s) => readScenarioFile(resolveScenarioPath(s), catalog));
  requireElectors(catalog, scenarios, algorithms);
  const partitions = args.partitions !== undefined ? parseCounts(args.partitions, "--partitions") : scenarioArgs === undefined ? [...DEFAULT_PARTITIONS] : undefined;
  const seedCount = boundedFlag(args.seeds, "--seeds", BOUNDS.flagSeeds);
  const seeds = seedCount !== undefined ? Array.from({ length: seedCount }, (_, i) => i + 1) : undefined;
  const cells = expandSweep(
    scenarios,
    {
      ...(algorithms !== undefined ? { algorithms } : {}),
      ...(partitions !== undefined ? { partitions } : {}),
      ...(defaultComparison && args.partitions === undefined && algorithmArgs !== undefined ? { partitionsOf: defaultPartitionsOf(algorithmArgs) } : {}),
      ...(seeds !== undefined ? { seeds } : {}),
      timeline: args.timeline ? "all" : "findings",
      modules,
      limits: limitsFrom(args),
    },
    catalog.map((e) => e.name),
  );
  return { cells: applySettings(cells, catalog, args.set), catalog };
}

export async function cmdCompare(args: CompareArgs, io: Io = processIo, signal?: AbortSignal): Promise<number> {
  const shard = args.shard !== undefined ? parseShard(args.shard) : undefined;
  const workersArg = boundedFlag(args.workers, "--workers", BOUNDS.flagWorkers);
  const limits = limitsFrom(args);
  if (args.out !== undefined) checkOutputDir(args.out);
  const { cells } = await compareCells(args);
  const mine = shard === undefined ? cells.length : cells.filter((c) => c.index % shard.n === shard.k - 1).length;
  const workers = workersArg ?? defaultWorkers(mine);
  checkEstimates(shard === undefined ? cells : cells.filter((c) => c.index % shard.n === shard.k - 1), limits, workers);
  // No --out: a new folder in the run store (reports/<time>-<sweep>/; --resume continues reports/latest).
  const stored = args.out === undefined;
  const outDir = args.out ?? (args.resume ? (latestRunDir() ?? newRunDir(sweepId(cells))) : newRunDir(sweepId(cells)));
  checkOutputDir(outDir);
  const release = claimOutputDir(outDir, io);
  try {
    return await compareAndReport(args, cells, shard, outDir, stored, workers, io, signal);
  } finally {
    release();
  }
}

async function compareAndReport(
  args: CompareArgs,
  cells: Cell[],
  shard: { readonly k: number; readonly n: number } | undefined,
  outDir: string,
  stored: boolean,
  workers: number,
  io: Io,
  signal: AbortSignal | undefined,
): Promise<number> {
  // The process exits soon after an interrupt: say where the finished work is right away.
  signal?.addEventListener(
    "abort",
    () => io.err(`\ninterrupted: finished cells are kept in ${join(outDir, "results.jsonl")}; rerun with --resume to finish\n`),
    { once: true },
  );
  const outcome = await runSweep({
    cells,
    outDir,
    workers,
    ...(shard !== undefined ? { shard } : {}),
    resume: args.resume,
    progress: args.progress || io.errIsTty ? makeProgress() : noProgress,
    ...(signal !== undefined ? { signal, threads: true } : {}),
    timelinesBeside: true,
  });
  const failed = reportFailures(io, outcome, outDir);
  if (failed !== 0) return failed;
  // Message diagrams of the worst findings in small runs (each a second run with the message trace on).
  (await runDiagrams()).writeRunDiagrams(outcome.results, cells, outDir, await electorCatalog((args.modules ?? []).map(moduleUrl)));
  await buildReports(outcome.results, outDir);
  if (stored) {
    const notice = pointLatest(basename(realpathSync(outDir)));
    if (notice !== undefined) io.err(`${notice}\n`);
    writeRunsIndex();
  }
  io.out(await renderTable(outcome.results));
  const ranText = outcome.reused > 0 ? `${outcome.ran} run, ${outcome.reused} reused` : `${outcome.ran} run`;
  io.err(
    `${outcome.results.length} cells${shard !== undefined ? ` (shard ${shard.k}/${shard.n} of ${cells.length})` : ""} (${ranText}); wrote ${join(outDir, "results.json")}, summary.md, index.html\n`,
  );
  reportNeverLed(io, outcome.results);
  return reportViolations(io, outcome.results);
}

// ---- merge, report ----

export async function cmdMerge(args: { readonly dirs: readonly string[]; readonly out?: string }, io: Io = processIo): Promise<number> {
  const outDir = args.out ?? join("reports", "merged");
  checkOutputDir(outDir);
  const merged = mergeResults(args.dirs);
  const release = claimOutputDir(outDir, io);
  try {
    mergeTimelines(args.dirs, outDir);
    return await mergeAndReport(args, merged, outDir, io);
  } finally {
    release();
  }
}

async function mergeAndReport(args: { readonly dirs: readonly string[] }, merged: ReturnType<typeof mergeResults>, outDir: string, io: Io): Promise<number> {
  if (merged.missing.length > 0) {
    const show = merged.missing.slice(0, 20).join(", ");
    io.err(`warning: ${merged.missing.length} cells of the sweep are missing (indices ${show}${merged.missing.length > 20 ? ", ..." : ""}): a shard not run or not given?\n`);
  }
  await buildReports(merged.results, outDir);
  io.out(await renderTable(merged.results));
  io.err(`merged ${merged.results.length} results from ${args.dirs.length} inputs${merged.duplicates > 0 ? ` (${merged.duplicates} duplicates dropped)` : ""}; wrote ${join(outDir, "results.json")}, summary.md, index.html\n`);
  return reportViolations(io, merged.results);
}

export async function cmdReport(args: { readonly results: string; readonly out?: string }, io: Io = processIo): Promise<number> {
  if (args.out !== undefined) checkOutputDir(args.out);
  const results = readResults(args.results);
  // No --out: beside the results (their folder, or the folder holding the results file).
  const out = args.out ?? (existsSync(args.results) && statSync(args.results).isDirectory() ? args.results : dirname(args.results));
  checkOutputDir(out);
  const release = claimOutputDir(out, io);
  try {
    const source = existsSync(args.results) && statSync(args.results).isDirectory() ? args.results : dirname(args.results);
    await buildReports(results, out, source);
  } finally {
    release();
  }
  io.out(await renderTable(results));
  io.err(`wrote ${join(out, "results.json")}, summary.md, index.html (${results.length} results)\n`);
  reportNeverLed(io, results);
  return 0;
}

// ---- list ----

export async function cmdList(args: { readonly json: boolean; readonly modules?: readonly string[] }, io: Io = processIo): Promise<number> {
  const catalog = await electorCatalog((args.modules ?? []).map(moduleUrl));
  if (args.json) {
    const { optionDocs } = await import("./text.ts");
    io.out(
      `${JSON.stringify(
        catalog.map((e) => ({
          name: e.name,
          description: e.description,
          usesCoordinator: e.usesCoordinator,
          options: optionDocs(e),
          variants: (e.variants ?? []).map((v) => ({
            name: `${e.name}:${v.name}`,
            description: v.description,
            options: v.options,
            ...(v.bug !== undefined ? { bug: v.bug } : {}),
          })),
        })),
        null,
        2,
      )}\n`,
    );
  } else {
    io.out(electorList(catalog));
    const names = knownScenarios();
    if (names.length > 0) io.out(`Scenarios (benchmarks/scenarios/): ${names.join(", ")}\n`);
  }
  return 0;
}

// ---- replay ----

/** Rebuilds the cell a result came from (faults already resolved to broker numbers). */
export function cellOfResult(r: RunResult, timeline: "findings" | "all", modules: readonly string[] = []): Cell {
  const setup = r.setup;
  const cluster = setup?.cluster ?? r.cluster;
  return makeCell(r.cell?.index ?? 0, {
    scenario: r.scenario,
    elector: r.elector,
    options: (r.options ?? {}) as Record<string, unknown>,
    ...(setup?.hostOptions !== undefined ? { hostOptions: setup.hostOptions as Record<string, Record<string, unknown>> } : {}),
    seed: r.seed,
    cluster,
    ...(setup?.network !== undefined ? { network: setup.network as Cell["network"] } : {}),
    ...(setup?.coordinator !== undefined ? { coordinator: setup.coordinator } : {}),
    ...(setup?.workload !== undefined ? { workload: setup.workload as Cell["workload"] } : {}),
    ...(setup?.clocks !== undefined ? { clocks: setup.clocks as Cell["clocks"] } : {}),
    ...(setup?.storage !== undefined ? { storage: setup.storage as Cell["storage"] } : {}),
    ...(setup?.start !== undefined ? { start: setup.start } : {}),
    faults: r.faults,
    durationMs: r.durationMs,
    timeline,
    ...(modules.length > 0 ? { modules } : {}),
  });
}

export interface ReplayArgs {
  readonly file: string;
  readonly cell?: number;
  readonly json: boolean;
  readonly timeline: boolean;
  readonly modules?: readonly string[];
}

export async function cmdReplay(args: ReplayArgs, io: Io = processIo, signal?: AbortSignal): Promise<number> {
  boundedFlag(args.cell, "--cell", BOUNDS.flagCell);
  if (!existsSync(args.file)) throw new BadInputError(args.file, [{ path: "", message: "no such file" }]);
  // A run folder or results.jsonl holds results line by line; anything else is one YAML/JSON document.
  const resultsLines = statSync(args.file).isDirectory() || extname(args.file) === ".jsonl";
  const doc: unknown = resultsLines ? readResults(args.file) : parseScenarioText(readRegularFile(args.file, Math.max(SCENARIO_MAX_BYTES, RESULTS_MAX_BYTES), "file"), args.file);
  const kind = typeof doc === "object" && doc !== null ? (doc as { kind?: unknown }).kind : undefined;
  if (kind === "electorate/counterexample" && typeof doc === "object" && doc !== null && "explore" in doc) {
    // Found by the systematic explorer: its explicit schedule replays it (src/explore/counterexample.ts).
    const { replayExploredCounterexample } = await import("../explore/counterexample.ts");
    let replay;
    try {
      replay = replayExploredCounterexample(args.file, doc as never);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new BadInputError(args.file, [{ path: "explore", message: `not a replayable explored counterexample: ${message.startsWith(args.file) ? message.slice(args.file.length + 2) : message}` }]);
    }
    io.out(`${replay.report}\n`);
    return replay.violates || !replay.sameTrace ? 1 : 0;
  }
  if (kind === "electorate/counterexample") {
    const { replayCounterexample } = await import("../../properties/counterexample.ts");
    // The modules the hunt loaded the elector from (recorded in the file), and any named here.
    const saved = (doc as { modules?: unknown }).modules;
    const recorded = Array.isArray(saved) ? saved.filter((m): m is string => typeof m === "string") : [];
    const catalog = await electorCatalog([...recorded, ...(args.modules ?? []).map(moduleUrl)]);
    let replay;
    try {
      replay = replayCounterexample(args.file, catalog);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith(args.file)) throw new BadInputError(args.file, [{ path: "", message: e.message.slice(args.file.length + 2) }]);
      throw e;
    }
    io.out(`${replay.report}\n`);
    return replay.violates || !replay.sameTrace ? 1 : 0;
  }
  const isResult = (u: unknown): boolean => typeof u === "object" && u !== null && "metrics" in u;
  if (Array.isArray(doc) || isResult(doc)) {
    const list = Array.isArray(doc) ? doc : [doc];
    checkResults(list, args.file);
    let saved: RunResult;
    if (list.length === 1 && args.cell === undefined) saved = list[0];
    else {
      if (args.cell === undefined) {
        throw new BadInputError(args.file, [{ path: "", message: `holds ${list.length} runs; pick one with --cell N (a cell index: ${list.map((r, i) => r.cell?.index ?? i).slice(0, 10).join(", ")}${list.length > 10 ? ", ..." : ""})` }]);
      }
      const found = list.find((r, i) => (r.cell?.index ?? i) === args.cell);
      if (found === undefined) throw new BadInputError("--cell", [{ path: "", message: `expected a cell index present in ${args.file}, got ${args.cell}` }]);
      saved = found;
    }
    const modules = (args.modules ?? []).map(moduleUrl);
    const catalog = await electorCatalog(modules);
    if (resolveElectorName(catalog, saved.elector) === undefined) {
      throw new BadInputError(args.file, [{ path: "elector", message: unknownElectorMessage(saved.elector, catalog) }]);
    }
    const cell = cellOfResult(saved, args.timeline ? "all" : "findings", modules);
    const now = runCell(cell, catalog, saved.cell?.sweep);
    const same = now.metrics.traceHash === saved.metrics.traceHash;
    if (args.json) io.out(`${JSON.stringify(now, null, 2)}\n`);
    else {
      io.out(runDetail(now));
      const t = timelineText(now);
      if (t !== "") io.out(`\n${t}`);
    }
    io.err(
      same
        ? `reproduced: trace hash ${now.metrics.traceHash} as saved\n`
        : `NOT reproduced: trace hash ${now.metrics.traceHash}, saved ${saved.metrics.traceHash} (the lab, the elector or the versions changed: saved with electorate ${saved.versions?.electorate} on node ${saved.versions?.node})\n`,
    );
    const v = reportViolations(io, [now]);
    return same ? v : 1;
  }
  // Otherwise a scenario file.
  const modules = (args.modules ?? []).map(moduleUrl);
  const catalog = await electorCatalog(modules);
  decodeScenario(doc, args.file, catalog); // validate first: bad input is exit 2 before anything runs
  return cmdRun({ scenario: args.file, json: args.json, timeline: args.timeline, progress: false, modules: args.modules ?? [] }, io, signal);
}

// ---- check ----

export { parseSettings } from "./settings.ts";

export interface CheckArgs {
  /** "elector" or "elector:variant": one hunt, its full report. */
  readonly algorithm?: string;
  /** "all" or a comma-separated list: a hunt per variant, as a matrix property x variant, with every counterexample replayed on every variant. */
  readonly algorithms?: string;
  /** With --algorithms all: also the bug-zoo variants (ElectorVariant.bug). */
  readonly includeBugs?: boolean;
  readonly runs?: number;
  readonly seed?: number;
  /** Properties to check (default: every property; unclaimed ones are marked in the report). */
  readonly properties?: readonly string[];
  /** Option overrides, "key=value" or "ELECTOR.key=value" (value parsed as JSON when it parses, else a string), over the variant's options. */
  readonly set?: readonly string[];
  /** Worker threads (default: one per core); the report is the same for any number. */
  readonly workers?: number;
  /** Where the matrix report goes (default: a new reports/<time>-hunt/, and reports/latest points at it). */
  readonly out?: string;
  /** Elector modules (paths) to load besides the registry; worker threads load them too. */
  readonly modules?: readonly string[];
}

export async function cmdCheck(args: CheckArgs, io: Io = processIo, signal?: AbortSignal): Promise<number> {
  const modules = (args.modules ?? []).map(moduleUrl);
  const catalog = await electorCatalog(modules);
  if ((args.algorithm === undefined) === (args.algorithms === undefined)) {
    throw new BadInputError(args.algorithm === undefined ? "--algorithm" : "--algorithms", [
      { path: "", message: "expected exactly one of --algorithm NAME (one hunt) or --algorithms all|A,B,... (a matrix)" },
    ]);
  }
  const runs = boundedFlag(args.runs, "--runs", BOUNDS.flagRuns);
  const workersArg = boundedFlag(args.workers, "--workers", BOUNDS.flagWorkers);
  const seed = args.seed;
  if (seed !== undefined && !Number.isInteger(seed)) throw new BadInputError("--seed", [{ path: "", message: `expected an integer, got ${seed}` }]);
  const { PROPERTY_NAMES } = await import("../../properties/properties.ts");
  const properties = args.properties !== undefined && args.properties.length > 0 ? args.properties : undefined;
  const unknown = (properties ?? []).filter((p) => !(PROPERTY_NAMES as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new BadInputError(
      "--property",
      unknown.map((p) => ({ path: "", message: `expected one of ${PROPERTY_NAMES.join(", ")}, got ${JSON.stringify(p)}` })),
    );
  }
  const { selectVariants } = await import("./hunt-matrix.ts");
  let names: string[];
  if (args.algorithm !== undefined) {
    if (resolveElectorName(catalog, args.algorithm) === undefined) {
      throw new BadInputError("--algorithm", [{ path: "", message: unknownElectorMessage(args.algorithm, catalog) }]);
    }
    names = [args.algorithm];
  } else names = selectVariants(catalog, args.algorithms!, args.includeBugs === true);
  if (args.out !== undefined) checkOutputDir(args.out);
  const settings = parseSettings(args.set ?? []);
  // Unknown keys and bad option values are refused here, with the option's path, before anything runs.
  checkSettings(catalog, names, settings);
  const { DEFAULT_HUNT_RUNS, DEFAULT_HUNT_SEED } = await import("../../properties/hunt.ts");
  const totalRuns = (runs ?? DEFAULT_HUNT_RUNS) * names.length;
  // Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise.
  const { makeHuntProgress } = await import("./hunt-progress.ts");
  const view = makeHuntProgress({ write: (t) => io.err(t), isTty: io.errIsTty, columns: process.stderr.columns }, { totalRuns });
  let lines = 0;
  const say = (line: string): void => {
    lines++;
    view.say(line);
  };
  // On worker threads when a signal can interrupt (the CLI) or workers are asked for: the main
  // thread stays free to see Ctrl-C, and --workers N runs N shares of every search side by side.
  const useThreads = signal !== undefined || workersArg !== undefined;
  const { HuntPool } = await import("../../properties/hunt-pool.ts");
  const pool = useThreads ? new HuntPool(Math.max(1, Math.min(workersArg ?? availableParallelism(), totalRuns))) : undefined;
  let interrupted = false;
  const onAbort = (): void => {
    interrupted = true;
    view.finish();
    // Said at once: the process exits right after an interrupt.
    io.err(`\ninterrupted: the hunt stopped; what it had finished is above (${lines} progress lines); counterexamples already found are saved\n`);
    void pool?.close();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const t0 = performance.now();
  try {
    if (args.algorithm !== undefined) {
      const { runPropertyHunt } = await import("../../properties/hunt.ts");
      const report = await runPropertyHunt({
        algorithm: args.algorithm,
        ...(modules.length > 0 ? { modules } : {}),
        options: settingsFor(catalog, args.algorithm, settings),
        ...(runs !== undefined ? { runs } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(properties !== undefined ? { properties: properties as readonly (typeof PROPERTY_NAMES)[number][] } : {}),
        ...(pool !== undefined ? { pool } : {}),
        out: say,
        onProgress: view.onProgress,
      });
      view.finish();
      io.out(report.report.endsWith("\n") ? report.report : `${report.report}\n`);
      io.err(`hunted in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${pool === undefined ? "this thread" : `${pool.size} worker thread(s)`}\n`);
      return report.ok ? 0 : 1;
    }
    const { runMatrix } = await import("./hunt-matrix.ts");
    const matrix = await runMatrix({
      catalog,
      ...(modules.length > 0 ? { modules } : {}),
      variants: names,
      runs: runs ?? DEFAULT_HUNT_RUNS,
      seed: seed ?? DEFAULT_HUNT_SEED,
      ...(properties !== undefined ? { properties: properties as readonly (typeof PROPERTY_NAMES)[number][] } : {}),
      overrides: (name) => settingsFor(catalog, name, settings),
      settings,
      ...(pool !== undefined ? { pool } : {}),
      say,
      onProgress: view.onProgress,
      phase: (t) => view.phase(t),
    });
    view.finish();
    const { matrixText } = await import("./hunt-matrix-render.ts");
    io.out(matrixText(matrix));
    const dir = writeMatrixReport(matrix, args.out, io);
    io.err(`hunted ${names.length} variants in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${pool === undefined ? "this thread" : `${pool.size} worker thread(s)`}; wrote ${join(dir, "index.html")}, summary.md, hunt.json\n`);
    // Unclaimed properties found are the point of the matrix; a broken claim is a failure.
    if (matrix.brokenClaims > 0) io.err(`claims broken: ${matrix.brokenClaims} (cells without *)\n`);
    return matrix.brokenClaims > 0 ? 1 : 0;
  } catch (e) {
    if (interrupted) return 130;
    throw e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // After Ctrl-C the threads are being stopped already; the process exits without waiting for them.
    if (interrupted) void pool?.close();
    else await pool?.close();
  }
}

/** Writes the matrix into --out, or a new folder of the run store (reports/latest, reports/index.html updated). */
function writeMatrixReport(matrix: import("./hunt-matrix.ts").HuntMatrix, out: string | undefined, io: Io): string {
  const dir = out ?? newRunDir("hunt");
  const release = claimOutputDir(dir, io);
  try {
    // The counterexamples beside the report, so the folder is whole on its own.
    for (const c of matrix.counterexamples) {
      if (c.counterexamplePath === undefined || !existsSync(c.counterexamplePath)) continue;
      writeFileAtomic(join(dir, "counterexamples", basename(c.counterexamplePath)), readFileSync(c.counterexamplePath, "utf8"));
    }
    writeFileAtomic(join(dir, "hunt.json"), `${JSON.stringify(matrix, null, 2)}\n`);
    writeFileAtomic(join(dir, "summary.md"), matrixMarkdownSync(matrix));
    writeFileAtomic(join(dir, "index.html"), matrixHtmlSync(matrix));
  } finally {
    release();
  }
  if (out === undefined) {
    const notice = pointLatest(basename(realpathSync(dir)));
    if (notice !== undefined) io.err(`${notice}\n`);
    writeRunsIndex();
  }
  return dir;
}
