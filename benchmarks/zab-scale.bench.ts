/**
 * Zab at scale: 1,000,000 partitions x RF 3 on 100 brokers (30,000 groups per broker) through
 * the lab's runWorld, with a broker crash. Not a test.
 *
 *   npm run bench:zab --                       (defaults: 1M partitions, 14 s, crash of broker 99 at 2 s)
 *   npm run bench:zab -- --no-coalesce         (one frame per group message)
 *   npm run bench:zab -- --partitions=100000 --duration=14000 --crash-at=2000 --judge
 *
 * The crashed broker is the highest id by default: with equal epochs and zxids at boot, FLE's
 * tie-break (the higher server id) makes it the leader of every group it replicates (30,000 at
 * 1M partitions). The default duration covers the failover: followers notice the crash after
 * syncLimit x tickTime (10 s) and re-elect within finalizeWait (200 ms). Prints wall time, simulated events
 * and events per second, heap (process.memoryUsage), message counts by type, and with --judge
 * the checker's verdict (split-brain, failover, end state).
 */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Schema } from "effect";
import { flag, numberOption } from "./bench-util.ts";
import { judge } from "../src/checker/judge.ts";
import { Obs } from "../src/world/observation-log.ts";
import { runWorld } from "../src/world/run.ts";
import { zab } from "../algorithms/zab/index.ts";
import { FRAME_BYTES, ITEM_BYTES, T, TYPE_OF } from "../algorithms/zab/messages.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const arg = numberOption;

const partitions = arg("partitions", 1_000_000);
const brokers = arg("brokers", 100);
const durationMs = arg("duration", 14_000);
const crashAt = arg("crash-at", 2_000);
const seed = arg("seed", 1);
const crashHost = arg("crash-host", brokers - 1);
const options = Schema.decodeUnknownSync(zab.options)({ coalesce: !flag("no-coalesce") });

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;
const n = (x: number): string => x.toLocaleString("en-US");
gc();
const heapBefore = process.memoryUsage().heapUsed;
console.log(
  `zab scale: ${n(partitions)} partitions x RF 3 on ${brokers} brokers, ${durationMs} ms simulated, ` +
    `crash of broker ${crashHost} at ${crashAt} ms; options ${JSON.stringify(options)}`,
);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const out = runWorld({
  seed,
  durationMs,
  cluster: { brokers, partitions, replicationFactor: 3 },
  faults: [{ at: crashAt, type: "crash", host: crashHost }],
  elector: zab,
  options,
  workload: { partitions: 100, writesPerSecond: 50, startMs: Math.min(1_000, crashAt) },
});
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
const heapAfterRun = process.memoryUsage().heapUsed;
gc();
const mem = process.memoryUsage();
const events = out.kernel.eventsProcessed;
const counts = out.network.counts();
/** Group messages inside the frames (frame sizes are exact: a header plus a fixed size per group message). */
const groupMessages = (type: string): number => {
  const t = TYPE_OF.get(type);
  const c = counts.byType[type];
  if (t === undefined || c === undefined || t === T.Ping) return 0;
  return Math.round((c.bytes - FRAME_BYTES * c.count) / ITEM_BYTES[t]);
};
let itemsHandled = 0;
for (const type of Object.keys(counts.byType)) itemsHandled += groupMessages(type);
console.log(
  `wall ${wall.toFixed(1)} s (process CPU ${cpuS.toFixed(1)} s); events ${n(events)}; ${n(Math.round(events / wall))} events/s; ` +
    `group messages handled ${n(itemsHandled)} (${n(Math.round(itemsHandled / wall))}/s)`,
);
console.log(
  `heapUsed: ${mb(heapBefore)} before, ${mb(heapAfterRun)} at the end of the run, ${mb(mem.heapUsed)} live after GC; ` +
    `typed arrays (off-heap) ${mb(mem.arrayBuffers)}; rss ${mb(mem.rss)}`,
);
console.log(`frames: ${n(counts.sent)} sent, ${n(counts.dropped)} dropped, ${mb(counts.bytes)}`);
console.log(`  ${"type".padEnd(20)} ${"frames".padStart(12)} ${"group msgs".padStart(12)} ${"bytes".padStart(9)}`);
for (const [type, c] of Object.entries(counts.byType)) {
  console.log(`  ${type.padEnd(20)} ${n(c.count).padStart(12)} ${n(groupMessages(type)).padStart(12)} ${mb(c.bytes).padStart(9)}`);
}
let leads = 0;
let leadsAfterCrash = 0;
let firstAll = 0;
for (let i = 0; i < out.log.length; i++) {
  if (out.log.kind[i] !== Obs.Lead) continue;
  leads++;
  if (out.log.time[i] >= crashAt) leadsAfterCrash++;
  else firstAll = out.log.time[i];
}
console.log(
  `lead declarations: ${n(leads)} (${n(leadsAfterCrash)} after the crash; the boot election's last at ${firstAll.toFixed(1)} ms); ` +
    `observations ${n(out.log.length)}`,
);
if (flag("judge")) {
  const t1 = performance.now();
  const m = judge(out);
  console.log(
    `judge (${((performance.now() - t1) / 1000).toFixed(1)} s): same-epoch ${m.splitBrain.sameEpoch.count}, late acks ${m.splitBrain.lateAcks.count}, lost acknowledged writes ${m.data.lostWrites.count ?? "n/a"}, divergences ${m.data.divergence.count ?? "n/a"}, ` +
      `failover p50 ${m.failover.p50Ms.toFixed(0)} ms p99 ${m.failover.p99Ms.toFixed(0)} ms max ${m.failover.maxMs.toFixed(0)} ms (${n(m.failover.samples)} spells), ` +
      `end ${JSON.stringify(m.end)}, writes ${JSON.stringify(m.workload)}`,
  );
}
