/**
 * A leader's held fetches in the order they were held (delayed-fetch.ts): (follower, deadline)
 * pairs in one Float64Array, read from `head`, appended at `end`. A fetch answered before its
 * deadline keeps its pair until the head passes it (the sweep skips it). Memory only: the pairs,
 * their order and when the consumed ones are dropped are what the plain array held before.
 *
 * Why not a plain array grown by push and cut by splice: an idle follower's fetch is held every
 * replica.fetch.wait.max.ms, ~200 holds a second per leader of a 100-broker cluster. Each array
 * grew to ~4,100 numbers between cuts, reallocated about eight times on the way (each copy living
 * long enough to be copied by the scavenger, then promoted), and each splice allocated an array of
 * the ~4,100 numbers it removed. Here the buffer grows only to the most pairs ever pending, and a
 * cut moves the pairs left in place.
 */

/** Consumed numbers (two per pair) before the pairs left are moved to the front, when they are at least half. */
const CUT_AT = 4096;

export class HoldQueue {
  /** Pairs from 0 to `end` (two numbers each): follower, deadline. Zero past `end`. */
  entries: Float64Array;
  /** Position of the first pair not yet consumed (a number index, even). */
  head = 0;
  end = 0;

  /** `buffer`: zeroed, an even length (a settled start's reserved share, broker-tables.ts). */
  constructor(buffer: Float64Array = new Float64Array(128)) {
    this.entries = buffer;
  }

  isEmpty(): boolean {
    return this.head === this.end;
  }

  /** The first pair's follower and deadline (not empty). */
  firstFollower(): number {
    return this.entries[this.head];
  }

  firstDeadline(): number {
    return this.entries[this.head + 1];
  }

  push(follower: number, deadline: number): void {
    let e = this.entries;
    if (this.end === e.length) {
      const grown = new Float64Array(e.length * 2);
      grown.set(e);
      this.entries = e = grown;
    }
    e[this.end] = follower;
    e[this.end + 1] = deadline;
    this.end += 2;
  }

  /** Consumes the first pair. */
  shift(): void {
    this.head += 2;
  }

  /** Drops the consumed pairs once they are many and at least half of what is kept. */
  cut(): void {
    if (this.head <= CUT_AT || this.head * 2 <= this.end) return;
    const e = this.entries;
    e.copyWithin(0, this.head, this.end);
    const left = this.end - this.head;
    e.fill(0, left, this.end);
    this.end = left;
    this.head = 0;
  }
}
