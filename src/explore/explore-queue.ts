/**
 * The explorer's event queue: the kernel's KernelQueue, but `pop` returns the event the search
 * chose (`choose(id)`) instead of the earliest one; with no choice pending it pops in the kernel's
 * own order, (time, insertion sequence). Events are never reused slots: an event's id is its
 * insertion number, so the same path of choices replayed on a fresh world names the same events.
 *
 * Time never runs backwards: running a later event first makes the earlier ones late (a message
 * delayed, a timer fired late — both things an asynchronous system allows), so `timeOf` reports
 * max(the event's time, the latest time already popped).
 *
 * A tiny world holds tens of pending events, so plain arrays and linear scans are the simple and
 * fast choice; this queue is never used by a normal run.
 */
import type { KernelQueue } from "../sim/kernel.ts";

const CANCELLED = 0;
const NONE = -1;

export class ExploreQueue implements KernelQueue {
  private readonly times: number[] = [];
  private readonly kinds: number[] = [];
  private readonly targets: number[] = [];
  private readonly incarnations: number[] = [];
  private readonly as: number[] = [];
  private readonly bs: number[] = [];
  private readonly objs: unknown[] = [];
  /** Ids of queued events, in insertion order. */
  private live: number[] = [];
  private chosen = NONE;
  /** The latest time popped: the clock never goes back. */
  private floor = 0;

  /** The id the next pushed event gets. */
  get nextId(): number {
    return this.times.length;
  }

  get size(): number {
    return this.live.length;
  }

  push(time: number, kind: number, target: number, incarnation: number, a: number, b: number, obj: unknown): number {
    const id = this.times.length;
    this.times.push(time);
    this.kinds.push(kind);
    this.targets.push(target);
    this.incarnations.push(incarnation);
    this.as.push(a);
    this.bs.push(b);
    this.objs.push(obj);
    this.live.push(id);
    return id;
  }

  handleOf(slot: number): number {
    return slot;
  }

  cancel(handle: number): boolean {
    if (!(handle >= 0 && handle < this.kinds.length) || this.kinds[handle] === CANCELLED) return false;
    const i = this.live.indexOf(handle);
    if (i < 0) return false;
    // The kernel would pop it as "cancelled" and skip it: leaving it out now keeps scans short.
    this.kinds[handle] = CANCELLED;
    this.live.splice(i, 1);
    this.objs[handle] = undefined;
    return true;
  }

  /** The next `pop` returns event `id` (which must be queued). */
  choose(id: number): void {
    if (this.live.indexOf(id) < 0) throw new Error(`explore: event ${id} is not pending`);
    this.chosen = id;
  }

  /** Removes a queued event without running it (the "drop one message" fault). */
  remove(id: number): boolean {
    const i = this.live.indexOf(id);
    if (i < 0) return false;
    this.live.splice(i, 1);
    this.objs[id] = undefined;
    return true;
  }

  pop(): number {
    let id = this.chosen;
    this.chosen = NONE;
    if (id === NONE) {
      id = this.earliest();
      if (id === NONE) return NONE;
    }
    this.live.splice(this.live.indexOf(id), 1);
    if (this.times[id] > this.floor) this.floor = this.times[id];
    return id;
  }

  popUntil(until: number): number {
    return this.peekTime() <= until ? this.pop() : NONE;
  }

  peekTime(): number {
    if (this.chosen !== NONE) return this.timeOf(this.chosen);
    const id = this.earliest();
    return id === NONE ? Infinity : this.timeOf(id);
  }

  /** Queued event ids in (time, insertion) order, cancelled ones left out. */
  pending(): number[] {
    const out = this.live.filter((id) => this.kinds[id] !== CANCELLED);
    out.sort((x, y) => this.times[x] - this.times[y] || x - y);
    return out;
  }

  /** The time the event was scheduled for (before any lateness). */
  scheduledTime(id: number): number {
    return this.times[id];
  }

  /** Reads an event's payload without taking it (for digests and descriptions). */
  peekObj(id: number): unknown {
    return this.objs[id];
  }

  timeOf(slot: number): number {
    const t = this.times[slot];
    return t > this.floor ? t : this.floor;
  }

  kindOf(slot: number): number {
    return this.kinds[slot];
  }

  targetOf(slot: number): number {
    return this.targets[slot];
  }

  incarnationOf(slot: number): number {
    return this.incarnations[slot];
  }

  aOf(slot: number): number {
    return this.as[slot];
  }

  bOf(slot: number): number {
    return this.bs[slot];
  }

  takeObjOf(slot: number): unknown {
    const obj = this.objs[slot];
    this.objs[slot] = undefined;
    return obj;
  }

  private earliest(): number {
    let best = NONE;
    for (const id of this.live) {
      if (best === NONE || this.times[id] < this.times[best] || (this.times[id] === this.times[best] && id < best)) best = id;
    }
    return best;
  }
}
