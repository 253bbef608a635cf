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
    // One module graph per worker thread, reused from file to file: with isolation every file
    // imported (and V8 compiled) the lab afresh, ~40% of the suite's CPU (measured on 51 files:
    // 68-80 s user with isolation, 31-46 s without). No test mocks modules, stubs globals or sets
    // environment variables, so nothing leaks from one file into the next.
    isolate: false,
    // vitest runs files on (cores - 1) threads by default, i.e. ONE at a time on the 2-core machines
    // CI uses; test files are CPU-bound and the main thread is mostly idle, so use every core.
    maxWorkers: availableParallelism(),
    // The longest files start first, so they do not set the wall time at the end (vitest.sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
  },
});
