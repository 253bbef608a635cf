/**
 * What this folder's tests need beyond the lab's testing kit (src/testing/world-bench.ts): the
 * kafka-controller world, its broker instances, and the real checker's safety verdict on a world
 * stepped by hand.
 */
import { judgeSafety, type SafetyVerdict } from "../../src/checker/judge.ts";
import { startWorld, type WorldBenchSpec } from "../../src/testing/world-bench.ts";
import { recordOf } from "../../src/world/run.ts";
import type { World } from "../../src/world/world.ts";
import type { KafkaBroker } from "./broker.ts";
import { kafkaController } from "./index.ts";

export type KafkaWorldSpec = Omit<WorldBenchSpec, "elector">;

export function kafkaWorld(spec: KafkaWorldSpec): World {
  return startWorld({ ...spec, elector: kafkaController });
}

export function broker(world: World, host: number): KafkaBroker | undefined {
  return world.hosts[host].instance as KafkaBroker | undefined;
}

/** The checker's safety verdict (lost writes, divergence, split-brain grades) on the world as it stands. */
export function verdict(world: World): SafetyVerdict {
  return judgeSafety(recordOf(world));
}

/** Observations of `kind` on `partition` in [from, to). */
export function countOn(world: World, kind: number, partition: number, from = -Infinity, to = Infinity): number {
  const l = world.log;
  let k = 0;
  for (let i = 0; i < l.length; i++) if (l.kind[i] === kind && l.partition[i] === partition && l.time[i] >= from && l.time[i] < to) k++;
  return k;
}
