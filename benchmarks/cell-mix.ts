/**
 * What a bench:scaling cell's events are (busiest-leader crash, settled start, as failover-scaling.ts
 * builds it): per kernel event kind, per message type sent and per timer tag, with counts. For
 * finding which events a 10k cell spends its run on:
 *
 *   npx tsx benchmarks/cell-mix.ts [ELECTOR] [PARTITIONS]        e.g. kafka-controller 10000
 */
import { electors } from "../algorithms/index.ts";
import { buildCell, startBuilt } from "../src/runner/run-cell.ts";
import { countEvents } from "./count-events.ts";
import { scalingCells } from "./failover-scaling.ts";

const [name = "naive-race", partitions = "10000"] = process.argv.slice(2);
const cell = scalingCells([name], [Number(partitions)], "settled", ["crash-busiest-leader"])[0];
const built = buildCell(cell, electors);
const world = startBuilt(built);
const kinds = new Map<string, number>();
const timers = new Map<string, number>();
countEvents(world.kernel, kinds, timers);
world.kernel.runUntil(cell.durationMs);
const show = (m: Map<string, number>, n: number): string =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, v]) => `  ${key}: ${v.toLocaleString("en-US")}`).join("\n");
const messages = new Map(Object.entries(world.network.counts().byType).map(([t, c]) => [t, c.count]));
console.log(`${name} ${Number(partitions).toLocaleString("en-US")} partitions, run to ${cell.durationMs} ms: ${world.kernel.eventsProcessed.toLocaleString("en-US")} events`);
console.log(`event kinds:\n${show(kinds, 20)}\nmessages sent:\n${show(messages, 25)}\ntimer tags (the elector's own numbering):\n${show(timers, 10)}`);
