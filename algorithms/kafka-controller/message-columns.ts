/**
 * Int32Array columns for large fetch requests and answers (messages.ts, LARGE_RESPONSE entries and
 * up), carved from shared ArrayBuffers (memory only: nothing here decides behaviour; a column starts
 * zeroed, as a new Int32Array does, and is never handed out twice).
 *
 * A settled start at 1M partitions sends ~20k fetches and ~20k answers listing ~200 partitions
 * each, and a new Int32Array costs an ArrayBuffer with its own zeroed backing store (a malloc and
 * the collector's tracking of it) per column: four per fetch, one per answer. A view of a shared
 * buffer is one small heap object. A buffer is freed once no view of it is alive: the columns of
 * one round of messages are delivered and dropped together. The readers (the peer, the message
 * trace, the digests by content) see the same lengths and elements.
 */

/** Int32 elements per shared buffer (256 KiB); a column larger than a quarter of it gets its own. */
const SLAB = 1 << 16;

let slab = new ArrayBuffer(0);
let used = SLAB; // elements of `slab` handed out (none to hand out before the first buffer)

/** A zeroed Int32Array of n elements. */
export function int32Column(n: number): Int32Array {
  if (n > SLAB >> 2) return new Int32Array(n);
  if (used + n > SLAB) {
    slab = new ArrayBuffer(SLAB * 4);
    used = 0;
  }
  const col = new Int32Array(slab, used * 4, n);
  used += n;
  return col;
}

/**
 * The first n elements of `col` (n <= its length). When col is the last column handed out, its unused
 * tail goes back to the buffer (a column sized for the most entries a message may list, then filled
 * with fewer).
 */
export function trimColumn(col: Int32Array, n: number): Int32Array {
  if (col.buffer === slab && col.byteOffset + col.byteLength === used * 4) used -= col.length - n;
  return col.subarray(0, n);
}
