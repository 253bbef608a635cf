import { describe, expect, it } from "vitest";
import { ClusterModel } from "../cluster/cluster-model.ts";
import { RandomStreams } from "../sim/random.ts";
import { BeliefTable } from "./beliefs.ts";
import { ObservationLog } from "../record/observation-log.ts";

const cluster = (partitions: number): ClusterModel =>
  new ClusterModel({ brokers: 10, partitions, replicationFactor: 3 }, new RandomStreams(1).stream("cluster"));

describe("BeliefTable: arrays kept for the next world", () => {
  it("a released large table's arrays serve the next table of its size, reading as fresh", () => {
    const c = cluster(30_000); // 90k replica slots: large enough to keep
    const first = new BeliefTable(c);
    for (const p of c.partitionsOf(4)) first.set(4, p, 4, 7);
    const { leader, epoch } = first;
    const log = new ObservationLog();
    log.releasesWith = first; // as World wires it
    log.release();

    const next = new BeliefTable(c);
    expect(next.leader.buffer).toBe(leader.buffer);
    expect(next.epoch.buffer).toBe(epoch.buffer);
    expect(next.leader.every((v) => v === -1) && next.epoch.every((v) => v === -1)).toBe(true);
    expect(next.leaderSeenBy(4, c.partitionsOf(4)[0])).toBe(-1);

    const other = new BeliefTable(c); // the pair went to `next`: fresh arrays
    expect(other.leader.buffer === next.leader.buffer).toBe(false);
    const smaller = new BeliefTable(cluster(100));
    expect(smaller.leader.length).toBe(300);
  });

  it("a log released once gives its table back once", () => {
    const c = cluster(30_000);
    const table = new BeliefTable(c);
    const log = new ObservationLog();
    log.releasesWith = table;
    log.release();
    expect(log.releasesWith).toBeUndefined();
    const taker = new BeliefTable(c);
    log.release(); // nothing more to give: taker keeps its arrays to itself
    expect(new BeliefTable(c).leader.buffer === taker.leader.buffer).toBe(false);
  });
});
