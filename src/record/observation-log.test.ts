import { describe, expect, it } from "vitest";
import { Obs, ObservationLog } from "./observation-log.ts";

describe("ObservationLog.release", () => {
  it("hands a large log's columns, zeroed, to the next log of that capacity", () => {
    const first = new ObservationLog();
    first.reserve(100_000);
    for (let i = 0; i < 100_000; i++) first.record(i + 0.5, i % 7, Obs.Append, i, i * 2, -1, i % 3);
    const columns = [first.time, first.host, first.kind, first.partition, first.a, first.b, first.c];
    first.release();
    expect(first.length).toBe(0);

    const next = new ObservationLog();
    next.reserve(100_000);
    const reused = [next.time, next.host, next.kind, next.partition, next.a, next.b, next.c];
    expect(reused.every((col, k) => col.buffer === columns[k].buffer)).toBe(true);
    expect(reused.every((col) => col.every((v) => v === 0))).toBe(true);
    // Used as fresh: a record with c = +0 leaves c unwritten and still reads 0.
    next.record(1, 2, Obs.Lead, 3, 4, 0);
    expect([next.time[0], next.host[0], next.kind[0], next.partition[0], next.a[0], next.b[0], next.c[0]]).toEqual([1, 2, Obs.Lead, 3, 4, 0, 0]);

    const other = new ObservationLog();
    other.reserve(100_000); // the set went to `next`: fresh columns
    expect(other.time.buffer === next.time.buffer).toBe(false);
  });
});
