import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { LongestFirstSequencer } from "./vitest.sequencer.ts";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "algorithms/**/*.test.ts", "properties/**/*.test.ts", "benchmarks/**/*.test.ts"],
    // A property exploration is one test: ~10 s on a quiet 2-core machine, but over 60 s when the
    // machine is shared by several full test runs; the timeout only catches a hang.
    testTimeout: 180_000,
    pool: "threads",
    // vitest runs files on (cores - 1) threads by default, i.e. ONE at a time on the 2-core machines
    // CI uses; test files are CPU-bound and the main thread is mostly idle, so use every core.
    maxWorkers: availableParallelism(),
    // The longest files start first, so they do not set the wall time at the end (vitest.sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
  },
});
