import { describe, expect, it } from "vitest";
import { applyClockSpec, HostClocks } from "./clocks.ts";
import { Kernel } from "./kernel.ts";
import { RandomStream } from "./random.ts";

function setup(hosts = 2) {
  const kernel = new Kernel(hosts);
  return { kernel, clocks: new HostClocks(kernel, hosts) };
}

describe("HostClocks", () => {
  it("by default every clock reads exactly true time and a timer's delay is unchanged", () => {
    const { kernel, clocks } = setup();
    for (const t of [0, 0.1, 0.3, 1234.5678, 1e9 + 0.7]) {
      kernel.runUntil(t);
      expect(clocks.now(1)).toBe(t);
      expect(clocks.trueDelay(1, 0.1)).toBe(0.1);
      expect(clocks.trueDelay(1, 149.99)).toBe(149.99);
    }
  });

  it("an offset shifts the reading; a drift scales elapsed time and timers (d local ms = d / (1 + drift) true ms)", () => {
    const { kernel, clocks } = setup();
    clocks.set(0, 500, 100_000); // 500 ms ahead, 10 % fast
    clocks.set(1, -20, -200_000); // 20 ms behind, 20 % slow
    kernel.runUntil(1000);
    expect(clocks.now(0)).toBeCloseTo(500 + 1100, 9);
    expect(clocks.now(1)).toBeCloseTo(-20 + 800, 9);
    expect(clocks.trueDelay(0, 110)).toBeCloseTo(100, 9);
    expect(clocks.trueDelay(1, 80)).toBeCloseTo(100, 9);
  });

  it("a jump steps the reading (either way) from that instant on", () => {
    const { kernel, clocks } = setup();
    kernel.runUntil(100);
    clocks.jump(0, 5000);
    expect(clocks.now(0)).toBe(5100);
    kernel.runUntil(200);
    expect(clocks.now(0)).toBe(5200);
    clocks.jump(0, -7000);
    expect(clocks.now(0)).toBe(-1800);
    expect(clocks.now(1)).toBe(200); // other hosts untouched
    expect(clocks.trueDelay(0, 50)).toBe(50); // a jump does not change the rate
  });

  it("a drift fault lasts forMs, then the base rate returns, continuously; a timer spanning its end is exact", () => {
    const { kernel, clocks } = setup();
    clocks.set(0, 0, 1000); // base: +1000 ppm
    kernel.runUntil(1000);
    const before = clocks.now(0); // 1001
    clocks.drift(0, -500_000, 100); // half speed for 100 true ms
    expect(clocks.driftPpm(0)).toBeCloseTo(-500_000, 6);
    // 30 local ms inside the window = 60 true ms; 80 local ms = 100 true (50 local) + 30 local at the base rate.
    expect(clocks.trueDelay(0, 30)).toBeCloseTo(60, 9);
    expect(clocks.trueDelay(0, 80)).toBeCloseTo(100 + 30 / 1.001, 9);
    kernel.runUntil(1100);
    expect(clocks.now(0)).toBeCloseTo(before + 50, 9);
    kernel.runUntil(1200);
    expect(clocks.now(0)).toBeCloseTo(before + 50 + 100.1, 9);
    expect(clocks.driftPpm(0)).toBeCloseTo(1000, 6);
  });

  it("a later drift replaces an earlier one, its end too", () => {
    const { kernel, clocks } = setup();
    clocks.drift(0, 100_000, 1000);
    kernel.runUntil(100); // local 110
    clocks.drift(0, -100_000, 100);
    kernel.runUntil(200); // + 90 local
    kernel.runUntil(1000); // + 800 at the base rate (0 ppm): the first window's end no longer matters
    expect(clocks.now(0)).toBeCloseTo(110 + 90 + 800, 9);
  });

  it("refuses a drift that would stop or reverse a clock", () => {
    const { clocks } = setup();
    expect(() => clocks.set(0, 0, -1_000_000)).toThrow(/ppm/);
    expect(() => clocks.drift(0, Number.NaN, 10)).toThrow(/ppm/);
  });

  it("a spec draws ranges per seed from its own stream, fixed values draw nothing, per-host entries override", () => {
    const draw = (seed: number) => {
      const { kernel, clocks } = setup(3);
      const stream = new RandomStream(seed, "clocks");
      applyClockSpec(clocks, { offsetMs: { between: [-50, 50] }, driftPpm: 0, hosts: { 2: { offsetMs: 7, driftPpm: 10 } } }, 3, stream);
      kernel.runUntil(1000);
      return [0, 1, 2].map((h) => clocks.now(h));
    };
    const a = draw(1);
    expect(draw(1)).toEqual(a);
    expect(draw(2)).not.toEqual(a);
    for (const v of a.slice(0, 2)) expect(v >= 950 && v <= 1050).toBe(true);
    expect(a[2]).toBeCloseTo(7 + 1000.01, 9);
    // Fixed values draw nothing from the stream.
    const { clocks } = setup(3);
    const stream = new RandomStream(1, "clocks");
    applyClockSpec(clocks, { offsetMs: 3, driftPpm: 5 }, 3, stream);
    expect(stream.next()).toBe(new RandomStream(1, "clocks").next());
  });
});
