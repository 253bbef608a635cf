/**
 * A Map from znode path to a value, in insertion order, with each path's hash kept beside it
 * (PathTable): the znode tree's table of every node (tree.ts). It behaves as the Map<string, V> it
 * replaces (get, set, has, delete, size, and keys/values/entries in insertion order, a deleted and
 * re-added path last). Why: inserting 1M fresh paths into a Map costs ~2.5x per path what 100k cost
 * on this VM (path-table.ts). The values sit in an array beside the paths, entry for entry.
 */
import { PathTable, pathHash, sized } from "./path-table.ts";

export class PathMap<V> extends PathTable implements Iterable<[string, V]> {
  private vals: (V | undefined)[] = [];

  get(path: string, hash: number = pathHash(path)): V | undefined {
    const slot = this.find(path, hash);
    return slot < 0 ? undefined : this.vals[this.index[slot] - 1];
  }

  /** Sets `path`'s value: in place if it is in the map, else added at the end (as Map.set). */
  set(path: string, value: V, hash: number = pathHash(path)): this {
    const slot = this.find(path, hash);
    if (slot >= 0) this.vals[this.index[slot] - 1] = value;
    else this.vals[this.append(path, hash)] = value;
    return this;
  }

  protected override reserved(entries: number): void {
    if (this.vals.length < entries) this.vals = sized(this.vals, this.used, entries);
  }

  protected override removed(e: number): void {
    this.vals[e] = undefined;
  }
  protected override moved(from: number, to: number): void {
    this.vals[to] = this.vals[from];
  }
  protected override cleared(live = 0): void {
    this.vals.length = live;
  }

  /**
   * Entries so far, holes included: with pathAt and valueAt, a walk over the map in insertion
   * order without an iterator (a walk of a million znodes: no generator step or pair per entry).
   */
  get end(): number {
    return this.used;
  }

  /** The path of entry `e` (0 <= e < end), undefined for a hole. */
  pathAt(e: number): string | undefined {
    return this.paths[e];
  }

  /** The value of entry `e` (0 <= e < end), undefined for a hole. */
  valueAt(e: number): V | undefined {
    return this.vals[e];
  }

  /** The paths in insertion order. */
  *keys(): IterableIterator<string> {
    for (let e = 0; e < this.used; e++) {
      const p = this.paths[e];
      if (p !== undefined) yield p;
    }
  }

  *values(): IterableIterator<V> {
    for (let e = 0; e < this.used; e++) if (this.paths[e] !== undefined) yield this.vals[e] as V;
  }

  *entries(): IterableIterator<[string, V]> {
    for (let e = 0; e < this.used; e++) {
      const p = this.paths[e];
      if (p !== undefined) yield [p, this.vals[e] as V];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}
