import { describe, expect, it } from "vitest";
import { describeFault, FaultInjector, faultHosts, type Fault, type HostRef } from "./faults.ts";
import { HostStatus, Kernel } from "./kernel.ts";
import { Network } from "./network.ts";
import { RandomStream } from "./random.ts";

const ZK = 3;

function setup() {
  const kernel = new Kernel(4); // brokers 0..2, coordinator 3
  const delivered: string[] = [];
  const net = new Network(
    kernel,
    new RandomStream(1, "network"),
    { deliver: (to, from, m) => delivered.push(`${from}>${to} ${m.type} @${kernel.now}`) },
    { delay: { kind: "constant", ms: 1 }, loss: 0, duplicate: 0 },
  );
  const applied: string[] = [];
  const shutdowns: string[] = [];
  const injector = new FaultInjector(kernel, net, ZK, {
    faultApplied: (f, i) => applied.push(`${i}:${f.type}@${kernel.now}`),
    shutdownRequested: (h) => shutdowns.push(`${h}@${kernel.now}`),
  });
  const status = (): number[] => [0, 1, 2, 3].map((h) => kernel.hostStatus(h));
  const reach = (): string => {
    const rows: string[] = [];
    for (let f = 0; f < 4; f++) {
      let row = "";
      for (let t = 0; t < 4; t++) row += net.canReach(f, t) ? "1" : "0";
      rows.push(row);
    }
    return rows.join(" ");
  };
  return { kernel, net, injector, applied, shutdowns, delivered, status, reach };
}

const { Up, Crashed, Paused } = HostStatus;

describe("FaultInjector", () => {
  it("applies every fault type at its time", () => {
    const s = setup();
    const faults: Fault[] = [
      { at: 10, type: "crash", host: 0 },
      { at: 20, type: "restart", host: 0 },
      { at: 30, type: "pause", host: "zk", for: 15 },
      { at: 50, type: "partition", groups: [[0, 1]] },
      { at: 60, type: "heal" },
      { at: 70, type: "cut", from: 0, to: "zk" },
      { at: 80, type: "cut", from: 1, to: 2, bothWays: true },
      { at: 90, type: "isolate", host: 2 },
      { at: 100, type: "heal" },
      { at: 110, type: "clog", from: 0, to: 1, for: 50 },
      { at: 120, type: "link", from: 1, to: 0, loss: 1 },
      { at: 130, type: "link", loss: 0.5, duplicate: 0.25, delay: { kind: "constant", ms: 3 } },
      { at: 140, type: "shutdown", host: "zk" },
    ];
    s.injector.schedule(faults);
    const at = (t: number) => s.kernel.runUntil(t);

    at(9.999);
    expect(s.applied).toEqual([]);
    expect(s.status()).toEqual([Up, Up, Up, Up]);
    at(10);
    expect(s.status()).toEqual([Crashed, Up, Up, Up]);
    expect(s.kernel.incarnation(0)).toBe(1);
    at(20);
    expect(s.status()).toEqual([Up, Up, Up, Up]);
    at(30);
    expect(s.status()).toEqual([Up, Up, Up, Paused]);
    at(44.999);
    expect(s.status()).toEqual([Up, Up, Up, Paused]);
    at(45); // resumes after `for`
    expect(s.status()).toEqual([Up, Up, Up, Up]);
    at(50);
    expect(s.reach()).toBe("1100 1100 0011 0011");
    at(60);
    expect(s.reach()).toBe("1111 1111 1111 1111");
    at(70);
    expect(s.reach()).toBe("1110 1111 1111 1111");
    at(80);
    expect(s.reach()).toBe("1110 1101 1011 1111");
    at(90);
    expect(s.reach()).toBe("1100 1101 0010 1101");
    at(100);
    expect(s.reach()).toBe("1111 1111 1111 1111");
    at(110);
    s.net.send(0, 1, { type: "held" }, 1);
    s.net.send(1, 0, { type: "free" }, 1);
    at(120);
    expect(s.net.link(1, 0)).toEqual({ delay: { kind: "constant", ms: 1 }, loss: 1, duplicate: 0 });
    expect(s.net.link(0, 1).loss).toBe(0);
    at(130);
    for (let f = 0; f < 4; f++)
      for (let t = 0; t < 4; t++)
        expect(s.net.link(f, t)).toEqual({ delay: { kind: "constant", ms: 3 }, loss: 0.5, duplicate: 0.25 });
    expect(s.shutdowns).toEqual([]);
    at(140);
    expect(s.shutdowns).toEqual(["3@140"]);
    expect(s.status()).toEqual([Up, Up, Up, Up]); // the listener decides what a shutdown does
    at(200);
    expect(s.delivered).toEqual(["1>0 free @111", "0>1 held @160"]);
    expect(s.applied).toEqual(faults.map((f, i) => `${i}:${f.type}@${f.at}`));
  });

  it("hands clock and disk faults to the host target, with the coordinator resolved", () => {
    const calls: string[] = [];
    const kernel = new Kernel(4);
    const net = new Network(kernel, new RandomStream(1, "network"), { deliver: () => {} }, { delay: { kind: "constant", ms: 1 }, loss: 0, duplicate: 0 });
    const injector = new FaultInjector(
      kernel,
      net,
      ZK,
      { faultApplied: () => {}, shutdownRequested: () => {} },
      {
        clockJump: (h, by) => calls.push(`jump ${h} ${by} @${kernel.now}`),
        clockDrift: (h, ppm, ms) => calls.push(`drift ${h} ${ppm} ${ms} @${kernel.now}`),
        slowDisk: (h, f, ms) => calls.push(`slow ${h} ${f} ${ms} @${kernel.now}`),
      },
    );
    const faults: Fault[] = [
      { at: 5, type: "clockJump", host: 1, byMs: -300 },
      { at: 6, type: "clockDrift", host: 2, ppm: 250, forMs: 1000 },
      { at: 7, type: "slowDisk", host: "zk", factor: 20, forMs: 50 },
    ];
    injector.schedule(faults);
    kernel.runUntil(10);
    expect(calls).toEqual(["jump 1 -300 @5", "drift 2 250 1000 @6", `slow ${ZK} 20 50 @7`]);
    expect(faults.map(describeFault)).toEqual([
      "clock of host 1 jumps -300 ms",
      "clock of host 2 drifts +250 ppm for 1000 ms",
      "disk of zk 20x slower for 50 ms",
    ]);
    expect(faults.map((f) => faultHosts(f))).toEqual([[1], [2], ["zk"]]);
  });

  it("applies faults at equal times in schedule order, and clamps past times to now", () => {
    const s = setup();
    s.kernel.runUntil(5);
    s.injector.schedule([
      { at: 7, type: "isolate", host: 1 },
      { at: 7, type: "heal" },
      { at: 1, type: "crash", host: 2 },
      { at: 7, type: "cut", from: 0, to: 1 },
    ]);
    s.kernel.runUntil(10);
    expect(s.applied).toEqual(["2:crash@5", "0:isolate@7", "1:heal@7", "3:cut@7"]);
    expect(s.reach()).toBe("1011 1111 1111 1111");
  });

  it("holds a paused host's messages and timers until the pause ends", () => {
    const s = setup();
    s.injector.schedule([{ at: 10, type: "pause", host: 1, for: 90 }]);
    s.kernel.runUntil(20);
    s.net.sendStream(0, 1, { type: "a" }, 1);
    s.net.send(2, 1, { type: "b" }, 1);
    s.net.send(1, 2, { type: "c" }, 1); // a paused host's outbound traffic is not blocked by the network
    s.kernel.runUntil(200);
    expect(s.delivered).toEqual(["1>2 c @21", "0>1 a @100", "2>1 b @100"]);
  });

  it("does not let the resume of an earlier pause end a later one after a crash and restart", () => {
    const s = setup();
    s.injector.schedule([
      { at: 100, type: "pause", host: 0, for: 500 }, // would resume at 600
      { at: 200, type: "crash", host: 0 },
      { at: 300, type: "restart", host: 0 },
      { at: 400, type: "pause", host: 0, for: 1000 }, // resumes at 1400
    ]);
    s.kernel.runUntil(1399);
    expect(s.kernel.hostStatus(0)).toBe(Paused);
    s.kernel.runUntil(1400);
    expect(s.kernel.hostStatus(0)).toBe(Up);
  });

  it("keeps a host paused until the last of overlapping pauses ends", () => {
    const s = setup();
    s.injector.schedule([
      { at: 100, type: "pause", host: 0, for: 1000 }, // until 1100
      { at: 200, type: "pause", host: 0, for: 100 }, // until 300: inside the first
      { at: 100, type: "pause", host: 1, for: 100 }, // until 200
      { at: 150, type: "pause", host: 1, for: 200 }, // until 350: extends it
    ]);
    s.kernel.runUntil(349);
    expect([s.kernel.hostStatus(0), s.kernel.hostStatus(1)]).toEqual([Paused, Paused]);
    s.kernel.runUntil(350);
    expect([s.kernel.hostStatus(0), s.kernel.hostStatus(1)]).toEqual([Paused, Up]);
    s.kernel.runUntil(1099);
    expect(s.kernel.hostStatus(0)).toBe(Paused);
    s.kernel.runUntil(1100);
    expect(s.kernel.hostStatus(0)).toBe(Up);
  });

  it("resolves 'zk' to the coordinator host", () => {
    const s = setup();
    expect(s.injector.resolve("zk")).toBe(ZK);
    expect(s.injector.resolve(2)).toBe(2);
  });
});

describe("fault descriptions", () => {
  it("names the hosts of each fault", () => {
    expect(faultHosts({ at: 0, type: "crash", host: 1 })).toEqual([1]);
    expect(faultHosts<HostRef>({ at: 0, type: "cut", from: 1, to: "zk" })).toEqual([1, "zk"]);
    expect(faultHosts<HostRef>({ at: 0, type: "partition", groups: [[0, 1], ["zk"]] })).toEqual([0, 1, "zk"]);
    expect(faultHosts({ at: 0, type: "link", to: 2, loss: 1 })).toEqual([2]);
    expect(faultHosts({ at: 0, type: "heal" })).toEqual([]);
  });

  it("describes each fault in one line", () => {
    const lines = (
      [
        { at: 0, type: "crash", host: 1 },
        { at: 0, type: "restart", host: "zk" },
        { at: 0, type: "pause", host: 2, for: 300 },
        { at: 0, type: "partition", groups: [[0, 1], [2, "zk"]] },
        { at: 0, type: "cut", from: 0, to: 1 },
        { at: 0, type: "cut", from: 0, to: 1, bothWays: true },
        { at: 0, type: "isolate", host: 0 },
        { at: 0, type: "heal" },
        { at: 0, type: "clog", from: 1, to: "zk", for: 50 },
        { at: 0, type: "link", loss: 0.1, delay: { kind: "constant", ms: 2 } },
        { at: 0, type: "link", from: 1, duplicate: 0.5 },
        { at: 0, type: "shutdown", host: 0 },
      ] satisfies Fault[]
    ).map(describeFault);
    expect(lines).toEqual([
      "crash host 1",
      "restart zk",
      "pause host 2 for 300 ms",
      "partition [0,1] | [2,zk]",
      "cut host 0 -> host 1",
      "cut host 0 <-> host 1",
      "isolate host 0",
      "heal the network",
      "clog host 1 -> zk for 50 ms",
      'link * -> *: loss 0.1, delay {"kind":"constant","ms":2}',
      "link host 1 -> *: duplicate 0.5",
      "controlled shutdown of host 0",
    ]);
  });
});
