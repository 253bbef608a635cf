import { describe, expect, it } from "vitest";
import { shareNoWorse } from "./resampled-verdict.ts";

const cell = (partitions: number, costs: number[]) => ({ partitions, costs });

describe("the linearity verdict's resampled share", () => {
  it("is 1 when every resample is linear and 0 when none is", () => {
    // 0.5 µs per partition from 10k to 100k; 0.33 (linear) or 2.0 (not) from 100k to 1M, runs ±5 ms.
    const ten = cell(10_000, [100, 95, 105, 98, 102]);
    const hundred = cell(100_000, [145, 140, 150, 143, 147]);
    expect(shareNoWorse(ten, hundred, cell(1_000_000, [445, 440, 450, 438, 443]))).toBe(1);
    expect(shareNoWorse(ten, hundred, cell(1_000_000, [1945, 1940, 1950, 1938, 1948]))).toBe(0);
  });

  it("sits in between when the slopes are within the runs' noise, the same for the same runs", () => {
    // Equal slopes (0.5 µs) on medians, the 10k and 100k runs spread by ±60 ms.
    const ten = cell(10_000, [300, 240, 360, 280, 320, 250, 350]);
    const hundred = cell(100_000, [345, 285, 405, 325, 365, 295, 395]);
    const million = cell(1_000_000, [795, 790, 800, 793, 797]);
    const share = shareNoWorse(ten, hundred, million);
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.8);
    expect(shareNoWorse(ten, hundred, million)).toBe(share);
    expect(shareNoWorse(ten, hundred, million, 2000, 2)).not.toBe(share); // another seed, other draws
  });
});
