/**
 * The kernel's event queue: events ordered by (time, insertion sequence).
 *
 * Ordering uses a timing wheel of 1/8 ms buckets over a 4,096 ms horizon (O(1) insert into an
 * unsorted bucket) and an overflow heap for events beyond the horizon, migrated into the wheel as
 * time approaches them. A bitmap of non-empty buckets lets the queue skip idle stretches of
 * virtual time without scanning bucket by bucket. The bucket being drained is sorted once by
 * (time, seq) when it is loaded (the bucket is read in insertion order, radix sorted on the
 * time's position within the bucket, then an insertion pass orders the times that share a radix
 * key; both stable, so equal times stay in insertion order) and popped in order; events scheduled
 * into it after that go to a small heap, merged on pop. Events at +Infinity wait in a heap of
 * their own and run after every finite one.
 *
 * Why not one binary heap: at 100k live events a heap walks ~17 levels of random memory per
 * operation, with a mispredicted branch at most of them; here the common case appends to one
 * bucket and pops the next element of a sorted array.
 *
 * Memory layout, which decides the speed once the queue outgrows the CPU caches: no object per
 * event. An event's fields live in a 56-byte entry record (one ArrayBuffer viewed as doubles and
 * as int32s; a payload object, if any, in a parallel array), entries come in chunks of CHUNK
 * consecutive records, and each wheel bucket is a list of such chunks. Draining a bucket reads
 * memory in sequence, and brings every field of its events into the cache for their pops; no
 * pop waits for a record written thousands of events earlier at a random address. The heaps hold
 * (time, seq, entry) in their own arrays. Each event also holds a slot, the stable identity
 * behind its handle; popping an event touches no per-slot memory.
 */

/** Buckets per millisecond of virtual time (a power of two, so `time * BUCKETS_PER_MS` is exact). */
const BUCKETS_PER_MS = 8;
const WHEEL_BITS = 15;
const WHEEL_SIZE = 1 << WHEEL_BITS; // buckets: a 4,096 ms horizon
const WHEEL_MASK = WHEEL_SIZE - 1;
/** Chunk lists besides the wheel buckets (0 .. WHEEL_SIZE - 1). */
const LATE_LIST = WHEEL_SIZE;
const OVERFLOW_LIST = WHEEL_SIZE + 1;
/** Runs longer than this are radix sorted before the insertion pass. */
const INSERTION_SORT_MAX = 24;
/** Radix sort: two passes of 8 bits over a 16-bit key, the time's position within its bucket. */
const RADIX_BITS = 8;
const RADIX = 1 << RADIX_BITS;
const KEY_SCALE = 1 << (2 * RADIX_BITS);
const CHUNK_BITS = 4;
const CHUNK = 1 << CHUNK_BITS; // entries per chunk
// Entry record: 56 bytes = 7 doubles = 14 int32s.
const F64_STRIDE = 7;
const I32_STRIDE = 14;
const F_TIME = 0;
const F_SEQ = 1;
const F_A = 2;
const F_B = 3;
const I_SLOT = 8; // int32 words 8..13 are bytes 32..55, after the four doubles; NIL once popped
const I_GENERATION = 9;
const I_KIND = 10;
const I_TARGET = 11;
const I_INCARNATION = 12;
const I_HAS_OBJ = 13; // 1 when the event carries a payload object (in entryObj)
const NIL = -1;
// Chunk metadata: entries used (set when sealed), entries still queued (exact once sealed),
// sealed (0/1), next chunk (of a wheel bucket, newest to oldest; or of the free list).
const META_STRIDE = 4;
const M_FILL = 0;
const M_LIVE = 1;
const M_SEALED = 2;
const M_NEXT = 3;
/** A cancelled event pops with this kind. */
const CANCELLED = 0;
/** Handles are generation * SLOT_SPACE + slot: up to 2^26 live events. */
const SLOT_SPACE = 1 << 26;
/** Generations wrap below 2^27 so that handles stay exact doubles (below 2^53). */
const GENERATION_MASK = (1 << 27) - 1;

function grownInt32(src: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const dst = new Int32Array(size);
  dst.set(src);
  return dst;
}

/** Turns digit counts into the index of each digit's first slot. */
function prefixSums(counts: Int32Array): void {
  let sum = 0;
  for (let d = 0; d < counts.length; d++) {
    const c = counts[d];
    counts[d] = sum;
    sum += c;
  }
}

/** Per list: [chunk being filled (NIL: none), entries used in it]. */
function listStates(lists: number): Int32Array<ArrayBuffer> {
  const state = new Int32Array(2 * lists);
  for (let l = 0; l < lists; l++) state[2 * l] = NIL;
  return state;
}

/**
 * A 4-ary min-heap of entries keyed by (time, seq), the keys stored alongside the entry (four
 * children per node: half the depth of a binary heap, the children side by side in memory).
 */
class KeyedHeap {
  time = new Float64Array(64);
  seq = new Float64Array(64);
  entry = new Int32Array(64);
  size = 0;

  private grow(): void {
    const n = this.time.length * 2;
    const time = new Float64Array(n);
    const seq = new Float64Array(n);
    const entry = new Int32Array(n);
    time.set(this.time);
    seq.set(this.seq);
    entry.set(this.entry);
    this.time = time;
    this.seq = seq;
    this.entry = entry;
  }

  push(t: number, s: number, e: number): void {
    if (this.size === this.time.length) this.grow();
    const time = this.time;
    const seq = this.seq;
    const entry = this.entry;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = time[parent];
      if (pt < t || (pt === t && seq[parent] < s)) break;
      time[i] = pt;
      seq[i] = seq[parent];
      entry[i] = entry[parent];
      i = parent;
    }
    time[i] = t;
    seq[i] = s;
    entry[i] = e;
  }

  /** Removes the top and returns its entry (the heap must not be empty). */
  pop(): number {
    const time = this.time;
    const seq = this.seq;
    const entry = this.entry;
    const top = entry[0];
    const n = --this.size;
    if (n > 0) {
      const t = time[n];
      const s = seq[n];
      const e = entry[n];
      let i = 0;
      for (;;) {
        const first = 4 * i + 1;
        if (first >= n) break;
        // The least of up to four children.
        let child = first;
        let ct = time[first];
        const last = first + 3 < n ? first + 3 : n - 1;
        for (let c = first + 1; c <= last; c++) {
          const tc = time[c];
          if (tc < ct || (tc === ct && seq[c] < seq[child])) {
            child = c;
            ct = tc;
          }
        }
        if (t < ct || (t === ct && s < seq[child])) break;
        time[i] = ct;
        seq[i] = seq[child];
        entry[i] = entry[child];
        i = child;
      }
      time[i] = t;
      seq[i] = s;
      entry[i] = e;
    }
    return top;
  }
}

export class EventQueue {
  // ---- the last popped event (valid until the next pop) ----
  /** Time of the popped event. */
  time = 0;
  /** Kind of the popped event; 0 when it was cancelled. */
  kind = 0;
  target = 0;
  incarnation = 0;
  a = 0;
  b = 0;
  obj: unknown = undefined;

  // ---- entries: event records, in chunks of CHUNK consecutive entries ----
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private readonly entryObj: unknown[] = []; // kept packed (grown by push), never holey
  // Per chunk (META_STRIDE int32s side by side). A chunk is filled through one list; it is sealed
  // when full or when its bucket is loaded as the run, and freed once sealed with no
  // live entry left.
  private chunkMeta = new Int32Array(0);
  private chunksAllocated = 0;
  private freeChunk = NIL;
  /**
   * Per list (the wheel buckets, the late arrivals, the overflow), side by side: the chunk being
   * filled and how many of its entries are used. An append touches only this pair and the entry.
   */
  private readonly listState = listStates(WHEEL_SIZE + 2);

  // ---- slots: the identity behind handles ----
  /** The entry holding each slot's event (stale once popped: the entry's slot field says NIL). */
  private slotEntry = new Int32Array(0);
  /** Stack of free slots, with the generation each gets on its next use. */
  private freeSlot = new Int32Array(0);
  private freeGeneration = new Int32Array(0);
  private freeCount = 0;
  private nextSeq = 0;

  // ---- ordering ----
  private readonly occupied = new Uint32Array(WHEEL_SIZE >> 5);
  private wheelCount = 0;
  /** Absolute number of the bucket being drained (floor of time * BUCKETS_PER_MS). */
  private cursor = 0;
  // The drained bucket's events sorted by (time, seq), popped from runPos on.
  private runTime = new Float64Array(64);
  private runSeq = new Float64Array(64);
  private runEntry = new Int32Array(64);
  private runLength = 0;
  private runPos = 0;
  // Scratch for sorting the run, and the bucket's chunks in insertion order.
  private sortTime = new Float64Array(64);
  private sortSeq = new Float64Array(64);
  private sortEntry = new Int32Array(64);
  private runKey = new Int32Array(64);
  private sortKey = new Int32Array(64);
  private readonly digitCount = new Int32Array(RADIX);
  private bucketChunks = new Int32Array(16);
  /** Events scheduled at or before the drained bucket after it was sorted. */
  private readonly late = new KeyedHeap();
  /** Events at +Infinity: they run after every finite one, in insertion order. */
  private readonly infinite = new KeyedHeap();
  private readonly overflow = new KeyedHeap();
  private liveCount = 0;

  constructor(initialCapacity = 1024) {
    this.growSlots(Math.max(1, initialCapacity));
    this.growChunks(Math.max(4, initialCapacity >> CHUNK_BITS));
  }

  /** Events scheduled and not yet popped (cancelled ones included until they surface). */
  get size(): number {
    return this.liveCount;
  }

  /**
   * Stores an event and returns its handle, for `cancel`. `time` must not be earlier than the
   * last popped time.
   */
  push(time: number, kind: number, target: number, incarnation: number, a: number, b: number, obj: unknown): number {
    if (this.freeCount === 0) this.growSlots(this.slotEntry.length * 2);
    const slot = this.freeSlot[--this.freeCount];
    const generation = this.freeGeneration[this.freeCount];
    const seq = this.nextSeq++;
    this.liveCount++;
    const bucket = Math.floor(time * BUCKETS_PER_MS);
    let e: number;
    if (bucket <= this.cursor) {
      e = this.append(LATE_LIST, time, seq, slot, generation, kind, target, incarnation, a, b, obj);
      this.late.push(time, seq, e);
    } else if (bucket - this.cursor < WHEEL_SIZE) {
      e = this.appendToBucket(bucket, time, seq, slot, generation, kind, target, incarnation, a, b, obj);
    } else {
      e = this.append(OVERFLOW_LIST, time, seq, slot, generation, kind, target, incarnation, a, b, obj);
      (time === Infinity ? this.infinite : this.overflow).push(time, seq, e);
    }
    this.slotEntry[slot] = e;
    return generation * SLOT_SPACE + slot;
  }

  /**
   * Cancels the event of `handle` if it is still queued: it will pop with kind 0. A handle whose
   * event already popped is ignored (its slot may hold a newer event, under a new generation).
   * Returns whether it cancelled.
   */
  cancel(handle: number): boolean {
    const slot = handle % SLOT_SPACE;
    if (!(slot >= 0 && slot < this.slotEntry.length)) return false;
    const e = this.slotEntry[slot];
    if (e === NIL) return false;
    const w = e * I32_STRIDE;
    const i32 = this.i32;
    if (i32[w + I_SLOT] !== slot || i32[w + I_GENERATION] !== (handle - slot) / SLOT_SPACE) return false;
    i32[w + I_KIND] = CANCELLED;
    return true;
  }

  /**
   * Removes the earliest event and exposes its fields (`time`, `kind`, `target`, `incarnation`,
   * `a`, `b`, `obj`) until the next pop. Returns false when the queue is empty.
   */
  pop(): boolean {
    let e: number;
    if (this.runPos < this.runLength || this.late.size > 0 || this.advance()) {
      e = this.takeEarliest();
    } else if (this.infinite.size > 0) {
      e = this.infinite.pop();
    } else {
      return false;
    }
    this.liveCount--;
    const f = e * F64_STRIDE;
    const w = e * I32_STRIDE;
    const f64 = this.f64;
    const i32 = this.i32;
    this.time = f64[f + F_TIME];
    this.a = f64[f + F_A];
    this.b = f64[f + F_B];
    this.kind = i32[w + I_KIND];
    this.target = i32[w + I_TARGET];
    this.incarnation = i32[w + I_INCARNATION];
    this.obj = i32[w + I_HAS_OBJ] === 1 ? this.takeObj(e) : undefined;
    // Free the slot; its next event gets a new generation, so this event's handle goes stale.
    const slot = i32[w + I_SLOT];
    i32[w + I_SLOT] = NIL;
    this.freeSlot[this.freeCount] = slot;
    this.freeGeneration[this.freeCount++] = (i32[w + I_GENERATION] + 1) & GENERATION_MASK;
    this.releaseEntry(e);
    return true;
  }

  /** Time of the earliest event without removing it (Infinity when empty). */
  peekTime(): number {
    if (this.runPos === this.runLength && this.late.size === 0 && !this.advance()) return Infinity;
    const late = this.late;
    if (this.runPos === this.runLength) return late.time[0];
    const t = this.runTime[this.runPos];
    return late.size > 0 && late.time[0] < t ? late.time[0] : t;
  }

  /** Removes the earliest of the run's next event and the late heap's top; returns its entry. */
  private takeEarliest(): number {
    const late = this.late;
    const p = this.runPos;
    if (p === this.runLength) return late.pop();
    if (late.size > 0) {
      const t = this.runTime[p];
      const lt = late.time[0];
      if (lt < t || (lt === t && late.seq[0] < this.runSeq[p])) return late.pop();
    }
    this.runPos = p + 1;
    return this.runEntry[p];
  }

  // ---- storage ----

  private growSlots(capacity: number): void {
    const old = this.slotEntry.length;
    const grown = (src: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const dst = new Int32Array(capacity);
      dst.set(src);
      return dst;
    };
    this.slotEntry = grown(this.slotEntry);
    this.slotEntry.fill(NIL, old);
    this.freeSlot = grown(this.freeSlot);
    this.freeGeneration = grown(this.freeGeneration);
    // New slots, generation 0, are handed out lowest first.
    for (let s = capacity - 1; s >= old; s--) {
      this.freeSlot[this.freeCount] = s;
      this.freeGeneration[this.freeCount++] = 0;
    }
  }

  private growChunks(chunks: number): void {
    const grown = <T extends Float64Array | Int32Array | Uint8Array>(src: T, dst: T): T => {
      dst.set(src);
      return dst;
    };
    const entries = chunks * CHUNK;
    const records = new ArrayBuffer(entries * F64_STRIDE * Float64Array.BYTES_PER_ELEMENT);
    this.f64 = grown(this.f64, new Float64Array(records));
    this.i32 = new Int32Array(records);
    while (this.entryObj.length < entries) this.entryObj.push(undefined);
    this.chunkMeta = grown(this.chunkMeta, new Int32Array(chunks * META_STRIDE));
  }

  /** Appends an event to a list's filling chunk (a fresh one when full) and returns its entry. */
  private append(
    list: number,
    time: number,
    seq: number,
    slot: number,
    generation: number,
    kind: number,
    target: number,
    incarnation: number,
    a: number,
    b: number,
    obj: unknown,
  ): number {
    const state = this.listState;
    const l = list * 2;
    let c = state[l];
    let fill = state[l + 1];
    if (c === NIL || fill === CHUNK) {
      if (c !== NIL) this.seal(c, fill);
      const fresh = this.allocChunk(); // may grow (replace) the chunk arrays
      // Wheel buckets are walked from the newest chunk; other lists are never walked.
      this.chunkMeta[fresh * META_STRIDE + M_NEXT] = list < WHEEL_SIZE ? c : NIL;
      state[l] = fresh;
      c = fresh;
      fill = 0;
    }
    state[l + 1] = fill + 1;
    const e = (c << CHUNK_BITS) + fill;
    const f = e * F64_STRIDE;
    const f64 = this.f64;
    f64[f + F_TIME] = time;
    f64[f + F_SEQ] = seq;
    f64[f + F_A] = a;
    f64[f + F_B] = b;
    const w = e * I32_STRIDE;
    const i32 = this.i32;
    i32[w + I_SLOT] = slot;
    i32[w + I_GENERATION] = generation;
    i32[w + I_KIND] = kind;
    i32[w + I_TARGET] = target;
    i32[w + I_INCARNATION] = incarnation;
    if (obj === undefined) {
      i32[w + I_HAS_OBJ] = 0;
    } else {
      i32[w + I_HAS_OBJ] = 1;
      this.entryObj[e] = obj;
    }
    return e;
  }

  private appendToBucket(
    bucket: number,
    time: number,
    seq: number,
    slot: number,
    generation: number,
    kind: number,
    target: number,
    incarnation: number,
    a: number,
    b: number,
    obj: unknown,
  ): number {
    const i = bucket & WHEEL_MASK;
    const e = this.append(i, time, seq, slot, generation, kind, target, incarnation, a, b, obj);
    this.occupied[i >> 5] |= 1 << (i & 31);
    this.wheelCount++;
    return e;
  }

  private takeObj(e: number): unknown {
    const obj = this.entryObj[e];
    this.entryObj[e] = undefined;
    return obj;
  }

  private allocChunk(): number {
    let c = this.freeChunk;
    if (c !== NIL) {
      this.freeChunk = this.chunkMeta[c * META_STRIDE + M_NEXT];
    } else {
      const capacity = this.chunkMeta.length / META_STRIDE;
      if (this.chunksAllocated === capacity) this.growChunks(capacity * 2);
      c = this.chunksAllocated++;
    }
    const m = c * META_STRIDE;
    this.chunkMeta[m + M_FILL] = 0;
    this.chunkMeta[m + M_LIVE] = 0;
    this.chunkMeta[m + M_SEALED] = 0;
    return c;
  }

  /** A chunk stops being filled, with `fill` entries used. */
  private seal(c: number, fill: number): void {
    const m = c * META_STRIDE;
    const meta = this.chunkMeta;
    meta[m + M_FILL] = fill;
    meta[m + M_LIVE] += fill; // releases before the seal counted down from 0
    meta[m + M_SEALED] = 1;
    if (meta[m + M_LIVE] === 0) this.freeChunkAt(c);
  }

  /** An entry's event left the queue or moved to another entry. */
  private releaseEntry(e: number): void {
    const c = e >> CHUNK_BITS;
    const m = c * META_STRIDE;
    if (--this.chunkMeta[m + M_LIVE] === 0 && this.chunkMeta[m + M_SEALED] === 1) this.freeChunkAt(c);
  }

  private freeChunkAt(c: number): void {
    this.chunkMeta[c * META_STRIDE + M_NEXT] = this.freeChunk;
    this.freeChunk = c;
  }

  // ---- ordering ----

  /** Moves the cursor to the next bucket holding events and loads it as the run. */
  private advance(): boolean {
    for (;;) {
      if (this.wheelCount === 0) {
        if (this.overflow.size === 0) return false;
        // Nothing in the wheel: jump straight to the overflow's earliest bucket.
        this.cursor = Math.floor(this.overflow.time[0] * BUCKETS_PER_MS) - 1;
        this.migrateOverflow();
        continue;
      }
      const bucket = this.nextOccupied();
      this.cursor = bucket;
      const i = bucket & WHEEL_MASK;
      const newest = this.listState[2 * i];
      this.seal(newest, this.listState[2 * i + 1]); // older chunks were sealed when they filled up
      this.listState[2 * i] = NIL;
      this.listState[2 * i + 1] = 0;
      this.occupied[i >> 5] &= ~(1 << (i & 31));
      this.loadRun(bucket, newest);
      this.migrateOverflow();
      if (this.runLength > 0 || this.late.size > 0) return true;
    }
  }

  /**
   * Makes a bucket's events (chunks from `newest` back) the run, sorted by (time, seq). Its
   * entries stay live in their chunks until popped.
   */
  private loadRun(bucket: number, newest: number): void {
    const meta = this.chunkMeta;
    let chunks = 0;
    let n = 0;
    for (let c = newest; c !== NIL; c = meta[c * META_STRIDE + M_NEXT]) {
      if (chunks === this.bucketChunks.length) this.bucketChunks = grownInt32(this.bucketChunks, chunks * 2);
      this.bucketChunks[chunks++] = c;
      n += meta[c * META_STRIDE + M_FILL];
    }
    if (n > this.runTime.length) this.growRun(n);
    const { f64, runTime, runSeq, runEntry, bucketChunks } = this;
    // Oldest chunk first: the run starts in insertion (seq) order.
    let i = 0;
    for (let k = chunks - 1; k >= 0; k--) {
      const first = bucketChunks[k] << CHUNK_BITS;
      const end = first + meta[bucketChunks[k] * META_STRIDE + M_FILL];
      for (let e = first; e < end; e++) {
        runTime[i] = f64[e * F64_STRIDE + F_TIME];
        runSeq[i] = f64[e * F64_STRIDE + F_SEQ];
        runEntry[i++] = e;
      }
    }
    this.wheelCount -= n;
    this.runLength = n;
    this.runPos = 0;
    if (n > INSERTION_SORT_MAX) this.radixSortRun(bucket, n);
    this.insertionSortRun(n);
  }

  /**
   * Stable sort of the run by a 16-bit key, the time's position within the bucket (exact: the
   * bucket's start and the time differ by less than a bucket). Leaves it ordered by time up to
   * 1/65536 of a bucket, and in seq order among equal times.
   */
  private radixSortRun(bucket: number, n: number): void {
    const { runTime, runSeq, runEntry, runKey, sortTime, sortSeq, sortEntry, sortKey, digitCount } = this;
    for (let i = 0; i < n; i++) runKey[i] = ((runTime[i] * BUCKETS_PER_MS - bucket) * KEY_SCALE) | 0;
    // Low digit: run -> scratch.
    digitCount.fill(0);
    for (let i = 0; i < n; i++) digitCount[runKey[i] & (RADIX - 1)]++;
    prefixSums(digitCount);
    for (let i = 0; i < n; i++) {
      const j = digitCount[runKey[i] & (RADIX - 1)]++;
      sortTime[j] = runTime[i];
      sortSeq[j] = runSeq[i];
      sortEntry[j] = runEntry[i];
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
      runEntry[j] = sortEntry[i];
    }
  }

  /** Finishes the run's order by (time, seq); linear when the run is nearly sorted. */
  private insertionSortRun(n: number): void {
    const { runTime, runSeq, runEntry } = this;
    for (let i = 1; i < n; i++) {
      const t = runTime[i];
      const s = runSeq[i];
      let j = i - 1;
      if (runTime[j] < t || (runTime[j] === t && runSeq[j] < s)) continue;
      const e = runEntry[i];
      do {
        runTime[j + 1] = runTime[j];
        runSeq[j + 1] = runSeq[j];
        runEntry[j + 1] = runEntry[j];
        j--;
      } while (j >= 0 && (runTime[j] > t || (runTime[j] === t && runSeq[j] > s)));
      runTime[j + 1] = t;
      runSeq[j + 1] = s;
      runEntry[j + 1] = e;
    }
  }

  private growRun(n: number): void {
    let size = this.runTime.length;
    while (size < n) size *= 2;
    // Old contents are not needed: the run is reloaded right after.
    this.runTime = new Float64Array(size);
    this.runSeq = new Float64Array(size);
    this.runEntry = new Int32Array(size);
    this.sortTime = new Float64Array(size);
    this.sortSeq = new Float64Array(size);
    this.sortEntry = new Int32Array(size);
    this.runKey = new Int32Array(size);
    this.sortKey = new Int32Array(size);
  }

  /** Moves overflow events whose bucket now falls inside the wheel's horizon. */
  private migrateOverflow(): void {
    const limit = this.cursor + WHEEL_SIZE;
    const overflow = this.overflow;
    while (overflow.size > 0) {
      const time = overflow.time[0];
      const bucket = Math.floor(time * BUCKETS_PER_MS);
      if (bucket >= limit) break;
      const seq = overflow.seq[0];
      const e = overflow.pop();
      const f = e * F64_STRIDE;
      const w = e * I32_STRIDE;
      const { f64, i32 } = this;
      const slot = i32[w + I_SLOT];
      // The cursor only moves forward, so the event lands in a wheel bucket after it.
      const moved = this.appendToBucket(
        bucket,
        time,
        seq,
        slot,
        i32[w + I_GENERATION],
        i32[w + I_KIND],
        i32[w + I_TARGET],
        i32[w + I_INCARNATION],
        f64[f + F_A],
        f64[f + F_B],
        i32[w + I_HAS_OBJ] === 1 ? this.takeObj(e) : undefined,
      );
      this.i32[w + I_SLOT] = NIL; // (the append may have grown the arrays)
      this.slotEntry[slot] = moved;
      this.releaseEntry(e);
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
