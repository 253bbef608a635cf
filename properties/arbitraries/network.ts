/**
 * Network settings for a whole run (every link): a delay distribution, loss and duplication.
 * Mostly the lab's default link (a same-rack data-centre link); otherwise small delays and at
 * most 1% loss or duplication, so that the electors' quiet periods stay meaningful. Shrinks toward
 * the default link (undefined), then toward constant delays and zero loss.
 */
import fc from "fast-check";
import type { DelayDistribution, LinkSettings } from "../../src/sim/network.ts";
import { perMille, tenthsOfMs } from "./time.ts";

export function constantDelay(maxMs = 5): fc.Arbitrary<DelayDistribution> {
  return tenthsOfMs(0.1, maxMs).map((ms) => ({ kind: "constant" as const, ms }));
}

export function uniformDelay(maxMs = 10): fc.Arbitrary<DelayDistribution> {
  return fc
    .record({ min: tenthsOfMs(0.1, 1), spread: tenthsOfMs(0, maxMs) })
    .map(({ min, spread }) => ({ kind: "uniform" as const, min, max: Math.round((min + spread) * 10) / 10 }));
}

export function exponentialDelay(maxMeanMs = 5): fc.Arbitrary<DelayDistribution> {
  return fc
    .record({ min: tenthsOfMs(0.1, 1), extra: tenthsOfMs(0.1, maxMeanMs) })
    .map(({ min, extra }) => ({ kind: "exponential" as const, min, mean: Math.round((min + extra) * 10) / 10 }));
}

/** Any delay distribution (constant first: it is what shrinking moves toward). */
export function delayDistribution(maxMs = 10): fc.Arbitrary<DelayDistribution> {
  return fc.oneof({ withCrossShrink: true }, constantDelay(maxMs / 2), uniformDelay(maxMs), exponentialDelay(maxMs / 2));
}

export interface NetworkArbitraryOptions {
  /** Highest loss probability on every link. */
  readonly maxLoss: number;
  readonly maxDuplicate: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_NETWORK: NetworkArbitraryOptions = { maxLoss: 0.01, maxDuplicate: 0.01, maxDelayMs: 10 };

/** Settings for every link, or undefined for the lab's default link (half of the time). */
export function networkSettings(options: Partial<NetworkArbitraryOptions> = {}): fc.Arbitrary<Partial<LinkSettings> | undefined> {
  const o = { ...DEFAULT_NETWORK, ...options };
  const settings = fc.record({ delay: delayDistribution(o.maxDelayMs), loss: perMille(o.maxLoss), duplicate: perMille(o.maxDuplicate) });
  return fc.option(settings, { nil: undefined, freq: 2 });
}
