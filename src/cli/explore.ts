/**
 * `electorate explore`: the systematic explorer (src/explore/) from the command line. Flags are
 * checked here and refused with the flag's name and what was expected (exit 2) before anything
 * runs; a violation exits 1 and prints the saved counterexample's replay command.
 *
 * With --compare-reductions the same exploration runs again with each reduction off, and the
 * factor each one saves is printed: states generated with it off / with it on (a lower bound, said
 * as "at least", when the run without it hit the states budget).
 */
import { electors } from "../../algorithms/index.ts";
import { resolveElectorName } from "../elector/variants.ts";
import { BadInputError } from "../scenario/issues.ts";
import { decodeOptions, unknownElectorMessage } from "../scenario/load.ts";
import type { Io } from "./commands.ts";

export interface ExploreArgs {
  readonly algorithm: string;
  readonly brokers?: number;
  readonly partitions?: number;
  readonly depth?: number;
  readonly faults?: number;
  readonly faultKinds?: string;
  readonly search?: string;
  readonly noSymmetry: boolean;
  readonly noPor: boolean;
  readonly noDedup: boolean;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly seed?: number;
  readonly windowMs?: number;
  readonly writes?: number;
  readonly tiedTimeouts?: boolean;
  readonly noCoreLiveness?: boolean;
  readonly restartJudgment?: boolean;
  /** Housekeeping event classes, comma-separated (ExploreSettings.housekeeping). */
  readonly housekeeping?: string;
  readonly set?: readonly string[];
  readonly compareReductions: boolean;
  readonly json: boolean;
}

const FLAG_OF: Record<string, string> = {
  algorithm: "--algorithm",
  options: "--set",
  brokers: "--brokers",
  partitions: "--partitions",
  depth: "--depth",
  faults: "--faults",
  search: "--search",
  maxStates: "--max-states",
  maxSeconds: "--max-seconds",
  seed: "--seed",
  windowMs: "--window",
  writes: "--writes",
  tiedTimeouts: "--tied-timeouts",
  housekeeping: "--housekeeping",
};

export async function cmdExplore(args: ExploreArgs, io: Io): Promise<number> {
  const { exploreElector, reportText, ExploreSettingsError, FAULT_KINDS } = await import("../explore/index.ts");
  const { parseSettings } = await import("./commands.ts");
  const faultKinds =
    args.faultKinds === undefined
      ? undefined
      : args.faultKinds
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
  for (const f of faultKinds ?? []) {
    if (!(FAULT_KINDS as readonly string[]).includes(f)) throw new BadInputError("--fault-kinds", [{ path: "", message: `expected a comma-separated list of ${FAULT_KINDS.join(", ")}, got ${JSON.stringify(f)}` }]);
  }
  const overrides = parseSettings(args.set ?? []);
  const resolved = resolveElectorName(electors, args.algorithm);
  if (resolved === undefined) throw new BadInputError("--algorithm", [{ path: "", message: unknownElectorMessage(args.algorithm, electors) }]);
  // Bad option values are refused here, with the option's path, before anything runs.
  decodeOptions(resolved.definition, { ...resolved.variant?.options, ...overrides }, "--set", "options");
  const settings = {
    algorithm: args.algorithm,
    options: overrides,
    brokers: args.brokers ?? 3,
    partitions: args.partitions ?? 1,
    depth: args.depth ?? 6,
    faults: args.faults ?? 1,
    ...(faultKinds !== undefined ? { faultKinds: faultKinds as never } : {}),
    search: (args.search ?? "bfs") as never,
    symmetry: !args.noSymmetry,
    por: !args.noPor,
    dedup: !args.noDedup,
    ...(args.maxStates !== undefined ? { maxStates: args.maxStates } : {}),
    ...(args.maxSeconds !== undefined ? { maxSeconds: args.maxSeconds } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    ...(args.windowMs !== undefined ? { windowMs: args.windowMs } : {}),
    ...(args.writes !== undefined ? { writes: args.writes } : {}),
    ...(args.tiedTimeouts === true ? { tiedTimeouts: true } : {}),
    ...(args.noCoreLiveness === true ? { coreLiveness: false } : {}),
    ...(args.restartJudgment === true ? { restartJudgment: true } : {}),
    ...(args.housekeeping !== undefined ? { housekeeping: args.housekeeping.split(",").map((x) => x.trim()).filter((x) => x !== "") } : {}),
  };
  const run = (overrides: Record<string, unknown>) => {
    try {
      return exploreElector({ ...settings, ...overrides });
    } catch (e) {
      if (e instanceof ExploreSettingsError) throw new BadInputError(FLAG_OF[e.field] ?? e.field, [{ path: "", message: `expected ${e.expected}` }]);
      throw e;
    }
  };
  const report = run({});
  if (args.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(`${reportText(report)}\n`);
  if (args.compareReductions && !args.json) {
    const lines = ["reductions, measured (the same exploration with one reduction off; states generated off / on):"];
    for (const [name, key, on] of [
      ["state dedup", "dedup", !args.noDedup],
      ["partial-order (sleep sets)", "por", !args.noPor],
    ] as const) {
      if (!on) {
        lines.push(`  ${name}: off in the run above, not measured`);
        continue;
      }
      const off = run({ [key]: false, save: false });
      const factor = off.statesGenerated / Math.max(1, report.statesGenerated);
      const bounded = off.stoppedBy === "max-states" || off.stoppedBy === "max-seconds";
      lines.push(
        `  ${name}: ${off.statesGenerated.toLocaleString("en-US")} states without it (${off.stoppedBy}, depth reached ${off.depthReached}), ${report.statesGenerated.toLocaleString("en-US")} with it: factor ${bounded ? "at least " : ""}${factor.toFixed(2)}` +
          (report.stoppedBy !== "exhausted" ? " (the run with it stopped early too: compare with care)" : ""),
      );
    }
    lines.push(`  symmetry: ${report.reductions.symmetry === "n/a" ? "n/a: the elector declares no digest that renames hosts (ElectorInstance.digest)" : "measured above"}`);
    io.out(`${lines.join("\n")}\n`);
  }
  return report.violation !== undefined ? 1 : 0;
}
