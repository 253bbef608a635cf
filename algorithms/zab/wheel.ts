/**
 * A bucketed deadline wheel: at most one deadline per entry (a group's local index), kept in
 * intrusive doubly linked lists of typed arrays, one list per time slot. The host's single wheel
 * timer visits only the slots that came due, and only entries whose deadline is due are handed
 * back; an entry further away than one revolution stays in its slot until its turn.
 *
 * Deadlines are rounded up to the wheel's resolution (a deadline never fires early).
 */
const NIL = -1;

export class DeadlineWheel {
  /** Due tick per entry (a tick is `resolutionMs` long), or NIL when not scheduled. */
  readonly due: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly head: Int32Array;
  private readonly mask: number;
  /** Last tick whose slot was processed. */
  private cursor: number;
  /** Entries scheduled. */
  size = 0;
  /** The earliest tick scheduled since the last `advance` (a lower bound for the next timer). */
  earliest = Number.MAX_SAFE_INTEGER;
  private scratch: Int32Array;

  constructor(
    entries: number,
    readonly resolutionMs: number,
    nowMs: number,
    slotBits = 12,
  ) {
    this.due = new Int32Array(entries).fill(NIL);
    this.next = new Int32Array(entries).fill(NIL);
    this.prev = new Int32Array(entries).fill(NIL);
    this.head = new Int32Array(1 << slotBits).fill(NIL);
    this.mask = (1 << slotBits) - 1;
    this.cursor = Math.floor(nowMs / resolutionMs);
    this.scratch = new Int32Array(64);
  }

  /** The tick a deadline at `timeMs` belongs to: never before it, never in a slot already processed. */
  tickOf(timeMs: number): number {
    const t = Math.ceil(timeMs / this.resolutionMs - 1e-9);
    return t > this.cursor ? t : this.cursor + 1;
  }

  /** Sets entry `i`'s deadline (replacing any earlier one). */
  schedule(i: number, timeMs: number): void {
    if (this.due[i] !== NIL) this.unlink(i);
    const t = this.tickOf(timeMs);
    this.due[i] = t;
    const s = t & this.mask;
    const h = this.head[s];
    this.next[i] = h;
    this.prev[i] = NIL;
    if (h !== NIL) this.prev[h] = i;
    this.head[s] = i;
    this.size++;
    if (t < this.earliest) this.earliest = t;
  }

  cancel(i: number): void {
    if (this.due[i] !== NIL) this.unlink(i);
  }

  isScheduled(i: number): boolean {
    return this.due[i] !== NIL;
  }

  private unlink(i: number): void {
    const s = this.due[i] & this.mask;
    const n = this.next[i];
    const p = this.prev[i];
    if (p !== NIL) this.next[p] = n;
    else this.head[s] = n;
    if (n !== NIL) this.prev[n] = p;
    this.due[i] = NIL;
    this.next[i] = NIL;
    this.prev[i] = NIL;
    this.size--;
  }

  /**
   * Removes and returns (in `out`, with the count returned) every entry due at or before `nowMs`,
   * slot by slot in time order. The returned array is reused by the next call.
   */
  advance(nowMs: number): { readonly entries: Int32Array; readonly count: number } {
    const nowTick = Math.floor(nowMs / this.resolutionMs + 1e-9);
    let count = 0;
    if (nowTick > this.cursor) {
      const slots = this.mask + 1;
      const steps = nowTick - this.cursor > slots ? slots : nowTick - this.cursor;
      for (let k = 1; k <= steps; k++) {
        const s = (this.cursor + k) & this.mask;
        let i = this.head[s];
        while (i !== NIL) {
          const n = this.next[i];
          if (this.due[i] <= nowTick) {
            if (count === this.scratch.length) {
              const bigger = new Int32Array(count * 2);
              bigger.set(this.scratch);
              this.scratch = bigger;
            }
            this.scratch[count++] = i;
          }
          i = n;
        }
      }
      if (nowTick - this.cursor > slots && count > 1) {
        // More than a revolution passed: slots no longer come in time order. Sort by due tick
        // (stable: within a tick, list order).
        const order = Array.from(this.scratch.subarray(0, count));
        const rank = new Map<number, number>(order.map((e, k) => [e, k]));
        order.sort((x, y) => this.due[x] - this.due[y] || (rank.get(x) as number) - (rank.get(y) as number));
        this.scratch.set(order);
      }
      this.cursor = nowTick;
      for (let k = 0; k < count; k++) this.unlink(this.scratch[k]);
    }
    this.earliest = Number.MAX_SAFE_INTEGER;
    return { entries: this.scratch, count };
  }

  /** The first tick after the cursor whose slot holds an entry (it may be due a revolution later), or -1. */
  nextOccupiedTick(): number {
    if (this.size === 0) return -1;
    const slots = this.mask + 1;
    for (let k = 1; k <= slots; k++) {
      if (this.head[(this.cursor + k) & this.mask] !== NIL) return this.cursor + k;
    }
    return -1;
  }
}
