/**
 * The elector registry: every elector the lab knows. Adding one is a folder in algorithms/ and
 * one line here; every property suite, benchmark and report then covers it.
 */
import type { ElectorDefinition } from "../src/elector/api.ts";
import { kafkaController } from "./kafka-controller/index.ts";
import { naiveRace } from "./naive-race/index.ts";
import { raft } from "./raft/index.ts";
import { zab } from "./zab/index.ts";

export const electors: readonly ElectorDefinition[] = [
  naiveRace,
  kafkaController,
  raft,
  zab,
];

export function findElector(name: string): ElectorDefinition | undefined {
  return electors.find((e) => e.name === name);
}
