/**
 * Explored counterexamples in the lab's one counterexample format (properties/counterexample.ts:
 * kind "electorate/counterexample", the run spec, property, violation, trace hash), extended with
 * `explore`: the world setup and the explicit schedule (the path of choices) that rebuilds the
 * violating run. `electorate replay FILE` sees `explore` and replays the schedule here, printing
 * the path, the timeline and writing the message diagram beside the file, as it does for hunts.
 */
import { electors } from "../../algorithms/index.ts";
import { namedAs, resolveElectorName } from "../elector/variants.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import { COUNTEREXAMPLE_DIR, COUNTEREXAMPLE_KIND, displayPath, saveCounterexampleJson, type CounterexampleFile } from "../../properties/counterexample.ts";
import { diagramOfOutcome } from "../../properties/diagram.ts";
import { decodeOptions } from "../../properties/plan.ts";
import { timelineText } from "../../properties/timeline-text.ts";
import { writeFileAtomic } from "../runner/files.ts";
import type { Choice } from "./explore-world.ts";
import { judgePath, type PathSetup } from "./path.ts";
import { CORE_LIVENESS, exploredPropertyTitle, isExploredProperty, type ExploredProperty } from "./verdict.ts";

export interface ExploredCounterexample extends Omit<CounterexampleFile, "fastCheck" | "property"> {
  /** A property of the suite, or the explorer's own core-liveness (verdict.ts). */
  readonly property: ExploredProperty;
  readonly explore: {
    readonly setup: PathSetup;
    /** The schedule: every choice from the start state, in order (events by insertion number). */
    readonly path: readonly Choice[];
    /** The same path as text (for reading the file). */
    readonly pathText: readonly string[];
    readonly search: string;
    /** Length of the path the search found, before minimisation. */
    readonly foundLength: number;
  };
}

export function isExploredCounterexample(doc: unknown): doc is ExploredCounterexample {
  return typeof doc === "object" && doc !== null && (doc as { kind?: unknown }).kind === COUNTEREXAMPLE_KIND && "explore" in doc;
}

/** Writes the file whole (temp file, then rename) and returns its absolute path. */
export function saveExploredCounterexample(file: ExploredCounterexample, dir: string = COUNTEREXAMPLE_DIR): string {
  return saveCounterexampleJson(file, `${file.elector.replace(/:/g, "+")}.explore.${file.property}`, dir);
}

export interface ExploredReplay {
  readonly violates: boolean;
  readonly sameTrace: boolean;
  readonly report: string;
  readonly diagramPath?: string;
}

/** Replays an explored counterexample: its schedule, then the settle, then the judge. */
export function replayExploredCounterexample(path: string, file: ExploredCounterexample, catalog: readonly ElectorDefinition[] = electors): ExploredReplay {
  const resolved = resolveElectorName(catalog, file.elector);
  if (resolved === undefined) throw new Error(`${path}: no elector named ${file.elector} in the registry`);
  if (!isExploredProperty(file.property)) throw new Error(`${path}: unknown property ${String(file.property)}`);
  const def = namedAs(resolved.definition, file.elector);
  const options = decodeOptions(def, file.options);
  const property = file.property;
  const r = judgePath(def, file.elector, options, file.explore.setup, file.explore.path, [property], 400_000);
  if (r === undefined) {
    return { violates: false, sameTrace: false, report: `Replay of ${displayPath(path)}: the saved schedule is no longer a legal path (the elector or the lab changed: an event it names is not pending where it is chosen)` };
  }
  const { verdict, lines } = r;
  const v = verdict.violations[property];
  const traceHash = verdict.outcome?.traceHash ?? "-";
  const sameTrace = traceHash === file.traceHash;
  let diagramPath: string | undefined;
  if (verdict.outcome !== undefined && verdict.metrics !== undefined) {
    const d = diagramOfOutcome(verdict.outcome, verdict.metrics, `${file.elector} violates ${property} (explored)`);
    diagramPath = path.replace(/\.json$/i, "") + ".svg";
    writeFileAtomic(diagramPath, d.svg);
  }
  const timeline =
    verdict.outcome !== undefined && verdict.metrics !== undefined && verdict.spec !== undefined ? timelineText(verdict.outcome, verdict.metrics, verdict.spec, property === CORE_LIVENESS ? "liveness" : property) : "";
  const report = [
    `Replay of ${displayPath(path)}: ${file.elector} ${JSON.stringify(options)}`,
    v !== undefined ? `still violates "${exploredPropertyTitle(property)}": ${v}` : `no longer violates "${exploredPropertyTitle(property)}" (saved: ${file.violation})`,
    `trace hash ${traceHash}${sameTrace ? " (as saved)" : ` (saved ${file.traceHash}: the lab or the elector changed)`}`,
    `Schedule (explored by ${file.explore.search}; ${file.explore.path.length} choices, minimised from ${file.explore.foundLength}; exploration started at ${file.explore.setup.world.startMs} ms after ${file.explore.setup.world.tiedTimeouts === true ? "a settled start with tied timeouts" : "a warm-up in the kernel's own order"}):`,
    ...lines.map((l) => `  ${l}`),
    verdict.restarted === true
      ? `  then every broker crashes and all restart together (the restart judgment), every fault heals and the world settles (until every partition has an agreed leader and nothing changed for ${file.explore.setup.settleQuietMs} ms, at most ${file.explore.setup.settleMs} ms) before it is judged`
      : property === CORE_LIVENESS
      ? `  then a core (a majority of brokers) heals, the other brokers stay crashed or cut off, and the world settles (until the core agrees and nothing changed for ${file.explore.setup.settleQuietMs} ms, at most ${file.explore.setup.settleMs} ms) before it is judged`
      : `  then every fault heals and the world settles (until every partition has an agreed leader and nothing changed for ${file.explore.setup.settleQuietMs} ms, at most ${file.explore.setup.settleMs} ms) before it is judged`,
    timeline,
    ...(diagramPath !== undefined ? [`Message diagram: ${displayPath(diagramPath)} (open it in a browser)`] : []),
  ].join("\n");
  return { violates: v !== undefined, sameTrace, report, ...(diagramPath !== undefined ? { diagramPath } : {}) };
}
