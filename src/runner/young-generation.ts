/**
 * The young generation the lab's worker threads get (V8's resourceLimits, MB; the young generation
 * is three semi-spaces' worth: 192 MB is 64 MB semi-spaces, where Node 20 defaults to 16 MB). A
 * run allocates messages, fetches and arrays that live for a round trip or a long poll: with small
 * semi-spaces many survive a scavenge and are copied, and V8's helper threads spend 30-40% of a
 * thread's CPU beside it. Measured for hunt threads: a check's CPU -11 to -17% (docs/performance.md,
 * "Second pass"). Sweep worker threads (compare cells) get the same; not measured apart.
 * Benchmark processes started from package.json set their own (`--max-semi-space-size`).
 */
export const YOUNG_GENERATION_MB = 192;
