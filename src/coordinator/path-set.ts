/**
 * A set of znode paths in insertion order, with each path's hash kept beside it (PathTable): the
 * client's watch tables (ZKWatchManager's dataWatches, existWatches, childWatches). It behaves as
 * the Set<string> it replaces: the same members, iterated in the same order (adding a path already
 * there keeps its place; deleting one and adding it again puts it last), which SetWatches sends.
 *
 * Why: `new Set` of the clients' 3M restored paths took 1.3-1.7 s at 1M partitions, ~6x per path
 * what it takes at 100k (path-table.ts says why). A settled start hands a client its restored
 * paths and their hashes (hashed once per path, while the new string is in cache) as two lists
 * that become the set's (addAll), so building it reads no path string at all.
 */
import { PathTable, pathHash } from "./path-table.ts";

export class PathSet extends PathTable {
  /** Adds `path` at the end unless it is in the set already; returns whether it was added. */
  add(path: string, hash: number = pathHash(path)): boolean {
    if (this.find(path, hash) >= 0) return false;
    this.append(path, hash);
    return true;
  }

  /**
   * Adds the first `n` of `paths` in order, with their hashes (pathHash) given. Into an empty set
   * (a settled start's restored watches) the two lists themselves become the set's, and only the
   * index is built: the path strings are not read (a repeated path leaves a hole, as add() would
   * skip it). The caller gives up both lists, and `room`, if given: a zeroed index allocated
   * beforehand (used if it is large enough).
   */
  addAll(paths: (string | undefined)[], hashes: Int32Array, n: number, room: Int32Array<ArrayBuffer> | null = null): void {
    if (this.used !== 0) {
      for (let e = 0; e < n; e++) this.add(paths[e] as string, hashes[e]);
      return;
    }
    paths.length = n;
    const size = indexSizeFor(n);
    const index = room !== null && room.length >= size ? room : new Int32Array(size);
    const mask = index.length - 1;
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
}

/** The index addAll builds for `n` paths: the least power of two (16 or more) at least 2(n + 1) (PathTable keeps it at most half full). */
export function indexSizeFor(n: number): number {
  let size = 16;
  while ((n + 1) * 2 > size) size *= 2;
  return size;
}
