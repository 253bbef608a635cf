/**
 * Which electors a run can use: the registry (algorithms/index.ts) plus, optionally, modules
 * named at run time (`--elector-module`, or a test's fixture). A module contributes every export
 * that is an elector definition, or an `electors` array of them. This is how a new elector plugs
 * in without touching the runner.
 */
import { pathToFileURL } from "node:url";
import { isAbsolute, resolve } from "node:path";
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

/** The electors one module exports. */
export async function loadElectorModule(url: string): Promise<readonly ElectorDefinition[]> {
  const cached = loaded.get(url);
  if (cached !== undefined) return cached;
  const mod = (await importModule(url)) as Record<string, unknown>;
  const found: ElectorDefinition[] = [];
  for (const value of Object.values(mod)) {
    if (isElectorDefinition(value)) found.push(value);
    else if (Array.isArray(value)) for (const v of value) if (isElectorDefinition(v)) found.push(v);
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
