import { describe, expect, it } from "vitest";
import { findLocal } from "./local-replicas.ts";

/** The plain binary search findLocal must agree with. */
function bisect(parts: Int32Array, p: number): number {
  let lo = 0;
  let hi = parts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (parts[mid] === p) return mid;
    if (parts[mid] < p) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

describe("findLocal", () => {
  it("answers as a binary search for every partition, present or not, whatever the hint", () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (const [P, density] of [[1, 1], [10, 0.5], [300, 0.03], [300, 0.9], [2000, 0.01], [2000, 0.3]] as const) {
      for (let round = 0; round < 4; round++) {
        const ids: number[] = [];
        for (let p = 0; p < P; p++) if (rand() < density || (round === 3 && p >= P - 3)) ids.push(p);
        const parts = Int32Array.from(ids);
        for (let p = -1; p <= P; p++) {
          const want = bisect(parts, p);
          for (const near of [0, parts.length, Math.floor(rand() * (parts.length + 1)), want + 1]) {
            expect(findLocal(parts, p, near, P)).toBe(want);
          }
        }
      }
    }
  });
});
