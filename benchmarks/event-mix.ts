/**
 * What a property run's events are: per kernel event kind, per message type sent and per timer tag,
 * the mean count per run over N generated scenarios (fixed fast-check seed 1), in the target shape
 * of properties/throughput.ts (5 brokers x 20 partitions, RF 3, cut to 30 s) or the suite's own.
 *
 *   npx tsx benchmarks/event-mix.ts NAME [RUNS] [--suite]      e.g. raft:paper 10
 */
import fc from "fast-check";
import { electors } from "../algorithms/index.ts";
import { decodeVariantOptions, splitElectorName } from "../src/elector/variants.ts";
import { World } from "../src/world/world.ts";
import type { WorldConfig } from "../src/world/world-config.ts";
import { scenariosFor } from "../properties/random-search.ts";
import { planRun } from "../properties/plan.ts";
import { countEvents } from "./count-events.ts";

const name = process.argv[2] ?? "naive-race";
const runs = Number(process.argv[3] ?? 10);
const suite = process.argv.includes("--suite");
const { elector, variant } = splitElectorName(name);
const def = electors.find((e) => e.name === elector);
if (def === undefined) throw new Error(`unknown elector ${elector}`);
const options = decodeVariantOptions(def, variant);
const pinned = { minBrokers: 5, maxBrokers: 5, minPartitions: 20, maxPartitions: 20, minReplicationFactor: 3, maxReplicationFactor: 3 };
const scenarios = fc.sample(suite ? scenariosFor(options) : scenariosFor(options, { cluster: pinned }), { seed: 1, numRuns: runs });
const kinds = new Map<string, number>();
const messages = new Map<string, number>();
const timers = new Map<string, number>();
const add = (m: Map<string, number>, k: string, n = 1): void => void m.set(k, (m.get(k) ?? 0) + n);
let total = 0;
for (const sc of scenarios) {
  const plan = planRun(def, options, sc);
  const config: WorldConfig<unknown> = suite
    ? plan.config
    : { ...plan.config, faults: plan.config.faults.filter((f) => f.at < 30_000), durationMs: 30_000 };
  const world = new World(config);
  countEvents(world.kernel, kinds, timers);
  world.start();
  world.run();
  total += world.kernel.eventsProcessed;
  for (const [t, c] of Object.entries(world.network.counts().byType)) add(messages, t, c.count);
}
const show = (m: Map<string, number>, n: number): string =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, v]) => `  ${key}: ${(v / runs).toFixed(0)}`).join("\n");
console.log(`${name} (${suite ? "suite scenarios" : "5 x 20, RF 3, 30 s"}, ${runs} runs): ${(total / runs).toFixed(0)} events/run`);
console.log(`event kinds:\n${show(kinds, 20)}\nmessages sent:\n${show(messages, 20)}\ntimer tags (the elector's own numbering):\n${show(timers, 10)}`);
