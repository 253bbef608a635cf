/**
 * One set of large typed arrays kept for the next user that needs exactly the same size. Why: at a
 * million partitions the lab's big tables (the observation log's columns, the belief table, a
 * settled start's staging) are tens of MiB each, which the C allocator maps fresh for every world
 * and unmaps when it is collected, so every world paid a page fault per 4 KiB to fill them again.
 * Only sets of at least `minLength` elements are worth keeping; a kept set gives way to a larger
 * one only. Memory only: a user takes the set whole and must leave it as a fresh one would read
 * (or overwrite what it reads), which each user's comment states.
 */
export class KeptArrays<T> {
  private kept: T | undefined;
  private keptLength = 0;

  constructor(private readonly minLength = 1 << 16) {}

  /** The kept set if it has exactly `length` elements (it is then no longer kept), else undefined. */
  take(length: number): T | undefined {
    if (this.kept === undefined || this.keptLength !== length) return undefined;
    const set = this.kept;
    this.kept = undefined;
    return set;
  }

  /**
   * Offers a set of `length` elements that its user no longer reads or writes; true if it is kept
   * (the caller may then make it read as fresh, before any later take).
   */
  give(set: T, length: number): boolean {
    if (length < this.minLength || (this.kept !== undefined && length < this.keptLength)) return false;
    this.kept = set;
    this.keptLength = length;
    return true;
  }
}
