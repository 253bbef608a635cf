/**
 * How firmly the runs support a "no worse per added partition" verdict: the share of bootstrap
 * resamples in which it holds. Each resample draws every cell's runs again with replacement (as
 * many as it had) and compares the two marginal slopes of the resampled medians, exactly as the
 * verdict compares the medians of the runs themselves. A share near 100% or 0% says the verdict
 * stands clear of the runs' noise; near 50% says the two slopes are within it, and another bench on
 * the same machine may read the other way. An observation beside the verdict, not a target.
 *
 * Seeded (the lab's RandomStream), so the same runs always give the same share.
 */
import { RandomStream } from "../src/sim/random.ts";

/** One cell's runs (one cost each, e.g. wall ms) and its partition count. */
export interface CellRuns {
  readonly partitions: number;
  readonly costs: readonly number[];
}

/** The median of a cell's runs (the mean of the middle two for an even count), as bench:scaling reads it. */
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** µs per added partition from cell a's median cost (ms) to cell b's. */
export function slope(a: CellRuns, aCost: number, b: CellRuns, bCost: number): number {
  return ((bCost - aCost) * 1000) / (b.partitions - a.partitions);
}

/**
 * The share (0..1) of `resamples` bootstrap resamples in which the slope from `mid` to `high` is no
 * more than the slope from `low` to `mid`.
 */
export function shareNoWorse(low: CellRuns, mid: CellRuns, high: CellRuns, resamples = 2000, seed = 1): number {
  const random = new RandomStream(seed, "resampled-verdict");
  const draw = (cell: CellRuns): number => {
    const n = cell.costs.length;
    const picked: number[] = [];
    for (let i = 0; i < n; i++) picked.push(cell.costs[random.int(0, n - 1)]);
    return median(picked);
  };
  let holds = 0;
  for (let r = 0; r < resamples; r++) {
    const l = draw(low);
    const m = draw(mid);
    const h = draw(high);
    if (slope(mid, m, high, h) <= slope(low, l, mid, m)) holds++;
  }
  return holds / resamples;
}
