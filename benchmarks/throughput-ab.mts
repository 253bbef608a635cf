/**
 * Paired A/B of property-run throughput: the modules of another checkout (--base DIR, e.g. made by
 * `git archive <commit> | tar -x -C DIR` with node_modules linked) and of this one, loaded side by
 * side in one process; the same planned runs alternate between the two, so a shared machine's load
 * hits both alike (properties/throughput.ts measures one side at a time). Prints runs per
 * CPU-second of each side and their ratio.
 *
 *   npx tsx benchmarks/throughput-ab.mts --base DIR [--runs N] [--suite] NAME...
 *
 * Target shape as in throughput.ts (5 x 20, RF 3, cut to 30 s) unless --suite.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";

const argv = process.argv.slice(2);
const opt = (n: string): string | undefined => (argv.indexOf(n) >= 0 ? argv[argv.indexOf(n) + 1] : undefined);
const baseDir = opt("--base");
if (baseDir === undefined) throw new Error("--base DIR is required");
const runs = Number(opt("--runs") ?? 40);
const suite = argv.includes("--suite");
const names = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--base" && argv[i - 1] !== "--runs");

type Side = Record<string, any>;
async function load(dir: string): Promise<Side> {
  const m = async (p: string): Promise<Side> => import(resolve(dir, p));
  const search = existsSync(resolve(dir, "properties/random-search.ts")) ? "properties/random-search.ts" : "properties/explore.ts";
  return {
    electors: (await m("algorithms/index.ts")).electors,
    // A property run not checked for determinism is judged for its verdict only (judgeSafety, since
    // 6e78603); an older checkout without it judges in full, as its evaluate() did.
    judge: ((j: Side) => j.judgeSafety ?? j.judge)(await m("src/checker/judge.ts")),
    runWorld: (await m("src/world/run.ts")).runWorld,
    scenariosFor: (await m(search)).scenariosFor,
    planRun: (await m("properties/plan.ts")).planRun,
    variants: await m("src/elector/variants.ts"),
    props: await m("properties/properties.ts"),
  };
}

function plans(s: Side, name: string): Side[] {
  const { elector, variant } = s.variants.splitElectorName(name);
  const def = s.electors.find((e: Side) => e.name === elector);
  const options = s.variants.decodeVariantOptions(def, variant);
  const pinned = { minBrokers: 5, maxBrokers: 5, minPartitions: 20, maxPartitions: 20, minReplicationFactor: 3, maxReplicationFactor: 3 };
  const arb = suite ? s.scenariosFor(options) : s.scenariosFor(options, { cluster: pinned });
  const props = s.props.applicableProperties(def, options).filter((p: string) => p !== "determinism");
  return fc.sample(arb, { seed: 1, numRuns: runs }).map((sc) => {
    const plan = s.planRun(def, options, sc);
    if (suite) return { plan, props };
    const faults = plan.spec.faults.filter((f: Side) => f.at < 30_000);
    return { plan: { spec: { ...plan.spec, faults, durationMs: 30_000 }, config: { ...plan.config, faults, durationMs: 30_000 } }, props };
  });
}

/** CPU ms of one property run: build, run, judge, check. */
function one(s: Side, p: Side): number {
  const c0 = process.cpuUsage();
  const outcome = s.runWorld(p.plan.config);
  const metrics = s.judge(outcome);
  for (const name of p.props) s.props.violation(name, { plan: p.plan, outcome, metrics });
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

const A = await load(baseDir);
const B = await load(".");
for (const name of names) {
  const pa = plans(A, name);
  const pb = plans(B, name);
  for (let i = 0; i < Math.min(10, runs); i++) one(A, pa[i]), one(B, pb[i]); // warm-up
  let ta = 0;
  let tb = 0;
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) (ta += one(A, pa[i])), (tb += one(B, pb[i]));
    else (tb += one(B, pb[i])), (ta += one(A, pa[i]));
  }
  const shape = suite ? "suite" : "5 x 20, RF 3, 30 s";
  console.log(`${name} (${shape}, ${runs} runs): base ${((runs / ta) * 1000).toFixed(1)} runs/CPU-s, this ${((runs / tb) * 1000).toFixed(1)} runs/CPU-s, this/base ${(ta / tb).toFixed(2)}x`);
}
