/**
 * Trace hashes that pin behaviour: the default comparison's cells (every elector x scenario x
 * partition count, seed 1) and the first scenarios of the property suite (fixed fast-check seed)
 * per elector. A refactor that claims "behaviour unchanged" prints the same lines before and after:
 *
 *   npx tsx benchmarks/trace-hashes.ts > before.txt   # ... change ...   then diff against after.txt
 *
 * Options: --runs N (property scenarios per elector, default 40), --no-compare, --partitions 100,1000,
 * --variants (property scenarios for every "elector:variant" too, after the plain names' lines),
 * --behaviour (a second hash per line: of what the run declared and what its clients saw — the
 * observation log and the client history, every column — but not of the kernel's events. A change
 * that only removes events that do nothing, e.g. a timer that fires to find nothing due, changes the
 * trace hash and must leave this one identical; messages draw network delays, so removing a message
 * changes both.)
 * --verdicts (a third hash per line: of the checker's whole verdict, judge()'s RunMetrics as JSON. A
 * change to src/checker that claims "same verdicts" keeps it identical.)
 * --settled-cells 10k,100k (first, apart: bench:scaling's cells — every elector, both faults,
 * started settled — at those partition counts, run to 23 s: the compare and property runs start
 * cold, so a change to a settled start's build is pinned here.)
 */
import fc from "fast-check";
import { electors } from "../algorithms/index.ts";
import { judge } from "../src/checker/judge.ts";
import type { History } from "../src/record/history.ts";
import type { RunRecord } from "../src/record/run-record.ts";
import type { ObservationLog } from "../src/record/observation-log.ts";
import { decodeVariantOptions, splitElectorName, variantNames } from "../src/elector/variants.ts";
import { compareCells } from "../src/cli/commands.ts";
import { buildCell, runCell, startBuilt } from "../src/runner/run-cell.ts";
import { outcomeOf, runWorld } from "../src/world/run.ts";
import { countList } from "./bench-util.ts";
import { scalingCells } from "./failover-scaling.ts";
import { scenariosFor } from "../properties/random-search.ts";
import { defaultOptions, planRun } from "../properties/plan.ts";
import { evaluate } from "../properties/properties.ts";
import { traceHashOf } from "../properties/timeline-text.ts";

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(arg("--runs") ?? 40);
const withVariants = args.includes("--variants");
const withBehaviour = args.includes("--behaviour");
const withVerdicts = args.includes("--verdicts");

/** FNV-1a over the bytes of typed-array columns (their used length only). */
function behaviourHash(log: ObservationLog, history: History): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const feed = (col: Float64Array | Int32Array | Uint8Array, n: number): void => {
    const bytes = new Uint8Array(col.buffer, col.byteOffset, n * col.BYTES_PER_ELEMENT);
    for (let i = 0; i < bytes.length; i++) {
      h1 = Math.imul(h1 ^ bytes[i], 0x01000193);
      h2 = Math.imul(h2 ^ bytes[i] ^ (h1 >>> 11), 0x5bd1e995);
    }
  };
  const n = log.length;
  feed(log.time, n), feed(log.host, n), feed(log.kind, n), feed(log.partition, n), feed(log.a, n), feed(log.b, n), feed(log.c, n);
  const m = history.length;
  feed(history.invokeAt, m), feed(history.completeAt, m), feed(history.writeId, m), feed(history.partition, m), feed(history.client, m);
  feed(history.target, m), feed(history.answeredBy, m), feed(history.outcome, m), feed(history.reason, m);
  return `${(h1 >>> 0).toString(16).padStart(8, "0")}${(h2 >>> 0).toString(16).padStart(8, "0")} (${n} observations, ${m} operations)`;
}
const behaviourOf = (record: { log: ObservationLog; history: History } | undefined): string =>
  withBehaviour ? (record === undefined ? " behaviour -" : ` behaviour ${behaviourHash(record.log, record.history)}`) : "";
/** FNV-1a of the verdict as JSON (Maps as entry lists, so nothing is hashed as {}). */
function verdictHash(record: RunRecord): string {
  const text = JSON.stringify(judge(record), (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}
const verdictOf = (record: RunRecord | undefined): string => (withVerdicts ? (record === undefined ? " verdict -" : ` verdict ${verdictHash(record)}`) : "");
const SEED = 20_240_601; // the property suite's seed

const settledCounts = arg("--settled-cells");
if (settledCounts !== undefined) {
  for (const cell of scalingCells(electors.map((e) => e.name), countList(settledCounts))) {
    const world = startBuilt(buildCell(cell, electors));
    world.kernel.runUntil(23_000);
    const outcome = outcomeOf(world);
    console.log(`settled ${cell.elector} ${cell.scenario} p=${cell.cluster.partitions} seed=${cell.seed} ${outcome.traceHash}${behaviourOf(outcome)}${verdictOf(outcome)}`);
  }
}

if (!args.includes("--no-compare")) {
  const { cells } = await compareCells({ resume: false, progress: false, timeline: false, partitions: arg("--partitions") ?? "100,1000" });
  for (const cell of cells) {
    const line = `compare ${cell.elector} ${cell.scenario} p=${cell.cluster.partitions} seed=${cell.seed}`;
    if (!withBehaviour && !withVerdicts) {
      console.log(`${line} ${runCell(cell).metrics.traceHash}`);
      continue;
    }
    const outcome = runWorld(buildCell(cell, electors).config); // what runCell runs, kept for its record
    console.log(`${line} ${outcome.traceHash}${behaviourOf(outcome)}${verdictOf(outcome)}`);
  }
}

for (const def of electors) {
  const options = defaultOptions(def);
  const scenarios = fc.sample(scenariosFor(options), { seed: SEED, numRuns: runs });
  scenarios.forEach((sc, i) => {
    const ev = evaluate(planRun(def, options, sc), []);
    console.log(`property ${def.name} #${i} ${traceHashOf(ev)}${ev.error !== undefined ? ` error: ${ev.error.message}` : ""}${behaviourOf(ev.run?.outcome ?? ev.partial?.outcome)}${verdictOf(ev.run?.outcome ?? ev.partial?.outcome)}`);
  });
}

if (withVariants) {
  for (const def of electors) {
    for (const name of variantNames(def).slice(1)) {
      const options = decodeVariantOptions(def, splitElectorName(name).variant);
      const scenarios = fc.sample(scenariosFor(options), { seed: SEED, numRuns: runs });
      scenarios.forEach((sc, i) => {
        const ev = evaluate(planRun(def, options, sc), []);
        console.log(`property ${name} #${i} ${traceHashOf(ev)}${ev.error !== undefined ? ` error: ${ev.error.message}` : ""}${behaviourOf(ev.run?.outcome ?? ev.partial?.outcome)}${verdictOf(ev.run?.outcome ?? ev.partial?.outcome)}`);
      });
    }
  }
}
