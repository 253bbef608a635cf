/**
 * Violations found per CPU-second at each property workload (issue 15; docs/performance.md,
 * "Property runs": the workload experiment).
 *
 *   npx tsx benchmarks/workload-detection.ts [--seeds 1,2,3,4,5] [--runs 300] [--workloads 10,5,2,1,10+5000]
 *                                            [--targets NAME,...] [--out FILE.jsonl]
 *   npx tsx benchmarks/workload-detection.ts --summarize FILE.jsonl [--base 10]
 *
 * For every target (a design or variant known to be unsafe: the naive race's variants,
 * kafka-controller's default acks=1 and all-minisr1, the bug-zoo variants) and every workload
 * ("W": W writes/s per partition, writes stopping halfway through the quiet period as in the suite;
 * "W+MS": stopping MS after the recovery phase), it runs the hunt's own random search
 * (the suite's arbitraries, plan and judge: scenariosFor, planRun, evaluate; every property but
 * determinism) over `runs` scenarios from each fast-check seed, and records, for every property,
 * the run and the CPU time (process.cpuUsage, this process) at which it was first violated — what a
 * hunt with that seed reports — and how many runs violated it. Every run is judged on every
 * property, so the CPU per run is that workload's suite-shape cost. The scenarios are the same at
 * every workload (generation does not depend on it): only the producers differ, so the comparison
 * is paired.
 *
 * Order: per seed, per target, the workloads one after the other (rotated by seed), so each
 * comparison is made in one load window. One JSON line per (seed, target, workload) goes to --out
 * (appended), so a long run can be summarized while it goes or after an interruption.
 * --summarize prints, per target and property, how many seeds found it and the median runs and
 * CPU-seconds to the first violation (a seed that did not find it counts as infinite: a median
 * shown as "-" means most seeds did not find it), then whether each lighter workload dominates the
 * base one: finds every (target, property) the base finds, in at least as many seeds, with a median
 * CPU to the first violation no larger.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { electors } from "../algorithms/index.ts";
import { decodeVariantOptions, namedAs, resolveElectorName, splitElectorName } from "../src/elector/variants.ts";
import fc from "fast-check";
import type { PropertyScenario } from "../properties/arbitraries/index.ts";
import { planRun, PROPERTY_WORKLOAD, type PropertyWorkload } from "../properties/plan.ts";
import { evaluate, PROPERTY_NAMES, type PropertyName } from "../properties/properties.ts";
import { scenariosFor } from "../properties/random-search.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The designs and variants the lab knows to be unsafe (docs/properties.md, docs/explore.md "Bug zoo"). */
const DEFAULT_TARGETS = [
  "naive-race", // = naive-race:keep-leading
  "naive-race:step-down",
  "naive-race:fenced",
  "kafka-controller", // = kafka-controller:acks1
  "kafka-controller:all-minisr1",
  "kafka-controller:pre-2.1",
  "raft:bug-vote-without-log-check",
  "raft:bug-forget-vote-on-restart",
  "raft:bug-pre-candidate-keeps-leader",
];

/** Every property but determinism (a second run of the same world; it does not depend on the workload). */
const CHECKED: readonly PropertyName[] = PROPERTY_NAMES.filter((p) => p !== "determinism");

interface Workload {
  readonly label: string;
  readonly producers: PropertyWorkload;
}

function parseWorkload(s: string): Workload {
  const m = /^(\d+(?:\.\d+)?)(?:\+(\d+))?$/.exec(s);
  if (m === null) throw new Error(`workload "${s}": expected W or W+MS (writes/s per partition, writes stopping MS after recovery)`);
  return {
    label: s,
    producers: { ...PROPERTY_WORKLOAD, writesPerSecond: Number(m[1]), ...(m[2] !== undefined ? { stopAfterRecoveryMs: Number(m[2]) } : {}) },
  };
}

interface Record {
  readonly seed: number;
  readonly target: string;
  readonly workload: string;
  readonly producers: PropertyWorkload;
  readonly runs: number;
  /** Worlds run (every property still pending on some run). */
  readonly evaluated: number;
  readonly cpuMs: number;
  /** Simulated events, all runs. */
  readonly events: number;
  /** Per property violated: the 1-based run of its first violation and the CPU time until that run ended. */
  readonly first: Partial<{ [p in PropertyName]: { readonly run: number; readonly cpuMs: number } }>;
  /** Per property: runs violating it (of `evaluated`). */
  readonly violating: Partial<{ [p in PropertyName]: number }>;
  readonly load: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * The hunt's random search (the same scenarios as `electorate check --seed S --runs N`: fast-check's
 * sequence from the seed over scenariosFor), but every property is judged on every run, so besides
 * each property's first violation (what randomSearch reports) it counts the runs violating it.
 */
function search(target: string, w: Workload, seed: number, runs: number): Record {
  const resolved = resolveElectorName(electors, target);
  if (resolved === undefined) throw new Error(`unknown target ${target}`);
  const def = namedAs(resolved.definition, target);
  const options = decodeVariantOptions(resolved.definition, splitElectorName(target).variant);
  const first: Record["first"] = {};
  const violating: Record["violating"] = {};
  let index = 0;
  let events = 0;
  const c0 = cpuMs();
  const predicate = (sc: PropertyScenario): boolean => {
    const i = index++;
    const ev = evaluate(planRun(def, options, sc, w.producers), CHECKED);
    events += ev.run?.outcome.kernel.eventsProcessed ?? 0;
    const at = cpuMs() - c0;
    for (const p of Object.keys(ev.violations) as PropertyName[]) {
      violating[p] = (violating[p] ?? 0) + 1;
      first[p] ??= { run: i + 1, cpuMs: Math.round(at) };
    }
    return true;
  };
  fc.check(fc.property(scenariosFor(options), predicate), { seed, numRuns: runs });
  const total = cpuMs() - c0;
  return { seed, target, workload: w.label, producers: w.producers, runs, evaluated: index, cpuMs: Math.round(total), events, first, violating, load: loadavg()[0] };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function summarize(records: readonly Record[], base: string): void {
  const targets = [...new Set(records.map((r) => r.target))];
  const workloads = [...new Set(records.map((r) => r.workload))];
  const loads = records.map((r) => r.load);
  console.log(`${records.length} searches, ${new Set(records.map((r) => r.seed)).size} seeds, ${records[0]?.runs} runs each; load average at each search's end ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
  console.log("\nRuns per CPU-second (suite scenarios), per target:");
  console.log(`| target | ${workloads.join(" | ")} |`);
  console.log(`|---|${workloads.map(() => "---:").join("|")}|`);
  for (const t of targets) {
    const cells = workloads.map((w) => {
      const rs = records.filter((r) => r.target === t && r.workload === w && r.evaluated > 0);
      const runs = rs.reduce((a, r) => a + r.evaluated, 0);
      const cpu = rs.reduce((a, r) => a + r.cpuMs, 0);
      return cpu > 0 ? ((runs / cpu) * 1000).toFixed(0) : "-";
    });
    console.log(`| ${t} | ${cells.join(" | ")} |`);
  }
  console.log("\nEvents per run:");
  console.log(`| target | ${workloads.join(" | ")} |`);
  console.log(`|---|${workloads.map(() => "---:").join("|")}|`);
  for (const t of targets) {
    const cells = workloads.map((w) => {
      const rs = records.filter((r) => r.target === t && r.workload === w);
      const runs = rs.reduce((a, r) => a + r.evaluated, 0);
      return runs > 0 ? `${(rs.reduce((a, r) => a + r.events, 0) / runs / 1000).toFixed(1)}k` : "-";
    });
    console.log(`| ${t} | ${cells.join(" | ")} |`);
  }
  console.log("\nViolating runs per property: % of runs, and per CPU-second (all seeds pooled)");
  console.log(`| target | property | ${workloads.join(" | ")} |`);
  console.log(`|---|---|${workloads.map(() => "---").join("|")}|`);
  for (const t of targets) {
    for (const p of CHECKED) {
      if (!records.some((r) => r.target === t && r.violating[p] !== undefined)) continue;
      const cells = workloads.map((w) => {
        const rs = records.filter((r) => r.target === t && r.workload === w);
        const runs = rs.reduce((a, r) => a + r.evaluated, 0);
        const bad = rs.reduce((a, r) => a + (r.violating[p] ?? 0), 0);
        const cpu = rs.reduce((a, r) => a + r.cpuMs, 0) / 1000;
        return runs > 0 ? `${((100 * bad) / runs).toFixed(1)}%; ${(bad / cpu).toFixed(2)}/s` : "-";
      });
      console.log(`| ${t} | ${p} | ${cells.join(" | ")} |`);
    }
  }
  console.log("\nFirst violation per property: seeds that found it / seeds; median run; median CPU-s (unfound = infinite; '-': most seeds did not find it)");
  console.log(`| target | property | ${workloads.join(" | ")} |`);
  console.log(`|---|---|${workloads.map(() => "---").join("|")}|`);
  const cell = new Map<string, { found: number; seeds: number; run: number; cpu: number }>();
  for (const t of targets) {
    for (const p of CHECKED) {
      if (!records.some((r) => r.target === t && r.first[p] !== undefined)) continue;
      const cells = workloads.map((w) => {
        const rs = records.filter((r) => r.target === t && r.workload === w);
        const hits = rs.map((r) => r.first[p]);
        const found = hits.filter((h) => h !== undefined).length;
        const run = median(hits.map((h) => h?.run ?? Infinity));
        const cpu = median(hits.map((h) => (h !== undefined ? h.cpuMs / 1000 : Infinity)));
        cell.set(`${t}|${p}|${w}`, { found, seeds: rs.length, run, cpu });
        return `${found}/${rs.length}; ${Number.isFinite(run) ? `run ${run}` : "-"}; ${Number.isFinite(cpu) ? `${cpu.toFixed(2)} s` : "-"}`;
      });
      console.log(`| ${t} | ${p} | ${cells.join(" | ")} |`);
    }
  }
  console.log(`\nDominance over the base workload ${base} (every target x property it finds: found in at least as many seeds, median CPU-s no larger):`);
  for (const w of workloads) {
    if (w === base) continue;
    const worse: string[] = [];
    for (const [key, b] of cell) {
      const [t, p, bw] = key.split("|");
      if (bw !== base || b.found === 0) continue;
      const c = cell.get(`${t}|${p}|${w}`);
      if (c === undefined) {
        worse.push(`${t} ${p}: not measured`);
        continue;
      }
      if (c.found < b.found) worse.push(`${t} ${p}: found in ${c.found} seeds, base ${b.found}`);
      else if (c.cpu > b.cpu) worse.push(`${t} ${p}: median ${Number.isFinite(c.cpu) ? c.cpu.toFixed(2) : "inf"} s, base ${Number.isFinite(b.cpu) ? b.cpu.toFixed(2) : "inf"} s`);
    }
    console.log(`- ${w}: ${worse.length === 0 ? "DOMINATES" : `does not dominate: ${worse.join("; ")}`}`);
  }
}

const summarizeFile = arg("summarize");
if (summarizeFile !== undefined) {
  const records = readFileSync(summarizeFile, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record);
  summarize(records, arg("base") ?? String(PROPERTY_WORKLOAD.writesPerSecond));
} else {
  const seeds = (arg("seeds") ?? "1,2,3,4,5").split(",").map(Number);
  const runs = Number(arg("runs") ?? 300);
  const workloads = (arg("workloads") ?? "10,5,2,1").split(",").map(parseWorkload);
  const targets = (arg("targets") ?? DEFAULT_TARGETS.join(",")).split(",");
  const out = arg("out");
  console.log(`node ${process.version}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(" ")}; ${runs} runs per search; seeds ${seeds.join(",")}; workloads ${workloads.map((w) => w.label).join(", ")}`);
  // Warm-up: a few runs of every target, so the first measured search does not pay the JIT's compiles.
  for (const t of targets) search(t, workloads[0], 999, 5);
  const records: Record[] = [];
  for (const [si, seed] of seeds.entries()) {
    for (const t of targets) {
      for (let k = 0; k < workloads.length; k++) {
        const w = workloads[(k + si) % workloads.length];
        const r = search(t, w, seed, runs);
        records.push(r);
        if (out !== undefined) appendFileSync(out, `${JSON.stringify(r)}\n`);
        const found = Object.entries(r.first)
          .map(([p, f]) => `${p}@${f.run} (${(f.cpuMs / 1000).toFixed(2)} s)`)
          .join(", ");
        console.log(`seed ${seed} ${t} w=${w.label}: ${r.evaluated} runs, ${(r.cpuMs / 1000).toFixed(1)} s CPU, load ${r.load.toFixed(1)}; ${found || "nothing found"}`);
      }
    }
  }
  summarize(records, workloads[0].label);
}
