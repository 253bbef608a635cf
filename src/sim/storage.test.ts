import { describe, expect, it } from "vitest";
import { Kernel } from "./kernel.ts";
import { DEFAULT_FSYNC, fsyncLatencies, HostStorage } from "./storage.ts";

function setup(fsync = [DEFAULT_FSYNC, DEFAULT_FSYNC]) {
  const kernel = new Kernel(fsync.length);
  const done: string[] = [];
  const storage = new HostStorage(kernel, 7, fsync, { persisted: (h, tag) => done.push(`${h}:${tag}@${kernel.now.toFixed(3)}`) });
  return { kernel, storage, done };
}

describe("HostStorage", () => {
  it("completes fsyncs after the host's latency, in request order per host (FIFO)", () => {
    const { kernel, storage, done } = setup();
    for (let tag = 0; tag < 50; tag++) storage.persist(0, tag);
    storage.persist(1, 99);
    kernel.runToQuiescence();
    const host0 = done.filter((d) => d.startsWith("0:")).map((d) => Number(d.split(":")[1].split("@")[0]));
    expect(host0).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const times = done.map((d) => Number(d.split("@")[1]));
    for (const t of times) expect(t).toBeGreaterThanOrEqual(DEFAULT_FSYNC.kind === "exponential" ? DEFAULT_FSYNC.min - 1e-3 : 0);
    expect(storage.fsyncs[0]).toBe(50);
  });

  it("the default latency's sample mean is the published mean (1.273 ms) within a few per cent", () => {
    const { kernel, storage } = setup();
    let sum = 0;
    const n = 4000;
    // One at a time, so FIFO queueing does not add to the latency.
    const s2 = new HostStorage(kernel, 11, [DEFAULT_FSYNC], {
      persisted: () => {
        sum += kernel.now - start;
        if (++count < n) {
          start = kernel.now;
          s2.persist(0, 0);
        }
      },
    });
    let count = 0;
    let start = 0;
    void storage;
    s2.persist(0, 0);
    kernel.runToQuiescence();
    expect(count).toBe(n);
    expect(sum / n).toBeGreaterThan(1.273 * 0.95);
    expect(sum / n).toBeLessThan(1.273 * 1.05);
  });

  it("a crash loses pending completions; a pause holds them until it ends", () => {
    const { kernel, storage, done } = setup([
      { kind: "constant", ms: 2 },
      { kind: "constant", ms: 2 },
    ]);
    storage.persist(0, 1);
    storage.persist(1, 2);
    kernel.runUntil(1);
    kernel.crash(0);
    kernel.pause(1);
    kernel.runUntil(10);
    expect(done).toEqual([]);
    kernel.resume(1);
    expect(done).toEqual(["1:2@10.000"]);
  });

  it("slowDisk multiplies the latency of fsyncs issued in its window; a later fsync still waits for an earlier slow one", () => {
    const { kernel, storage, done } = setup([{ kind: "constant", ms: 1 }]);
    storage.slow(0, 50, 10);
    storage.persist(0, 1); // issued in the window: 50 ms
    kernel.runUntil(20);
    storage.persist(0, 2); // after the window: 1 ms, but FIFO: waits for tag 1 (50)
    kernel.runUntil(60);
    storage.persist(0, 3); // 1 ms
    kernel.runToQuiescence();
    expect(done).toEqual(["0:1@50.000", "0:2@50.000", "0:3@61.000"]);
  });

  it("per-host distributions come from the spec, the rest take the default", () => {
    const c = { kind: "constant", ms: 9 } as const;
    const list = fsyncLatencies({ fsync: c, hosts: { 1: { fsync: { kind: "constant", ms: 3 } } } }, 3);
    expect(list).toEqual([c, { kind: "constant", ms: 3 }, c]);
    expect(fsyncLatencies(undefined, 2)).toEqual([DEFAULT_FSYNC, DEFAULT_FSYNC]);
  });
});
