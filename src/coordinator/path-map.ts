/**
 * A Map from znode path to a value, in insertion order, with each path's hash kept beside it: the
 * znode tree's table of every node (tree.ts). It behaves as the Map<string, V> it replaces (get, set,
 * has, delete, size, and keys/values/entries in insertion order, a deleted and re-added path last).
 *
 * Why not a Map: a settled start at 1M partitions puts 1M path strings in the tree. A Map reads a
 * key string's hash from the string at every probe that meets it and again for every key at every
 * rehash as it grows; those strings lie scattered over a ~0.5 GiB heap, so at 1M most of those reads
 * miss the cache (inserting 1M fresh paths into a Map costs ~2.5x per path what 100k cost on this VM,
 * docs/performance.md, stop 26). Here the hash is computed from the path's characters where the
 * caller passes the path (pathHash) and kept in an Int32Array, so probing and growing read this
 * table's arrays only, and a path string is compared only when its full 32-bit hash matches.
 * Layout as PathSet's (path-set.ts), with a values array beside the paths.
 */
import { pathHash } from "./path-set.ts";

export class PathMap<V> implements Iterable<[string, V]> {
  private paths: (string | undefined)[] = [];
  private vals: (V | undefined)[] = [];
  private hashes = new Int32Array(8);
  /** Entries used in `paths` and `hashes` (holes included). */
  private used = 0;
  private index = new Int32Array(16);
  private mask = 15;
  /** Paths in the map. */
  size = 0;

  has(path: string, hash: number = pathHash(path)): boolean {
    return this.find(path, hash) >= 0;
  }

  get(path: string, hash: number = pathHash(path)): V | undefined {
    const slot = this.find(path, hash);
    return slot < 0 ? undefined : this.vals[this.index[slot] - 1];
  }

  /** Sets `path`'s value: in place if it is in the map, else added at the end (as Map.set). */
  set(path: string, value: V, hash: number = pathHash(path)): this {
    const slot = this.find(path, hash);
    if (slot >= 0) {
      this.vals[this.index[slot] - 1] = value;
      return this;
    }
    if ((this.used + 1) * 2 > this.index.length) this.grow(this.used + 1);
    const e = this.used++;
    if (e === this.hashes.length) {
      const h = new Int32Array(e * 2);
      h.set(this.hashes);
      this.hashes = h;
    }
    this.hashes[e] = hash;
    this.paths[e] = path;
    this.vals[e] = value;
    let i = hash & this.mask;
    while (this.index[i] !== 0) i = (i + 1) & this.mask;
    this.index[i] = e + 1;
    this.size++;
    return this;
  }

  /** Removes `path`; returns whether it was in the map. */
  delete(path: string, hash: number = pathHash(path)): boolean {
    const slot = this.find(path, hash);
    if (slot < 0) return false;
    const e = this.index[slot] - 1;
    this.paths[e] = undefined;
    this.vals[e] = undefined;
    this.size--;
    // Backward-shift deletion: move later entries of the probe run into the freed slot when their
    // home position allows it, so every entry stays reachable from its home without tombstones.
    const index = this.index;
    const mask = this.mask;
    let free = slot;
    let i = (slot + 1) & mask;
    while (index[i] !== 0) {
      const home = this.hashes[index[i] - 1] & mask;
      // `i`'s entry may move to `free` if its home is not in the cyclic range (free, i].
      if (free <= i ? home <= free || home > i : home <= free && home > i) {
        index[free] = index[i];
        free = i;
      }
      i = (i + 1) & mask;
    }
    index[free] = 0;
    if (this.size === 0) this.clear();
    return true;
  }

  clear(): void {
    if (this.used === 0) return;
    if (this.index.length > 64) {
      this.index = new Int32Array(16);
      this.mask = 15;
      this.hashes = new Int32Array(8);
    } else {
      this.index.fill(0);
    }
    this.paths.length = 0;
    this.vals.length = 0;
    this.used = 0;
    this.size = 0;
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

  /** The index slot holding `path`, or -1. */
  private find(path: string, hash: number): number {
    const index = this.index;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const v = index[i];
      if (v === 0) return -1;
      if (this.hashes[v - 1] === hash && this.paths[v - 1] === path) return i;
    }
  }

  /** Room for `entries` entries: drops the holes once they outnumber half the paths, and doubles the index while it would be over half full. */
  private grow(entries: number): void {
    const live = this.size;
    if (this.used - live > live >> 1) {
      const paths = new Array<string>(live);
      const vals = new Array<V>(live);
      const hashes = new Int32Array(Math.max(8, live * 2, entries - this.used + live));
      let k = 0;
      for (let e = 0; e < this.used; e++) {
        const p = this.paths[e];
        if (p === undefined) continue;
        paths[k] = p;
        vals[k] = this.vals[e] as V;
        hashes[k++] = this.hashes[e];
      }
      this.paths = paths;
      this.vals = vals;
      this.hashes = hashes;
      entries += live - this.used;
      this.used = live;
    }
    let n = this.index.length;
    while (entries * 2 > n) n *= 2;
    const index = new Int32Array(n);
    const mask = n - 1;
    const hashes = this.hashes;
    const paths = this.paths;
    for (let e = 0; e < this.used; e++) {
      if (paths[e] === undefined) continue;
      let i = hashes[e] & mask;
      while (index[i] !== 0) i = (i + 1) & mask;
      index[i] = e + 1;
    }
    this.index = index;
    this.mask = mask;
  }
}
