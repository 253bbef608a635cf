/**
 * A small seeded generator for tests that drive two sides with the same random operations (a
 * restore eager and as a family, listed and unlisted sessions): rnd(n) is the next draw in [0, n).
 * A 32-bit linear congruential step (Numerical Recipes' constants): enough to vary operations,
 * deterministic per seed, no state shared between tests.
 */
export function lcg(seed: number): (n: number) => number {
  let x = seed >>> 0;
  return (n) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
}
