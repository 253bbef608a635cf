import { describe, expect, it } from "vitest";
import { EventQueue, QueueSizes } from "./event-queue.ts";
import { RandomStream } from "./random.ts";

/** Pushes an event whose `a` field carries an id, so pops can be read back as ids. */
function push(q: EventQueue, time: number, id: number): number {
  return q.push(time, 1, 0, 0, id, 0, undefined);
}

/** Pops one event and returns [time, id] (or undefined when empty). */
function pop(q: EventQueue): [number, number] | undefined {
  const slot = q.pop();
  if (slot < 0) return undefined;
  return [q.timeOf(slot), q.aOf(slot)];
}

/** Pushes a full event and returns its handle. */
function schedule(q: EventQueue, time: number, kind: number, target: number, inc: number, a: number, b: number, obj: unknown): number {
  return q.handleOf(q.push(time, kind, target, inc, a, b, obj));
}

/** Pops one event and returns all its fields: [time, kind, target, incarnation, a, b, obj]. */
function popAll(q: EventQueue): [number, number, number, number, number, number, unknown] | undefined {
  const s = q.pop();
  if (s < 0) return undefined;
  return [q.timeOf(s), q.kindOf(s), q.targetOf(s), q.incarnationOf(s), q.aOf(s), q.bOf(s), q.takeObjOf(s)];
}

function drain(q: EventQueue): [number, number][] {
  const out: [number, number][] = [];
  for (let e = pop(q); e !== undefined; e = pop(q)) out.push(e);
  return out;
}

describe("EventQueue", () => {
  it("is empty at first", () => {
    const q = new EventQueue();
    expect(q.size).toBe(0);
    expect(q.pop()).toBe(-1);
    expect(q.peekTime()).toBe(Infinity);
  });

  it("orders by time, then by insertion sequence for equal times", () => {
    const q = new EventQueue();
    push(q, 5, 0);
    push(q, 1.5, 1);
    push(q, 5, 2);
    push(q, 0, 3);
    push(q, 1.5, 4);
    push(q, 1.25, 5);
    push(q, 5, 6);
    push(q, 1.75, 7);
    expect(q.size).toBe(8);
    expect(q.peekTime()).toBe(0);
    expect(drain(q)).toEqual([
      [0, 3],
      [1.25, 5],
      [1.5, 1],
      [1.5, 4],
      [1.75, 7],
      [5, 0],
      [5, 2],
      [5, 6],
    ]);
    expect(q.size).toBe(0);
  });

  it("keeps insertion order among many events at one time across several buckets", () => {
    const q = new EventQueue();
    for (let i = 0; i < 300; i++) push(q, (i % 3) * 1000 + 7, i);
    const got = drain(q);
    const want: [number, number][] = [];
    for (let r = 0; r < 3; r++) for (let i = r; i < 300; i += 3) want.push([r * 1000 + 7, i]);
    expect(got).toEqual(want);
  });

  it("handles events far beyond the 4,096 ms wheel horizon", () => {
    const q = new EventQueue();
    push(q, 1_000_000, 0);
    push(q, 4096, 1);
    push(q, 4095.5, 2);
    push(q, 8192.25, 3);
    push(q, 10, 4);
    push(q, 1_000_000, 5);
    push(q, 4096, 6);
    push(q, 123_456.789, 7);
    push(q, 86_400_000, 8);
    expect(drain(q)).toEqual([
      [10, 4],
      [4095.5, 2],
      [4096, 1],
      [4096, 6],
      [8192.25, 3],
      [123_456.789, 7],
      [1_000_000, 0],
      [1_000_000, 5],
      [86_400_000, 8],
    ]);
  });

  it("pops events at Infinity after every finite one, even finite ones pushed later", () => {
    const q = new EventQueue();
    push(q, Infinity, 0);
    push(q, 5, 1);
    push(q, Infinity, 2);
    expect(pop(q)).toEqual([5, 1]);
    expect(q.peekTime()).toBe(Infinity);
    push(q, 7, 3);
    push(q, 1e9, 4);
    expect(drain(q)).toEqual([
      [7, 3],
      [1e9, 4],
      [Infinity, 0],
      [Infinity, 2],
    ]);
  });

  it("interleaves overflow events with ones scheduled later inside the horizon", () => {
    const q = new EventQueue();
    push(q, 9000, 0); // overflow at cursor 0
    push(q, 4000, 1);
    expect(pop(q)).toEqual([4000, 1]); // cursor now at 4000; 9000 is still beyond its horizon
    push(q, 8999.5, 2);
    push(q, 9000, 3); // equal time, later sequence
    push(q, 20_000, 4); // overflow again
    expect(pop(q)).toEqual([8999.5, 2]);
    push(q, 9000, 5);
    expect(drain(q)).toEqual([
      [9000, 0],
      [9000, 3],
      [9000, 5],
      [20_000, 4],
    ]);
  });

  it("delivers events scheduled at the current time while a bucket drains, after the equal-time ones already queued", () => {
    const q = new EventQueue();
    push(q, 3.2, 0);
    push(q, 3.2, 1);
    push(q, 3.7, 2);
    push(q, 4.1, 3);
    expect(pop(q)).toEqual([3.2, 0]);
    // While draining bucket 3: new events at now, earlier than queued ones in the same bucket.
    push(q, 3.2, 10);
    push(q, 3.5, 11);
    expect(pop(q)).toEqual([3.2, 1]);
    expect(pop(q)).toEqual([3.2, 10]);
    push(q, 3.2, 12);
    expect(drain(q)).toEqual([
      [3.2, 12],
      [3.5, 11],
      [3.7, 2],
      [4.1, 3],
    ]);
  });

  it("accepts events earlier than a bucket loaded by peekTime (clock set back to a smaller `now`)", () => {
    const q = new EventQueue();
    push(q, 500.5, 0);
    expect(q.peekTime()).toBe(500.5); // cursor moves to bucket 500
    push(q, 100, 1); // e.g. runUntil(100) then schedule at now
    push(q, 499.9, 2);
    push(q, 501, 3);
    expect(drain(q)).toEqual([
      [100, 1],
      [499.9, 2],
      [500.5, 0],
      [501, 3],
    ]);
  });

  it("skips long idle stretches and wraps the wheel many times", () => {
    const q = new EventQueue();
    let t = 0;
    const want: [number, number][] = [];
    for (let i = 0; i < 50; i++) {
      t += 4095 + (i % 7) * 1000 + 0.5;
      push(q, t, i);
      want.push([t, i]);
    }
    expect(drain(q)).toEqual(want);
  });

  it("grows past its initial capacity and keeps every field", () => {
    const q = new EventQueue(4);
    const objs: object[] = [];
    for (let i = 0; i < 1000; i++) {
      const o = { i };
      objs.push(o);
      q.push(1000 - i, i % 65536, i * 3, i * 5, i, -i, o);
    }
    expect(q.size).toBe(1000);
    for (let i = 999; i >= 0; i--) {
      const got = popAll(q) ?? [];
      expect(got).toEqual([1000 - i, i, i * 3, i * 5, i, -i, objs[i]]);
      expect(got[6]).toBe(objs[i]);
    }
    expect(q.size).toBe(0);
    expect(q.pop()).toBe(-1);
  });

  it("started at a family's sizes, hands out the same slots and handles in the same order as a queue that grew", () => {
    // Speed only: a world's queue starts where the last one of its shape ended (kernel.ts).
    const trace = (q: EventQueue): number[] => {
      const r = new RandomStream(34, "queue-sizes");
      const out: number[] = [];
      let now = 0;
      for (let i = 0; i < 20_000; i++) {
        const m = r.next();
        if (i % 5000 === 0) {
          // A crowd in one bucket: the run's arrays grow.
          for (let j = 0; j < 300; j++) out.push(q.push(now + 1, 1, 0, 0, -j, 0, undefined));
        } else if (m < 0.55 || q.size === 0) {
          // Past the horizon, into the drained bucket, at +Infinity, or near: all three heaps grow.
          const t = m < 0.1 ? now + 5000 + r.uniform(0, 3000) : m < 0.2 ? now : m < 0.22 ? Infinity : now + r.uniform(0, 40);
          const slot = q.push(t, 1, 0, 0, i, 0, undefined);
          out.push(slot, q.handleOf(slot));
          if (m > 0.5) q.cancel(q.handleOf(slot));
        } else {
          const slot = q.pop();
          out.push(slot, q.aOf(slot), q.kindOf(slot));
          if (q.timeOf(slot) !== Infinity) now = q.timeOf(slot);
        }
      }
      return out;
    };
    const want = trace(new EventQueue(4));
    const sizes = new QueueSizes();
    expect(trace(new EventQueue(4, sizes))).toEqual(want);
    // The family recorded every growth of that queue.
    expect(sizes.slots).toBeGreaterThan(1024);
    expect(sizes.run).toBeGreaterThan(64);
    expect(sizes.late).toBeGreaterThan(64);
    expect(sizes.overflow).toBeGreaterThan(64);
    expect(sizes.infinite).toBeGreaterThan(64);
    const recorded = { ...sizes };
    // A queue of the family starts at those sizes (the same workload never grows it again) and
    // gives exactly the same slots, handles and pops.
    expect(trace(new EventQueue(4, sizes))).toEqual(want);
    expect({ ...sizes }).toEqual(recorded);
  });

  it("keeps every field of events beyond the horizon and of events pushed into the draining bucket", () => {
    const q = new EventQueue(4);
    const o1 = { far: true };
    const o2 = { near: true };
    q.push(10_000.5, 7, 2, 3, 1.25, -2.5, o1);
    q.push(0.5, 8, 4, 5, 6, 7, o2);
    expect(popAll(q)).toEqual([0.5, 8, 4, 5, 6, 7, o2]);
    q.push(0.75, 9, 1, 1, 2, 3, undefined); // into the drained bucket
    expect(popAll(q)).toEqual([0.75, 9, 1, 1, 2, 3, undefined]);
    const far = popAll(q) ?? [];
    expect(far).toEqual([10_000.5, 7, 2, 3, 1.25, -2.5, o1]);
    expect(far[6]).toBe(o1);
    expect(popAll(q)).toBeUndefined();
  });

  it("hands out handles of (generation, slot), reusing popped slots under a new generation", () => {
    const q = new EventQueue(2);
    const SLOTS = 2 ** 26;
    const h1 = q.handleOf(push(q, 1, 0));
    expect(h1 % SLOTS).toBe(0);
    expect(Math.floor(h1 / SLOTS)).toBe(0);
    expect(q.pop()).toBe(0);
    const h2 = q.handleOf(push(q, 2, 1));
    expect(h2 % SLOTS).toBe(0); // the same slot
    expect(Math.floor(h2 / SLOTS)).toBe(1); // a new generation
    const h3 = q.handleOf(push(q, 3, 2));
    expect(h3 % SLOTS).toBe(1);
    expect(Math.floor(h3 / SLOTS)).toBe(0);
  });

  it("cancels by handle: the event pops with kind 0; stale or bogus handles are ignored", () => {
    const q = new EventQueue(2);
    const h1 = schedule(q, 1, 5, 0, 0, 1, 0, undefined);
    expect(q.cancel(h1 + 2 ** 26)).toBe(false); // right slot, wrong generation
    expect(q.cancel(-1)).toBe(false);
    expect(q.cancel(1_000_000)).toBe(false); // slot never used
    expect(q.cancel(1.5)).toBe(false);
    expect(q.cancel(h1)).toBe(true);
    expect(q.size).toBe(1); // cancelled events count until they surface
    expect(popAll(q)).toEqual([1, 0, 0, 0, 1, 0, undefined]);
    expect(q.cancel(h1)).toBe(false); // already popped
    // The slot is reused at a new generation; the old handle no longer reaches it.
    const h2 = schedule(q, 2, 5, 0, 0, 2, 0, undefined);
    expect(h2 % 2 ** 26).toBe(h1 % 2 ** 26);
    expect(q.cancel(h1)).toBe(false);
    expect(popAll(q)).toEqual([2, 5, 0, 0, 2, 0, undefined]);
  });

  it("cancels events beyond the horizon, also after they migrated into the wheel", () => {
    const q = new EventQueue(4);
    const far1 = schedule(q, 20_000, 5, 0, 0, 1, 0, { p: 1 });
    const far2 = schedule(q, 20_001, 5, 0, 0, 2, 0, { p: 2 });
    const far3 = schedule(q, 30_000, 5, 0, 0, 3, 0, { p: 3 });
    q.push(1, 5, 0, 0, 0, 0, undefined);
    expect(q.cancel(far1)).toBe(true); // while in the overflow heap
    expect(q.pop()).toBeGreaterThanOrEqual(0);
    expect(q.peekTime()).toBe(20_000); // far1, far2 migrated into the wheel
    expect(q.cancel(far2)).toBe(true);
    const got: unknown[][] = [];
    for (let e = popAll(q); e !== undefined; e = popAll(q)) got.push([e[0], e[1], e[4], e[6]]);
    expect(got).toEqual([
      [20_000, 0, 1, { p: 1 }],
      [20_001, 0, 2, { p: 2 }],
      [30_000, 5, 3, { p: 3 }],
    ]);
    expect(q.cancel(far3)).toBe(false);
  });

  /**
   * Random pushes (delays from `delay`), peeks and pops (pop share `popShare`), checked against a
   * sorted-array reference at every step. Returns counts showing what the workload exercised.
   */
  function crossCheck(
    seed: number,
    ops: number,
    popShare: number,
    delay: (rng: RandomStream) => number,
  ): { pops: number; maxSize: number; ties: number } {
    const rng = new RandomStream(seed, "event-queue-crosscheck");
    const q = new EventQueue(16);
    // Reference: a sorted array of [time, seq, id].
    const ref: [number, number, number][] = [];
    const insert = (e: [number, number, number]): void => {
      let lo = 0;
      let hi = ref.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const m = ref[mid];
        if (m[0] < e[0] || (m[0] === e[0] && m[1] < e[1])) lo = mid + 1;
        else hi = mid;
      }
      ref.splice(lo, 0, e);
    };
    let now = 0;
    let seq = 0;
    let pops = 0;
    let maxSize = 0;
    let ties = 0;
    const seenTimes = new Set<number>();
    for (let op = 0; op < ops; op++) {
      const r = rng.next();
      if (r >= popShare + 0.05 || ref.length === 0) {
        const time = now + delay(rng);
        if (seenTimes.has(time)) ties++;
        seenTimes.add(time);
        const id = seq++;
        push(q, time, id);
        insert([time, id, id]);
        maxSize = Math.max(maxSize, ref.length);
      } else if (r < 0.05) {
        expect(q.peekTime()).toBe(ref[0][0]);
      } else {
        const want = ref.shift() as [number, number, number];
        const got = pop(q);
        expect(got).toEqual([want[0], want[2]]);
        now = want[0];
        pops++;
      }
      expect(q.size).toBe(ref.length);
    }
    // Drain the rest.
    const rest = drain(q);
    expect(rest).toEqual(ref.map(([t, , id]) => [t, id]));
    return { pops, maxSize, ties };
  }

  it("popUntil pops what peekTime() <= until would, from the run, the late heap and the Infinity heap", () => {
    // Two queues fed alike: one popped by popUntil, the other by peekTime + pop.
    const a = new EventQueue();
    const b = new EventQueue();
    const rng = new RandomStream(7, "pop-until");
    let id = 0;
    let now = 0;
    const got: number[] = [];
    const want: number[] = [];
    for (let round = 0; round < 2000; round++) {
      for (let k = rng.int(0, 3); k > 0; k--) {
        const m = rng.next();
        const t = m < 0.05 ? Infinity : m < 0.3 ? now : now + rng.exponential(20);
        push(a, t, id);
        push(b, t, id++);
      }
      const until = round === 1999 ? Infinity : now + rng.uniform(0, 30);
      for (let s = a.popUntil(until); s >= 0; s = a.popUntil(until)) got.push(a.aOf(s));
      while (b.peekTime() <= until) {
        const s = b.pop();
        if (s < 0) break;
        want.push(b.aOf(s));
      }
      if (until !== Infinity) now = until;
      if (got.length !== want.length) break;
    }
    expect(got).toEqual(want);
    expect(got.length).toBe(id); // the final Infinity drains everything, Infinity events too
    expect(a.popUntil(Infinity)).toBe(-1);
  });

  it("matches a sort-by-(time, seq) reference over 50,000 random pushes and pops", () => {
    // Delay mixture: exactly now, quarter-ms grid (many ties), sub-ms, beyond the horizon.
    const got = crossCheck(20240611, 50_000, 0.4, (rng) => {
      const m = rng.next();
      if (m < 0.1) return 0;
      if (m < 0.5) return rng.int(0, 40) / 4;
      if (m < 0.8) return rng.exponential(50);
      if (m < 0.95) return rng.uniform(3000, 12_000);
      return rng.int(1, 5) * 4096;
    });
    // The workload really exercised ties, growth and many pops.
    expect(got.pops).toBeGreaterThan(10_000);
    expect(got.maxSize).toBeGreaterThan(1000);
    expect(got.ties).toBeGreaterThan(1000);
  });

  it("matches the reference with crowded buckets (sorted runs, ties, events pushed into the drained bucket)", () => {
    // Thousands of live events within a few ms: hundreds per 1/8 ms bucket, times on a fine grid
    // (exact ties across chunks) or continuous (ties within 1/65536 of a bucket unlikely but near).
    const got = crossCheck(7, 60_000, 0.45, (rng) => {
      const m = rng.next();
      if (m < 0.05) return 0;
      if (m < 0.5) return rng.int(0, 48) / 64;
      if (m < 0.9) return rng.uniform(0, 3);
      return rng.uniform(0, 0.001);
    });
    expect(got.pops).toBeGreaterThan(20_000);
    expect(got.maxSize).toBeGreaterThan(2000);
    expect(got.ties).toBeGreaterThan(1500);
  });

  it("orders many events at one exact time by insertion, across chunks and sorts", () => {
    const q = new EventQueue(4);
    for (let i = 0; i < 500; i++) push(q, 10 + (i % 2) * 0.0000001, i); // two times, alternating
    push(q, 9.99, 500);
    const got = drain(q).map(([, id]) => id);
    const want = [500, ...Array.from({ length: 250 }, (_, i) => 2 * i), ...Array.from({ length: 250 }, (_, i) => 2 * i + 1)];
    expect(got).toEqual(want);
  });
});
