/**
 * bench:heartbeats — what keeping idle Raft groups alive costs, per broker: per-group heartbeats
 * (one etcd raft group each), coalesced heartbeats (CockroachDB's, the lab's default) and
 * quiesced groups (CockroachDB's quiesced ranges / TiKV's hibernate regions: option quiesce),
 * side by side on the same cluster, workload and timing (etcd's defaults: heartbeat 100 ms,
 * election 1000 ms). Messages and bytes per second per broker sent by brokers, measured over a
 * window after start-up; and the failover time when the busiest leader crashes.
 *
 *   npm run bench:heartbeats
 *   npm run bench:heartbeats -- --brokers 6 --partitions 1000,10000 --written 20
 */
import { Schema } from "effect";
import { raft } from "../algorithms/raft/index.ts";
import { judge } from "../src/checker/judge.ts";
import { busiestLeader } from "../src/checker/leaders-at.ts";
import { recordOf } from "../src/world/run.ts";
import { World } from "../src/world/world.ts";
import { countList, numberOption, option, table } from "./bench-util.ts";

const MODES: { readonly name: string; readonly options: Record<string, unknown> }[] = [
  { name: "per group", options: { coalescedHeartbeats: false } },
  { name: "coalesced (default)", options: {} },
  { name: "quiesced", options: { coalescedHeartbeats: false, quiesce: true } },
];

const brokers = numberOption("brokers", 6);
const written = numberOption("written", 20);
const partitionCounts = countList(option("partitions") ?? "1000");
const FROM = 10_000;
const TO = 20_000;
const CRASH = 25_000;

const rows: string[][] = [];
for (const partitions of partitionCounts) {
  for (const mode of MODES) {
    process.stderr.write(`heartbeats: ${partitions} partitions, ${mode.name}\n`);
    const options = Schema.decodeUnknownSync(raft.options)(mode.options);
    const cluster = { brokers, partitions, replicationFactor: 3 };
    const workload = { partitions: written, writesPerSecond: 50, startMs: 5_000 };
    const world = new World({ seed: 1, durationMs: CRASH, cluster, faults: [], elector: raft, options, workload });
    world.start();
    const sent = (): [number, number] => {
      let m = 0;
      for (let h = 0; h < brokers; h++) m += world.network.sentBy[h];
      const c = world.network.counts();
      let b = 0;
      for (const [type, v] of Object.entries(c.byType)) if (type.startsWith("raft.")) b += v.bytes;
      return [m, b];
    };
    world.kernel.runUntil(FROM);
    const [m0, b0] = sent();
    world.kernel.runUntil(TO);
    const [m1, b1] = sent();
    const seconds = (TO - FROM) / 1000;
    const victim = busiestLeader(world.log, TO).host;
    const crashed = new World({ seed: 1, durationMs: CRASH + 15_000, cluster, faults: [{ at: CRASH, type: "crash", host: victim }], elector: raft, options, workload });
    crashed.start();
    crashed.run();
    const f = judge(recordOf(crashed)).failover;
    rows.push([
      String(partitions),
      mode.name,
      ((m1 - m0) / seconds / brokers).toFixed(0),
      ((b1 - b0) / seconds / brokers / 1024).toFixed(1),
      String(f.samples),
      f.samples > 0 ? f.p50Ms.toFixed(0) : "not measured",
      f.samples > 0 ? f.maxMs.toFixed(0) : "not measured",
    ]);
  }
}
process.stdout.write(
  [
    `## Raft heartbeats per broker: ${brokers} brokers, RF 3, ${written} partitions written at 50/s each, etcd's timing (heartbeat 100 ms, election 1000-2000 ms); messages sent by brokers in ${FROM / 1000}-${TO / 1000} s; then the busiest leader crashed at ${CRASH / 1000} s`,
    "",
    table(["partitions", "heartbeats", "messages/s per broker", "KiB/s per broker (raft messages)", "failovers", "failover p50 ms", "failover max ms"], rows),
    "",
  ].join("\n"),
);
