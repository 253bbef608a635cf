import { Effect, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { defineElector, type ElectorInstance, type HostContext, type HostId, type Message } from "../elector/api.ts";
import { Obs } from "../record/observation-log.ts";
import { Testbed } from "./testbed.ts";
import { testPreferredLeader } from "./test-elector.ts";
import { countObs, leadersNow, startWorld } from "./world-bench.ts";

/**
 * A toy elector for the kit's own tests: every `period` ms a host pings every other host, which
 * answers pong; host 0 leads (epoch from the durable store, bumped at each boot); the leader
 * appends, commits and acknowledges writes, others reject them.
 */
interface Ping extends Message {
  readonly type: "ping" | "pong";
  readonly n: number;
}
const Options = Schema.Struct({
  period: Schema.Finite.pipe(Schema.withDecodingDefaultKey(Effect.succeed(10))),
  stream: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(false))),
});
class PingHost implements ElectorInstance {
  heard: [HostId, string, number][] = [];
  private n = 0;
  private log = 0;
  constructor(
    private readonly ctx: HostContext,
    private readonly o: typeof Options.Type,
  ) {}
  start(): void {
    const boots = (this.ctx.durable.get<number>("boots") ?? 0) + 1;
    this.ctx.durable.set("boots", boots);
    if (this.ctx.host === 0) this.ctx.observer.lead(0, boots);
    else this.ctx.observer.follow(0, 0, -1);
    this.ctx.setTimer(this.o.period, 1);
  }
  onTimer(tag: number): void {
    for (let h = 0; h < this.ctx.cluster.brokers; h++) {
      if (h === this.ctx.host) continue;
      const m: Ping = { type: "ping", n: this.n++ };
      if (this.o.stream) this.ctx.sendStream(h, m, 10);
      else this.ctx.send(h, m, 10);
    }
    this.ctx.setTimer(this.o.period, tag);
  }
  onMessage(from: HostId, message: Message): void {
    const m = message as Ping;
    this.heard.push([from, m.type, m.n]);
    if (m.type === "ping") this.ctx.send(from, { type: "pong", n: m.n } as Ping, 10);
  }
  onZk(): void {}
  onWrite(partition: number, writeId: number): void {
    if (this.ctx.host !== 0) return this.ctx.observer.rejected(partition, writeId);
    if (writeId % 2 === 0) return; // even writes are never answered (an unanswered client operation)
    this.ctx.observer.append(partition, writeId, this.log++, 1);
    this.ctx.observer.commit(partition, this.log);
    this.ctx.observer.acknowledged(partition, writeId, 1);
  }
}
const pingElector = defineElector({
  name: "ping",
  description: "kit test",
  options: Options,
  variants: [{ name: "streamed", description: "sendStream instead of send", options: { stream: true } }],
  claims: () => ({ noLostAcknowledgedWrites: true, noDivergence: true, noSameEpochLeaders: true, liveness: true }),
  quietPeriodMs: () => 0,
  usesCoordinator: false,
  create: (ctx, o) => new PingHost(ctx, o),
});

const heard = (bed: Testbed, h: HostId) => bed.instance<PingHost>(h)!.heard;

describe("Testbed", () => {
  it("delivers in time order with the configured delay and records every declaration", () => {
    const bed = new Testbed({ elector: pingElector, hosts: 3, delay: { min: 1, max: 1 } });
    bed.runUntil(10.5);
    expect(heard(bed, 1)).toEqual([]);
    bed.runUntil(11);
    expect(heard(bed, 1).map(([f, t]) => [f, t])).toEqual([[0, "ping"], [2, "ping"]]);
    bed.runUntil(12);
    expect(heard(bed, 1).filter(([, t]) => t === "pong").length).toBe(2);
    expect(bed.leaders(0)).toEqual([0]);
    expect(bed.agreedLeader(0)).toBe(0);
    expect(bed.recorder.count("lead")).toBe(1);
    expect(bed.recorder.count("follow")).toBe(2);
  });

  it("is a pure function of its seed with random delays and loss", () => {
    const trace = (seed: number) => {
      const bed = new Testbed({ elector: pingElector, hosts: 3, seed, delay: { min: 0.1, max: 5 } });
      bed.loss = 0.3;
      bed.runUntil(200);
      return JSON.stringify(bed.sent.map((s) => [s.time, s.from, s.to, s.dropped]));
    };
    expect(trace(4)).toBe(trace(4));
    expect(trace(4)).not.toBe(trace(5));
    expect(trace(4)).toContain('"loss"');
  });

  it("holds messages for manual delivery and drops chosen ones", () => {
    const bed = new Testbed({ elector: pingElector, hosts: 3 });
    bed.hold = true;
    bed.runUntil(50);
    const toOne = bed.pending((e) => e.to === 1);
    expect(toOne.length).toBeGreaterThan(4);
    expect(heard(bed, 1)).toEqual([]);
    bed.deliver(toOne[0].id);
    expect(heard(bed, 1)).toEqual([[toOne[0].from, "ping", (toOne[0].message as Ping).n]]);
    expect(bed.dropPending((e) => e.to === 1)).toBe(toOne.length - 1);
    expect(bed.pending((e) => e.to === 1)).toEqual([]);
    expect(() => bed.deliver(toOne[1].id)).toThrow(/not in flight/);
    bed.hold = false;
    const before = heard(bed, 2).length;
    bed.runUntil(50); // due messages go out when hold is lifted
    expect(heard(bed, 2).length).toBeGreaterThan(before);
  });

  it("fires a chosen timer now and steps one event at a time", () => {
    const bed = new Testbed({ elector: pingElector, hosts: 2 });
    expect(bed.pendingTimers(1)).toEqual([{ tag: 1, at: 10 }]);
    expect(bed.fireTimer(1)).toBe(true);
    expect(bed.now).toBe(0);
    expect(bed.pending().map((e) => [e.from, e.to])).toEqual([[1, 0]]);
    expect(bed.pendingTimers(1)).toEqual([{ tag: 1, at: 10 }]);
    expect(bed.fireTimer(1, 99)).toBe(false);
    expect(bed.step()).toBe(true);
    expect(bed.now).toBe(0.5);
    expect(heard(bed, 0)).toEqual([[1, "ping", 0]]);
  });

  it("cuts, isolates, partitions and heals links; a filter drops or rewrites", () => {
    const bed = new Testbed({ elector: pingElector, hosts: 3 });
    bed.cut(0, 1);
    expect(bed.canReach(0, 1)).toBe(false);
    expect(bed.canReach(1, 0)).toBe(true);
    bed.isolate(2);
    expect(bed.canReach(0, 2) || bed.canReach(2, 1)).toBe(false);
    bed.partition([0], [1, 2]);
    expect([bed.canReach(0, 1), bed.canReach(1, 2), bed.canReach(2, 0)]).toEqual([false, true, false]);
    bed.runUntil(21);
    expect(heard(bed, 0)).toEqual([]);
    expect(bed.sent.filter((s) => s.from === 0).every((s) => s.dropped === "cut")).toBe(true);
    expect(heard(bed, 1).every(([f]) => f === 2)).toBe(true);
    bed.heal();
    bed.filter = (from, to, m) => (to === 1 ? false : from === 2 ? ({ ...m, n: -1 } as Ping) : true);
    const before = heard(bed, 1).length;
    bed.runUntil(31);
    expect(heard(bed, 1).length).toBe(before);
    expect(heard(bed, 0).filter(([f]) => f === 2).every(([, , n]) => n === -1)).toBe(true);
    expect(heard(bed, 0).some(([f]) => f === 2)).toBe(true);
  });

  it("drops a message whose link is cut while it is in flight", () => {
    const bed = new Testbed({ elector: pingElector, hosts: 2, delay: { min: 5, max: 5 } });
    bed.runUntil(12);
    expect(bed.pending().length).toBe(2);
    bed.cutBoth(0, 1);
    bed.runUntil(16);
    expect(heard(bed, 0)).toEqual([]);
    expect(bed.pending()).toEqual([]);
  });

  it("crash loses volatile state, timers and messages to the host; restart keeps the durable store", () => {
    const bed = new Testbed({ elector: pingElector, hosts: 2, delay: { min: 3, max: 3 } });
    bed.runUntil(11);
    expect(bed.pending().filter((e) => e.to === 0).length).toBe(1);
    bed.crash(0);
    expect(bed.isUp(0)).toBe(false);
    expect(bed.pending().filter((e) => e.to === 0)).toEqual([]);
    expect(bed.pendingTimers(0)).toEqual([]);
    expect(bed.leaders(0)).toEqual([]);
    bed.runUntil(30);
    bed.restart(0);
    expect(bed.durable(0).get("boots")).toBe(2);
    expect(bed.beliefs(0).get(0)).toEqual({ leader: 0, epoch: 2 });
    expect(heard(bed, 0)).toEqual([]);
    const kinds = Array.from(bed.recorder.log.kind.subarray(0, bed.recorder.log.length));
    expect(kinds).toContain(Obs.Crash);
    expect(kinds).toContain(Obs.Restart);
  });

  it("a paused host handles nothing until resumed, then everything at once; a host can start down", () => {
    const bed = new Testbed({ elector: pingElector, hosts: 3, down: [2] });
    expect(bed.isUp(2)).toBe(false);
    bed.pause(1);
    bed.runUntil(35);
    expect(heard(bed, 1)).toEqual([]);
    bed.resume(1);
    expect(bed.isPaused(1)).toBe(false);
    bed.runUntil(35);
    expect(heard(bed, 1).length).toBe(3); // three pings from host 0, at 10.5, 20.5 and 30.5
    expect(bed.sent.filter((s) => s.from === 1 && s.type === "pong").every((s) => s.time === 35)).toBe(true);
    bed.restart(2);
    expect(bed.isUp(2)).toBe(true);
  });

  it("keeps sendStream FIFO per link under random delays", () => {
    const bed = new Testbed({ elector: pingElector, variant: "streamed", hosts: 2, delay: { min: 0.1, max: 30 }, seed: 3 });
    bed.runUntil(500);
    const pings = heard(bed, 1).filter(([, t]) => t === "ping").map(([, , n]) => n);
    expect(pings.length).toBeGreaterThan(10);
    expect(pings).toEqual([...pings].sort((a, b) => a - b));
  });

  it("records writes as a client history and replays a replica's log", () => {
    const bed = new Testbed({ elector: pingElector, hosts: 2 });
    bed.write(0, 0, 1);
    bed.write(0, 0, 2);
    bed.write(0, 0, 3);
    bed.write(1, 0);
    expect(bed.writes.map((w) => [w.writeId, w.outcome, w.answeredBy])).toEqual([
      [1, 1, 0],
      [2, -1, -1],
      [3, 1, 0],
      [4, 0, 1],
    ]);
    expect(bed.recorder.replica(0, 0)).toEqual({ writes: [1, 3], epochs: [1, 1], committed: 2 });
    expect(bed.recorder.replica(1, 0)).toEqual({ writes: [], epochs: [], committed: 0 });
  });

  it("judges the run with the real checker", () => {
    const bed = new Testbed({ elector: pingElector, hosts: 3 });
    bed.runFor(5);
    [1, 2, 3].forEach((w) => bed.write(0, 0, w));
    let verdict = bed.judge();
    expect(verdict.data).toMatchObject({ measured: true, acknowledged: 2, lostWrites: { count: 0 } });
    expect(verdict.end.partitionsWithOneLeader).toBe(1);
    // Only host 0 holds the log; once it is down, what it acknowledged is in no live replica.
    bed.crash(0);
    verdict = bed.judge();
    expect(verdict.data.lostWrites.count).toBe(2);
    expect(verdict.data.findings.map((f) => (f.grade === "lost-write" ? f.writeId : -1))).toEqual([1, 3]);
    expect(verdict.end.partitionsWithoutLeader).toBe(1);
  });

  it("refuses an unknown variant and says which there are", () => {
    expect(() => new Testbed({ elector: pingElector, variant: "nope" })).toThrow(/ping:streamed/);
  });
});

describe("world bench", () => {
  it("builds the full world for any elector and answers questions about its log", () => {
    const world = startWorld({
      elector: testPreferredLeader,
      durationMs: 1_000,
      cluster: { brokers: 3, partitions: 6, replicationFactor: 3 },
    });
    world.kernel.runUntil(1_000);
    expect(countObs(world, Obs.Lead)).toBe(6);
    expect(Array.from(leadersNow(world))).toEqual(Array.from({ length: 6 }, (_, p) => world.cluster.preferredLeader(p)));
  });
});
