/**
 * Where each of a host's groups waits: in a bucketed deadline wheel (one bucket per tick), in
 * the "parked" list of the host it follows (coalesced heartbeats: the group sleeps until that
 * host goes quiet), or nowhere (a coalesced leader with nothing to send).
 *
 * Intrusive doubly linked lists in typed arrays: a group is in at most one list, moving it is
 * O(1), and nothing is allocated per group. A wheel entry may sit in an earlier bucket than its
 * deadline (deadlines only move later on the steady path, so the entry is simply revisited and
 * relinked — the classic lazy timer wheel); it is never in a later one.
 */
export const NOWHERE = -1;

export class GroupLists {
  /** >= 0: the absolute tick slot of the wheel bucket holding the group; -1 nowhere; <= -2 parked at host -2 - where. */
  readonly where: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly bucketHead: Int32Array;
  private readonly parkHead: Int32Array;
  readonly parkCount: Int32Array;
  /** Every slot up to and including this one has been processed. */
  doneSlot: number;

  constructor(
    groups: number,
    hosts: number,
    private readonly width: number,
    private readonly tickMs: number,
    now: number,
  ) {
    this.where = new Int32Array(groups).fill(NOWHERE);
    this.next = new Int32Array(groups).fill(-1);
    this.prev = new Int32Array(groups).fill(-1);
    this.bucketHead = new Int32Array(width).fill(-1);
    this.parkHead = new Int32Array(hosts).fill(-1);
    this.parkCount = new Int32Array(hosts);
    this.doneSlot = Math.floor(now / tickMs) - 1;
  }

  /** The slot a deadline falls in. */
  slotOf(time: number): number {
    return Math.floor(time / this.tickMs);
  }

  /** Puts `g` (currently nowhere) in the wheel bucket for `time` (clamped to the wheel's span). */
  linkWheel(g: number, time: number): void {
    let s = this.slotOf(time);
    if (s <= this.doneSlot) s = this.doneSlot + 1;
    else if (s > this.doneSlot + this.width) s = this.doneSlot + this.width;
    const b = s % this.width;
    const head = this.bucketHead[b];
    this.next[g] = head;
    this.prev[g] = -1;
    if (head >= 0) this.prev[head] = g;
    this.bucketHead[b] = g;
    this.where[g] = s;
  }

  /** Makes sure `g` is visited no later than `time`: links it, or moves it to an earlier bucket. */
  ensureBy(g: number, time: number): void {
    const w = this.where[g];
    if (w >= 0) {
      if (w <= this.slotOf(time)) return;
      this.unlink(g);
    } else if (w !== NOWHERE) {
      this.unlink(g);
    }
    this.linkWheel(g, time);
  }

  park(g: number, host: number): void {
    if (this.where[g] !== NOWHERE) this.unlink(g);
    const head = this.parkHead[host];
    this.next[g] = head;
    this.prev[g] = -1;
    if (head >= 0) this.prev[head] = g;
    this.parkHead[host] = g;
    this.parkCount[host]++;
    this.where[g] = -2 - host;
  }

  parkedAt(g: number): number {
    const w = this.where[g];
    return w <= -2 ? -2 - w : -1;
  }

  unlink(g: number): void {
    const w = this.where[g];
    if (w === NOWHERE) return;
    const n = this.next[g];
    const p = this.prev[g];
    if (p >= 0) this.next[p] = n;
    else if (w >= 0) this.bucketHead[w % this.width] = n;
    else {
      const host = -2 - w;
      this.parkHead[host] = n;
    }
    if (n >= 0) this.prev[n] = p;
    if (w <= -2) this.parkCount[-2 - w]--;
    this.next[g] = -1;
    this.prev[g] = -1;
    this.where[g] = NOWHERE;
  }

  /** Empties the bucket of `slot` into `out`; returns how many groups it held (now nowhere). */
  drainBucket(slot: number, out: Int32Array): number {
    const b = slot % this.width;
    const n = this.drain(this.bucketHead[b], out);
    this.bucketHead[b] = -1;
    return n;
  }

  /** Empties the parked list of `host` into `out`; returns how many groups it held (now nowhere). */
  drainParked(host: number, out: Int32Array): number {
    const n = this.drain(this.parkHead[host], out);
    this.parkHead[host] = -1;
    this.parkCount[host] = 0;
    return n;
  }

  private drain(head: number, out: Int32Array): number {
    let n = 0;
    for (let g = head; g >= 0; ) {
      out[n++] = g;
      const next = this.next[g];
      this.next[g] = -1;
      this.prev[g] = -1;
      this.where[g] = NOWHERE;
      g = next;
    }
    return n;
  }

  get span(): number {
    return this.width;
  }
}
