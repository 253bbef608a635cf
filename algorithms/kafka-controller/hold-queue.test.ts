import { describe, expect, it } from "vitest";
import { HoldQueue } from "./hold-queue.ts";

/** What the queue held before hold-queue.ts: a plain array of pairs, a head, and a splice as the cut. */
class PlainQueue {
  q: number[] = [];
  head = 0;
  push(f: number, d: number): void {
    this.q.push(f, d);
  }
  cut(): void {
    if (this.head > 4096 && this.head * 2 > this.q.length) {
      this.q.splice(0, this.head);
      this.head = 0;
    }
  }
}

describe("HoldQueue", () => {
  it("holds the pairs, the head and the cuts the plain array did, through growth and cuts", () => {
    const hq = new HoldQueue();
    const plain = new PlainQueue();
    let now = 0;
    let pushed = 0;
    let cuts = 0;
    let mismatches = 0;
    // Bursts of holds and sweeps of due pairs, long enough for many cuts and a buffer grown past 4,096 numbers.
    for (let round = 0; round < 400; round++) {
      const burst = 5 + ((round * 37) % 23) * (round % 50 === 0 ? 200 : 1);
      for (let k = 0; k < burst; k++) {
        const f = (round * 7 + k) % 100;
        hq.push(f, now + 500);
        plain.push(f, now + 500);
        pushed++;
        now += 1.25;
      }
      while (!hq.isEmpty() && hq.firstDeadline() <= now) {
        if (hq.firstFollower() !== plain.q[plain.head] || hq.firstDeadline() !== plain.q[plain.head + 1]) mismatches++;
        hq.shift();
        plain.head += 2;
      }
      const before = hq.head;
      hq.cut();
      plain.cut();
      const cut = hq.head < before;
      if (cut) cuts++;
      expect(hq.head).toBe(plain.head);
      expect(hq.end).toBe(plain.q.length);
      if (cut || round % 10 === 0) {
        expect(Array.from(hq.entries.subarray(0, hq.end))).toEqual(plain.q);
        expect(hq.entries.subarray(hq.end).every((x) => x === 0)).toBe(true);
      }
    }
    expect(mismatches).toBe(0);
    expect(pushed).toBeGreaterThan(5000);
    expect(cuts).toBeGreaterThan(0);
    expect(hq.entries.length).toBeGreaterThan(4096);
  });
});
