/**
 * The kernel's event queue: events ordered by (time, insertion sequence).
 *
 * Ordering uses a timing wheel of 1/4 ms buckets over a 4,096 ms horizon (O(1) insert into an
 * unsorted bucket) and an overflow heap for events beyond the horizon, migrated into the wheel as
 * time approaches them. A bitmap of non-empty buckets lets the queue skip idle stretches of
 * virtual time without scanning bucket by bucket. The bucket being drained becomes the "run": its
 * events sorted once by (time, seq) — read in insertion order, radix sorted on the time's position
 * within the bucket, then an insertion pass orders the times that share a radix key (both stable,
 * so equal times stay in insertion order) — and popped in order. Events scheduled into or before
 * the drained bucket after that go to a small heap, merged on pop. Events at +Infinity wait in a
 * heap of their own and run after every finite one.
 *
 * Why not one binary heap: at 100k live events a heap walks ~17 levels of memory per operation,
 * with a mispredicted branch at most of them; here the common case links an event into a bucket
 * and later takes the next element of a sorted array.
 *
 * Memory layout: no object per event. Each event lives in a slot, a 48-byte record in one
 * ArrayBuffer viewed as doubles (time, a, b, seq) and as int32s (kind and flags, target,
 * incarnation, generation), plus a payload object, if any, in a parallel array. Slots are reused
 * last-freed-first, so the record a push writes is usually still in the cache from the pop before.
 * A wheel bucket is a list linked through a separate compact array of slot numbers: draining a
 * bucket follows that small array and reads each record once, with no read depending on another
 * record, so the memory system overlaps the misses; the records are then in the cache for their
 * pops. The heaps hold (time, seq, slot) in their own arrays.
 *
 * Handles are generation * 2^26 + slot; a slot's generation changes when its event is popped, so
 * a stale handle never reaches a newer event in the same slot.
 */

/** Buckets per millisecond of virtual time (a power of two, so `time * BUCKETS_PER_MS` is exact). */
const BUCKETS_PER_MS = 4;
const WHEEL_BITS = 14;
const WHEEL_SIZE = 1 << WHEEL_BITS; // buckets: a 4,096 ms horizon
const WHEEL_MASK = WHEEL_SIZE - 1;
/** Runs longer than this are radix sorted before the insertion pass. */
const INSERTION_SORT_MAX = 24;
/** Radix sort: two passes of 8 bits over a 16-bit key, the time's position within its bucket. */
const RADIX_BITS = 8;
const RADIX = 1 << RADIX_BITS;
const KEY_SCALE = 1 << (2 * RADIX_BITS);
// Slot record: 48 bytes = 6 doubles = 12 int32s. Time first and seq last: reading both when a
// bucket is drained brings the whole record into the cache (a record may straddle two lines).
const F64_STRIDE = 6;
const I32_STRIDE = 12;
const F_TIME = 0;
const F_A = 1;
const F_B = 2;
const I_KIND = 6; // int32 words 6..9 are bytes 24..39; the kind and flags
const I_TARGET = 7;
const I_INCARNATION = 8;
const I_GENERATION = 9;
const F_SEQ = 5;
// The kind word: the kind in its low 16 bits (kinds are below 2^16), and two flags.
const KIND_MASK = 0xffff;
const HAS_OBJ = 1 << 16; // the event carries a payload object (in `objs`)
const QUEUED = 1 << 17; // from push until pop
const NIL = -1;
/** A cancelled event pops with this kind. */
const CANCELLED = 0;
/** Handles are generation * SLOT_SPACE + slot: up to 2^26 live events. */
const SLOT_SPACE = 1 << 26;
/** Generations wrap below 2^27 so that handles stay exact doubles (below 2^53). */
const GENERATION_MASK = (1 << 27) - 1;

/** Turns digit counts into the index of each digit's first place. */
function prefixSums(counts: Int32Array): void {
  let sum = 0;
  for (let d = 0; d < counts.length; d++) {
    const c = counts[d];
    counts[d] = sum;
    sum += c;
  }
}

/** A binary min-heap of slots keyed by (time, seq), the keys stored alongside the slot. */
class KeyedHeap {
  time: Float64Array;
  seq: Float64Array;
  slot: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.slot = new Int32Array(capacity);
  }

  /** Doubles the arrays (the queue calls it when a push would not fit) and returns the new capacity. */
  grow(): number {
    const n = this.time.length * 2;
    const time = new Float64Array(n);
    const seq = new Float64Array(n);
    const slot = new Int32Array(n);
    time.set(this.time);
    seq.set(this.seq);
    slot.set(this.slot);
    this.time = time;
    this.seq = seq;
    this.slot = slot;
    return n;
  }

  /** Adds a key and its slot; there must be room (`size` below the arrays' length). */
  push(t: number, s: number, v: number): void {
    const time = this.time;
    const seq = this.seq;
    const slot = this.slot;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = time[parent];
      if (pt < t || (pt === t && seq[parent] < s)) break;
      time[i] = pt;
      seq[i] = seq[parent];
      slot[i] = slot[parent];
      i = parent;
    }
    time[i] = t;
    seq[i] = s;
    slot[i] = v;
  }

  /** Removes the top and returns its slot (the heap must not be empty). */
  pop(): number {
    const time = this.time;
    const seq = this.seq;
    const slot = this.slot;
    const top = slot[0];
    const n = --this.size;
    if (n > 0) {
      const t = time[n];
      const s = seq[n];
      const v = slot[n];
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        const right = child + 1;
        if (right < n && (time[right] < time[child] || (time[right] === time[child] && seq[right] < seq[child]))) {
          child = right;
        }
        const ct = time[child];
        if (t < ct || (t === ct && s < seq[child])) break;
        time[i] = ct;
        seq[i] = seq[child];
        slot[i] = slot[child];
        i = child;
      }
      time[i] = t;
      seq[i] = s;
      slot[i] = v;
    }
    return top;
  }
}

/**
 * The sizes a family of queues grew to (slots, run, the three heaps): a queue given a record starts
 * at its sizes and raises them as it grows, so the next queue of the same family starts where the
 * last one ended instead of doubling up from 1,024 slots again. The kernel keeps one record per
 * host count (kernel.ts). Why: a bench cell's queue doubled from 1,024 to 65,536 slots in every
 * run, each step a fresh buffer whose pages fault in and a copy of the old (8-34 ms of a
 * kafka-controller 10k run, stop 34). Speed only: the order of events is (time, seq) whatever the
 * sizes, and slots are handed out in the same order (lowest first, last freed first) from a
 * larger start as through the doublings.
 */
export class QueueSizes {
  slots = 1024;
  run = 64;
  late = 64;
  overflow = 64;
  infinite = 64;
}

export class EventQueue {
  // ---- slots: event records ----
  private f64: Float64Array;
  private i32: Int32Array;
  /**
   * Payloads by slot, kept packed (grown by push, never holey) and only as long as the highest slot
   * that carried one (fresh slots come lowest first, so it grows by appending, in the optimized
   * `push`). Filling it to the capacity in `grow` was a loop of up to 65,536 pushes a world in
   * code that runs too rarely to be optimized (stop 34).
   */
  private readonly objs: unknown[] = [];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private capacity = 0;
  private nextSeq = 0;
  private liveCount = 0;

  // ---- the wheel ----
  /** Per bucket: its newest slot; the list continues through `next`. */
  private readonly bucketHead = new Int32Array(WHEEL_SIZE).fill(NIL);
  private next: Int32Array;
  private readonly occupied = new Uint32Array(WHEEL_SIZE >> 5);
  private wheelCount = 0;
  /** Absolute number of the bucket being drained (floor of time * BUCKETS_PER_MS). */
  private cursor = 0;

  // ---- the run: the drained bucket's events sorted by (time, seq), popped from runPos on ----
  private runTime: Float64Array;
  private runSeq: Float64Array;
  private runSlot: Int32Array;
  private runLength = 0;
  private runPos = 0;
  // Scratch for sorting the run.
  private sortTime: Float64Array;
  private sortSeq: Float64Array;
  private sortSlot: Int32Array;
  private runKey: Int32Array;
  private sortKey: Int32Array;
  private readonly digitCount = new Int32Array(RADIX);

  // ---- heaps ----
  /** Events scheduled into or before the drained bucket after it was sorted. */
  private readonly late: KeyedHeap;
  /** Events beyond the wheel's horizon. */
  private readonly overflow: KeyedHeap;
  /** Bucket of the overflow's earliest event (Infinity when it is empty). */
  private overflowBucket = Infinity;
  /** Events at +Infinity: they run after every finite one, in insertion order. */
  private readonly infinite: KeyedHeap;

  /**
   * `initialCapacity` slots, or with `sizes` the sizes its family grew to (at least
   * `initialCapacity`), raised there as this queue grows.
   */
  constructor(initialCapacity = 1024, private readonly sizes?: QueueSizes) {
    const run = sizes?.run ?? 64;
    this.runTime = new Float64Array(run);
    this.runSeq = new Float64Array(run);
    this.runSlot = new Int32Array(run);
    this.sortTime = new Float64Array(run);
    this.sortSeq = new Float64Array(run);
    this.sortSlot = new Int32Array(run);
    this.runKey = new Int32Array(run);
    this.sortKey = new Int32Array(run);
    this.late = new KeyedHeap(sizes?.late ?? 64);
    this.overflow = new KeyedHeap(sizes?.overflow ?? 64);
    this.infinite = new KeyedHeap(sizes?.infinite ?? 64);
    this.f64 = new Float64Array(0);
    this.i32 = new Int32Array(0);
    this.next = new Int32Array(0);
    this.freeSlots = new Int32Array(0);
    this.grow(Math.max(1, initialCapacity, sizes?.slots ?? 0));
  }

  /** Events scheduled and not yet popped (cancelled ones included until they surface). */
  get size(): number {
    return this.liveCount;
  }

  /**
   * Stores an event and returns its slot (see `handleOf`). `time` must not be earlier than the
   * last popped time; `kind` is below 2^16 (0 reads as cancelled).
   */
  push(time: number, kind: number, target: number, incarnation: number, a: number, b: number, obj: unknown): number {
    if (this.freeCount === 0) this.grow(this.capacity * 2);
    const slot = this.freeSlots[--this.freeCount];
    const seq = this.nextSeq++;
    this.liveCount++;
    const f = slot * F64_STRIDE;
    const f64 = this.f64;
    f64[f + F_TIME] = time;
    f64[f + F_SEQ] = seq;
    f64[f + F_A] = a;
    f64[f + F_B] = b;
    const w = slot * I32_STRIDE;
    const i32 = this.i32;
    i32[w + I_TARGET] = target;
    i32[w + I_INCARNATION] = incarnation;
    if (obj === undefined) {
      i32[w + I_KIND] = kind | QUEUED;
    } else {
      i32[w + I_KIND] = kind | QUEUED | HAS_OBJ;
      const objs = this.objs;
      if (slot < objs.length) objs[slot] = obj;
      else this.appendObj(slot, obj);
    }
    const bucket = Math.floor(time * BUCKETS_PER_MS);
    if (bucket <= this.cursor) {
      const late = this.late;
      if (late.size === late.time.length) this.growLate();
      late.push(time, seq, slot);
    } else if (bucket - this.cursor < WHEEL_SIZE) {
      this.link(bucket, slot);
    } else if (time === Infinity) {
      const infinite = this.infinite;
      if (infinite.size === infinite.time.length) this.growInfinite();
      infinite.push(time, seq, slot);
    } else {
      const overflow = this.overflow;
      if (overflow.size === overflow.time.length) this.growOverflow();
      overflow.push(time, seq, slot);
      if (bucket < this.overflowBucket) this.overflowBucket = bucket;
    }
    return slot;
  }

  // A heap's growth, recorded in the family's sizes (three methods: a field chosen by name would
  // make the call sites polymorphic in a key).
  private growLate(): void {
    const n = this.late.grow();
    if (this.sizes !== undefined && n > this.sizes.late) this.sizes.late = n;
  }

  private growOverflow(): void {
    const n = this.overflow.grow();
    if (this.sizes !== undefined && n > this.sizes.overflow) this.sizes.overflow = n;
  }

  private growInfinite(): void {
    const n = this.infinite.grow();
    if (this.sizes !== undefined && n > this.sizes.infinite) this.sizes.infinite = n;
  }

  /**
   * The handle (for `cancel`) of the event in `slot`. Push returns the slot, a small integer, and
   * the handle is composed here: a handle is a double, and returning one from a call that is not
   * inlined costs an allocation.
   */
  handleOf(slot: number): number {
    return this.i32[slot * I32_STRIDE + I_GENERATION] * SLOT_SPACE + slot;
  }

  /**
   * Cancels the event of `handle` if it is still queued: it will pop with kind 0. A handle whose
   * event already popped is ignored (its slot may hold a newer event, under a new generation).
   * Returns whether it cancelled.
   */
  cancel(handle: number): boolean {
    const slot = handle % SLOT_SPACE;
    if (!(slot >= 0 && slot < this.capacity)) return false;
    const w = slot * I32_STRIDE;
    const i32 = this.i32;
    const word = i32[w + I_KIND];
    if ((word & QUEUED) === 0 || i32[w + I_GENERATION] !== (handle - slot) / SLOT_SPACE) return false;
    i32[w + I_KIND] = (word & ~KIND_MASK) | CANCELLED;
    return true;
  }

  /**
   * Removes the earliest event and returns its slot, whose fields (`timeOf`, `kindOf`, ...) can be
   * read until the next push (which may reuse the slot); -1 when the queue is empty.
   */
  pop(): number {
    let slot: number;
    if (this.runPos < this.runLength || this.late.size > 0 || this.advance()) {
      const p = this.runPos;
      if (p < this.runLength && (this.late.size === 0 || this.runGoesFirst(p))) {
        slot = this.runSlot[p];
        this.runPos = p + 1;
      } else {
        slot = this.late.pop();
      }
    } else if (this.infinite.size > 0) {
      slot = this.infinite.pop();
    } else {
      return NIL;
    }
    return this.taken(slot);
  }

  /**
   * `pop` if the earliest event is due at or before `until` (`peekTime() <= until ? pop() : -1` in
   * one call: the kernel's loop pays one call and one look at the run per event).
   */
  popUntil(until: number): number {
    let slot: number;
    if (this.runPos < this.runLength || this.late.size > 0 || this.advance()) {
      const p = this.runPos;
      if (p < this.runLength && (this.late.size === 0 || this.runGoesFirst(p))) {
        if (this.runTime[p] > until) return NIL;
        slot = this.runSlot[p];
        this.runPos = p + 1;
      } else {
        if (this.late.time[0] > until) return NIL;
        slot = this.late.pop();
      }
    } else if (this.infinite.size > 0 && until === Infinity) {
      slot = this.infinite.pop();
    } else {
      return NIL;
    }
    return this.taken(slot);
  }

  /** Bookkeeping of a slot just removed from the order; returns it. */
  private taken(slot: number): number {
    this.liveCount--;
    // Free the slot; its next event gets a new generation, so this event's handle goes stale.
    const w = slot * I32_STRIDE;
    const i32 = this.i32;
    i32[w + I_KIND] &= ~QUEUED;
    i32[w + I_GENERATION] = (i32[w + I_GENERATION] + 1) & GENERATION_MASK;
    this.freeSlots[this.freeCount++] = slot;
    return slot;
  }

  /** Time of the earliest event without removing it (Infinity when empty). */
  peekTime(): number {
    if (this.runPos === this.runLength && this.late.size === 0 && !this.advance()) return Infinity;
    const late = this.late;
    if (this.runPos === this.runLength) return late.time[0];
    const t = this.runTime[this.runPos];
    return late.size > 0 && late.time[0] < t ? late.time[0] : t;
  }

  // ---- the fields of a popped slot ----

  timeOf(slot: number): number {
    return this.f64[slot * F64_STRIDE + F_TIME];
  }

  /** The event's kind; 0 when it was cancelled. */
  kindOf(slot: number): number {
    return this.i32[slot * I32_STRIDE + I_KIND] & KIND_MASK;
  }

  targetOf(slot: number): number {
    return this.i32[slot * I32_STRIDE + I_TARGET];
  }

  incarnationOf(slot: number): number {
    return this.i32[slot * I32_STRIDE + I_INCARNATION];
  }

  aOf(slot: number): number {
    return this.f64[slot * F64_STRIDE + F_A];
  }

  bOf(slot: number): number {
    return this.f64[slot * F64_STRIDE + F_B];
  }

  /** The payload object (read it once: this also drops the queue's reference). */
  takeObjOf(slot: number): unknown {
    if ((this.i32[slot * I32_STRIDE + I_KIND] & HAS_OBJ) === 0) return undefined;
    const obj = this.objs[slot];
    this.objs[slot] = undefined;
    return obj;
  }

  // ---- storage ----

  /** Stores the payload of a slot at or past the end of `objs`, padding with undefined (packed). */
  private appendObj(slot: number, obj: unknown): void {
    const objs = this.objs;
    while (objs.length < slot) objs.push(undefined);
    objs.push(obj);
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const records = new ArrayBuffer(capacity * F64_STRIDE * Float64Array.BYTES_PER_ELEMENT);
    const f64 = new Float64Array(records);
    f64.set(this.f64);
    this.f64 = f64;
    this.i32 = new Int32Array(records);
    const next = new Int32Array(capacity);
    next.set(this.next);
    this.next = next;
    const free = new Int32Array(capacity);
    free.set(this.freeSlots.subarray(0, this.freeCount));
    // New slots are handed out lowest first.
    for (let s = capacity - 1; s >= old; s--) free[this.freeCount++] = s;
    this.freeSlots = free;
    this.capacity = capacity;
    if (this.sizes !== undefined && capacity > this.sizes.slots) this.sizes.slots = capacity;
  }

  /** Adds a slot to a wheel bucket after the cursor. */
  private link(bucket: number, slot: number): void {
    const i = bucket & WHEEL_MASK;
    this.next[slot] = this.bucketHead[i];
    this.bucketHead[i] = slot;
    this.occupied[i >> 5] |= 1 << (i & 31);
    this.wheelCount++;
  }

  // ---- ordering ----

  /** Whether the run's event at `p` comes before the late heap's top (which exists). */
  private runGoesFirst(p: number): boolean {
    const t = this.runTime[p];
    const lt = this.late.time[0];
    return t < lt || (t === lt && this.runSeq[p] < this.late.seq[0]);
  }

  /** Moves the cursor to the next bucket holding events and loads it as the run. */
  private advance(): boolean {
    for (;;) {
      if (this.wheelCount === 0) {
        if (this.overflow.size === 0) return false;
        // Nothing in the wheel: jump straight to the overflow's earliest bucket.
        this.cursor = this.overflowBucket - 1;
        this.migrateOverflow();
        continue;
      }
      const bucket = this.nextOccupied();
      this.cursor = bucket;
      this.loadRun(bucket);
      this.migrateOverflow();
      if (this.runLength > 0 || this.late.size > 0) return true;
    }
  }

  /** Makes a bucket's events the run, sorted by (time, seq). */
  private loadRun(bucket: number): void {
    const i = bucket & WHEEL_MASK;
    let slot = this.bucketHead[i];
    this.bucketHead[i] = NIL;
    this.occupied[i >> 5] &= ~(1 << (i & 31));
    const { f64, next } = this;
    let n = 0;
    for (; slot !== NIL; slot = next[slot]) {
      if (n === this.runTime.length) this.growRun(n * 2);
      this.runTime[n] = f64[slot * F64_STRIDE + F_TIME];
      this.runSeq[n] = f64[slot * F64_STRIDE + F_SEQ];
      this.runSlot[n++] = slot;
    }
    this.wheelCount -= n;
    // The list runs newest first: reverse it into insertion order.
    const { runTime, runSeq, runSlot } = this;
    for (let lo = 0, hi = n - 1; lo < hi; lo++, hi--) {
      const t = runTime[lo];
      runTime[lo] = runTime[hi];
      runTime[hi] = t;
      const s = runSeq[lo];
      runSeq[lo] = runSeq[hi];
      runSeq[hi] = s;
      const v = runSlot[lo];
      runSlot[lo] = runSlot[hi];
      runSlot[hi] = v;
    }
    this.runLength = n;
    this.runPos = 0;
    if (n > INSERTION_SORT_MAX) this.radixSortRun(bucket, n);
    if (n > 1) this.insertionSortRun(n);
  }

  /**
   * Stable sort of the run by a 16-bit key, the time's position within the bucket (exact: the
   * bucket's start and the time differ by less than a bucket). Leaves it ordered by time up to
   * 1/65536 of a bucket, and in seq order among equal times.
   */
  private radixSortRun(bucket: number, n: number): void {
    const { runTime, runSeq, runSlot, runKey, sortTime, sortSeq, sortSlot, sortKey, digitCount } = this;
    for (let i = 0; i < n; i++) runKey[i] = ((runTime[i] * BUCKETS_PER_MS - bucket) * KEY_SCALE) | 0;
    // Low digit: run -> scratch.
    digitCount.fill(0);
    for (let i = 0; i < n; i++) digitCount[runKey[i] & (RADIX - 1)]++;
    prefixSums(digitCount);
    for (let i = 0; i < n; i++) {
      const j = digitCount[runKey[i] & (RADIX - 1)]++;
      sortTime[j] = runTime[i];
      sortSeq[j] = runSeq[i];
      sortSlot[j] = runSlot[i];
      sortKey[j] = runKey[i];
    }
    // High digit: scratch -> run.
    digitCount.fill(0);
    for (let i = 0; i < n; i++) digitCount[sortKey[i] >> RADIX_BITS]++;
    prefixSums(digitCount);
    for (let i = 0; i < n; i++) {
      const j = digitCount[sortKey[i] >> RADIX_BITS]++;
      runTime[j] = sortTime[i];
      runSeq[j] = sortSeq[i];
      runSlot[j] = sortSlot[i];
    }
  }

  /** Finishes the run's order by (time, seq); linear when the run is nearly sorted. */
  private insertionSortRun(n: number): void {
    const { runTime, runSeq, runSlot } = this;
    for (let i = 1; i < n; i++) {
      const t = runTime[i];
      const s = runSeq[i];
      let j = i - 1;
      if (runTime[j] < t || (runTime[j] === t && runSeq[j] < s)) continue;
      const v = runSlot[i];
      do {
        runTime[j + 1] = runTime[j];
        runSeq[j + 1] = runSeq[j];
        runSlot[j + 1] = runSlot[j];
        j--;
      } while (j >= 0 && (runTime[j] > t || (runTime[j] === t && runSeq[j] > s)));
      runTime[j + 1] = t;
      runSeq[j + 1] = s;
      runSlot[j + 1] = v;
    }
  }

  /** Grows the run's arrays (keeping the run) and the sorting scratch. */
  private growRun(size: number): void {
    const runTime = new Float64Array(size);
    const runSeq = new Float64Array(size);
    const runSlot = new Int32Array(size);
    runTime.set(this.runTime);
    runSeq.set(this.runSeq);
    runSlot.set(this.runSlot);
    this.runTime = runTime;
    this.runSeq = runSeq;
    this.runSlot = runSlot;
    this.sortTime = new Float64Array(size);
    this.sortSeq = new Float64Array(size);
    this.sortSlot = new Int32Array(size);
    this.runKey = new Int32Array(size);
    this.sortKey = new Int32Array(size);
    if (this.sizes !== undefined && size > this.sizes.run) this.sizes.run = size;
  }

  /** Moves overflow events whose bucket now falls inside the wheel's horizon. */
  private migrateOverflow(): void {
    const limit = this.cursor + WHEEL_SIZE;
    if (this.overflowBucket >= limit) return;
    const overflow = this.overflow;
    while (overflow.size > 0) {
      const bucket = Math.floor(overflow.time[0] * BUCKETS_PER_MS);
      if (bucket >= limit) break;
      // The cursor only moves forward, so the event lands in a wheel bucket after it.
      this.link(bucket, overflow.pop());
    }
    this.overflowBucket = overflow.size > 0 ? Math.floor(overflow.time[0] * BUCKETS_PER_MS) : Infinity;
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
