/**
 * The hash index that PathSet (a client's watch tables) and PathMap (the znode tree's table) share:
 * znode paths in insertion order, each path's hash kept beside it.
 *
 * Why not a Set or a Map: a settled start at 1M partitions puts 1M path strings in the tree and
 * 30k restored watches in each of 100 clients' tables. A Set or a Map reads a key's hash from the
 * key string at every probe that meets it and again for every key at every rehash as it grows;
 * those strings lie scattered over a ~0.5 GiB heap, so at 1M most of those reads miss the cache
 * (docs/performance.md, stop 26). Here a path's hash is computed from its characters once
 * (pathHash) and kept in an Int32Array: probing and growing read this table's arrays only, and a
 * path string is compared only when its full 32-bit hash matches.
 *
 * Layout: `paths`/`hashes` in insertion order (a deleted entry leaves a hole, `undefined`, until
 * the arrays are compacted); `index`, open addressing with linear probing, holds entry + 1 (0:
 * free); deletion shifts later entries of the run back (no tombstones). A subclass that keeps
 * something per entry (PathMap's values) follows entries through `moved` and `cleared`.
 */
export abstract class PathTable {
  protected paths: (string | undefined)[] = [];
  protected hashes: Int32Array = new Int32Array(8);
  /** Entries used in `paths` and `hashes` (holes included). */
  protected used = 0;
  protected index = new Int32Array(16);
  protected mask = 15;
  /** Paths in the table. */
  size = 0;

  has(path: string, hash: number = pathHash(path)): boolean {
    return this.find(path, hash) >= 0;
  }

  /** Removes `path`; returns whether it was in the table. */
  delete(path: string, hash: number = pathHash(path)): boolean {
    const slot = this.find(path, hash);
    if (slot < 0) return false;
    const e = this.index[slot] - 1;
    this.paths[e] = undefined;
    this.removed(e);
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
    this.cleared();
    this.used = 0;
    this.size = 0;
  }

  /**
   * Room for `extra` more entries than are used now, made at once: the index sized for them (one
   * rebuild instead of one per doubling) and the entry arrays allocated at their final length and
   * an eighth more (withRoom). A settled start knows how many znodes or watches it restores: at 1M
   * partitions the doublings were rehashes of the whole table and copies of 1M-entry arrays.
   * Changes no content or order.
   */
  reserve(extra: number): void {
    const entries = this.used + extra;
    if (entries * 2 > this.index.length) this.grow(entries);
    if (this.hashes.length < entries) this.hashes = sizedInt32(this.hashes, this.used, entries);
    if (this.paths.length < entries) this.paths = sized(this.paths, this.used, entries);
    this.reserved(entries);
  }

  /** reserve() made room for `entries` entries (a subclass sizes what it keeps per entry). */
  protected reserved(_entries: number): void {}

  /** Entry `e` was deleted (its path is already a hole). */
  protected removed(_e: number): void {}
  /** Compaction moved entry `from` to `to` (to <= from, in increasing order of from). */
  protected moved(_from: number, _to: number): void {}
  /** Every entry is gone (clear), or entries from `live` on after a compaction. */
  protected cleared(_live = 0): void {}

  /** The index slot holding `path`, or -1. */
  protected find(path: string, hash: number): number {
    const index = this.index;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const v = index[i];
      if (v === 0) return -1;
      if (this.hashes[v - 1] === hash && this.paths[v - 1] === path) return i;
    }
  }

  /** Appends a path known to be absent; returns its entry. */
  protected append(path: string, hash: number): number {
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
    return e;
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
        hashes[k] = this.hashes[e];
        this.moved(e, k++);
      }
      this.cleared(live);
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

/**
 * Room for `n` entries reserved by a settled start, and an eighth more: the run then adds to
 * them (a crash's new leader znodes and re-set watches), and a list sized to the entry would be
 * copied whole at its first addition (growing by half, as these lists did, leaves a quarter
 * unused on average).
 */
export function withRoom(n: number): number {
  return n + (n >> 3) + 16;
}

/** The first `used` of `list` in a new array of withRoom(`length`) (the rest holes, filled by index later). */
export function sized<T>(list: T[], used: number, length: number): T[] {
  const out = new Array<T>(withRoom(length));
  for (let e = 0; e < used; e++) out[e] = list[e] as T;
  return out;
}

/** sized() for a path table's hashes: the first `used` of `hashes` in a new Int32Array of withRoom(`length`). */
export function sizedInt32(hashes: Int32Array, used: number, length: number): Int32Array {
  const out = new Int32Array(withRoom(length));
  out.set(hashes.subarray(0, used));
  return out;
}

/** FNV-1a over the path's UTF-16 code units: a 32-bit hash computed from the characters alone. */
export function pathHash(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h | 0;
}
