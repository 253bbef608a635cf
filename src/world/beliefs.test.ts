import { describe, expect, it } from "vitest";
import { ClusterModel } from "../cluster/cluster-model.ts";
import { RandomStreams } from "../sim/random.ts";
import { BeliefTable } from "./beliefs.ts";
import { Obs, ObservationLog } from "../record/observation-log.ts";
import { lcg } from "../testing/lcg.ts";

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

describe("BeliefTable: a settled start's declarations staged in host order", () => {
  /**
   * A settled start's order (host by host, each host's partitions in its list's order), broken by
   * the seeded draws: skipped partitions, repeats, partitions out of order or not replicated by the
   * host, and reads and crashes in the middle.
   */
  type Step = readonly ["set", number, number, number, number] | readonly ["read", number, number] | readonly ["forget", number] | readonly ["row", number, number];
  /** `rowEvery`: another row (an append) after about one declaration in that many (raft's settled start: after each). */
  function steps(c: ClusterModel, seed: number, breakEvery: number, rowEvery = 0): Step[] {
    const rnd = lcg(seed);
    const out: Step[] = [];
    for (let h = 0; h < c.brokers; h++) {
      for (const p of c.partitionsOf(h)) {
        const r = breakEvery > 0 ? rnd(breakEvery) : -1;
        if (r === 0) continue; // skipped
        out.push(["set", h, p, rnd(c.brokers), rnd(5)]);
        if (r === 1) out.push(["set", h, p, -1, -1]); // repeated
        if (r === 2) out.push(["set", h, rnd(c.partitions), h, 3]); // elsewhere: out of order, perhaps not a replica
        if (r === 5) out.push(["set", c.brokers + rnd(3), p, h, 2]); // not a broker at all (a producer's id)
        if (r === 3) out.push(["read", rnd(c.brokers), rnd(c.partitions)]);
        if (r === 4) out.push(["forget", rnd(c.brokers)]);
        if (rowEvery > 0 && rnd(rowEvery) === 0) out.push(["row", h, p]);
      }
    }
    return out;
  }

  /** As a host's observer declares (HostObserver.declare): staged while the stage takes it, else logged and stored. */
  function declare(table: BeliefTable, log: ObservationLog, host: number, partition: number, leader: number, epoch: number): void {
    const kind = leader === host ? Obs.Lead : leader < 0 ? Obs.StepDown : Obs.Follow;
    const [a, b] = kind === Obs.Lead ? [epoch, 0] : kind === Obs.Follow ? [leader, epoch] : [0, 0];
    if (table.staged(host, kind, partition, leader, epoch, 0)) return;
    log.record(0, host, kind, partition, a, b);
    table.set(host, partition, leader, epoch);
  }

  function replay(c: ClusterModel, all: readonly Step[], staged: boolean): { table: BeliefTable; log: ObservationLog; reads: number[]; stagedToEnd: boolean } {
    const table = new BeliefTable(c);
    const log = new ObservationLog();
    const reads: number[] = [];
    if (staged) table.beginHostOrder(log);
    for (const s of all) {
      if (s[0] === "set") declare(table, log, s[1], s[2], s[3], s[4]);
      else if (s[0] === "read") reads.push(table.leaderSeenBy(s[1], s[2]));
      else if (s[0] === "row") {
        table.beforeOtherRow(); // as HostObserver records any other row
        log.record(0, s[1], Obs.Append, s[2], 1, -1, 7);
      } else table.forget(s[1]);
    }
    const stagedToEnd = table.staging;
    if (staged) table.endHostOrder();
    return { table, log, reads, stagedToEnd };
  }

  const rowsOf = (log: ObservationLog, from = 0, to = log.length): number[][] => {
    const out: number[][] = [];
    for (let i = from; i < to; i++) out.push([log.time[i], log.host[i], log.kind[i], log.partition[i], log.a[i], log.b[i], log.c[i]]);
    return out;
  };
  /** Rows as a sorted list of their texts: what a log holds, whatever the order. */
  const multiset = (rows: number[][]): string[] => rows.map((r) => r.join(",")).sort();

  it("leaves the table the direct stores leave, and logs the same rows, each host's in its own order", () => {
    // [cluster, seed, breakEvery, rowEvery, rowAt: one other row after that share of the steps]
    const cases: [ClusterModel, number, number, number?, number?][] = [
      [cluster(3_000), 1, 0], // a settled start's exact order
      [cluster(3_000), 2, 400], // a rare break
      [cluster(500), 3, 30],
      [cluster(500), 4, 6], // breaks everywhere
      [ClusterModel.fromReplicaLists(3, [[0, 1, 2], [2, 0, 1], [1, 2, 0], [0, 2, 1]]), 5, 0],
      // a host twice in one replica list: one slot (its first place), so no stage is opened
      [ClusterModel.fromReplicaLists(4, [[0, 1, 0], [2, 3, 1], [1, 1, 2], [3, 0, 2]]), 6, 0],
      [cluster(3_000), 7, 0, 1], // another row after every declaration (raft's settled start)
      [cluster(3_000), 8, 0, 2_000], // a rare other row
      [cluster(500), 9, 30, 5],
      [cluster(3_000), 10, 0, 0, 0.9], // one other row late (kafka-controller's controller): staged rows logged by slot
      [cluster(3_000), 11, 0, 0, 0.05], // ... early: logged host by host
    ];
    for (const [c, seed, breakEvery, rowEvery = 0, rowAt] of cases) {
      const all = steps(c, seed, breakEvery, rowEvery);
      if (rowAt !== undefined) all.splice(Math.floor(all.length * rowAt), 0, ["row", 1, 0]);
      const direct = replay(c, all, false);
      const staged = replay(c, all, true);
      expect(Array.from(staged.table.leader)).toEqual(Array.from(direct.table.leader));
      expect(Array.from(staged.table.epoch)).toEqual(Array.from(direct.table.epoch));
      expect(staged.reads).toEqual(direct.reads);
      const stagedRows = rowsOf(staged.log);
      const directRows = rowsOf(direct.log);
      expect(multiset(stagedRows)).toEqual(multiset(directRows));
      for (let h = 0; h < c.brokers + 3; h++) {
        expect(stagedRows.filter((r) => r[1] === h)).toEqual(directRows.filter((r) => r[1] === h));
      }
      // A settled start's exact order is staged to its end (the point of the stage), and its rows
      // come partition by partition, each partition's replicas in their list's order; a host twice
      // in a replica list opens no stage.
      // The table's staging survives other rows; the log's order changes only without them.
      if (breakEvery === 0) {
        expect(staged.stagedToEnd).toBe(seed !== 6);
        if (seed !== 6 && rowEvery === 0 && rowAt === undefined) {
          const slots = stagedRows.map((r) => r[3] * c.replicationFactor + c.replicaIndex(r[3], r[1]));
          expect(slots).toEqual(slots.map((_, i) => i));
        }
      }
    }
  });

  it("a read while staging sees the staged beliefs", () => {
    const c = cluster(1_000);
    const table = new BeliefTable(c);
    const log = new ObservationLog();
    table.beginHostOrder(log);
    const [first] = c.partitionsOf(2);
    declare(table, log, 2, first, 7, 4);
    expect(table.leaderSeenBy(2, first)).toBe(7);
    table.endHostOrder();
    expect(table.leaderSeenBy(2, first)).toBe(7);
  });

  it("a declaration by an id that is no broker is ignored while staging, as directly", () => {
    const c = cluster(1_000);
    const table = new BeliefTable(c);
    const log = new ObservationLog();
    table.beginHostOrder(log);
    const [first] = c.partitionsOf(0);
    declare(table, log, 0, first, 0, 1);
    declare(table, log, c.brokers + 1, first, 3, 3);
    table.endHostOrder();
    expect(table.leaderSeenBy(0, first)).toBe(0);
    expect(Array.from(table.leader).filter((l) => l !== -1)).toEqual([0]);
  });
});
