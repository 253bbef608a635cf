/**
 * Reading a scenario's `coordinator` block (an edge: file I/O). `profile` names a built-in profile
 * (profiles.ts) or a JSON profile file (as `electorate calibrate zookeeper` writes one), relative
 * to the scenario's folder; every other key overrides one ZkConfig number by name. The result is
 * plain numbers, so a run's recorded setup replays without the file.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DEFAULT_ZK_CONFIG, type ZkConfig } from "./config.ts";
import { BUILTIN_PROFILES, builtinProfile, profileProblems, type ZkProfile } from "./profiles.ts";

export interface ProfileIssue {
  readonly path: string;
  readonly message: string;
}

/** Reads and checks a profile file; problems are returned with paths inside the file. */
export function readProfileFile(file: string): { profile?: ZkProfile; issues: ProfileIssue[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { issues: [{ path: "", message: `cannot read profile file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { issues: [{ path: "", message: `profile file ${file} is not valid JSON: ${(e as Error).message}` }] };
  }
  const problems = profileProblems(value);
  if (problems.length > 0) return { issues: problems.map((p) => ({ path: p.path, message: `${file}: ${p.message}` })) };
  return { profile: value as ZkProfile, issues: [] };
}

/** A built-in profile by name, else a file relative to `baseDir`. */
export function loadProfile(nameOrFile: string, baseDir: string): { profile?: ZkProfile; issues: ProfileIssue[] } {
  const builtin = builtinProfile(nameOrFile);
  if (builtin !== undefined) return { profile: builtin, issues: [] };
  if (!/\.json$/i.test(nameOrFile)) {
    const names = BUILTIN_PROFILES.map((p) => p.name).join(", ");
    return { issues: [{ path: "", message: `expected a built-in profile (${names}) or a .json profile file, got ${JSON.stringify(nameOrFile)}` }] };
  }
  return readProfileFile(resolve(baseDir, nameOrFile));
}

/**
 * The coordinator block as ZkConfig numbers: the profile's costs (if named) with the other keys
 * over them. Problems are pushed with paths under `coordinator`.
 */
export function resolveCoordinator(
  spec: Readonly<Record<string, number | string>>,
  scenarioSource: string,
  issues: { path: string; message: string }[],
): Record<string, number> {
  const out: Record<string, number> = {};
  const known = Object.keys(DEFAULT_ZK_CONFIG) as (keyof ZkConfig)[];
  const profile = spec.profile;
  if (profile !== undefined) {
    if (typeof profile !== "string") {
      issues.push({ path: "coordinator.profile", message: `expected a profile name or a .json file, got ${JSON.stringify(profile)}` });
    } else {
      const r = loadProfile(profile, dirname(scenarioSource));
      for (const i of r.issues) issues.push({ path: i.path === "" ? "coordinator.profile" : `coordinator.profile(${i.path})`, message: i.message });
      if (r.profile !== undefined) Object.assign(out, r.profile.costs);
    }
  }
  for (const [key, value] of Object.entries(spec)) {
    if (key === "profile") continue;
    if (!(known as string[]).includes(key)) {
      issues.push({ path: `coordinator.${key}`, message: `expected "profile" or a ZooKeeper model setting (${known.join(", ")})` });
    } else if (typeof value !== "number") {
      issues.push({ path: `coordinator.${key}`, message: `expected a number, got ${JSON.stringify(value)}` });
    } else {
      out[key] = value;
    }
  }
  return out;
}
