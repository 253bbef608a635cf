import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "algorithms/**/*.test.ts", "properties/**/*.test.ts", "benchmarks/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "threads",
  },
});
