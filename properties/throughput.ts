/**
 * Property-run throughput per elector (docs/performance.md, "Property runs").
 *
 *   npx tsx properties/throughput.ts [--runs N] [--repeat R] [--seed S] [--elector NAME [--options JSON]] [--module PATH]... [--suite-only | --target-only]
 *                                    [--writes-per-second W] [--stop-after-recovery MS] [--warm-up N] [--main-thread]
 *
 * Electors: the registry's, plus every ElectorDefinition exported by each --module (an elector
 * not registered yet, e.g. --module algorithms/zab/index.ts); each under every name it answers to
 * (the plain name with its defaults, then each declared "elector:variant", as the property suite
 * runs them). --elector NAME measures that one name ("raft": the defaults; "raft:etcd": a variant).
 *
 * Two measurements per elector, each over N generated scenarios (fast-check, fixed seed):
 *  - "target shape": the cluster pinned to 5 brokers x 20 partitions (RF 3) and every run cut to
 *    30 s simulated (faults after 30 s dropped) — the shape the >= 100 runs/s target is stated for;
 *  - "suite": the suite's own scenarios (3-5 brokers, 1-20 partitions, recovery + quiet period).
 * A property run is: build the world, run it, judge it, check the properties (one world; the
 * determinism property's second run is not counted). Judged as `evaluate` judges a run not checked
 * for determinism (most of a hunt's): `judgeSafety`, the verdict the properties read. Wall time splits into build (the World
 * constructed and started), run and judge; generating and planning the scenarios is timed apart
 * (CPU per scenario, printed at the end).
 * --writes-per-second / --stop-after-recovery replace PROPERTY_WORKLOAD's rate and when writes stop
 * (benchmarks/workload-detection.ts, docs/performance.md "Property runs").
 * Timing is measured here only; nothing that decides a run's behaviour reads the clock.
 *
 * Where it measures: in a worker thread with the young generation the lab's hunt threads get
 * (src/runner/young-generation.ts: 64 MB semi-spaces, where a main thread has Node's 16 MB), since
 * that is where `check` and the property suite run property runs; the main thread only starts it
 * and waits. --main-thread measures in the main thread with the process's own heap flags, as
 * before stop 27. CPU is the process's (process.cpuUsage: every thread, V8's helpers included).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isMainThread, Worker } from "node:worker_threads";
import fc from "fast-check";
import { electors } from "../algorithms/index.ts";
import { judgeSafety } from "../src/checker/judge.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import type { WorldConfig } from "../src/world/world-config.ts";
import { decodeVariantOptions, splitElectorName, variantNames } from "../src/elector/variants.ts";
import { outcomeOf } from "../src/world/run.ts";
import { World } from "../src/world/world.ts";
import { YOUNG_GENERATION_MB } from "../src/runner/young-generation.ts";
import { scenariosFor } from "./random-search.ts";
import { planRun, PROPERTY_WORKLOAD, type PlannedRun, type PropertyWorkload } from "./plan.ts";
import { applicableProperties, violation } from "./properties.ts";

// The measurement runs where hunts run: this script again, in a worker thread with their young generation.
if (isMainThread && !process.argv.includes("--main-thread")) {
  const worker = new Worker(new URL("./throughput-worker.mjs", import.meta.url), {
    argv: process.argv.slice(2),
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  const code = await new Promise<number>((done, fail) => worker.on("exit", done).on("error", fail));
  process.exit(code);
}

function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && i + 1 < process.argv.length) out.push(process.argv[i + 1]);
  });
  return out;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const RUNS = Number(arg("runs") ?? 200);
/**
 * Each row is measured this many times over the same scenarios and shows the measurement with the
 * median runs per CPU-second, the others' range beside it: on a shared machine one measurement of
 * a second or two moves by 20-40% with what else runs (docs/performance.md).
 */
const REPEAT = Number(arg("repeat") ?? 3);
if (!Number.isInteger(REPEAT) || REPEAT < 1) {
  process.stderr.write(`throughput: --repeat: expected a whole number of measurements per row, at least 1; got ${arg("repeat")}\n`);
  process.exit(2);
}
/**
 * Target-shape runs of each name before its rows are measured. A hunt runs hundreds to thousands
 * of runs per thread, so a row measures the steady state: with 120 warm-up runs (before stop 27)
 * TurboFan was still optimizing functions through the measured repeats (--trace-opt: 46, 24, 18
 * optimizations per 100 runs, 4-10 from the 500th run on) and a single row read ~8% below the
 * rate the same process reached later (docs/performance.md, stop 27).
 */
const WARM_UP = Number(arg("warm-up") ?? 300);
if (!Number.isInteger(WARM_UP) || WARM_UP < 0) {
  process.stderr.write(`throughput: --warm-up: expected a whole number of runs, at least 0; got ${arg("warm-up")}\n`);
  process.exit(2);
}
const SEED = Number(arg("seed") ?? 1);
const ONLY = arg("elector");
/** Elector options as JSON (with --elector), e.g. --options '{"coalescedHeartbeats":true}'. */
const OPTIONS = arg("options");
const SUITE_ONLY = process.argv.includes("--suite-only");
const TARGET_ONLY = process.argv.includes("--target-only");
const TARGET_MS = 30_000;
const WPS = arg("writes-per-second");
const STOP_AFTER = arg("stop-after-recovery");
const PRODUCERS: PropertyWorkload = {
  ...PROPERTY_WORKLOAD,
  ...(WPS !== undefined ? { writesPerSecond: Number(WPS) } : {}),
  ...(STOP_AFTER !== undefined ? { stopAfterRecoveryMs: Number(STOP_AFTER) } : {}),
};

interface Measure {
  runs: number;
  wallMs: number;
  /** CPU time of this process (less sensitive than wall time to other load on the machine). */
  cpuMs: number;
  worldMs: number;
  /** Of worldMs: building the world and starting it (hosts booted, producers and faults scheduled). */
  buildMs: number;
  judgeMs: number;
  events: number;
  simulatedMs: number;
}

function measure(def: ElectorDefinition, plans: readonly PlannedRun[]): Measure {
  const options = plans[0]?.spec.options;
  const props = applicableProperties(def, options).filter((p) => p !== "determinism");
  const m: Measure = { runs: 0, wallMs: 0, cpuMs: 0, worldMs: 0, buildMs: 0, judgeMs: 0, events: 0, simulatedMs: 0 };
  const cpu0 = process.cpuUsage();
  for (const plan of plans) {
    const t0 = performance.now();
    // runWorld(plan.config), with the build timed apart.
    const world = new World(plan.config as WorldConfig<unknown>);
    world.start();
    const tb = performance.now();
    world.run();
    const outcome = outcomeOf(world);
    const t1 = performance.now();
    const metrics = judgeSafety(outcome);
    for (const p of props) violation(p, { plan, outcome, metrics });
    const t2 = performance.now();
    m.runs++;
    m.worldMs += t1 - t0;
    m.buildMs += tb - t0;
    m.judgeMs += t2 - t1;
    m.wallMs += t2 - t0;
    m.events += outcome.kernel.eventsProcessed;
    m.simulatedMs += plan.spec.durationMs;
  }
  const cpu = process.cpuUsage(cpu0);
  m.cpuMs = (cpu.user + cpu.system) / 1000;
  return m;
}

function cutTo(plan: PlannedRun, ms: number): PlannedRun {
  const faults = plan.spec.faults.filter((f) => f.at < ms);
  const spec = { ...plan.spec, faults, durationMs: ms };
  return { spec, config: { ...plan.config, faults, durationMs: ms } };
}

const perCpuSecond = (m: Measure): number => (m.runs / m.cpuMs) * 1000;

/** The row's measurement (the median by runs per CPU-second of REPEAT) and the range of all of them. */
function medianMeasure(def: ElectorDefinition, plans: readonly PlannedRun[]): { m: Measure; range: string } {
  const ms = Array.from({ length: REPEAT }, () => measure(def, plans)).sort((a, b) => perCpuSecond(a) - perCpuSecond(b));
  const range = REPEAT === 1 ? "-" : `${perCpuSecond(ms[0]).toFixed(0)}-${perCpuSecond(ms[ms.length - 1]).toFixed(0)}`;
  return { m: ms[(ms.length - 1) >> 1], range };
}

function row(name: string, shape: string, { m, range }: { m: Measure; range: string }): string {
  const perSecond = (m.runs / m.wallMs) * 1000;
  return (
    `| ${name} | ${shape} | ${m.runs} | ${perSecond.toFixed(0)} | ${perCpuSecond(m).toFixed(0)} | ${range} | ${(m.wallMs / m.runs).toFixed(1)} | ` +
    `${((100 * m.buildMs) / m.wallMs).toFixed(0)}% / ${((100 * (m.worldMs - m.buildMs)) / m.wallMs).toFixed(0)}% / ${((100 * m.judgeMs) / m.wallMs).toFixed(0)}% | ` +
    `${(m.events / m.runs / 1000).toFixed(0)}k | ${(m.simulatedMs / m.runs / 1000).toFixed(1)} s |`
  );
}

const where = isMainThread ? "main thread" : `worker thread, young generation ${YOUNG_GENERATION_MB} MB as hunt threads`;
console.log(`node ${process.version}, ${where}, ${RUNS} scenarios per row, each row the median of ${REPEAT} measurements after ${WARM_UP} warm-up runs, fast-check seed ${SEED}, producers ${JSON.stringify(PRODUCERS)}`);
console.log(`| elector | scenarios | runs | runs/s (wall) | runs/CPU-s | runs/CPU-s, ${REPEAT} measurements | ms/run (wall) | build / run / judge | events/run | simulated/run |`);
console.log("|---|---|---:|---:|---:|---|---:|---|---:|---:|");
const all: ElectorDefinition[] = [...electors];
for (const m of args("module")) {
  const mod = (await import(pathToFileURL(resolve(m)).href)) as Record<string, unknown>;
  for (const v of Object.values(mod)) {
    const d = v as Partial<ElectorDefinition>;
    if (typeof d === "object" && d !== null && typeof d.name === "string" && typeof d.create === "function" && !all.some((e) => e.name === d.name)) {
      all.push(d as ElectorDefinition);
    }
  }
}
/** CPU spent generating and planning scenarios (not part of any row's runs/CPU-s). */
const generation = { cpuMs: 0, scenarios: 0 };
/** Electors whose code has been warmed up (by their first name's longer warm-up). */
const warmed = new Set<string>();
const lowest = { target: Infinity, suite: Infinity, targetName: "", suiteName: "" };
for (const def of all) {
  for (const fullName of variantNames(def)) {
    if (ONLY !== undefined && ONLY !== fullName) continue;
    const variant = splitElectorName(fullName).variant;
    const options =
      OPTIONS === undefined ? decodeVariantOptions(def, variant) : decodeVariantOptions(def, variant, JSON.parse(OPTIONS) as Record<string, unknown>);
    const pinned = { minBrokers: 5, maxBrokers: 5, minPartitions: 20, maxPartitions: 20, minReplicationFactor: 3, maxReplicationFactor: 3 };
    // Generating and planning the scenarios is outside a run (a hunt pays it once per scenario too): timed apart.
    const gen0 = process.cpuUsage();
    const target = fc
      .sample(scenariosFor(options, { cluster: pinned }), { seed: SEED, numRuns: RUNS })
      .map((sc) => cutTo(planRun(def, options, sc, PRODUCERS), TARGET_MS));
    const suite = fc.sample(scenariosFor(options), { seed: SEED, numRuns: RUNS }).map((sc) => planRun(def, options, sc, PRODUCERS));
    const gen = process.cpuUsage(gen0);
    generation.cpuMs += (gen.user + gen.system) / 1000;
    generation.scenarios += target.length + suite.length;
    // Warm-up. The first name of an elector also warms the elector's code and the heap with both
    // shapes (with 20 target-shape runs only, it measured up to 1.8x below its defaults-variant,
    // which runs the same options: docs/performance.md, "Property runs"); every name then runs
    // WARM_UP target-shape runs.
    if (!warmed.has(def.name)) {
      warmed.add(def.name);
      measure(def, suite.slice(0, Math.min(40, RUNS)));
    }
    for (let done = 0; done < WARM_UP; done += target.length) measure(def, target.slice(0, WARM_UP - done));
    const name = OPTIONS === undefined ? fullName : `${fullName} ${OPTIONS}`;
    if (!SUITE_ONLY) {
      const median = medianMeasure(def, target);
      console.log(row(name, "5 x 20, RF 3, 30 s", median));
      const r = perCpuSecond(median.m);
      if (r < lowest.target) Object.assign(lowest, { target: r, targetName: name });
    }
    if (TARGET_ONLY) continue;
    const median = medianMeasure(def, suite);
    console.log(row(name, "suite (3-5 x 1-20)", median));
    const r = perCpuSecond(median.m);
    if (r < lowest.suite) Object.assign(lowest, { suite: r, suiteName: name });
  }
}
if (generation.scenarios > 0) {
  const per = generation.cpuMs / generation.scenarios;
  console.log(`scenario generation and planning (fast-check sample + planRun, not in the rows): ${per.toFixed(2)} ms CPU per scenario (${generation.scenarios} scenarios, first includes warm-up)`);
}
if (!SUITE_ONLY && lowest.targetName !== "") console.log(`lowest runs/CPU-s, 5 x 20, RF 3, 30 s: ${lowest.target.toFixed(0)} (${lowest.targetName})`);
if (lowest.suiteName !== "") console.log(`lowest runs/CPU-s, suite: ${lowest.suite.toFixed(0)} (${lowest.suiteName})`);
