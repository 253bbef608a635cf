/**
 * Which electors a run can use: the registry (algorithms/index.ts) plus, optionally, modules
 * named at run time (`--elector-module`, or a test's fixture). A module contributes every export
 * that is an elector definition, or an `electors` array of them. This is how a new elector plugs
 * in without touching the runner.
 */
import { statSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isAbsolute, resolve } from "node:path";
import { BadInputError } from "../scenario/issues.ts";
import { electors as registry } from "../../algorithms/index.ts";
import type { ElectorDefinition } from "../elector/api.ts";

export function isElectorDefinition(u: unknown): u is ElectorDefinition {
  if (typeof u !== "object" || u === null) return false;
  const d = u as Partial<ElectorDefinition>;
  return typeof d.name === "string" && typeof d.create === "function" && typeof d.claims === "function" && d.options !== undefined;
}

/** A module specifier as a file URL (absolute paths and paths relative to the working directory). */
export function moduleUrl(spec: string): string {
  if (/^[a-z]+:/i.test(spec)) return spec;
  return pathToFileURL(isAbsolute(spec) ? spec : resolve(process.cwd(), spec)).href;
}

const loaded = new Map<string, readonly ElectorDefinition[]>();

/**
 * Imports a module. Running compiled (dist/), this file is .js and Node cannot load a user's .ts
 * elector by itself: register tsx's loader for the process first. (Not tsx's namespaced tsImport:
 * that would load a second copy of `effect`, whose schemas this copy cannot decode.)
 */
let tsxRegistered = false;
async function importModule(url: string): Promise<unknown> {
  const compiled = import.meta.url.endsWith(".js");
  if (compiled && !tsxRegistered && /\.[cm]?tsx?$/i.test(new URL(url).pathname)) {
    const { register } = await import("tsx/esm/api");
    register();
    tsxRegistered = true;
  }
  return import(url);
}

/** The module as the user named it (a path), for messages. */
function shown(url: string): string {
  try {
    return url.startsWith("file:") ? fileURLToPath(url) : url;
  } catch {
    return url;
  }
}

/** The first line of an error's own message (a module's syntax error is one line plus a code frame). */
function ownMessage(e: unknown): string {
  const err = e as { name?: unknown; message?: unknown };
  const name = typeof err?.name === "string" ? err.name : "Error";
  const message = typeof err?.message === "string" ? err.message : String(e);
  const first = message.split("\n").find((l) => l.trim() !== "") ?? message;
  return `${name}: ${first.trim()}`;
}

/**
 * The electors one module exports. A module that cannot be found, does not compile, throws while
 * loading, or exports no elector definition is refused (BadInputError, exit 2) with its own
 * message; its stack trace is kept for `--verbose`.
 */
export async function loadElectorModule(url: string): Promise<readonly ElectorDefinition[]> {
  const cached = loaded.get(url);
  if (cached !== undefined) return cached;
  const name = shown(url);
  const refuse = (message: string, detail?: string): never => {
    throw new BadInputError(`--elector-module ${name}`, [{ path: "", message }], detail);
  };
  if (url.startsWith("file:")) {
    let st;
    try {
      st = statSync(fileURLToPath(url));
    } catch {
      refuse("no such file");
    }
    if (!st!.isFile()) refuse(`expected a module file, got ${st!.isDirectory() ? "a directory" : "something else"}`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await importModule(url)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: unknown })?.code;
    // A syntax error is a SyntaxError under node and tsx, a transform error under vite (vitest).
    const parse = e instanceof SyntaxError || /Parse fail|Transform failed|Unexpected token|Expected .* but found/i.test(String((e as Error)?.message));
    const what = code === "ERR_MODULE_NOT_FOUND" ? "it imports something that cannot be found" : parse ? "it does not compile" : "it failed while loading";
    return refuse(`cannot be loaded: ${what}: ${ownMessage(e)}`, (e as Error)?.stack);
  }
  const found: ElectorDefinition[] = [];
  const others: string[] = [];
  for (const [key, value] of Object.entries(mod)) {
    if (isElectorDefinition(value)) {
      found.push(value);
    } else if (Array.isArray(value) && value.some(isElectorDefinition)) {
      for (const v of value) if (isElectorDefinition(v)) found.push(v);
    } else {
      others.push(key);
    }
  }
  if (found.length === 0) {
    refuse(
      others.length === 0
        ? "exports nothing; expected an elector definition (defineElector from src/elector/api.ts) or an array of them"
        : `exports no elector definition (exports: ${others.slice(0, 8).join(", ")}${others.length > 8 ? ", ..." : ""}); expected an object with name, options, claims and create, as defineElector makes`,
    );
  }
  const unique = found.filter((d, i) => found.findIndex((e) => e.name === d.name) === i);
  loaded.set(url, unique);
  return unique;
}

/** Registry first, then each module's electors (a module may not shadow a registered name). */
export async function electorCatalog(modules: readonly string[] = []): Promise<readonly ElectorDefinition[]> {
  const all: ElectorDefinition[] = [...registry];
  for (const m of modules) {
    for (const d of await loadElectorModule(m)) if (!all.some((e) => e.name === d.name)) all.push(d);
  }
  return all;
}

/** The registry alone (synchronous). */
export function registeredElectors(): readonly ElectorDefinition[] {
  return registry;
}
