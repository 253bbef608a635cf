/**
 * The kernel's event queue: events ordered by (time, insertion sequence).
 *
 * Layout: every event lives in a numbered slot of parallel typed arrays (no object per event).
 * Ordering uses a timing wheel of 1 ms buckets over a 4,096 ms horizon (O(1) insert into an
 * unsorted bucket list), a small binary heap for the bucket being drained (so events at equal or
 * nearby times come out in exact (time, seq) order), and an overflow heap for events beyond the
 * horizon, migrated into the wheel as time approaches them. A bitmap of non-empty buckets lets
 * the queue skip idle stretches of virtual time without scanning bucket by bucket.
 *
 * Why not one binary heap: at 100k live events a heap walks ~17 levels of random memory per
 * operation; here the common case touches one bucket head and a heap of the events due within
 * the current millisecond.
 */

const WHEEL_BITS = 12;
const WHEEL_SIZE = 1 << WHEEL_BITS; // buckets (1 ms each)
const WHEEL_MASK = WHEEL_SIZE - 1;
const NIL = -1;

/** A min-heap of slot numbers keyed by (time[slot], seq[slot]) from the owning queue. */
class SlotHeap {
  items: Int32Array = new Int32Array(64);
  size = 0;

  constructor(
    private readonly owner: EventQueue,
  ) {}

  push(slot: number): void {
    if (this.size === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    const items = this.items;
    const time = this.owner.time;
    const seq = this.owner.seq;
    const t = time[slot];
    const s = seq[slot];
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      const pt = time[p];
      if (pt < t || (pt === t && seq[p] < s)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = slot;
  }

  peek(): number {
    return this.size === 0 ? NIL : this.items[0];
  }

  pop(): number {
    const items = this.items;
    const top = items[0];
    const last = items[--this.size];
    const n = this.size;
    if (n > 0) {
      const time = this.owner.time;
      const seq = this.owner.seq;
      const t = time[last];
      const s = seq[last];
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        let c = items[child];
        const right = child + 1;
        if (right < n) {
          const r = items[right];
          if (time[r] < time[c] || (time[r] === time[c] && seq[r] < seq[c])) {
            child = right;
            c = r;
          }
        }
        const ct = time[c];
        if (t < ct || (t === ct && s < seq[c])) break;
        items[i] = c;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}

export class EventQueue {
  // Per-slot event fields. Public for the kernel's dispatch loop (read-only outside this file).
  time: Float64Array;
  seq: Float64Array;
  kind: Uint16Array;
  target: Int32Array;
  incarnation: Int32Array;
  a: Float64Array;
  b: Float64Array;
  obj: unknown[];
  generation: Uint32Array;

  private next: Int32Array; // bucket list links
  private freeSlots: Int32Array;
  private freeCount = 0;
  private capacity = 0;
  private nextSeq = 0;

  private readonly bucketHead = new Int32Array(WHEEL_SIZE).fill(NIL);
  private readonly occupied = new Uint32Array(WHEEL_SIZE >> 5);
  private wheelCount = 0;
  /** Absolute bucket number (floor of ms) currently being drained into `current`. */
  private cursor = 0;
  private readonly current: SlotHeap;
  private readonly overflow: SlotHeap;
  private liveCount = 0;

  constructor(initialCapacity = 1024) {
    this.time = new Float64Array(0);
    this.seq = new Float64Array(0);
    this.kind = new Uint16Array(0);
    this.target = new Int32Array(0);
    this.incarnation = new Int32Array(0);
    this.a = new Float64Array(0);
    this.b = new Float64Array(0);
    this.obj = [];
    this.generation = new Uint32Array(0);
    this.next = new Int32Array(0);
    this.freeSlots = new Int32Array(0);
    this.current = new SlotHeap(this);
    this.overflow = new SlotHeap(this);
    this.grow(initialCapacity);
  }

  /** Events scheduled and not yet popped (cancelled ones included until they surface). */
  get size(): number {
    return this.liveCount;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const copy = <T extends Float64Array | Int32Array | Uint16Array | Uint32Array>(src: T, make: (n: number) => T): T => {
      const dst = make(capacity);
      dst.set(src as never);
      return dst;
    };
    this.time = copy(this.time, (n) => new Float64Array(n));
    this.seq = copy(this.seq, (n) => new Float64Array(n));
    this.kind = copy(this.kind, (n) => new Uint16Array(n));
    this.target = copy(this.target, (n) => new Int32Array(n));
    this.incarnation = copy(this.incarnation, (n) => new Int32Array(n));
    this.a = copy(this.a, (n) => new Float64Array(n));
    this.b = copy(this.b, (n) => new Float64Array(n));
    this.generation = copy(this.generation, (n) => new Uint32Array(n));
    this.next = copy(this.next, (n) => new Int32Array(n));
    const free = new Int32Array(capacity);
    free.set(this.freeSlots.subarray(0, this.freeCount));
    // New slots are handed out lowest first.
    for (let s = capacity - 1; s >= old; s--) free[this.freeCount++] = s;
    this.freeSlots = free;
    this.obj.length = capacity;
    this.capacity = capacity;
  }

  /** Stores an event and returns its slot. `time` must not be earlier than the last popped time. */
  push(time: number, kind: number, target: number, incarnation: number, a: number, b: number, obj: unknown): number {
    if (this.freeCount === 0) this.grow(this.capacity * 2);
    const slot = this.freeSlots[--this.freeCount];
    this.time[slot] = time;
    this.seq[slot] = this.nextSeq++;
    this.kind[slot] = kind;
    this.target[slot] = target;
    this.incarnation[slot] = incarnation;
    this.a[slot] = a;
    this.b[slot] = b;
    this.obj[slot] = obj;
    this.liveCount++;
    this.place(slot);
    return slot;
  }

  private place(slot: number): void {
    const bucket = Math.floor(this.time[slot]);
    if (bucket <= this.cursor) {
      this.current.push(slot);
    } else if (bucket - this.cursor < WHEEL_SIZE) {
      const i = bucket & WHEEL_MASK;
      this.next[slot] = this.bucketHead[i];
      this.bucketHead[i] = slot;
      this.occupied[i >> 5] |= 1 << (i & 31);
      this.wheelCount++;
    } else {
      this.overflow.push(slot);
    }
  }

  /** Removes and returns the earliest slot, or -1 when empty. The caller must `release` it. */
  pop(): number {
    if (this.current.size === 0 && !this.advance()) return NIL;
    this.liveCount--;
    return this.current.pop();
  }

  /** Time of the earliest event without removing it (Infinity when empty). */
  peekTime(): number {
    if (this.current.size === 0 && !this.advance()) return Infinity;
    return this.time[this.current.peek()];
  }

  /** Returns a popped slot to the free list; its generation changes so stale handles miss. */
  release(slot: number): void {
    this.obj[slot] = undefined;
    this.generation[slot]++;
    this.freeSlots[this.freeCount++] = slot;
  }

  /** Moves the cursor to the next bucket holding events and loads them into `current`. */
  private advance(): boolean {
    for (;;) {
      if (this.wheelCount === 0) {
        if (this.overflow.size === 0) return false;
        // Nothing in the wheel: jump straight to the overflow's earliest bucket.
        this.cursor = Math.floor(this.time[this.overflow.peek()]) - 1;
        this.migrateOverflow();
        continue;
      }
      const bucket = this.nextOccupied();
      this.cursor = bucket;
      const i = bucket & WHEEL_MASK;
      let slot = this.bucketHead[i];
      this.bucketHead[i] = NIL;
      this.occupied[i >> 5] &= ~(1 << (i & 31));
      while (slot !== NIL) {
        const after = this.next[slot];
        this.current.push(slot);
        this.wheelCount--;
        slot = after;
      }
      this.migrateOverflow();
      if (this.current.size > 0) return true;
    }
  }

  /** Moves overflow events whose bucket now falls inside the wheel's horizon. */
  private migrateOverflow(): void {
    const limit = this.cursor + WHEEL_SIZE;
    while (this.overflow.size > 0) {
      const top = this.overflow.peek();
      if (Math.floor(this.time[top]) >= limit) break;
      this.overflow.pop();
      this.place(top);
    }
  }

  /** Absolute number of the first occupied bucket after the cursor (the wheel is non-empty). */
  private nextOccupied(): number {
    const start = (this.cursor + 1) & WHEEL_MASK;
    let word = start >> 5;
    let bits = this.occupied[word] & (~0 << (start & 31));
    for (let scanned = 0; scanned <= WHEEL_SIZE >> 5; scanned++) {
      if (bits !== 0) {
        const i = (word << 5) | (31 - Math.clz32(bits & -bits));
        const delta = (i - start + WHEEL_SIZE) & WHEEL_MASK;
        return this.cursor + 1 + delta;
      }
      word = (word + 1) & ((WHEEL_SIZE >> 5) - 1);
      bits = this.occupied[word];
    }
    throw new Error("event queue: wheel count positive but no occupied bucket");
  }
}
