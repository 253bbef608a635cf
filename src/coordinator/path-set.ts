/**
 * A set of znode paths in insertion order, with each path's hash kept beside it: the client's
 * watch tables (ZKWatchManager's dataWatches, existWatches, childWatches). It behaves as the
 * Set<string> it replaces: the same members, iterated in the same order (adding a path already
 * there keeps its place; deleting one and adding it again puts it last), which SetWatches sends.
 *
 * Why not a Set: a settled start at 1M partitions restores 30k watches into each of 100 clients'
 * tables. A Set reads every key's hash from the key string, and those strings lie scattered over a
 * ~0.5 GiB heap: a cache miss per insert, and again per key at every rehash as the Set grows
 * (`new Set` of the clients' 3M restored paths took 1.3-1.7 s at 1M, ~6x per path what it takes at
 * 100k). Here a path's hash is computed from its characters once (pathHash) and kept in an
 * Int32Array: growing touches only this table's arrays, and a lookup reads a path string only when
 * its full 32-bit hash matches. A settled start hands a client its restored paths and their hashes
 * (hashed once per path, while the new string is in cache) as two lists that become the set's
 * (addAll), so building it reads no path string at all.
 *
 * Layout: `paths`/`hashes` in insertion order (a deleted entry leaves a hole, `undefined`, until
 * the arrays are compacted); `index`, open addressing with linear probing, holds entry + 1 (0:
 * free); deletion shifts later entries of the run back (no tombstones).
 */
export class PathSet {
  private paths: (string | undefined)[] = [];
  private hashes: Int32Array = new Int32Array(8);
  /** Entries used in `paths` and `hashes` (holes included). */
  private used = 0;
  private index = new Int32Array(16);
  private mask = 15;
  /** Paths in the set. */
  size = 0;

  has(path: string, hash: number = pathHash(path)): boolean {
    return this.find(path, hash) >= 0;
  }

  /** Adds `path` at the end unless it is in the set already; returns whether it was added. */
  add(path: string, hash: number = pathHash(path)): boolean {
    if (this.find(path, hash) >= 0) return false;
    if ((this.used + 1) * 2 > this.index.length) this.grow(this.used + 1);
    const e = this.used++;
    if (e === this.hashes.length) {
      const h = new Int32Array(e * 2);
      h.set(this.hashes);
      this.hashes = h;
    }
    this.hashes[e] = hash;
    this.paths[e] = path;
    let i = hash & this.mask;
    while (this.index[i] !== 0) i = (i + 1) & this.mask;
    this.index[i] = e + 1;
    this.size++;
    return true;
  }

  /**
   * Adds the first `n` of `paths` in order, with their hashes (pathHash) given. Into an empty set
   * (a settled start's restored watches) the two lists themselves become the set's, and only the
   * index is built: the path strings are not read (a repeated path leaves a hole, as add() would
   * skip it). The caller gives up both lists.
   */
  addAll(paths: (string | undefined)[], hashes: Int32Array, n: number): void {
    if (this.used !== 0) {
      for (let e = 0; e < n; e++) this.add(paths[e] as string, hashes[e]);
      return;
    }
    paths.length = n;
    let size = 16;
    while ((n + 1) * 2 > size) size *= 2;
    const index = new Int32Array(size);
    const mask = size - 1;
    let live = 0;
    for (let e = 0; e < n; e++) {
      const hash = hashes[e];
      let i = hash & mask;
      let repeated = false;
      for (let v = index[i]; v !== 0; i = (i + 1) & mask, v = index[i]) {
        if (hashes[v - 1] === hash && paths[v - 1] === paths[e]) {
          repeated = true;
          break;
        }
      }
      if (repeated) {
        paths[e] = undefined;
        continue;
      }
      index[i] = e + 1;
      live++;
    }
    this.paths = paths;
    this.hashes = hashes;
    this.used = n;
    this.index = index;
    this.mask = mask;
    this.size = live;
  }

  /** Removes `path`; returns whether it was in the set. */
  delete(path: string, hash: number = pathHash(path)): boolean {
    const slot = this.find(path, hash);
    if (slot < 0) return false;
    const e = this.index[slot] - 1;
    this.paths[e] = undefined;
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
    this.used = 0;
    this.size = 0;
  }

  /** The paths in insertion order. */
  toArray(): string[] {
    const out = new Array<string>(this.size);
    let k = 0;
    for (let e = 0; e < this.used; e++) {
      const p = this.paths[e];
      if (p !== undefined) out[k++] = p;
    }
    return out;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.toArray()[Symbol.iterator]();
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
      const hashes = new Int32Array(Math.max(8, live * 2, entries - this.used + live));
      let k = 0;
      for (let e = 0; e < this.used; e++) {
        const p = this.paths[e];
        if (p === undefined) continue;
        paths[k] = p;
        hashes[k++] = this.hashes[e];
      }
      this.paths = paths;
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

/** FNV-1a over the path's UTF-16 code units: a 32-bit hash computed from the characters alone. */
export function pathHash(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h | 0;
}
