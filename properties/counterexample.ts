/**
 * Counterexamples as scenario files: everything a run needs (elector, options, seed, cluster,
 * network, workload, the whole fault schedule with its recovery phase, duration) plus what was
 * violated and how fast-check found it. Written whole (temp file, then rename) under
 * .tmp/counterexamples/ (gitignored); `npx electorate replay FILE` runs one again.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { electors } from "../algorithms/index.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import { namedAs, resolveElectorName } from "../src/elector/variants.ts";
import type { SafetyVerdict } from "../src/checker/judge.ts";
import { writeFileAtomic } from "../src/runner/files.ts";
import { PACKAGE_ROOT } from "../src/runner/package-root.ts";
import { diagramOf } from "./diagram.ts";
import { configOf, decodeOptions, type PlannedRun, type RunSpec } from "./plan.ts";
import { evaluate, isPropertyName, propertyTitle, type PropertyName } from "./properties.ts";
import { evaluationText, scheduleText, traceHashOf } from "./timeline-text.ts";

export const COUNTEREXAMPLE_KIND = "electorate/counterexample";

export interface CounterexampleFile extends RunSpec {
  readonly kind: typeof COUNTEREXAMPLE_KIND;
  readonly version: 1;
  readonly property: PropertyName;
  /** The violation, as the property reported it. */
  readonly violation: string;
  /** The trace hash of the violating run: a replay should reproduce it. */
  readonly traceHash: string;
  /** How fast-check found it: replay the shrunk case with fc.assert(property, { seed, path }). */
  readonly fastCheck: { readonly seed: number; readonly path: string; readonly numShrinks: number; readonly foundAtRun: number };
  /** Elector modules (file URLs) the elector came from, when it is not in the registry: replay loads them. */
  readonly modules?: readonly string[];
}

/** The repository root (this file is in properties/). */
/** The package root, the same from the sources and from the compiled CLI under dist/ (counterexamples go to its .tmp/). */
export const REPO_ROOT = PACKAGE_ROOT;
export const COUNTEREXAMPLE_DIR = join(REPO_ROOT, ".tmp", "counterexamples");

/** 32-bit FNV-1a, hex: names a counterexample by its content. */
function contentHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** Writes the file whole: to a temp file beside it, then renamed into place. Returns its absolute path. */
export function saveCounterexample(file: CounterexampleFile, dir: string = COUNTEREXAMPLE_DIR): string {
  return saveCounterexampleJson(file, `${file.elector.replace(/:/g, "+")}.${file.property}`, dir);
}

/** Writes `doc` whole as `<stem>.<content hash>.json` in `dir` (random and explored counterexamples alike). */
export function saveCounterexampleJson(doc: unknown, stem: string, dir: string): string {
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${stem}.${contentHash(text)}.json`);
  writeFileAtomic(path, text);
  return path;
}

/** The path as the user should type it: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

export function replayCommand(path: string): string {
  return `npx electorate replay ${displayPath(path)}`;
}

export function loadCounterexample(path: string): CounterexampleFile {
  const data = JSON.parse(readFileSync(path, "utf8")) as Partial<CounterexampleFile>;
  if (data.kind !== COUNTEREXAMPLE_KIND) throw new Error(`${path}: not a counterexample file (kind ${String(data.kind)})`);
  if (typeof data.property !== "string" || !isPropertyName(data.property)) throw new Error(`${path}: unknown property ${String(data.property)}`);
  return data as CounterexampleFile;
}

export interface ReplayResult {
  readonly path: string;
  readonly file: CounterexampleFile;
  readonly property: PropertyName;
  /** Whether the run still violates the property. */
  readonly violates: boolean;
  readonly violation?: string;
  /** Whether the run reproduced the saved trace hash (false: the lab or the elector changed). */
  readonly sameTrace: boolean;
  readonly traceHash: string;
  /** The checker's verdict, what the properties read (absent when the run threw). */
  readonly metrics?: SafetyVerdict;
  /** The exception, when the run threw. */
  readonly error?: string;
  readonly scheduleText: string;
  readonly timelineText: string;
  /** Everything above as one printable text. */
  readonly report: string;
  /** The message diagram written beside the counterexample (SVG). */
  readonly diagramPath?: string;
}

/**
 * Runs a saved counterexample again and judges the property it violated. `catalog` must hold its
 * elector: the registry, or with the modules the file records (`file.modules`) loaded.
 */
export function replayCounterexample(path: string, catalog: readonly ElectorDefinition[] = electors): ReplayResult {
  const file = loadCounterexample(path);
  // The saved options are complete (decoded); a variant name ("raft:etcd") only names the run.
  const resolved = resolveElectorName(catalog, file.elector);
  if (resolved === undefined) {
    throw new Error(`${path}: no elector named ${file.elector} in the registry${file.modules !== undefined ? ` or in ${file.modules.join(", ")}` : " (an elector from a module: add --elector-module PATH)"}`);
  }
  const def = namedAs(resolved.definition, file.elector);
  const options = decodeOptions(def, file.options);
  const spec: RunSpec = { ...file, options };
  const plan: PlannedRun = { spec, config: configOf(def, spec) };
  const ev = evaluate(plan, [file.property]);
  const violation = ev.violations[file.property];
  const schedule = scheduleText(spec);
  const timeline = evaluationText(ev, spec, file.property);
  const traceHash = traceHashOf(ev);
  const sameTrace = traceHash === file.traceHash;
  // The message diagram beside the file (the same run again, with the message trace on).
  let diagramPath: string | undefined;
  if (ev.run !== undefined) {
    const diagram = diagramOf(plan.config, ev.run.metrics, `${file.elector} violates ${file.property}`);
    if (diagram.traceHash === traceHash) {
      diagramPath = path.replace(/\.json$/i, "") + ".svg";
      writeFileAtomic(diagramPath, diagram.svg);
    }
  }
  const verdict =
    violation !== undefined
      ? `still violates "${propertyTitle(file.property)}": ${violation}`
      : `no longer violates "${propertyTitle(file.property)}" (saved: ${file.violation})`;
  const report = [
    `Replay of ${displayPath(path)}: ${file.elector} ${JSON.stringify(options)}`,
    verdict,
    `trace hash ${traceHash}${sameTrace ? " (as saved)" : ` (saved ${file.traceHash}: the lab or the elector changed)`}`,
    "Schedule:",
    schedule,
    timeline,
    ...(diagramPath !== undefined ? [`Message diagram: ${displayPath(diagramPath)} (open it in a browser)`] : []),
  ].join("\n");
  return {
    path,
    ...(diagramPath !== undefined ? { diagramPath } : {}),
    file,
    property: file.property,
    violates: violation !== undefined,
    ...(violation !== undefined ? { violation } : {}),
    sameTrace,
    traceHash,
    ...(ev.run !== undefined ? { metrics: ev.run.metrics } : {}),
    ...(ev.error !== undefined ? { error: ev.error.message } : {}),
    scheduleText: schedule,
    timelineText: timeline,
    report,
  };
}
