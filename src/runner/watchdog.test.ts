/** The watchdog stops a run between two events, for each of its reasons, and never otherwise. */
import { describe, expect, it } from "vitest";
import { Kernel, kernelWatch, type EventHandler } from "../sim/kernel.ts";
import { withWatchdog } from "./watchdog.ts";

/** A kernel whose one event re-arms itself `delay` ms later, forever. */
function spinning(delay: number): Kernel {
  const k = new Kernel(1);
  const handler: EventHandler = { handle: () => void k.after(delay, kind, 0, 0, 0, undefined) };
  const kind = k.registerKind("spin", handler, false);
  k.after(1, kind, 0, 0, 0, undefined);
  return k;
}

const roomy = { maxEvents: 1e12, maxMemoryBytes: 1e15 };

describe("watchdog", () => {
  it("stops a clock that stopped advancing (a timer re-armed with 0 ms)", () => {
    const k = spinning(0);
    expect(() => withWatchdog({ limits: roomy, durationMs: 1000, replicas: 1 }, () => k.runUntil(1000))).toThrow(/virtual time stopped advancing at 1 ms/);
    expect(kernelWatch.poll).toBeUndefined();
  });

  it("stops a run over its event budget, and one whose pace would need ten times it", () => {
    expect(() => withWatchdog({ limits: { ...roomy, maxEvents: 50_000 }, durationMs: 1e6, replicas: 1 }, () => spinning(1).runUntil(1e6))).toThrow(
      /stopped after 65536 events .* over the budget of 50000 events/,
    );
    expect(() => withWatchdog({ limits: { ...roomy, maxEvents: 1e7 }, durationMs: 1e6, replicas: 1 }, () => spinning(1e-3).runUntil(1e6))).toThrow(
      /at this pace the run needs about 1\.0e9 events/,
    );
  });

  it("stops when the stop flag is set, and lets a run within budget finish untouched", () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(stop, 0, 1);
    expect(() => withWatchdog({ limits: roomy, durationMs: 1e5, replicas: 1, stopFlag: stop }, () => spinning(1).runUntil(1e5))).toThrow(/interrupted/);
    const k = spinning(1);
    withWatchdog({ limits: roomy, durationMs: 1e5, replicas: 1 }, () => k.runUntil(1e5));
    expect(k.eventsProcessed).toBe(1e5);
  });
});
