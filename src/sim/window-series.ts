/**
 * Counts of something per 1 ms bucket of virtual time, from which totals and the peak rate in a
 * sliding window (10 ms, 100 ms, 1 s, ...) are read. Adds nearly always come in time order (a
 * simulation's clock): while they do, the series is a list of its non-empty buckets and their
 * counts (an add to the newest bucket is one increment; a quiet series costs nothing). The first
 * add out of order turns it into chunks of buckets allocated on first use. Reading a peak visits
 * only the non-empty buckets, keeping each window's sum as buckets enter and leave it (counts are
 * whole numbers, so the sums are exact): a window's sum can only rise when a non-empty bucket
 * enters it, so no other window can set a new peak. In list mode it reads the list itself and
 * allocates nothing (the judge reads every broker's series: at 10k partitions, 100 of them).
 */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** The list's first size, and the size below which it grows fourfold. */
const FIRST_LIST = 64;
const GROW_FAST_BELOW = 16_384;

/** The peak count in any window of a given length, and when that window started. */
export interface WindowPeak {
  readonly windowMs: number;
  readonly count: number;
  /** Start of the first window holding the peak (ms). */
  readonly at: number;
  /** The peak expressed per second. */
  readonly perSecond: number;
}

export class WindowSeries {
  total = 0;
  /** Last bucket with a count (-1 when empty). */
  lastBucket = -1;
  /** In order: the non-empty buckets, ascending, and their counts (`listed` of them). */
  private buckets: Int32Array | undefined = new Int32Array(FIRST_LIST);
  private counts = new Float64Array(FIRST_LIST);
  private listed = 0;
  /** Out of order (after the first add before the last bucket): chunks of per-bucket counts. */
  private chunks: (Uint32Array | undefined)[] = [];
  /** Chunk mode: the non-empty buckets in order and their counts (built by a peak read; dropped by add). */
  private nonEmpty: { readonly bucket: Int32Array; readonly count: Float64Array; readonly length: number } | undefined;

  add(timeMs: number, n = 1): void {
    const bucket = Math.floor(timeMs);
    this.total += n;
    if (this.buckets !== undefined && n > 0) {
      if (bucket === this.lastBucket) {
        this.counts[this.listed - 1] += n;
        return;
      }
      if (bucket > this.lastBucket) {
        if (this.listed === this.buckets.length) this.growList();
        this.buckets[this.listed] = bucket;
        this.counts[this.listed++] = n;
        this.lastBucket = bucket;
        return;
      }
    }
    if (this.buckets !== undefined) this.toChunks();
    this.nonEmpty = undefined;
    const c = bucket >> CHUNK_BITS;
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      while (this.chunks.length < c) this.chunks.push(undefined);
      chunk = new Uint32Array(CHUNK);
      this.chunks[c] = chunk;
    }
    chunk[bucket & CHUNK_MASK] += n;
    if (bucket > this.lastBucket) this.lastBucket = bucket;
  }

  /**
   * Four times larger while the list is short, then twice: a run's busy series (every message, a
   * broker's inbound) reach thousands of buckets within seconds, and each growth allocates two
   * typed arrays (~1% of a property run when they doubled from 16).
   */
  private growList(): void {
    const size = this.buckets!.length;
    const b = new Int32Array(size < GROW_FAST_BELOW ? size * 4 : size * 2);
    b.set(this.buckets!);
    this.buckets = b;
    const c = new Float64Array(b.length);
    c.set(this.counts);
    this.counts = c;
  }

  /** The first add out of order (or not positive): from the list to chunks, for good. */
  private toChunks(): void {
    const buckets = this.buckets!;
    this.buckets = undefined;
    for (let k = 0; k < this.listed; k++) {
      const bucket = buckets[k];
      const c = bucket >> CHUNK_BITS;
      let chunk = this.chunks[c];
      if (chunk === undefined) {
        while (this.chunks.length < c) this.chunks.push(undefined);
        chunk = new Uint32Array(CHUNK);
        this.chunks[c] = chunk;
      }
      chunk[bucket & CHUNK_MASK] += this.counts[k];
    }
    this.listed = 0;
    this.counts = new Float64Array(0);
  }

  /** The non-empty buckets in time order with their counts: the list itself in list mode. */
  private nonEmptyBuckets(): { readonly bucket: Int32Array; readonly count: Float64Array; readonly length: number } {
    if (this.buckets !== undefined) return { bucket: this.buckets, count: this.counts, length: this.listed };
    return this.nonEmpty ?? this.listNonEmpty();
  }

  /** In list mode: the first listed index whose bucket is >= `bucket`. */
  private firstListedFrom(bucket: number): number {
    return firstAtOrAfter(this.buckets!, this.listed, bucket);
  }

  /** The count in bucket `ms` (floor). */
  at(ms: number): number {
    const bucket = Math.floor(ms);
    if (this.buckets !== undefined) {
      const k = this.firstListedFrom(bucket);
      return k < this.listed && this.buckets[k] === bucket ? this.counts[k] : 0;
    }
    const chunk = this.chunks[bucket >> CHUNK_BITS];
    return chunk === undefined ? 0 : chunk[bucket & CHUNK_MASK];
  }

  /** Sum of counts with from <= time < to. */
  sum(fromMs: number, toMs: number): number {
    let s = 0;
    const end = Math.min(Math.ceil(toMs), this.lastBucket + 1);
    if (this.buckets !== undefined) {
      for (let k = this.firstListedFrom(Math.max(0, Math.floor(fromMs))); k < this.listed && this.buckets[k] < end; k++) s += this.counts[k];
      return s;
    }
    for (let b = Math.max(0, Math.floor(fromMs)); b < end; b++) {
      const chunk = this.chunks[b >> CHUNK_BITS];
      if (chunk === undefined) {
        b |= CHUNK_MASK; // skip the whole empty chunk
        continue;
      }
      s += chunk[b & CHUNK_MASK];
    }
    return s;
  }

  /**
   * Highest count in any window of `windowMs` consecutive 1 ms buckets that starts within
   * [fromMs, toMs) (the whole series by default).
   */
  peak(windowMs: number, fromMs = 0, toMs = this.lastBucket + 1): WindowPeak {
    const w = Math.max(1, Math.round(windowMs));
    const start = Math.max(0, Math.floor(fromMs));
    const stop = Math.min(Math.ceil(toMs), this.lastBucket + 1);
    let best = 0;
    let bestAt = start;
    // Every window [max(start, b - w + 1), b] for b from start to `end` (the windows that start
    // within [start, stop), clipped on the left at start), visiting only non-empty b: at an empty b
    // the sum is at most the previous one, which was already compared.
    const end = Math.min(stop + w - 2, this.lastBucket);
    if (start <= end) {
      const { bucket, count, length } = this.nonEmptyBuckets();
      const lo = firstAtOrAfter(bucket, length, start);
      let q = lo; // the first non-empty bucket inside the current window
      let running = 0; // the sum of counts q..k
      for (let k = lo; k < length; k++) {
        const b = bucket[k];
        if (b > end) break;
        running += count[k];
        const from = b - w + 1 > start ? b - w + 1 : start;
        while (bucket[q] < from) running -= count[q++];
        if (running > best && from < stop) {
          best = running;
          bestAt = from;
        }
      }
    }
    return { windowMs: w, count: best, at: bestAt, perSecond: (best * 1000) / w };
  }

  /**
   * The peak counts of three window lengths at once, as `peak(w).count` for each (same windows, same
   * counts), in one walk over the non-empty buckets: the judge reads all three for every broker and
   * fault. Written into `out[0..2]`.
   */
  peakCounts3(w1: number, w2: number, w3: number, out: Float64Array, fromMs = 0, toMs = this.lastBucket + 1): void {
    const a = Math.max(1, Math.round(w1));
    const b2 = Math.max(1, Math.round(w2));
    const c = Math.max(1, Math.round(w3));
    const start = Math.max(0, Math.floor(fromMs));
    const stop = Math.min(Math.ceil(toMs), this.lastBucket + 1);
    const endA = Math.min(stop + a - 2, this.lastBucket);
    const endB = Math.min(stop + b2 - 2, this.lastBucket);
    const endC = Math.min(stop + c - 2, this.lastBucket);
    const last = Math.max(endA, endB, endC);
    let bestA = 0;
    let bestB = 0;
    let bestC = 0;
    if (start <= last) {
      const { bucket, count, length } = this.nonEmptyBuckets();
      const lo = firstAtOrAfter(bucket, length, start);
      // As in peak(): per window, q is the first non-empty bucket inside the window ending at b and
      // run the sum of counts q..k.
      let qa = lo;
      let qb = lo;
      let qc = lo;
      let runA = 0;
      let runB = 0;
      let runC = 0;
      for (let k = lo; k < length; k++) {
        const b = bucket[k];
        if (b > last) break;
        const n = count[k];
        if (b <= endA) {
          runA += n;
          const from = b - a + 1 > start ? b - a + 1 : start;
          while (bucket[qa] < from) runA -= count[qa++];
          if (runA > bestA && from < stop) bestA = runA;
        }
        if (b <= endB) {
          runB += n;
          const from = b - b2 + 1 > start ? b - b2 + 1 : start;
          while (bucket[qb] < from) runB -= count[qb++];
          if (runB > bestB && from < stop) bestB = runB;
        }
        if (b <= endC) {
          runC += n;
          const from = b - c + 1 > start ? b - c + 1 : start;
          while (bucket[qc] < from) runC -= count[qc++];
          if (runC > bestC && from < stop) bestC = runC;
        }
      }
    }
    out[0] = bestA;
    out[1] = bestB;
    out[2] = bestC;
  }

  /** Chunk mode: the non-empty buckets in order and their counts. */
  private listNonEmpty(): { bucket: Int32Array; count: Float64Array; length: number } {
    let n = 0;
    for (const chunk of this.chunks) if (chunk !== undefined) for (let k = 0; k < CHUNK; k++) if (chunk[k] !== 0) n++;
    const bucket = new Int32Array(n);
    const count = new Float64Array(n);
    let i = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      if (chunk === undefined) continue;
      for (let k = 0; k < CHUNK; k++) {
        const v = chunk[k];
        if (v === 0) continue;
        bucket[i] = c * CHUNK + k;
        count[i] = v;
        i++;
      }
    }
    this.nonEmpty = { bucket, count, length: n };
    return this.nonEmpty;
  }
}

/** The three window lengths the lab reports by default. */
export const STANDARD_WINDOWS_MS = [10, 100, 1000] as const;

/** The first of the `length` ascending buckets that is at least `start` (`length` if none). */
function firstAtOrAfter(bucket: Int32Array, length: number, start: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bucket[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
