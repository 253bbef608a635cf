import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "algorithms/**/*.test.ts", "properties/**/*.test.ts", "benchmarks/**/*.test.ts"],
    // A property exploration is one test: ~10 s on a quiet 2-core machine, but over 60 s when the
    // machine is shared by several full test runs; the timeout only catches a hang.
    testTimeout: 180_000,
    pool: "threads",
  },
});
