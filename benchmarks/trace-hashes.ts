/**
 * Trace hashes that pin behaviour: the default comparison's cells (every elector x scenario x
 * partition count, seed 1) and the first scenarios of the property suite (fixed fast-check seed)
 * per elector. A refactor that claims "behaviour unchanged" prints the same lines before and after:
 *
 *   npx tsx benchmarks/trace-hashes.ts > before.txt   # ... change ...   then diff against after.txt
 *
 * Options: --runs N (property scenarios per elector, default 40), --no-compare, --partitions 100,1000
 */
import fc from "fast-check";
import { electors } from "../algorithms/index.ts";
import { compareCells } from "../src/cli/commands.ts";
import { runCell } from "../src/runner/run-cell.ts";
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
const SEED = 20_240_601; // the property suite's seed

if (!args.includes("--no-compare")) {
  const { cells } = await compareCells({ resume: false, progress: false, timeline: false, partitions: arg("--partitions") ?? "100,1000" });
  for (const cell of cells) {
    const r = runCell(cell);
    console.log(`compare ${cell.elector} ${cell.scenario} p=${cell.cluster.partitions} seed=${cell.seed} ${r.metrics.traceHash}`);
  }
}

for (const def of electors) {
  const options = defaultOptions(def);
  const scenarios = fc.sample(scenariosFor(options), { seed: SEED, numRuns: runs });
  scenarios.forEach((sc, i) => {
    const ev = evaluate(planRun(def, options, sc), []);
    console.log(`property ${def.name} #${i} ${traceHashOf(ev)}${ev.error !== undefined ? ` error: ${ev.error.message}` : ""}`);
  });
}
