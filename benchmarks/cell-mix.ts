/**
 * What a bench:scaling cell's events are (busiest-leader crash, settled start, as failover-scaling.ts
 * builds it): per kernel event kind, per message type sent and per timer tag, with counts. For
 * finding which events a 10k cell spends its run on:
 *
 *   npx tsx benchmarks/cell-mix.ts [ELECTOR] [PARTITIONS]        e.g. kafka-controller 10000
 */
import { electors } from "../algorithms/index.ts";
import type { EventHandler } from "../src/sim/kernel.ts";
import { buildCell, startBuilt } from "../src/runner/run-cell.ts";
import { scalingCells } from "./failover-scaling.ts";

interface Wrappable {
  handlers: (EventHandler | undefined)[];
  kindNames: string[];
  directKindA: number;
  directHandlerA: EventHandler;
  directKindB: number;
  directHandlerB: EventHandler;
}

const [name = "naive-race", partitions = "10000"] = process.argv.slice(2);
const cell = scalingCells([name], [Number(partitions)], "settled", ["crash-busiest-leader"])[0];
const built = buildCell(cell, electors);
const world = startBuilt(built);
const kinds = new Map<string, number>();
const timers = new Map<string, number>();
const add = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
// Counting wrappers around the kernel's handlers (a benchmark may look inside; runs never do).
// The kernel also keeps its two direct kinds' handlers apart (dispatchDirectly): wrapped as well.
const k = world.kernel as unknown as Wrappable;
const counting = (i: number, h: EventHandler): EventHandler => ({
  handle(target: number, a: number, b: number, obj: unknown): void {
    add(kinds, k.kindNames[i]);
    if (k.kindNames[i] === "timer") add(timers, String(a));
    h.handle(target, a, b, obj);
  },
});
k.handlers = k.handlers.map((h, i) => (h === undefined ? h : counting(i, h)));
if (k.directKindA >= 0) k.directHandlerA = counting(k.directKindA, k.directHandlerA);
if (k.directKindB >= 0) k.directHandlerB = counting(k.directKindB, k.directHandlerB);
world.kernel.runUntil(cell.durationMs);
const show = (m: Map<string, number>, n: number): string =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, v]) => `  ${key}: ${v.toLocaleString("en-US")}`).join("\n");
const messages = new Map(Object.entries(world.network.counts().byType).map(([t, c]) => [t, c.count]));
console.log(`${name} ${Number(partitions).toLocaleString("en-US")} partitions, run to ${cell.durationMs} ms: ${world.kernel.eventsProcessed.toLocaleString("en-US")} events`);
console.log(`event kinds:\n${show(kinds, 20)}\nmessages sent:\n${show(messages, 25)}\ntimer tags (the elector's own numbering):\n${show(timers, 10)}`);
