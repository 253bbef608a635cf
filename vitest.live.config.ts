import { defineConfig } from "vitest/config";

// Live mode against a real ZooKeeper (npm run test:live; .ci/run starts the server and sets
// ZK_CONNECT). Kept apart from `npm test`, which needs no server.
export default defineConfig({
  test: {
    include: ["src/**/*.zk-test.ts"],
    testTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
