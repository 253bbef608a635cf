import { describe, expect, it } from "vitest";
import { Kernel } from "./kernel.ts";
import { DEFAULT_LINK, Network, type LinkSettings, type Message } from "./network.ts";
import { RandomStream } from "./random.ts";

interface Msg extends Message {
  readonly n: number;
}
type Delivery = [at: number, to: number, from: number, type: string, n: number];

function setup(hosts = 5, link: LinkSettings = { delay: { kind: "constant", ms: 1 }, loss: 0, duplicate: 0 }, seed = 7) {
  const kernel = new Kernel(hosts);
  const got: Delivery[] = [];
  const net = new Network(
    kernel,
    new RandomStream(seed, "network"),
    { deliver: (to, from, m) => got.push([kernel.now, to, from, m.type, (m as Msg).n]) },
    link,
  );
  const msg = (type: string, n: number): Msg => ({ type, n });
  return { kernel, net, got, msg };
}

/** Reachability as a matrix of 0/1 rows, for exact comparison. */
function reach(net: Network): number[][] {
  const n = net.hostCount;
  return Array.from({ length: n }, (_, f) => Array.from({ length: n }, (_, t) => (net.canReach(f, t) ? 1 : 0)));
}

/** Sends one datagram on every ordered pair (f != t) and returns which arrived, as "f>t". */
function probe(s: ReturnType<typeof setup>): string[] {
  const before = s.got.length;
  for (let f = 0; f < s.net.hostCount; f++)
    for (let t = 0; t < s.net.hostCount; t++) if (f !== t) s.net.send(f, t, s.msg("probe", 0), 1);
  s.kernel.runToQuiescence();
  return s.got
    .slice(before)
    .map((d) => `${d[2]}>${d[1]}`)
    .sort();
}

describe("Network delivery", () => {
  it("delivers with a constant delay to the sink, from and to the right hosts", () => {
    const s = setup(3);
    s.kernel.runUntil(10);
    s.net.send(0, 2, s.msg("hello", 1), 40);
    s.net.sendStream(2, 1, s.msg("hi", 2), 10);
    s.kernel.runToQuiescence();
    expect(s.got).toEqual([
      [11, 2, 0, "hello", 1],
      [11, 1, 2, "hi", 2],
    ]);
  });

  it("draws uniform delays in [min, max) and the default link's 0.2-0.6 ms", () => {
    for (const [link, lo, hi] of [
      [{ ...DEFAULT_LINK }, 0.2, 0.6],
      [{ delay: { kind: "uniform", min: 5, max: 15 }, loss: 0, duplicate: 0 }, 5, 15],
    ] as const) {
      const s = setup(2, link);
      for (let i = 0; i < 2000; i++) s.net.send(0, 1, s.msg("m", i), 1);
      s.kernel.runToQuiescence();
      const delays = s.got.map((d) => d[0]);
      expect(delays.length).toBe(2000);
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...delays)).toBeLessThan(hi);
      // The draws spread over the range.
      expect(Math.min(...delays)).toBeLessThan(lo + (hi - lo) * 0.01);
      expect(Math.max(...delays)).toBeGreaterThan(hi - (hi - lo) * 0.01);
      const mean = delays.reduce((x, y) => x + y, 0) / delays.length;
      expect(Math.abs(mean - (lo + hi) / 2)).toBeLessThan((hi - lo) * 0.03);
    }
  });

  it("uses the exact delay when a uniform range is empty", () => {
    const s = setup(2, { delay: { kind: "uniform", min: 3, max: 3 }, loss: 0, duplicate: 0 });
    s.net.send(0, 1, s.msg("m", 0), 1);
    s.kernel.runToQuiescence();
    expect(s.got).toEqual([[3, 1, 0, "m", 0]]);
  });

  it("draws exponential delays of at least `min` with the configured mean", () => {
    const s = setup(2, { delay: { kind: "exponential", min: 2, mean: 10 }, loss: 0, duplicate: 0 });
    for (let i = 0; i < 20_000; i++) s.net.send(0, 1, s.msg("m", i), 1);
    s.kernel.runToQuiescence();
    const delays = s.got.map((d) => d[0]);
    expect(delays.length).toBe(20_000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2);
    expect(Math.min(...delays)).toBeLessThan(2.01);
    const mean = delays.reduce((x, y) => x + y, 0) / delays.length;
    expect(Math.abs(mean - 10)).toBeLessThan(0.25);
    // Exponential tail: P(delay - min > 3 * (mean - min)) = e^-3 ~ 5%.
    const tail = delays.filter((d) => d - 2 > 24).length / delays.length;
    expect(tail).toBeGreaterThan(0.04);
    expect(tail).toBeLessThan(0.06);
  });

  it("keeps streams FIFO per link under random delay, while datagrams reorder", () => {
    const s = setup(3, { delay: { kind: "exponential", min: 0.1, mean: 20 }, loss: 0, duplicate: 0 });
    for (let i = 0; i < 500; i++) {
      s.kernel.runUntil(i * 0.5);
      s.net.sendStream(0, 1, s.msg("s", i), 1);
      s.net.sendStream(2, 1, s.msg("s2", i), 1);
      s.net.send(0, 2, s.msg("d", i), 1);
    }
    s.kernel.runToQuiescence();
    const seq = (type: string) => s.got.filter((d) => d[3] === type).map((d) => d[4]);
    const inOrder = Array.from({ length: 500 }, (_, i) => i);
    expect(seq("s")).toEqual(inOrder);
    expect(seq("s2")).toEqual(inOrder);
    const datagrams = seq("d");
    expect([...datagrams].sort((x, y) => x - y)).toEqual(inOrder);
    expect(datagrams).not.toEqual(inOrder);
  });

  it("loses every datagram with loss 1.0 but never a stream message", () => {
    const s = setup(2, { delay: { kind: "constant", ms: 1 }, loss: 1, duplicate: 0 });
    for (let i = 0; i < 10; i++) {
      s.net.send(0, 1, s.msg("d", i), 1);
      s.net.sendStream(0, 1, s.msg("s", i), 1);
    }
    s.kernel.runToQuiescence();
    expect(s.got.map((d) => d[3] + d[4])).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"]);
    expect(s.net.counts()).toMatchObject({ sent: 20, delivered: 10, dropped: 10 });
  });

  it("loses about the configured share of datagrams", () => {
    const s = setup(2, { delay: { kind: "constant", ms: 1 }, loss: 0.25, duplicate: 0 });
    for (let i = 0; i < 10_000; i++) s.net.send(0, 1, s.msg("d", i), 1);
    s.kernel.runToQuiescence();
    const c = s.net.counts();
    expect(c.sent).toBe(10_000);
    expect(c.dropped + c.delivered).toBe(10_000);
    expect(Math.abs(c.dropped - 2500)).toBeLessThan(150);
  });

  it("delivers every datagram twice with duplicate 1.0, each copy with its own delay; streams once", () => {
    const s = setup(2, { delay: { kind: "uniform", min: 1, max: 9 }, loss: 0, duplicate: 1 });
    for (let i = 0; i < 50; i++) s.net.send(0, 1, s.msg("d", i), 1);
    s.net.sendStream(0, 1, s.msg("s", 0), 1);
    s.kernel.runToQuiescence();
    const d = s.got.filter((x) => x[3] === "d");
    expect(d.length).toBe(100);
    for (let i = 0; i < 50; i++) {
      const copies = d.filter((x) => x[4] === i);
      expect(copies.length).toBe(2);
    }
    // Copies have independent delays: not all pairs arrive together.
    const apart = Array.from({ length: 50 }, (_, i) => d.filter((x) => x[4] === i)).filter((c) => c[0][0] !== c[1][0]);
    expect(apart.length).toBe(50);
    expect(s.got.filter((x) => x[3] === "s").length).toBe(1);
    expect(s.net.counts()).toMatchObject({ sent: 51, delivered: 101, dropped: 0 });
  });

  it("drops deliveries in flight to a host that crashes, even after it restarts", () => {
    const s = setup(3, { delay: { kind: "constant", ms: 10 }, loss: 0, duplicate: 0 });
    s.net.send(0, 1, s.msg("d", 0), 1);
    s.net.sendStream(0, 1, s.msg("s", 1), 1);
    s.net.send(0, 2, s.msg("d", 2), 1);
    s.kernel.runUntil(5);
    s.kernel.crash(1);
    s.kernel.restart(1);
    s.net.send(0, 1, s.msg("d", 3), 1);
    s.kernel.runToQuiescence();
    expect(s.got).toEqual([
      [10, 2, 0, "d", 2],
      [15, 1, 0, "d", 3],
    ]);
    expect(s.kernel.eventsDropped).toBe(2);
    expect(s.net.counts()).toMatchObject({ sent: 4, delivered: 2 });
  });

  it("holds a paused host's deliveries until it resumes", () => {
    const s = setup(2, { delay: { kind: "constant", ms: 1 }, loss: 0, duplicate: 0 });
    s.kernel.pause(1);
    s.net.sendStream(0, 1, s.msg("s", 0), 1);
    s.net.sendStream(0, 1, s.msg("s", 1), 1);
    s.kernel.runUntil(50);
    expect(s.got).toEqual([]);
    s.kernel.resume(1);
    s.kernel.runToQuiescence();
    expect(s.got).toEqual([
      [50, 1, 0, "s", 0],
      [50, 1, 0, "s", 1],
    ]);
  });
});

describe("Network faults", () => {
  it("partitions into the named groups; unnamed hosts form one more group together", () => {
    const s = setup(6);
    s.net.partition([[0, 1], [2]]);
    expect(reach(s.net)).toEqual([
      [1, 1, 0, 0, 0, 0],
      [1, 1, 0, 0, 0, 0],
      [0, 0, 1, 0, 0, 0],
      [0, 0, 0, 1, 1, 1],
      [0, 0, 0, 1, 1, 1],
      [0, 0, 0, 1, 1, 1],
    ]);
    expect(probe(s)).toEqual(["0>1", "1>0", "3>4", "3>5", "4>3", "4>5", "5>3", "5>4"]);
    expect(s.net.counts()).toMatchObject({ sent: 30, delivered: 8, dropped: 22 });
  });

  it("replaces an earlier partition with a new one and heals", () => {
    const s = setup(4);
    s.net.partition([[0], [1]]);
    s.net.partition([[0, 1, 2, 3]]);
    expect(reach(s.net).flat().every((x) => x === 1)).toBe(true);
    s.net.partition([[3]]);
    expect(reach(s.net)).toEqual([
      [1, 1, 1, 0],
      [1, 1, 1, 0],
      [1, 1, 1, 0],
      [0, 0, 0, 1],
    ]);
    s.net.heal();
    expect(reach(s.net).flat().every((x) => x === 1)).toBe(true);
  });

  it("drops stream messages across a partition too", () => {
    const s = setup(2);
    s.net.partition([[0], [1]]);
    s.net.sendStream(0, 1, s.msg("s", 0), 1);
    s.kernel.runToQuiescence();
    expect(s.got).toEqual([]);
    expect(s.net.counts()).toMatchObject({ sent: 1, delivered: 0, dropped: 1 });
  });

  it("cuts one direction only, and both with two cuts", () => {
    const s = setup(3);
    s.net.cutLink(0, 1);
    expect(reach(s.net)).toEqual([
      [1, 0, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(probe(s)).toEqual(["0>2", "1>0", "1>2", "2>0", "2>1"]);
    s.net.cutLink(1, 0);
    expect(probe(s)).toEqual(["0>2", "1>2", "2>0", "2>1"]);
  });

  it("isolates a host from everyone, both ways", () => {
    const s = setup(4);
    s.net.isolate(2);
    expect(reach(s.net)).toEqual([
      [1, 1, 0, 1],
      [1, 1, 0, 1],
      [0, 0, 1, 0],
      [1, 1, 0, 1],
    ]);
    expect(probe(s)).toEqual(["0>1", "0>3", "1>0", "1>3", "3>0", "3>1"]);
  });

  it("heals partitions, cuts and isolation at once", () => {
    const s = setup(4);
    s.net.partition([[0, 1]]);
    s.net.cutLink(0, 1);
    s.net.isolate(3);
    s.net.heal();
    expect(probe(s).length).toBe(12);
  });

  it("a host always reaches itself", () => {
    const s = setup(3);
    s.net.isolate(1);
    s.net.partition([[0], [1], [2]]);
    s.net.cutLink(1, 1);
    for (let h = 0; h < 3; h++) expect(s.net.canReach(h, h)).toBe(true);
  });

  it("holds messages on a clogged link, then delivers them in order; other links are unaffected", () => {
    const s = setup(3);
    s.kernel.runUntil(10);
    s.net.clog(0, 1, 100); // until 110
    s.net.send(0, 1, s.msg("d", 0), 1);
    s.net.sendStream(0, 1, s.msg("s", 1), 1);
    s.net.send(1, 0, s.msg("back", 2), 1);
    s.net.send(0, 2, s.msg("other", 3), 1);
    s.kernel.runUntil(50);
    s.net.send(0, 1, s.msg("d", 4), 1);
    s.net.clog(0, 1, 20); // shorter: does not shorten the clog
    s.kernel.runUntil(109.5);
    s.net.send(0, 1, s.msg("d", 5), 1); // would arrive at 110.5: after the clog, not held
    s.kernel.runToQuiescence();
    expect(s.got).toEqual([
      [11, 0, 1, "back", 2],
      [11, 2, 0, "other", 3],
      [110, 1, 0, "d", 0],
      [110, 1, 0, "s", 1],
      [110, 1, 0, "d", 4],
      [110.5, 1, 0, "d", 5],
    ]);
    // After the clog ran out, the link is back to its normal delay.
    s.net.send(0, 1, s.msg("d", 6), 1);
    s.kernel.runToQuiescence();
    expect(s.got[6]).toEqual([s.kernel.now, 1, 0, "d", 6]);
    expect(s.kernel.now).toBe(111.5); // sent at 110.5, 1 ms link
  });

  it("changes one link, a host's outgoing links or every link with setLink", () => {
    const s = setup(3);
    s.net.setLink(0, 1, { loss: 1 });
    expect(s.net.link(0, 1)).toEqual({ delay: { kind: "constant", ms: 1 }, loss: 1, duplicate: 0 });
    expect(s.net.link(1, 0).loss).toBe(0);
    expect(probe(s)).toEqual(["0>2", "1>0", "1>2", "2>0", "2>1"]);
    s.net.setLink(2, undefined, { delay: { kind: "constant", ms: 7 } });
    expect(s.net.link(2, 0).delay).toEqual({ kind: "constant", ms: 7 });
    expect(s.net.link(2, 1).delay).toEqual({ kind: "constant", ms: 7 });
    expect(s.net.link(0, 2).delay).toEqual({ kind: "constant", ms: 1 });
    s.net.setLink(undefined, 1, { duplicate: 1 });
    expect(s.net.link(0, 1)).toEqual({ delay: { kind: "constant", ms: 1 }, loss: 1, duplicate: 1 });
    expect(s.net.link(2, 1)).toEqual({ delay: { kind: "constant", ms: 7 }, loss: 0, duplicate: 1 });
    s.net.setLink(undefined, undefined, { loss: 0, duplicate: 0 });
    expect(probe(s).length).toBe(6);
    // The defaults object itself is never mutated.
    expect(DEFAULT_LINK).toEqual({ delay: { kind: "uniform", min: 0.2, max: 0.6 }, loss: 0, duplicate: 0 });
  });
});

describe("Network accounting", () => {
  it("counts messages by type, sender and receiver, with bytes, including dropped ones", () => {
    const s = setup(3);
    s.net.send(0, 1, s.msg("vote", 0), 100);
    s.net.send(0, 2, s.msg("vote", 1), 100);
    s.net.send(1, 0, s.msg("ack", 2), 20);
    s.net.sendStream(2, 0, s.msg("ping", 3), 8);
    s.net.cutLink(2, 1);
    s.net.send(2, 1, s.msg("append", 4), 1000); // dropped, still counted as sent
    s.net.send(2, 1, s.msg("append", 5), 1000);
    s.kernel.runToQuiescence();
    expect(s.net.counts()).toEqual({
      sent: 6,
      delivered: 4,
      dropped: 2,
      bytes: 2228,
      byType: {
        ack: { count: 1, bytes: 20 },
        append: { count: 2, bytes: 2000 },
        ping: { count: 1, bytes: 8 },
        vote: { count: 2, bytes: 200 },
      },
    });
    expect(Object.keys(s.net.counts().byType)).toEqual(["ack", "append", "ping", "vote"]);
    expect([...s.net.sentBy]).toEqual([2, 1, 3]);
    expect([...s.net.receivedBy]).toEqual([2, 1, 1]);
  });

  it("counts types that alternate and interleave (its two-type cache) as a map would", () => {
    const s = setup(2);
    const types = ["req", "resp", "req", "resp", "ping", "req", "ping", "ping", "resp", "vote", "req", "vote", "resp", "req"];
    types.forEach((t, i) => s.net.send(0, 1, s.msg(t, i), i + 1));
    const expected: Record<string, { count: number; bytes: number }> = {};
    types.forEach((t, i) => {
      expected[t] ??= { count: 0, bytes: 0 };
      expected[t].count++;
      expected[t].bytes += i + 1;
    });
    expect(s.net.counts().byType).toEqual(expected);
  });

  it("keeps counting past sixteen message types", () => {
    const s = setup(2);
    for (let t = 0; t < 40; t++) for (let i = 0; i <= t; i++) s.net.send(0, 1, s.msg(`t${String(t).padStart(2, "0")}`, i), t);
    const c = s.net.counts();
    expect(Object.keys(c.byType).length).toBe(40);
    for (let t = 0; t < 40; t++) expect(c.byType[`t${String(t).padStart(2, "0")}`]).toEqual({ count: t + 1, bytes: t * (t + 1) });
    expect(c.sent).toBe(820);
  });

  it("records sends in `all` at send time and deliveries in the receiver's inbound series", () => {
    const s = setup(3, { delay: { kind: "constant", ms: 2.5 }, loss: 0, duplicate: 0 });
    s.kernel.runUntil(3.7);
    s.net.send(0, 1, s.msg("a", 0), 1);
    s.net.send(0, 1, s.msg("a", 1), 1);
    s.net.send(2, 1, s.msg("a", 2), 1);
    s.kernel.runUntil(10);
    s.net.send(1, 0, s.msg("a", 3), 1);
    s.kernel.runToQuiescence();
    expect(s.net.all.total).toBe(4);
    expect(s.net.all.at(3)).toBe(3);
    expect(s.net.all.at(10)).toBe(1);
    expect(s.net.inbound[1].total).toBe(3);
    expect(s.net.inbound[1].at(6)).toBe(3); // 3.7 + 2.5 = 6.2
    expect(s.net.inbound[0].at(12)).toBe(1);
    expect(s.net.inbound[2].total).toBe(0);
  });
});

describe("Network randomness", () => {
  it("is reproducible for a seed and differs across seeds", () => {
    const run = (seed: number): Delivery[] => {
      const s = setup(3, { delay: { kind: "exponential", min: 0.5, mean: 5 }, loss: 0.2, duplicate: 0.2 }, seed);
      for (let i = 0; i < 200; i++) s.net.send(i % 3, (i + 1) % 3, s.msg("m", i), 1);
      s.kernel.runToQuiescence();
      return s.got;
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });
});
