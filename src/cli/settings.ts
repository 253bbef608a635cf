/**
 * `--set key=value` (run, compare, check): elector options from the command line, over the
 * scenario's and the variant's. A plain key applies to every elector in the command that has an
 * option of that name; `ELECTOR.key` (or `ELECTOR:VARIANT.key`) to that one only. A key no elector
 * of the command has is refused (exit 2), as is a value its schema refuses, before anything runs.
 */
import type { ElectorDefinition } from "../elector/api.ts";
import { resolveElectorName, splitElectorName } from "../elector/variants.ts";
import { BadInputError } from "../scenario/issues.ts";
import { decodeOptions } from "../scenario/load.ts";
import { optionDocs } from "./text.ts";

/** "key=value" pairs to an options object: the value as JSON when it parses ("3", "true", "\"x\""), else as a string. */
export function parseSettings(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const issues: { path: string; message: string }[] = [];
  for (const pair of pairs) {
    const i = pair.indexOf("=");
    if (i <= 0) {
      issues.push({ path: "", message: `expected key=value, got ${JSON.stringify(pair)}` });
      continue;
    }
    const key = pair.slice(0, i);
    const raw = pair.slice(i + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    out[key] = value;
  }
  if (issues.length > 0) throw new BadInputError("--set", issues);
  return out;
}

/** "raft.preVote" -> { scope: "raft", option: "preVote" }; "preVote" -> { option: "preVote" }. Option names have no dots. */
function splitKey(key: string): { readonly scope?: string; readonly option: string } {
  const i = key.lastIndexOf(".");
  return i <= 0 ? { option: key } : { scope: key.slice(0, i), option: key.slice(i + 1) };
}

function hasOption(def: ElectorDefinition, option: string): boolean {
  return optionDocs(def).some((d) => d.name === option);
}

/** The overrides that apply to one elector name ("raft" or "raft:etcd"). */
export function settingsFor(catalog: readonly ElectorDefinition[], name: string, settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const def = resolveElectorName(catalog, name)?.definition;
  if (def === undefined) return {};
  const out: Record<string, unknown> = {};
  // Plain keys first, so a scoped key wins over a plain one for its elector.
  for (const scoped of [false, true]) {
    for (const [key, value] of Object.entries(settings)) {
      const k = splitKey(key);
      if ((k.scope !== undefined) !== scoped) continue;
      if (k.scope !== undefined && k.scope !== name && k.scope !== splitElectorName(name).elector) continue;
      if (hasOption(def, k.option)) out[k.option] = value;
    }
  }
  return out;
}

/**
 * Refuses keys that apply to none of `names`, and values an elector's schema refuses (decoded
 * over the variant's options and `base(name)`, e.g. a scenario's options).
 */
export function checkSettings(
  catalog: readonly ElectorDefinition[],
  names: readonly string[],
  settings: Readonly<Record<string, unknown>>,
  base: (name: string) => Readonly<Record<string, unknown>> = () => ({}),
): void {
  const unused = Object.keys(settings).filter((key) => names.every((n) => !(splitKey(key).option in settingsFor(catalog, n, { [key]: settings[key] }))));
  if (unused.length > 0) {
    throw new BadInputError(
      "--set",
      unused.map((key) => ({
        path: key,
        message: `expected an option of ${[...new Set(names.map((n) => splitElectorName(n).elector))].join(", ")} (see electorate list), optionally as ELECTOR.option`,
      })),
    );
  }
  for (const name of new Set(names)) {
    const resolved = resolveElectorName(catalog, name);
    const mine = settingsFor(catalog, name, settings);
    if (resolved === undefined || Object.keys(mine).length === 0) continue;
    decodeOptions(resolved.definition, { ...resolved.variant?.options, ...base(name), ...mine }, "--set", `options of ${name}`);
  }
}
