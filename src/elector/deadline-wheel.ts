/**
 * DeadlineWheel — one host-level timer for many per-group deadlines (a hashed timer wheel).
 *
 * An elector host that serves thousands of groups keeps one kernel timer, not one per group: each
 * group (an *entry*, its local index 0..entries-1) waits in the wheel slot of its deadline, and the
 * host's timer visits only the slots that came due. Slots are `resolutionMs` long and form a ring of
 * `slots`; a slot is named by its absolute *tick* (floor(time / resolutionMs)).
 *
 * Entries live in intrusive doubly linked lists over typed arrays: an entry is in at most one list,
 * moving it is O(1), nothing is allocated per entry or per operation. Times are the host's clock.
 *
 * Two ways to drive it (one elector uses one of them):
 *
 *  - **Exact** (`schedule`, `cancel`, `advance`): the wheel owns the deadline. A deadline is
 *    rounded *up* to the resolution (never fires early) and `advance(now)` hands back every entry
 *    that is due, in time order. A deadline more than one revolution away waits in its slot,
 *    skipped, until its turn; after a long gap (a paused host) due entries are sorted by deadline.
 *
 *  - **Lazy** (`visitBy`, `ensureBy`, `drainNextSlot`): the caller owns exact deadlines in its own
 *    arrays and the wheel is a coarse index of "visit this entry no later than". An entry sits in
 *    the slot its time falls in (rounded down, clamped into the next revolution). When the slot
 *    comes due the caller compares the exact deadline and re-links entries not yet due. A deadline
 *    that only moves later (a heartbeat received) costs the caller one store, no re-link — the
 *    classic lazy timer wheel; an entry may sit in an earlier slot than its deadline, never a later.
 *
 * Beside the wheel an entry may wait in one of `holdingLists` *holding lists*, outside time
 * altogether (`hold`, `heldIn`, `drainHeld`): e.g. Raft groups asleep while their leader's host
 * keeps heartbeating, woken together when that host goes quiet.
 *
 * Example (exact):
 * ```ts
 * const wheel = new DeadlineWheel({ entries: groups, resolutionMs: 10, slots: 4096, firstTick: Math.floor(now / 10) + 1 });
 * wheel.schedule(g, now + 200);
 * // in the host's timer:
 * const { entries, count } = wheel.advance(ctx.now());
 * for (let k = 0; k < count; k++) onDeadline(entries[k]);
 * ```
 */

/** `where` of an entry that is in no list. */
export const NOWHERE = -1;

export interface DeadlineWheelOptions {
  /** Number of entries (ids 0..entries-1). */
  readonly entries: number;
  /** Length of one slot in ms (the wheel's resolution). */
  readonly resolutionMs: number;
  /** Slots in the ring: one revolution is slots x resolutionMs. */
  readonly slots: number;
  /** The first tick `advance` / `drainNextSlot` will process (earlier ticks count as done). */
  readonly firstTick: number;
  /** Holding lists beside the wheel (0 if unused). */
  readonly holdingLists?: number;
}

export class DeadlineWheel {
  readonly resolutionMs: number;
  readonly slots: number;
  /**
   * Per entry: >= 0 the absolute tick of the slot holding it (exact mode: its due tick);
   * NOWHERE; <= -2 held in holding list (-2 - where). Replaced by `grow`.
   */
  where: Int32Array;
  /** Entries in each holding list. */
  readonly heldCount: Int32Array;
  /** Every tick up to and including this one has been processed. */
  doneTick: number;
  /** Entries in the wheel (not counting holding lists). */
  size = 0;
  /** Exact mode: the earliest tick scheduled since the last `advance` (a lower bound for the next timer). */
  earliest = Number.MAX_SAFE_INTEGER;

  private next: Int32Array;
  private prev: Int32Array;
  private readonly slotHead: Int32Array;
  private readonly holdHead: Int32Array;
  private scratch: Int32Array;

  constructor(options: DeadlineWheelOptions) {
    const { entries, resolutionMs, slots, firstTick } = options;
    const lists = options.holdingLists ?? 0;
    if (!(resolutionMs > 0) || !Number.isInteger(slots) || slots < 1 || !Number.isInteger(entries) || entries < 0) {
      throw new Error(`DeadlineWheel: bad options ${JSON.stringify(options)}`);
    }
    this.resolutionMs = resolutionMs;
    this.slots = slots;
    this.where = new Int32Array(entries).fill(NOWHERE);
    this.next = new Int32Array(entries).fill(NOWHERE);
    this.prev = new Int32Array(entries).fill(NOWHERE);
    this.slotHead = new Int32Array(slots).fill(NOWHERE);
    this.holdHead = new Int32Array(lists).fill(NOWHERE);
    this.heldCount = new Int32Array(lists);
    this.doneTick = firstTick - 1;
    this.scratch = new Int32Array(64);
  }

  /** Number of entries (ids 0..entries-1). */
  get entries(): number {
    return this.where.length;
  }

  /**
   * Room for `entries` entries, those present kept where they wait (a caller whose ids are handed
   * out as needed, e.g. zab's election rows, grows the wheel with them instead of sizing it for
   * every group up front).
   */
  grow(entries: number): void {
    const n = this.where.length;
    if (entries <= n) return;
    const widen = (a: Int32Array): Int32Array => {
      const b = new Int32Array(entries);
      b.set(a);
      b.fill(NOWHERE, n);
      return b;
    };
    this.where = widen(this.where);
    this.next = widen(this.next);
    this.prev = widen(this.prev);
  }

  /** The tick (slot) a time falls in, rounded down. */
  tickOf(timeMs: number): number {
    return Math.floor(timeMs / this.resolutionMs);
  }

  // ---- exact mode ------------------------------------------------------------------------

  /** The tick a deadline at `timeMs` fires on: never before it, never in a tick already processed. */
  dueTickOf(timeMs: number): number {
    const t = Math.ceil(timeMs / this.resolutionMs - 1e-9);
    return t > this.doneTick ? t : this.doneTick + 1;
  }

  /** Sets entry `i`'s deadline (replacing any other place it waits). */
  schedule(i: number, timeMs: number): void {
    if (this.where[i] !== NOWHERE) this.unlink(i);
    const t = this.dueTickOf(timeMs);
    this.linkSlot(i, t);
    if (t < this.earliest) this.earliest = t;
  }

  cancel(i: number): void {
    if (this.where[i] !== NOWHERE) this.unlink(i);
  }

  isScheduled(i: number): boolean {
    return this.where[i] >= 0;
  }

  /**
   * Removes and returns every entry due at or before `nowMs`, slot by slot in time order (sorted
   * by due tick after a gap longer than a revolution). The returned array is reused by the next call.
   */
  advance(nowMs: number): { readonly entries: Int32Array; readonly count: number } {
    const nowTick = Math.floor(nowMs / this.resolutionMs + 1e-9);
    let count = 0;
    if (nowTick > this.doneTick) {
      const slots = this.slots;
      const gap = nowTick - this.doneTick;
      const steps = gap > slots ? slots : gap;
      for (let k = 1; k <= steps; k++) {
        let i = this.slotHead[(this.doneTick + k) % slots];
        while (i !== NOWHERE) {
          const n = this.next[i];
          if (this.where[i] <= nowTick) {
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
      if (gap > slots && count > 1) {
        // More than a revolution passed: slots no longer come in time order. Sort by due tick
        // (stable: within a tick, list order).
        const order = Array.from(this.scratch.subarray(0, count));
        const rank = new Map<number, number>(order.map((e, k) => [e, k]));
        order.sort((x, y) => this.where[x] - this.where[y] || (rank.get(x) as number) - (rank.get(y) as number));
        this.scratch.set(order);
      }
      this.doneTick = nowTick;
      for (let k = 0; k < count; k++) this.unlink(this.scratch[k]);
    }
    this.earliest = Number.MAX_SAFE_INTEGER;
    return { entries: this.scratch, count };
  }

  /** The first tick after the last processed one whose slot holds an entry (maybe due a revolution later), or -1. */
  nextOccupiedTick(): number {
    if (this.size === 0) return -1;
    for (let k = 1; k <= this.slots; k++) {
      if (this.slotHead[(this.doneTick + k) % this.slots] !== NOWHERE) return this.doneTick + k;
    }
    return -1;
  }

  // ---- lazy mode -------------------------------------------------------------------------

  /** Puts `i` (currently in no list) in the slot `timeMs` falls in, clamped into the next revolution. */
  visitBy(i: number, timeMs: number): void {
    let t = this.tickOf(timeMs);
    if (t <= this.doneTick) t = this.doneTick + 1;
    else if (t > this.doneTick + this.slots) t = this.doneTick + this.slots;
    this.linkSlot(i, t);
  }

  /** Makes sure `i` is visited no later than `timeMs`: links it, or moves it to an earlier slot. */
  ensureBy(i: number, timeMs: number): void {
    const w = this.where[i];
    if (w >= 0) {
      if (w <= this.tickOf(timeMs)) return;
      this.unlink(i);
    } else if (w !== NOWHERE) {
      this.unlink(i);
    }
    this.visitBy(i, timeMs);
  }

  /** Before draining up to `nowTick`: after a gap longer than a revolution, visit every slot once. */
  catchUp(nowTick: number): void {
    if (nowTick - this.doneTick > this.slots) this.doneTick = nowTick - this.slots;
  }

  /**
   * Marks the next tick processed and empties its slot into `out` (entries now in no list);
   * returns how many. Lazy mode: the caller checks each entry's exact deadline.
   */
  drainNextSlot(out: Int32Array): number {
    const tick = ++this.doneTick;
    const s = tick % this.slots;
    const n = this.drainList(this.slotHead[s], out);
    this.slotHead[s] = NOWHERE;
    this.size -= n;
    return n;
  }

  // ---- holding lists ---------------------------------------------------------------------

  /** Moves `i` (from wherever it waits) into holding list `list`. */
  hold(i: number, list: number): void {
    if (this.where[i] !== NOWHERE) this.unlink(i);
    const head = this.holdHead[list];
    this.next[i] = head;
    this.prev[i] = NOWHERE;
    if (head >= 0) this.prev[head] = i;
    this.holdHead[list] = i;
    this.heldCount[list]++;
    this.where[i] = -2 - list;
  }

  /** The holding list `i` waits in, or -1. */
  heldIn(i: number): number {
    const w = this.where[i];
    return w <= -2 ? -2 - w : -1;
  }

  /** Empties holding list `list` into `out` (entries now in no list); returns how many. */
  drainHeld(list: number, out: Int32Array): number {
    const n = this.drainList(this.holdHead[list], out);
    this.holdHead[list] = NOWHERE;
    this.heldCount[list] = 0;
    return n;
  }

  // ---- both ------------------------------------------------------------------------------

  /** Takes `i` out of whatever list holds it. */
  unlink(i: number): void {
    const w = this.where[i];
    if (w === NOWHERE) return;
    const n = this.next[i];
    const p = this.prev[i];
    if (p >= 0) this.next[p] = n;
    else if (w >= 0) this.slotHead[w % this.slots] = n;
    else this.holdHead[-2 - w] = n;
    if (n >= 0) this.prev[n] = p;
    if (w >= 0) this.size--;
    else this.heldCount[-2 - w]--;
    this.next[i] = NOWHERE;
    this.prev[i] = NOWHERE;
    this.where[i] = NOWHERE;
  }

  private linkSlot(i: number, tick: number): void {
    const s = tick % this.slots;
    const head = this.slotHead[s];
    this.next[i] = head;
    this.prev[i] = NOWHERE;
    if (head >= 0) this.prev[head] = i;
    this.slotHead[s] = i;
    this.where[i] = tick;
    this.size++;
  }

  private drainList(head: number, out: Int32Array): number {
    let n = 0;
    for (let i = head; i >= 0; ) {
      out[n++] = i;
      const next = this.next[i];
      this.next[i] = NOWHERE;
      this.prev[i] = NOWHERE;
      this.where[i] = NOWHERE;
      i = next;
    }
    return n;
  }
}
