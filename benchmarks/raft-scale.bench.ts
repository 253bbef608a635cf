/**
 * Raft at scale: 1,000,000 partitions x RF 3 on 100 brokers (30,000 groups per broker) for a few
 * seconds of simulated time, with a broker crash, through the lab's runWorld. Not a test.
 *
 *   npx tsx benchmarks/raft-scale.bench.ts                      (coalesced heartbeats, the default here)
 *   npx tsx benchmarks/raft-scale.bench.ts --per-group          (one heartbeat per group and follower)
 *   npx tsx benchmarks/raft-scale.bench.ts --paper                  (the paper variant: 150-300 ms, no pre-vote, no check-quorum)
 *   npx tsx benchmarks/raft-scale.bench.ts --partitions=100000 --duration=8000 --crash-at=4000 --judge
 *
 * Prints wall time, simulated events and events per second, heap (process.memoryUsage), message
 * counts by type, and with --judge the checker's verdict (split-brain, failover, end state).
 */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Schema } from "effect";
import { flag, numberOption } from "./bench-util.ts";
import { judge } from "../src/checker/judge.ts";
import { runWorld } from "../src/world/run.ts";
import { raft } from "../algorithms/raft/index.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const arg = numberOption;

const partitions = arg("partitions", 1_000_000);
const brokers = arg("brokers", 100);
const durationMs = arg("duration", 8_000);
const crashAt = arg("crash-at", 4_000);
const seed = arg("seed", 1);
// Defaults: raft's (etcd v3.5's server); --paper: the paper variant (150-300 ms, no pre-vote or check-quorum).
const options = Schema.decodeUnknownSync(raft.options)({
  ...(flag("paper") ? raft.variants!.find((v) => v.name === "paper")!.options : {}),
  coalescedHeartbeats: !flag("per-group"),
});

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;
gc();
const heapBefore = process.memoryUsage().heapUsed;
console.log(
  `raft scale: ${partitions.toLocaleString("en-US")} partitions x RF 3 on ${brokers} brokers, ${durationMs} ms simulated, ` +
    `crash of broker 0 at ${crashAt} ms; options ${JSON.stringify(options)}`,
);
const t0 = performance.now();
const out = runWorld({
  seed,
  durationMs,
  cluster: { brokers, partitions, replicationFactor: 3 },
  faults: [{ at: crashAt, type: "crash", host: 0 }],
  elector: raft,
  options,
  workload: { partitions: 100, writesPerSecond: 50, startMs: Math.min(1_000, crashAt) },
});
const wall = (performance.now() - t0) / 1000;
const heapAfterRun = process.memoryUsage().heapUsed;
gc();
const heapLive = process.memoryUsage().heapUsed;
const arrayBuffers = process.memoryUsage().arrayBuffers;
const events = out.kernel.eventsProcessed;
console.log(`wall ${wall.toFixed(1)} s; events ${events.toLocaleString("en-US")}; ${Math.round(events / wall).toLocaleString("en-US")} events/s`);
console.log(
  `heapUsed: ${mb(heapBefore)} before, ${mb(heapAfterRun)} at the end of the run, ${mb(heapLive)} live after GC; ` +
    `typed arrays (off-heap) ${mb(arrayBuffers)}; rss ${mb(process.memoryUsage().rss)}`,
);
const counts = out.network.counts();
console.log(`messages: ${counts.sent.toLocaleString("en-US")} sent, ${counts.dropped.toLocaleString("en-US")} dropped`);
for (const [type, c] of Object.entries(counts.byType)) console.log(`  ${type.padEnd(34)} ${c.count.toLocaleString("en-US").padStart(14)}`);
let leads = 0;
let leadsAfterCrash = 0;
for (let i = 0; i < out.log.length; i++) {
  if (out.log.kind[i] === 1) {
    leads++;
    if (out.log.time[i] >= crashAt) leadsAfterCrash++;
  }
}
console.log(`lead declarations: ${leads.toLocaleString("en-US")} (${leadsAfterCrash.toLocaleString("en-US")} after the crash); observations ${out.log.length.toLocaleString("en-US")}`);
if (flag("judge")) {
  const t1 = performance.now();
  const m = judge(out);
  console.log(
    `judge (${((performance.now() - t1) / 1000).toFixed(1)} s): same-epoch ${m.splitBrain.sameEpoch.count}, stale acks ${m.splitBrain.lateAcks.count}, ` +
      `failover p50 ${m.failover.p50Ms.toFixed(0)} ms p99 ${m.failover.p99Ms.toFixed(0)} ms max ${m.failover.maxMs.toFixed(0)} ms (${m.failover.samples} spells), ` +
      `end ${JSON.stringify(m.end)}, writes ${JSON.stringify(m.workload)}`,
  );
}
