/**
 * Times and durations on a grid. Every time in a generated schedule is a whole number of grid
 * steps drawn as a small integer, so fast-check's integer shrinking moves faults earlier and makes
 * durations shorter, one step at a time, down to the lower bound.
 */
import fc from "fast-check";

/** The default grid: 100 ms. Fine enough for elections (150-300 ms Raft timeouts), coarse enough to read. */
export const DEFAULT_STEP_MS = 100;

/** A time or duration in [minMs, maxMs] on a grid of `stepMs`, shrinking toward `minMs`. */
export function millis(minMs: number, maxMs: number, stepMs: number = DEFAULT_STEP_MS): fc.Arbitrary<number> {
  const lo = Math.ceil(minMs / stepMs);
  const hi = Math.max(lo, Math.floor(maxMs / stepMs));
  return fc.integer({ min: lo, max: hi }).map((k) => k * stepMs);
}

/** A probability in [0, max] in steps of 1/1000 (shrinks toward 0 by whole per-mille steps). */
export function perMille(max: number, min = 0): fc.Arbitrary<number> {
  return fc.integer({ min: Math.round(min * 1000), max: Math.round(max * 1000) }).map((k) => k / 1000);
}

/** Milliseconds as tenths (0.1 ms steps) in [min, max], for link delays. */
export function tenthsOfMs(min: number, max: number): fc.Arbitrary<number> {
  return fc.integer({ min: Math.round(min * 10), max: Math.round(max * 10) }).map((k) => k / 10);
}
