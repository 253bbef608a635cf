/**
 * The scale-out recipes (docs/scaling-out.md) run as written: the shard and merge commands of the
 * GitHub Actions matrix workflow and of the Kubernetes Indexed Job are taken from the files,
 * their placeholders filled in the way each engine fills them, and run through the CLI; the
 * merged results must equal one machine's run of the same sweep, cell for cell.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { cmdCompare, cmdMerge, type Io } from "../../src/cli/commands.ts";
import { readResults } from "../../src/runner/files.ts";
import { PACKAGE_ROOT } from "../../src/runner/package-root.ts";

// Four small cells: enough for every shard of both recipes to hold one; 10 partitions keep it quick.
const ARGS = "--algorithms raft,naive-race --scenarios broker-crash --partitions 10 --seeds 2";
const work = mkdtempSync(join(tmpdir(), "electorate-recipes-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const quiet: Io = { out: () => {}, err: () => {}, errIsTty: false };

/** `electorate compare ...` / `electorate merge ...` as argv after the command name. */
function electorateArgs(line: string): { command: string; argv: string[] } {
  const words = line.trim().replace(/^exec\s+/, "").split(/\s+/);
  const at = words.indexOf("electorate");
  if (at < 0) throw new Error(`not an electorate command: ${line}`);
  return { command: words[at + 1], argv: words.slice(at + 2) };
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function runCompare(argv: string[]): Promise<number> {
  const shard = flag(argv, "--shard");
  const out = flag(argv, "--out");
  return cmdCompare(
    {
      algorithms: flag(argv, "--algorithms"),
      scenarios: flag(argv, "--scenarios"),
      partitions: flag(argv, "--partitions"),
      seeds: flag(argv, "--seeds") !== undefined ? Number(flag(argv, "--seeds")) : undefined,
      workers: 1,
      ...(shard !== undefined ? { shard } : {}),
      ...(out !== undefined ? { out } : {}),
      resume: argv.includes("--resume"),
      progress: false,
      timeline: false,
    },
    quiet,
  );
}

const keyed = (dir: string) => readResults(dir).map((r) => [r.cell?.key, r.metrics.traceHash, JSON.stringify(r.metrics.splitBrain)]);

let reference: unknown[] | undefined;
async function oneMachine(): Promise<unknown[]> {
  if (reference === undefined) {
    const argv = electorateArgs(`npx electorate compare ${ARGS} --out ${join(work, "single")}`).argv;
    expect(await runCompare(argv)).toBe(0);
    reference = keyed(join(work, "single"));
  }
  return reference;
}

describe("scale-out recipes", () => {
  test("GitHub Actions matrix: every shard job, then the merge job, equals one machine", async () => {
    const wf = parse(readFileSync(join(PACKAGE_ROOT, ".github", "workflows", "sweep-matrix.yml"), "utf8"));
    const shards = Number(wf.env.SHARDS);
    const ks: number[] = wf.jobs.shard.strategy.matrix.k;
    expect(ks).toEqual(Array.from({ length: shards }, (_, i) => i + 1)); // the matrix covers every shard once
    const shardRun: string = wf.jobs.shard.steps.find((s: { run?: string }) => s.run?.includes("compare")).run;
    const mergeRun: string = wf.jobs.merge.steps.find((s: { run?: string }) => s.run?.includes("merge")).run;
    const dir = join(work, "gha");
    for (const k of ks) {
      const line = shardRun
        .replaceAll("${{ inputs.args }}", ARGS)
        .replaceAll("${{ matrix.k }}", String(k))
        .replaceAll("${{ env.SHARDS }}", String(shards))
        .replaceAll("shard-", `${dir}/shard-`);
      expect(await runCompare(electorateArgs(line).argv)).toBe(0);
    }
    // download-artifact puts each shard's results.jsonl in a folder named after the artifact.
    const merge = electorateArgs(mergeRun.replace("shard-*", ks.map((k) => `${dir}/shard-${k}`).join(" ")).replace("--out merged", `--out ${dir}/merged`));
    const outAt = merge.argv.indexOf("--out");
    expect(await cmdMerge({ dirs: merge.argv.slice(0, outAt), out: merge.argv[outAt + 1] }, quiet)).toBe(0);
    expect(keyed(join(dir, "merged"))).toEqual(await oneMachine());
  });

  test("Kubernetes Indexed Job: every completion index, then the merge, equals one machine", async () => {
    const job = parse(readFileSync(join(PACKAGE_ROOT, "benchmarks", "recipes", "sweep-indexed-job.yaml"), "utf8"));
    const completions = Number(job.spec.completions);
    expect(job.spec.completionMode).toBe("Indexed");
    const container = job.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(Number(env.SHARDS)).toBe(completions); // one pod per shard
    const script: string = container.args[0];
    const dir = join(work, "k8s");
    for (let index = 0; index < completions; index++) {
      // The shell's arithmetic and variables, as the pod's /bin/sh expands them.
      const line = script
        .replaceAll("$((JOB_COMPLETION_INDEX + 1))", String(index + 1))
        .replaceAll("$SHARDS", String(completions))
        .replaceAll("$ARGS", ARGS)
        .replaceAll("/results/", `${dir}/`);
      expect(await runCompare(electorateArgs(line).argv)).toBe(0);
    }
    const dirs = Array.from({ length: completions }, (_, i) => join(dir, `shard-${i + 1}`));
    expect(await cmdMerge({ dirs, out: join(dir, "merged") }, quiet)).toBe(0);
    expect(keyed(join(dir, "merged"))).toEqual(await oneMachine());
  });
});
