/**
 * What this folder's tests need beyond the lab's testing kit (src/testing/world-bench.ts): the
 * kafka-controller world, and — until the checker's lost-acknowledged-write grade is on main — the
 * same judgement made from the declared replica state and the acknowledgements:
 *  - a replica's final log replays its Append and Truncate declarations; its committed prefix is
 *    the first min(last Commit count, log length) entries;
 *  - a partition's final committed log is the longest committed prefix among the replicas whose
 *    hosts are up at the end;
 *  - a write is lost when it was acknowledged (Ack) and is not in its partition's final committed log.
 */
import { Obs } from "../../src/record/observation-log.ts";
import { startWorld, type WorldBenchSpec } from "../../src/testing/world-bench.ts";
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

interface ReplicaLog {
  writes: number[];
  commit: number;
}

/** Each (partition, host)'s final log (write ids) and committed count, keyed partition * brokers + host. */
function finalLogs(world: World): Map<number, ReplicaLog> {
  const l = world.log;
  const B = world.cluster.brokers;
  const logs = new Map<number, ReplicaLog>();
  for (let i = 0; i < l.length; i++) {
    const k = l.kind[i];
    if (k !== Obs.Append && k !== Obs.Truncate && k !== Obs.Commit) continue;
    const key = l.partition[i] * B + l.host[i];
    let r = logs.get(key);
    if (r === undefined) logs.set(key, (r = { writes: [], commit: 0 }));
    if (k === Obs.Append) {
      r.writes.length = Math.min(r.writes.length, l.a[i]);
      r.writes[l.a[i]] = l.b[i];
    } else if (k === Obs.Truncate) r.writes.length = Math.min(r.writes.length, l.a[i]);
    else r.commit = l.a[i];
  }
  return logs;
}

/** Per partition: the acknowledged write ids missing from its final committed log, in acknowledgement order. */
export function lostAcknowledgedWrites(world: World): number[][] {
  const B = world.cluster.brokers;
  const P = world.cluster.partitions;
  const committed: number[][] = Array.from({ length: P }, () => []);
  for (const [key, r] of finalLogs(world)) {
    const p = Math.floor(key / B);
    if (world.hosts[key - p * B].instance === undefined) continue; // crashed at the end
    const c = Math.min(r.commit, r.writes.length);
    if (c > committed[p].length) committed[p] = r.writes.slice(0, c);
  }
  const have = committed.map((c) => new Set(c));
  const l = world.log;
  const lost: number[][] = Array.from({ length: P }, () => []);
  for (let i = 0; i < l.length; i++) if (l.kind[i] === Obs.Ack && !have[l.partition[i]].has(l.b[i])) lost[l.partition[i]].push(l.b[i]);
  return lost;
}

/** Replica state: how many entries `host` holds of `partition` at the end, and how many it committed. */
export function replicaOf(world: World, partition: number, host: number): { length: number; committed: number } {
  const r = finalLogs(world).get(partition * world.cluster.brokers + host);
  return { length: r?.writes.length ?? 0, committed: r?.commit ?? 0 };
}

/** Observations of `kind` on `partition` in [from, to). */
export function countOn(world: World, kind: number, partition: number, from = -Infinity, to = Infinity): number {
  const l = world.log;
  let k = 0;
  for (let i = 0; i < l.length; i++) if (l.kind[i] === kind && l.partition[i] === partition && l.time[i] >= from && l.time[i] < to) k++;
  return k;
}

/**
 * Late acknowledgements: an Ack from a leader in an older epoch than a Lead already declared for the
 * partition (a timing observation, not loss). `afterMs`: how long after that newer Lead.
 */
export function lateAcks(world: World): { partition: number; writeId: number; afterMs: number }[] {
  const l = world.log;
  const newest = new Float64Array(world.cluster.partitions).fill(-Infinity);
  const since = new Float64Array(world.cluster.partitions);
  const out: { partition: number; writeId: number; afterMs: number }[] = [];
  for (let i = 0; i < l.length; i++) {
    const p = l.partition[i];
    if (l.kind[i] === Obs.Lead) {
      if (l.a[i] > newest[p]) {
        newest[p] = l.a[i];
        since[p] = l.time[i];
      }
    } else if (l.kind[i] === Obs.Ack && l.a[i] < newest[p]) out.push({ partition: p, writeId: l.b[i], afterMs: l.time[i] - since[p] });
  }
  return out;
}
