/**
 * The CLI as a user meets it: a child process per command. Bad input exits 2 with the bad field's
 * path and no stack trace, and writes nothing; a good run exits 0.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "electorate.mjs");
const TEST_ELECTOR = join(ROOT, "src", "testing", "test-elector.ts");
const dir = mkdtempSync(join(tmpdir(), "electorate-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const GOOD = `name: tiny
algorithm: test-preferred
cluster: { brokers: 3, partitions: 6 }
workload: { partitions: 2, writesPerSecond: 10, startMs: 200 }
faults:
  - { at: 1000, type: crash, host: leader-of-most }
durationMs: 2000
`;

/** Bad input: exit 2, the message on stderr names `path`, no stack trace, nothing written. */
function expectRefused(r: Ran, path: string | RegExp, outDir?: string): void {
  expect(r.code, r.stderr).toBe(2);
  if (typeof path === "string") expect(r.stderr).toContain(path);
  else expect(r.stderr).toMatch(path);
  expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  expect(r.stdout).toBe("");
  if (outDir !== undefined) expect(existsSync(outDir)).toBe(false);
}

describe("electorate CLI", () => {
  it("answers --version before loading the CLI with the same text the CLI prints", async () => {
    const fast = await cli(["--version"]);
    expect(fast.code).toBe(0);
    expect(fast.stdout).toMatch(/^electorate v\d+\.\d+\.\d+\n$/);
    // The CLI prints `electorate v` + electorateVersion() (src/cli/main.ts: Command.run({ version })).
    const { electorateVersion } = await import("../runner/version.ts");
    expect(fast.stdout).toBe(`electorate v${electorateVersion()}\n`);
    expect((await cli(["-v"])).stdout).toBe(fast.stdout);
  });

  it("refuses bad input with exit code 2, the field's path and no stack trace", async () => {
    const badJson = file("bad.json", '{ "name": "x", "cluster": { "brokers": 3, "partitions": 10 }, durationMs: 1000 }');
    const unknownAlgorithm = file("unknown.yaml", GOOD.replace("test-preferred", "no-such-elector"));
    const badHost = file("host.yaml", GOOD.replace("host: leader-of-most }", 'host: leader-of-most }\n  - { at: 1500, type: heal }\n  - { at: 1600, type: crash, host: "x" }'));
    const badRf = file("rf.yaml", GOOD.replace("partitions: 6 }", "partitions: 6, replicationFactor: 4 }"));
    const out = join(dir, "never");
    const runs = await Promise.all([
      cli(["run", badJson, "--elector-module", TEST_ELECTOR]),
      cli(["run", unknownAlgorithm, "--elector-module", TEST_ELECTOR]),
      cli(["compare", "--scenarios", badHost, "--out", out, "--elector-module", TEST_ELECTOR]),
      cli(["compare", "--scenarios", badRf, "--out", out, "--elector-module", TEST_ELECTOR]),
      cli(["run", badJson, "--bogus-flag"]),
    ]);
    const [json, algorithm, host, rf, flag] = runs;
    expectRefused(json, /bad\.json: refused .*\n\s+not valid JSON: .* at line 1, column \d+/);
    expectRefused(algorithm, /algorithm: expected a registered elector \(.*test-preferred.*\), got "no-such-elector"/);
    expectRefused(host, 'faults[2].host: expected a broker number or "zk"', out);
    expect(host.stderr).toContain('got "x"');
    expectRefused(rf, "cluster.replicationFactor: expected at most cluster.brokers (3), got 4", out);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--bogus-flag");
    expect(readdirSync(dir).sort()).toEqual(["bad.json", "host.yaml", "rf.yaml", "unknown.yaml"]);
  });

  it("runs a scenario with an elector from a module (table and JSON), and lists it", async () => {
    const good = file("good.yaml", GOOD);
    const [text, json, list] = await Promise.all([
      cli(["run", good, "--elector-module", TEST_ELECTOR]),
      cli(["run", good, "--json", "--timeline", "--elector-module", TEST_ELECTOR]),
      cli(["list", "--elector-module", TEST_ELECTOR]),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("tiny — test-preferred (epoch=1, gossipMs=200, throwOnGossip=false), seed 1");
    expect(text.stdout).toMatch(/leader-of-most = broker \d/);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as { elector: string; timeline: { partitions: unknown[] }; metrics: { traceHash: string } };
    expect(result.elector).toBe("test-preferred");
    expect(result.timeline.partitions).toHaveLength(6);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("test-preferred — Test only");
    expect(list.stdout).toContain("epoch (number; default 1)");

    // The saved result replays to the same trace hash.
    const saved = file("result.json", json.stdout);
    const replay = await cli(["replay", saved, "--elector-module", TEST_ELECTOR]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stderr).toContain(`reproduced: trace hash ${result.metrics.traceHash}`);
  });

  it("hunts an elector from a module on worker threads; its counterexample records the module and replays without naming it", async () => {
    const hunt = await cli(["check", "--algorithm", "test-preferred", "--elector-module", TEST_ELECTOR, "--set", "throwOnGossip=true", "--property", "no-exceptions", "--runs", "3", "--workers", "2"]);
    expect(hunt.code, hunt.stderr).toBe(1);
    expect(hunt.stdout).toContain("FAIL no-exceptions");
    expect(hunt.stderr).toContain("on 2 worker thread(s)");
    const saved = /Replay: npx electorate replay (\S+\.json)/.exec(hunt.stdout)?.[1];
    expect(saved, hunt.stdout).toBeDefined();
    try {
      expect((JSON.parse(readFileSync(saved!, "utf8")) as { modules?: string[] }).modules).toEqual([pathToFileURL(TEST_ELECTOR).href]);
      const replay = await cli(["replay", saved!]);
      expect(replay.code, replay.stderr).toBe(1); // it still violates
      expect(replay.stdout).toContain("still violates");
      expect(replay.stdout).toContain("(as saved)");
    } finally {
      rmSync(saved!, { force: true });
      rmSync(saved!.replace(/\.json$/, ".svg"), { force: true });
    }
  });
});
