/**
 * A path of choices replayed on a fresh world: the one way the explorer, the minimiser and
 * `electorate replay` rebuild an explored state. Strict replay refuses a choice the state does not
 * offer (a minimised path must stay a path the explorer could have taken).
 */
import type { ElectorDefinition } from "../elector/api.ts";
import { ExploreWorld, isFault, type Choice, type ChoiceSettings, type FaultKind, type WorldSetup } from "./explore-world.ts";
import { errorText, judgeState, outcomeNow, specOf, type ExploredProperty, type StateVerdict } from "./verdict.ts";

/** Everything needed to rebuild an explored path (stored in counterexample files). */
export interface PathSetup {
  readonly world: WorldSetup;
  readonly windowMs: number;
  readonly maxFaults: number;
  readonly faultKinds: readonly FaultKind[];
  readonly clockJumpMs: number;
  /** How long the world settles after the path before it is judged (ms). */
  readonly settleMs: number;
  /** Settling ends early once the cluster agrees and has been quiet this long (ms). */
  readonly settleQuietMs: number;
  /** Housekeeping event classes (ExploreSettings.housekeeping); absent: none. */
  readonly housekeeping?: readonly string[];
  /** The restart judgment (ExploreSettings.restartJudgment); absent: off. */
  readonly restartJudgment?: boolean;
}

export interface ReplayedPath {
  readonly ew: ExploreWorld;
  /** One line per choice, read before it was applied. */
  readonly lines: string[];
  /** An exception while running the path's events (the path stops there): a no-exceptions violation. */
  readonly thrown?: unknown;
}

/** Replays `path` (strict: every choice must be offered where it is made; else undefined). */
export function replayPath(
  def: ElectorDefinition,
  options: unknown,
  setup: PathSetup,
  path: readonly Choice[],
  traceMessages = 0,
  strict = true,
): ReplayedPath | undefined {
  const ew = new ExploreWorld(def, options, setup.world, traceMessages);
  ew.longPauseQuietMs = setup.settleQuietMs;
  ew.longPauseMaxMs = setup.settleMs;
  ew.housekeeping = setup.housekeeping ?? [];
  ew.warmUp();
  ew.runForced(setup.windowMs, setup.maxFaults);
  const lines: string[] = [];
  let used = 0;
  for (const c of path) {
    const s: ChoiceSettings = { windowMs: setup.windowMs, faultsLeft: setup.maxFaults - used, faultKinds: setup.faultKinds, clockJumpMs: setup.clockJumpMs };
    if (strict && !ew.offers(c, s)) return undefined;
    lines.push(ew.describe(c));
    let before = ew.eventsRun;
    try {
      ew.apply(c);
      if (isFault(c)) used++;
      before = ew.eventsRun;
      ew.runForced(setup.windowMs, setup.maxFaults - used);
    } catch (thrown) {
      return { ew, lines, thrown };
    }
    if (ew.eventsRun > before) lines.push(`            (${ew.eventsRun - before} forced step${ew.eventsRun - before === 1 ? "" : "s"}: only one event could run)`);
  }
  return { ew, lines };
}

/** Replays and judges a path; undefined when the path is not legal. */
export function judgePath(
  def: ElectorDefinition,
  electorName: string,
  options: unknown,
  setup: PathSetup,
  path: readonly Choice[],
  properties: readonly ExploredProperty[],
  traceMessages = 0,
): { verdict: StateVerdict; lines: string[]; ew: ExploreWorld } | undefined {
  let replayed: ReplayedPath | undefined;
  try {
    replayed = replayPath(def, options, setup, path, traceMessages);
  } catch {
    return undefined;
  }
  if (replayed === undefined) return undefined;
  if (replayed.thrown !== undefined) {
    const ew = replayed.ew;
    const now = ew.world.kernel.now;
    const verdict: StateVerdict = {
      violations: { "no-exceptions": `while running the path: ${errorText(replayed.thrown)}` },
      outcome: outcomeNow(ew),
      spec: specOf(ew, electorName, now, 0, now),
    };
    return { verdict, lines: replayed.lines, ew };
  }
  const again = (): ExploreWorld => replayPath(def, options, setup, path, traceMessages)!.ew;
  return { verdict: judgeState(replayed.ew, again, electorName, properties, setup.settleMs, setup.settleQuietMs, setup.restartJudgment === true), lines: replayed.lines, ew: replayed.ew };
}

/**
 * Minimises a violating path by removing choices while it still violates `property` (greedy, one
 * choice at a time, from the last to the first, repeated until nothing can go). Removing a choice
 * can change which events exist later (event ids are insertion numbers): such candidates are not
 * legal paths and are kept out.
 */
export function minimisePath(
  def: ElectorDefinition,
  electorName: string,
  options: unknown,
  setup: PathSetup,
  path: readonly Choice[],
  property: ExploredProperty,
  maxTries = 400,
): { path: Choice[]; tries: number } {
  let best = [...path];
  let tries = 0;
  let changed = true;
  while (changed && tries < maxTries) {
    changed = false;
    for (let i = best.length - 1; i >= 0 && tries < maxTries; i--) {
      const candidate = [...best.slice(0, i), ...best.slice(i + 1)];
      tries++;
      const r = judgePath(def, electorName, options, setup, candidate, [property]);
      if (r !== undefined && r.verdict.violations[property] !== undefined) {
        best = candidate;
        changed = true;
      }
    }
  }
  return { path: best, tries };
}
