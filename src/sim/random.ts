/**
 * Seeded random streams, one per concern (network, faults, workload, each host, ...).
 *
 * Each stream is pure-rand's xoroshiro128+ seeded from a hash of (run seed, concern name), so a
 * stream's draws do not depend on how many other streams exist or how often they were used:
 * adding a fault does not reshuffle the network's delays.
 */
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

type Generator = ReturnType<typeof xoroshiro128plus>;

/** 32-bit FNV-1a of a string, then a murmur3 finalizer mix with the seed. */
export function mixSeed(seed: number, concern: string): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  for (let i = 0; i < concern.length; i++) {
    h ^= concern.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= Math.floor(seed / 0x100000000) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

const TWO_TO_MINUS_53 = 1 / 9007199254740992;

export class RandomStream {
  private readonly gen: Generator;

  constructor(seed: number, concern: string) {
    this.gen = xoroshiro128plus(mixSeed(seed, concern));
    // The first outputs of a freshly seeded xoroshiro are weakly mixed: discard a few.
    for (let i = 0; i < 8; i++) this.gen.next();
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.gen.next() & 0x3ffffff;
    const lo = this.gen.next() & 0x7ffffff;
    // Times 2^-53, exactly the division by 2^53 it replaces (a power of two), without a divide.
    return (hi * 134217728 + lo) * TWO_TO_MINUS_53;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  /** Exponentially distributed value with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** True with probability p. Draws nothing when p is 0 or 1, so a zero setting costs no draws. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }
}

/** Hands out one stream per concern name for a run seed. */
export class RandomStreams {
  constructor(readonly seed: number) {}

  stream(concern: string): RandomStream {
    return new RandomStream(this.seed, concern);
  }
}

/** A number fixed in a scenario, or drawn per seed from a range: `{ between: [a, b] }`. */
export type NumberOrRange = number | { readonly between: readonly [number, number] };

/** The number itself, or a uniform draw in [a, b] from `stream` (a fixed number draws nothing). */
export function valueOf(v: NumberOrRange, stream: RandomStream): number {
  if (typeof v === "number") return v;
  const [a, b] = v.between;
  return a === b ? a : stream.uniform(a, b);
}
