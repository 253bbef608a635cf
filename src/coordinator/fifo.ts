/**
 * A first-in first-out queue over a growable ring buffer: O(1) push and shift, no per-item
 * allocation (Array.prototype.shift is O(n) on large arrays).
 */
export class Fifo<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(capacity = 8) {
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
  }

  /** Removes and returns the oldest item (undefined when empty). */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Removes every item and returns them oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  clear(): void {
    this.items = new Array<T | undefined>(8);
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const old = this.items;
    const grown = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) grown[i] = old[(this.head + i) % old.length];
    this.items = grown;
    this.head = 0;
  }
}
