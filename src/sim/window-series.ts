/**
 * Counts of something per 1 ms bucket of virtual time, from which totals and the peak rate in a
 * sliding window (10 ms, 100 ms, 1 s, ...) are read. Buckets are allocated in chunks on first
 * use, so a series that stays quiet costs almost nothing.
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

  add(timeMs: number, n = 1): void {
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
    let running = 0;
    // Sliding sum over [b - w + 1, b]; the window starting at s = b - w + 1 must start >= start.
    for (let b = start; b < stop + w - 1 && b <= this.lastBucket; b++) {
      running += this.at(b);
      const leaving = b - w;
      if (leaving >= start) running -= this.at(leaving);
      const windowStart = Math.max(start, b - w + 1);
      if (running > best && windowStart < stop) {
        best = running;
        bestAt = windowStart;
      }
    }
    return { windowMs: w, count: best, at: bestAt, perSecond: (best * 1000) / w };
  }
}

/** The three window lengths the lab reports by default. */
export const STANDARD_WINDOWS_MS = [10, 100, 1000] as const;
