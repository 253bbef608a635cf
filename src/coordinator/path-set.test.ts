import { describe, expect, it } from "vitest";
import { PathMap } from "./path-map.ts";
import { PathSet } from "./path-set.ts";
import { pathHash } from "./path-table.ts";

describe("PathSet", () => {
  it("keeps the members and the iteration order of a Set<string> through adds, deletes, clears and reserves", () => {
    // A fixed LCG; paths from a small universe, so adds hit members, and deletes empty long probe runs.
    const next = lcg(12345);
    for (const universe of [3, 40, 700]) {
      const ours = new PathSet();
      const set = new Set<string>();
      const mismatches: string[] = [];
      for (let k = 0; k < 5_000; k++) {
        const path = `/leaders/${next(universe)}`;
        const op = next(100);
        if (k % 400 === 0) ours.reserve(next(universe)); // sizes only: nothing a Set would show changes
        let same = true;
        if (op < 50) same = ours.add(path) === (!set.has(path) && set.add(path) !== undefined);
        else if (op < 95) same = ours.delete(path) === set.delete(path);
        else if (op < 99) same = ours.has(path) === set.has(path);
        else {
          ours.clear();
          set.clear();
        }
        if (!same || ours.size !== set.size) mismatches.push(`op ${k} on ${path}`);
        if (k % 97 === 0 && ours.toArray().join() !== [...set].join()) mismatches.push(`order after op ${k}`);
      }
      expect(mismatches).toEqual([]);
      expect(ours.toArray()).toEqual([...set]);
    }
  });

  it("addAll: takes over lists into an empty set (a repeated path left out), adds one by one otherwise", () => {
    const paths = ["/a", "/b", "/a", "/c", "/b", "/d", "unused"];
    const hashes = new Int32Array(8);
    paths.forEach((p, i) => (hashes[i] = pathHash(p)));
    const s = new PathSet();
    s.addAll(paths, hashes, 6);
    expect([s.size, s.toArray()]).toEqual([4, ["/a", "/b", "/c", "/d"]]);
    expect(s.delete("/b") && s.add("/b") && s.add("/e")).toBe(true);
    expect(s.toArray()).toEqual(["/a", "/c", "/d", "/b", "/e"]);
    s.addAll(["/c", "/f"], new Int32Array([pathHash("/c"), pathHash("/f")]), 2);
    expect(s.toArray()).toEqual(["/a", "/c", "/d", "/b", "/e", "/f"]);
  });

  it("finds paths whose hashes share an index slot, deleted from the middle of a run", () => {
    const s = new PathSet();
    // Same hash for every path (a forced collision): all in one probe run.
    for (let i = 0; i < 20; i++) s.add(`/p${i}`, 7);
    for (let i = 0; i < 20; i += 3) expect(s.delete(`/p${i}`, 7)).toBe(true);
    for (let i = 0; i < 20; i++) expect(s.has(`/p${i}`, 7)).toBe(i % 3 !== 0);
    expect(pathHash("/a")).not.toBe(pathHash("/b"));
  });
});

describe("PathMap", () => {
  it("keeps the entries and the iteration order of a Map<string, V> through sets, deletes, clears and reserves", () => {
    const next = lcg(777);
    for (const universe of [3, 40, 700]) {
      const ours = new PathMap<number>();
      const map = new Map<string, number>();
      const mismatches: string[] = [];
      for (let k = 0; k < 5_000; k++) {
        const path = `/brokers/topics/t/partitions/${next(universe)}`;
        const op = next(100);
        if (k % 400 === 0) ours.reserve(next(universe));
        let same = true;
        if (op < 50) {
          ours.set(path, k);
          map.set(path, k);
        } else if (op < 90) same = ours.delete(path) === map.delete(path);
        else if (op < 99) same = ours.get(path) === map.get(path) && ours.has(path) === map.has(path);
        else {
          ours.clear();
          map.clear();
        }
        if (!same || ours.size !== map.size) mismatches.push(`op ${k} on ${path}`);
        if (k % 97 === 0 && JSON.stringify([...ours]) !== JSON.stringify([...map])) mismatches.push(`order after op ${k}`);
      }
      expect(mismatches).toEqual([]);
      expect([...ours.keys()]).toEqual([...map.keys()]);
      expect([...ours.values()]).toEqual([...map.values()]);
    }
  });
});

/** A fixed linear congruential generator: next(n) is in [0, n). */
function lcg(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}
