/**
 * Counts of something per 1 ms bucket of virtual time, from which totals and the peak rate in a
 * sliding window (10 ms, 100 ms, 1 s, ...) are read. Buckets are allocated in chunks on first
 * use, so a series that stays quiet costs almost nothing. Reading a peak first lists the non-empty
 * buckets with running totals (kept until the next add), then visits only those: a window's sum
 * can only rise when a non-empty bucket enters it, so no other window can set a new peak.
 */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

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
  private chunks: (Uint32Array | undefined)[] = [];
  total = 0;
  /** Last bucket with a count (-1 when empty). */
  lastBucket = -1;
  /** The non-empty buckets in order and the running total through each (built by a peak read; dropped by add). */
  private nonEmpty: { readonly bucket: Int32Array; readonly total: Float64Array; readonly length: number } | undefined;

  add(timeMs: number, n = 1): void {
    this.nonEmpty = undefined;
    const bucket = Math.floor(timeMs);
    const c = bucket >> CHUNK_BITS;
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      while (this.chunks.length < c) this.chunks.push(undefined);
      chunk = new Uint32Array(CHUNK);
      this.chunks[c] = chunk;
    }
    chunk[bucket & CHUNK_MASK] += n;
    this.total += n;
    if (bucket > this.lastBucket) this.lastBucket = bucket;
  }

  /** The count in bucket `ms` (floor). */
  at(ms: number): number {
    const bucket = Math.floor(ms);
    const chunk = this.chunks[bucket >> CHUNK_BITS];
    return chunk === undefined ? 0 : chunk[bucket & CHUNK_MASK];
  }

  /** Sum of counts with from <= time < to. */
  sum(fromMs: number, toMs: number): number {
    let s = 0;
    const end = Math.min(Math.ceil(toMs), this.lastBucket + 1);
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
      const { bucket, total, length } = this.nonEmpty ?? this.listNonEmpty();
      let lo = 0;
      let hi = length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (bucket[mid] < start) lo = mid + 1;
        else hi = mid;
      }
      let q = lo; // the first non-empty bucket inside the current window
      for (let k = lo; k < length; k++) {
        const b = bucket[k];
        if (b > end) break;
        const from = b - w + 1 > start ? b - w + 1 : start;
        while (bucket[q] < from) q++;
        const running = total[k] - (q > 0 ? total[q - 1] : 0);
        if (running > best && from < stop) {
          best = running;
          bestAt = from;
        }
      }
    }
    return { windowMs: w, count: best, at: bestAt, perSecond: (best * 1000) / w };
  }

  private listNonEmpty(): { bucket: Int32Array; total: Float64Array; length: number } {
    let count = 0;
    for (const chunk of this.chunks) if (chunk !== undefined) for (let k = 0; k < CHUNK; k++) if (chunk[k] !== 0) count++;
    const bucket = new Int32Array(count);
    const total = new Float64Array(count);
    let n = 0;
    let sum = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      if (chunk === undefined) continue;
      for (let k = 0; k < CHUNK; k++) {
        const v = chunk[k];
        if (v === 0) continue;
        sum += v;
        bucket[n] = c * CHUNK + k;
        total[n] = sum;
        n++;
      }
    }
    this.nonEmpty = { bucket, total, length: n };
    return this.nonEmpty;
  }
}

/** The three window lengths the lab reports by default. */
export const STANDARD_WINDOWS_MS = [10, 100, 1000] as const;
