import { describe, expect, it } from "vitest";
import { RandomStream } from "./random.ts";
import { STANDARD_WINDOWS_MS, WindowSeries } from "./window-series.ts";

/** Buckets 0:1, 5:3, 9:2, 10:1, 15:4, 150:10, 1005:7, 1999:1 (29 in all). */
function handMade(): WindowSeries {
  const s = new WindowSeries();
  s.add(0);
  s.add(5, 3);
  s.add(9.9, 2);
  s.add(10);
  s.add(15.2, 4);
  for (let i = 0; i < 10; i++) s.add(150 + i / 10);
  s.add(1005.5, 7);
  s.add(1999.999);
  return s;
}

/** The documented semantics, by brute force: windows of w buckets starting in [from, to). */
function bruteForcePeak(s: WindowSeries, w: number, from: number, to: number): { count: number; at: number } {
  let best = 0;
  let at = from;
  for (let start = from; start < Math.min(to, s.lastBucket + 1); start++) {
    let c = 0;
    for (let b = start; b < start + w; b++) c += s.at(b);
    if (c > best) {
      best = c;
      at = start;
    }
  }
  return { count: best, at };
}

describe("WindowSeries", () => {
  it("starts empty", () => {
    const s = new WindowSeries();
    expect(s.total).toBe(0);
    expect(s.lastBucket).toBe(-1);
    expect(s.at(0)).toBe(0);
    expect(s.sum(0, 1e6)).toBe(0);
    expect(s.peak(10)).toEqual({ windowMs: 10, count: 0, at: 0, perSecond: 0 });
  });

  it("counts per 1 ms bucket (floor), with totals and sums over [from, to)", () => {
    const s = handMade();
    expect(s.total).toBe(29);
    expect(s.lastBucket).toBe(1999);
    expect([s.at(0), s.at(5), s.at(9), s.at(9.5), s.at(10), s.at(15), s.at(150), s.at(1005), s.at(1999)]).toEqual([
      1, 3, 2, 2, 1, 4, 10, 7, 1,
    ]);
    expect(s.at(1)).toBe(0);
    expect(s.at(2000)).toBe(0);
    expect(s.sum(0, 10)).toBe(6);
    expect(s.sum(0, 10.5)).toBe(7); // ceil(to): bucket 10 counts
    expect(s.sum(5, 16)).toBe(10);
    expect(s.sum(16, 150)).toBe(0);
    expect(s.sum(150, 151)).toBe(10);
    expect(s.sum(-100, 1e9)).toBe(29);
    expect(s.sum(1005, 1005)).toBe(0);
  });

  it("finds exact peaks in 10, 100 and 1000 ms windows", () => {
    const s = handMade();
    expect(STANDARD_WINDOWS_MS).toEqual([10, 100, 1000]);
    // 10 ms: bucket 150 alone (10); the first window holding it starts at 141.
    expect(s.peak(10)).toEqual({ windowMs: 10, count: 10, at: 141, perSecond: 1000 });
    // 100 ms: [0, 100) holds 1 + 3 + 2 + 1 + 4 = 11; no 100 ms window holds both 15 and 150.
    expect(s.peak(100)).toEqual({ windowMs: 100, count: 11, at: 0, perSecond: 110 });
    // 1000 ms: [6, 1006) holds 2 + 1 + 4 + 10 + 7 = 24.
    expect(s.peak(1000)).toEqual({ windowMs: 1000, count: 24, at: 6, perSecond: 24 });
  });

  it("restricts peaks to windows starting within [from, to)", () => {
    const s = handMade();
    expect(s.peak(10, 200, 2000)).toEqual({ windowMs: 10, count: 7, at: 996, perSecond: 700 });
    expect(s.peak(10, 11, 16)).toEqual({ windowMs: 10, count: 4, at: 11, perSecond: 400 });
    expect(s.peak(10, 16, 141)).toEqual({ windowMs: 10, count: 0, at: 16, perSecond: 0 });
    // A window starting before `to` may reach past it (documented semantics).
    expect(s.peak(10, 16, 142)).toEqual({ windowMs: 10, count: 10, at: 141, perSecond: 1000 });
    expect(s.peak(100, 0, 100)).toEqual({ windowMs: 100, count: 11, at: 0, perSecond: 110 });
    expect(s.peak(100, 1, 100)).toEqual({ windowMs: 100, count: 10, at: 1, perSecond: 100 });
    expect(s.peak(1000, 7, 11)).toEqual({ windowMs: 1000, count: 24, at: 7, perSecond: 24 });
    expect(s.peak(1000, 11, 1001)).toEqual({ windowMs: 1000, count: 21, at: 11, perSecond: 21 });
    expect(s.peak(1000, 1001, 5000)).toEqual({ windowMs: 1000, count: 8, at: 1001, perSecond: 8 });
    expect(s.peak(10, 3000, 4000)).toEqual({ windowMs: 10, count: 0, at: 3000, perSecond: 0 });
  });

  it("rounds the window to whole milliseconds, at least one", () => {
    const s = handMade();
    expect(s.peak(0.2)).toEqual({ windowMs: 1, count: 10, at: 150, perSecond: 10_000 });
    expect(s.peak(9.6)).toEqual(s.peak(10));
  });

  it("reports the first of several equal peaks", () => {
    const s = new WindowSeries();
    s.add(20, 5);
    s.add(40, 5);
    expect(s.peak(10)).toEqual({ windowMs: 10, count: 5, at: 11, perSecond: 500 });
    expect(s.peak(10, 12)).toEqual({ windowMs: 10, count: 5, at: 12, perSecond: 500 });
    expect(s.peak(10, 21)).toEqual({ windowMs: 10, count: 5, at: 31, perSecond: 500 });
  });

  it("handles chunk boundaries and sparse, far-away times", () => {
    const s = new WindowSeries();
    s.add(4095, 2);
    s.add(4096, 3);
    s.add(1_000_000.5, 4);
    expect(s.at(4095)).toBe(2);
    expect(s.at(4096)).toBe(3);
    expect(s.at(1_000_000)).toBe(4);
    expect(s.lastBucket).toBe(1_000_000);
    expect(s.sum(0, 1_000_001)).toBe(9);
    expect(s.sum(4096, 999_999)).toBe(3);
    expect(s.peak(2)).toEqual({ windowMs: 2, count: 5, at: 4095, perSecond: 2500 });
    expect(s.peak(10, 5000)).toEqual({ windowMs: 10, count: 4, at: 999_991, perSecond: 400 });
  });

  it("matches a brute-force peak on random series", () => {
    const rng = new RandomStream(99, "window-series");
    for (let round = 0; round < 30; round++) {
      const s = new WindowSeries();
      const span = rng.int(1, 6000);
      const n = rng.int(0, 400);
      for (let i = 0; i < n; i++) s.add(rng.uniform(0, span), rng.int(1, 5));
      for (const w of [1, 3, 10, 100, 1000]) {
        const from = rng.int(0, span);
        const to = from + rng.int(0, span);
        const got = s.peak(w, from, to);
        const want = bruteForcePeak(s, w, from, to);
        expect([got.count, got.at]).toEqual([want.count, want.at]);
        const whole = s.peak(w);
        const wantWhole = bruteForcePeak(s, w, 0, s.lastBucket + 1);
        expect([whole.count, whole.at]).toEqual([wantWhole.count, wantWhole.at]);
      }
    }
  });

  it("peakCounts3 gives peak().count of each of its three windows", () => {
    const rng = new RandomStream(7, "window-series-3");
    const out = new Float64Array(3);
    for (let round = 0; round < 40; round++) {
      const s = new WindowSeries();
      const span = rng.int(1, 6000);
      const n = rng.int(0, 400);
      for (let i = 0; i < n; i++) s.add(rng.uniform(0, span), rng.int(1, 5));
      const [w1, w2, w3] = round % 2 === 0 ? STANDARD_WINDOWS_MS : [rng.int(1, 50), rng.int(1, 500), rng.int(1, 3000)];
      const from = rng.int(0, span);
      const to = from + rng.int(0, span);
      s.peakCounts3(w1, w2, w3, out, from, to);
      expect(Array.from(out)).toEqual([s.peak(w1, from, to).count, s.peak(w2, from, to).count, s.peak(w3, from, to).count]);
      s.peakCounts3(w1, w2, w3, out);
      expect(Array.from(out)).toEqual([s.peak(w1).count, s.peak(w2).count, s.peak(w3).count]);
    }
  });

  it("time-ordered adds (the buckets noted as they open) and the same adds shuffled give the same peaks", () => {
    const rng = new RandomStream(7, "window-series-ordered");
    for (let round = 0; round < 20; round++) {
      const times: number[] = [];
      let t = 0;
      for (let i = rng.int(0, 300); i > 0; i--) times.push((t += rng.uniform(0, 40)));
      const ordered = new WindowSeries();
      for (const x of times) ordered.add(x);
      const shuffled = new WindowSeries();
      for (const x of [...times].reverse()) shuffled.add(x);
      for (const w of [1, 10, 100, 1000]) {
        expect(ordered.peak(w)).toEqual(shuffled.peak(w));
        expect(ordered.peak(w)).toEqual(bruteForcePeakOf(ordered, w));
      }
      for (let k = 0; k < 10; k++) {
        const from = rng.uniform(0, t + 10);
        const to = from + rng.uniform(0, t);
        expect(ordered.sum(from, to)).toBe(shuffled.sum(from, to));
        expect(ordered.at(from)).toBe(shuffled.at(from));
      }
      expect([ordered.total, ordered.lastBucket]).toEqual([shuffled.total, shuffled.lastBucket]);
    }
  });

  it("a peak read between adds sees the later adds (its index of non-empty buckets is rebuilt)", () => {
    const s = new WindowSeries();
    s.add(5, 2);
    expect(s.peak(10).count).toBe(2);
    s.add(7, 3);
    expect(s.peak(10)).toEqual({ windowMs: 10, count: 5, at: 0, perSecond: 500 });
    s.add(500, 9);
    expect(s.peak(10)).toEqual({ windowMs: 10, count: 9, at: 491, perSecond: 900 });
  });
});

function bruteForcePeakOf(s: WindowSeries, w: number): { windowMs: number; count: number; at: number; perSecond: number } {
  const p = bruteForcePeak(s, w, 0, s.lastBucket + 1);
  return { windowMs: w, count: p.count, at: p.at, perSecond: (p.count * 1000) / w };
}
