/**
 * The order vitest starts test files in. Without a results cache (a fresh clone, as CI runs) vitest
 * starts the largest files first, and size says nothing about time here: docs.test.ts is 55 lines
 * but spawns the CLI a dozen times (~40 s on one core), the property suite is 155 lines and ~40 s.
 * Started last, they alone set npm test's wall time. So the files measured longest (npm test's
 * JSON report, .tmp/vitest.json) start first, in this order, and the rest follow vitest's own order.
 * A stale list only costs wall time, never a result.
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

const LONGEST_FIRST = [
  "src/cli/docs.test.ts",
  "properties/electors.property.test.ts",
  "src/cli/hostile/hostile.test.ts",
  "benchmarks/recipes/recipes.test.ts",
  "src/cli/cli.test.ts",
  "algorithms/zab/zab.world.test.ts",
  "src/cli/commands.test.ts",
];

function rank(spec: TestSpecification): number {
  const i = LONGEST_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
  return i === -1 ? LONGEST_FIRST.length : i;
}

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const usual = await super.sort(files);
    // Array.prototype.sort is stable: files off the list keep vitest's order.
    return usual.sort((a, b) => rank(a) - rank(b));
  }
}
