/**
 * The systematic explorer (issue 14; docs/explore.md): enumerates message orders and faults for a
 * tiny cluster running the unchanged elector code in the lab's simulated world, and judges every
 * distinct state with the lab's checker.
 *
 * Entry point (stable; the bug-zoo benchmark and the CLI call it):
 *
 *   import { exploreElector } from "src/explore/index.ts";
 *   const report = exploreElector({ algorithm: "raft:paper", brokers: 3, partitions: 1, depth: 6, faults: 1 });
 *   report.violation?.property;           // undefined: none found within the budget
 *   report.statesGenerated, report.distinctStates, report.statesPerSecond, report.depthReached
 *   report.violation?.counterexamplePath  // saved file: `npx electorate replay FILE`
 *
 * Settings (ExploreSettings): algorithm "name[:variant]"; brokers; partitions; depth (choices per
 * path); faults (at most K per path) from faultKinds (crash, restart, pause, cut, heal, drop,
 * clockJump); search "bfs" | "dfs" (iterative deepening) | "random" (walks, seeded); reductions
 * dedup / por / symmetry (each on by default); budgets maxStates (deterministic) and maxSeconds
 * (wall clock: not deterministic); windowMs (events within it of the earliest pending one may run
 * in any order); tiedTimeouts (every host draws the same random timeouts). Judged: the properties
 * the elector (variant) claims, as the property suite judges them, after the world settles, and
 * core-liveness where claimed (a majority healed, the rest left faulty; coreLiveness: false turns
 * it off). Bad settings throw ExploreSettingsError naming the field.
 */
import { electors } from "../../algorithms/index.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import { decodeVariantOptions, namedAs, resolveElectorName } from "../elector/variants.ts";
import { displayPath } from "../../properties/counterexample.ts";
import { saveExploredCounterexample } from "./counterexample.ts";
import { DEFAULT_FAULT_KINDS, ExploreWorld, FAULT_KINDS, type Choice, type FaultKind, type WorldSetup } from "./explore-world.ts";
import { judgePath, minimisePath, type PathSetup } from "./path.ts";
import { Search, type SearchKind, type SearchResult } from "./search.ts";
import { CORE_LIVENESS, judgedProperties, type ExploredProperty } from "./verdict.ts";

export type { Choice, FaultKind } from "./explore-world.ts";
export { COORDINATOR_FAULT_KINDS, DEFAULT_FAULT_KINDS, FAULT_KINDS } from "./explore-world.ts";
export type { SearchKind } from "./search.ts";

export interface ExploreSettings {
  /** "raft", "raft:paper", ... */
  readonly algorithm: string;
  /** Option overrides over the variant's (decoded through the elector's schema). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Brokers (2..5). */
  readonly brokers: number;
  /** Partitions (1..3); replication factor min(3, brokers). */
  readonly partitions: number;
  /** Choices per path (0..1000; breadth-first search rarely gets past 10, random walks go deep). */
  readonly depth: number;
  /** Faults per path (0..6). */
  readonly faults: number;
  /** Fault alphabet (default: DEFAULT_FAULT_KINDS; the coordinator faults expire and longPause only when named). */
  readonly faultKinds?: readonly FaultKind[];
  readonly search?: SearchKind;
  /** Reductions (default on): state dedup, sleep-set partial-order reduction, symmetry over brokers. */
  readonly dedup?: boolean;
  readonly por?: boolean;
  readonly symmetry?: boolean;
  /** States generated at most (default 20,000; random search needs a finite budget). */
  readonly maxStates?: number;
  /** Wall-clock seconds at most (default none). */
  readonly maxSeconds?: number;
  /** World seed and random-walk seed (default 1). */
  readonly seed?: number;
  /** Events due within this many ms of the earliest pending one may run in any order (default 1). */
  readonly windowMs?: number;
  /** Constant one-way link delay (default 1 ms). */
  readonly delayMs?: number;
  /** Producer writes per partition during exploration (default 2), one every 10 ms, the first 10 ms after the producer starts. */
  readonly writes?: number;
  /**
   * Tied timeouts (default false; an exploration setting, tied-random.ts): every broker's elector
   * draws from an identically seeded stream and the world begins settled, so hosts in equal
   * situations draw equal election timeouts and the search orders them. Needs ElectorDefinition.settle.
   */
  readonly tiedTimeouts?: boolean;
  /** Judge core-liveness (verdict.ts) where the elector claims it (ElectorClaims.coreLiveness); default true. */
  readonly coreLiveness?: boolean;
  /**
   * The restart judgment (default false; docs/explore.md): every judged state is judged once more
   * after a whole-cluster restart — every broker crashes at the state and all restart together
   * from their durable state (a power loss; Jepsen's kill-all nemesis) — for the same claimed
   * properties. One more settle per judged state; it adds no decision to the search.
   */
  readonly restartJudgment?: boolean;
  /**
   * Housekeeping event classes (default none): patterns, exact or ending in "*", over "deliver
   * TYPE" (a message delivery), "timer TAG" (an elector timer) and the kernel's kind names
   * ("zk.server.service", "zk.client.timer"). Such events are never a choice while another event is
   * enabled and run forced, in the kernel's order, without stopping the forced run: time passes
   * through pings and idle replication without a decision per message. A restriction of the
   * explored schedules, not a reduction (docs/explore.md).
   */
  readonly housekeeping?: readonly string[];
  /** How far a clock jump moves a clock (default +500 ms). */
  readonly clockJumpMs?: number;
  /** Settle time before each judgement, at most (default: the elector's quiet period). */
  readonly settleMs?: number;
  /** Settling ends early once every partition has an agreed leader and no replica declared anything for this long (default 1000 ms). */
  readonly settleQuietMs?: number;
  /** Save the first violation as a counterexample file (default true) and minimise it (default true). */
  readonly save?: boolean;
  readonly minimise?: boolean;
  /** Where counterexamples go (default .tmp/counterexamples/). */
  readonly counterexampleDir?: string;
  /** Electors to resolve the name in (default: the registry). */
  readonly catalog?: readonly ElectorDefinition[];
}

export interface ExploreViolation {
  readonly property: ExploredProperty;
  readonly message: string;
  /** Choices on the path the search found (breadth-first: a shortest one). */
  readonly foundLength: number;
  /** After minimisation (removing choices while it still fails). */
  readonly length: number;
  readonly path: readonly Choice[];
  readonly pathText: readonly string[];
  readonly counterexamplePath?: string;
}

export interface ExploreCoverage {
  /** Message types sent by anyone (brokers, producers), with counts over every judged state. */
  readonly sent: Readonly<Record<string, number>>;
  /** What ran on brokers: "received TYPE", "timer tag N", "persisted", with counts. */
  readonly ran: Readonly<Record<string, number>>;
  /** Observer declarations made by brokers (lead, follow, acknowledged, append, commit, ...). */
  readonly declared: Readonly<Record<string, number>>;
  /** Role transitions per (broker, partition), named from the declarations ("follower -> candidate", "candidate -> leader", "leader -> down", ...). */
  readonly transitions: Readonly<Record<string, number>>;
  /**
   * The elector's named rules (ElectorDefinition.rules), each with its visits over every judged
   * state's path (0: never reached); empty when the elector declares none.
   */
  readonly rules: readonly { readonly rule: string; readonly visits: number }[];
}

export interface ExploreReport {
  readonly algorithm: string;
  readonly properties: readonly ExploredProperty[];
  readonly search: SearchKind;
  readonly depth: number;
  readonly faults: number;
  readonly reductions: { readonly dedup: boolean; readonly por: boolean; readonly symmetry: boolean | "n/a" };
  readonly setup: PathSetup;
  readonly statesGenerated: number;
  readonly distinctStates: number;
  readonly statesJudged: number;
  /** Choices skipped because their event was asleep (partial-order reduction). */
  readonly sleptChoices: number;
  readonly statesPerSecond: number;
  readonly seconds: number;
  /** Longest path generated (choices). */
  readonly depthReached: number;
  readonly eventsRun: number;
  readonly stoppedBy: SearchResult["stoppedBy"];
  readonly violation?: ExploreViolation;
  readonly coverage: ExploreCoverage;
}

export class ExploreSettingsError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${field}: expected ${expected}`);
  }
}

function intIn(value: number | undefined, field: string, lo: number, hi: number, dflt?: number): number {
  const v = value ?? dflt;
  if (v === undefined || !Number.isInteger(v) || v < lo || v > hi) throw new ExploreSettingsError(field, `an integer from ${lo} to ${hi}, got ${String(value)}`);
  return v;
}

function numIn(value: number | undefined, field: string, lo: number, hi: number, dflt: number): number {
  const v = value ?? dflt;
  if (typeof v !== "number" || Number.isNaN(v) || v < lo || v > hi) throw new ExploreSettingsError(field, `a number from ${lo} to ${hi}, got ${String(value)}`);
  return v;
}

/** Writes one every WRITE_INTERVAL_MS from the start of exploration. */
const WRITE_INTERVAL_MS = 10;

/**
 * When exploration starts: the first moment, in the kernel's own order, at which every partition
 * has one leader all its replicas follow (a settled cluster), or the quiet period if it never does.
 */
function settledStart(def: ElectorDefinition, options: unknown, world: Omit<WorldSetup, "startMs" | "stopMs" | "producerFromMs">, quietMs: number): number {
  const never = Number.MAX_SAFE_INTEGER;
  const probe = new ExploreWorld(def, options, { ...world, startMs: never, producerFromMs: never, stopMs: never, writesPerSecond: 0 });
  const k = probe.world.kernel;
  while (k.now < quietMs && !probe.settledLeaders()) {
    if (!k.step()) break;
  }
  // A whole ms after the settling event, so every message of that instant is on its way.
  return Math.floor(k.now) + 1;
}

export function exploreElector(settings: ExploreSettings): ExploreReport {
  const catalog = settings.catalog ?? electors;
  const resolved = resolveElectorName(catalog, settings.algorithm);
  if (resolved === undefined) throw new ExploreSettingsError("algorithm", `an elector name (optionally name:variant) from ${catalog.map((d) => d.name).join(", ")}, got ${JSON.stringify(settings.algorithm)}`);
  const def = namedAs(resolved.definition, settings.algorithm);
  let options: unknown;
  try {
    options = decodeVariantOptions(resolved.definition, resolved.variant?.name, settings.options ?? {});
  } catch (e) {
    throw new ExploreSettingsError("options", `options the elector accepts (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
  const brokers = intIn(settings.brokers, "brokers", 2, 5);
  const partitions = intIn(settings.partitions, "partitions", 1, 3);
  const depth = intIn(settings.depth, "depth", 0, 1000);
  const maxFaults = intIn(settings.faults, "faults", 0, 6);
  const search = settings.search ?? "bfs";
  if (search !== "bfs" && search !== "dfs" && search !== "random") throw new ExploreSettingsError("search", `bfs, dfs or random, got ${JSON.stringify(search)}`);
  const faultKinds = settings.faultKinds ?? DEFAULT_FAULT_KINDS;
  for (const [i, f] of faultKinds.entries()) if (!FAULT_KINDS.includes(f)) throw new ExploreSettingsError(`faultKinds[${i}]`, `one of ${FAULT_KINDS.join(", ")}, got ${JSON.stringify(f)}`);
  const maxStates = intIn(settings.maxStates, "maxStates", 1, 100_000_000, 20_000);
  const maxSeconds = settings.maxSeconds === undefined ? Infinity : numIn(settings.maxSeconds, "maxSeconds", 0.001, 86_400, 0);
  const seed = intIn(settings.seed, "seed", 0, 2 ** 31 - 1, 1);
  const windowMs = numIn(settings.windowMs, "windowMs", 0, 3_600_000, 1);
  const delayMs = numIn(settings.delayMs, "delayMs", 0.001, 10_000, 1);
  const writes = intIn(settings.writes, "writes", 0, 100, 2);
  const housekeeping = settings.housekeeping ?? [];
  for (const [i, h] of housekeeping.entries()) if (typeof h !== "string" || h.length === 0) throw new ExploreSettingsError(`housekeeping[${i}]`, `an event class pattern ("deliver zk.ping", "timer 3", "zk.server.*"), got ${JSON.stringify(h)}`);
  const clockJumpMs = numIn(settings.clockJumpMs, "clockJumpMs", -3_600_000, 3_600_000, 500);
  const quietMs = def.quietPeriodMs(options);
  const settleMs = numIn(settings.settleMs, "settleMs", 0, 3_600_000, quietMs);
  const settleQuietMs = numIn(settings.settleQuietMs, "settleQuietMs", 0, 3_600_000, Math.min(1000, settleMs));
  const tiedTimeouts = settings.tiedTimeouts ?? false;
  if (typeof tiedTimeouts !== "boolean") throw new ExploreSettingsError("tiedTimeouts", `true or false, got ${JSON.stringify(tiedTimeouts)}`);
  if (tiedTimeouts && def.settle === undefined) throw new ExploreSettingsError("tiedTimeouts", `an elector with a settled start (ElectorDefinition.settle): ${def.name} has none, and a cold start with tied timeouts never elects`);
  const restartJudgment = settings.restartJudgment ?? false;
  if (typeof restartJudgment !== "boolean") throw new ExploreSettingsError("restartJudgment", `true or false, got ${JSON.stringify(restartJudgment)}`);
  // Symmetry needs every host id renamed: only an elector digest can do that (ElectorInstance.digest).
  const symmetry: boolean | "n/a" = settings.symmetry === false ? false : "n/a";

  const base = {
    brokers,
    partitions,
    replicationFactor: Math.min(3, brokers),
    seed,
    delayMs,
    writesPerSecond: writes > 0 ? 1000 / WRITE_INTERVAL_MS : 0,
    ...(tiedTimeouts ? { tiedTimeouts } : {}),
  };
  // The producer starts once the cluster settled (its first tick only asks for metadata: the first
  // write finds no known leader and is not sent); exploration starts after that round trip, so the
  // first write is the first thing explored. Writes: one every WRITE_INTERVAL_MS, `writes` of them.
  const producerFromMs = settledStart(def, options, base, quietMs);
  const startMs = producerFromMs + 4 * delayMs;
  const world: WorldSetup = { ...base, startMs, producerFromMs, stopMs: producerFromMs + (writes + 0.5) * WRITE_INTERVAL_MS };
  const setup: PathSetup = { world, windowMs, maxFaults, faultKinds, clockJumpMs, settleMs, settleQuietMs, ...(housekeeping.length > 0 ? { housekeeping } : {}), ...(restartJudgment ? { restartJudgment } : {}) };
  const properties = judgedProperties(def, options).filter((p) => settings.coreLiveness !== false || p !== CORE_LIVENESS);

  const fresh = (): ExploreWorld => {
    const ew = new ExploreWorld(def, options, world);
    ew.longPauseQuietMs = settleQuietMs;
    ew.longPauseMaxMs = settleMs;
    ew.housekeeping = housekeeping;
    ew.warmUp();
    return ew;
  };
  const result = new Search(
    {
      search,
      depth,
      maxFaults,
      faultKinds,
      faultsLeft: maxFaults,
      windowMs,
      clockJumpMs,
      dedup: settings.dedup ?? true,
      por: settings.por ?? true,
      maxStates,
      maxSeconds,
      seed,
      settleMs,
      settleQuietMs,
      properties,
      electorName: settings.algorithm,
      restartJudgment,
    },
    fresh,
  ).run();

  let violation: ExploreViolation | undefined;
  if (result.violation !== undefined) {
    const v = result.violation;
    const found = v.path;
    const minimised = settings.minimise === false ? [...found] : minimisePath(def, settings.algorithm, options, setup, found, v.property).path;
    const final = judgePath(def, settings.algorithm, options, setup, minimised, [v.property]);
    const message = final?.verdict.violations[v.property] ?? v.message;
    const pathText = final?.lines ?? [];
    let counterexamplePath: string | undefined;
    if (settings.save !== false && final?.verdict.spec !== undefined) {
      counterexamplePath = saveExploredCounterexample(
        {
          kind: "electorate/counterexample",
          version: 1,
          ...final.verdict.spec,
          property: v.property,
          violation: message,
          traceHash: final.verdict.outcome?.traceHash ?? "-",
          explore: { setup, path: minimised, pathText, search, foundLength: found.length },
        },
        settings.counterexampleDir,
      );
    }
    violation = {
      property: v.property,
      message,
      foundLength: found.length,
      length: minimised.length,
      path: minimised,
      pathText,
      ...(counterexamplePath !== undefined ? { counterexamplePath } : {}),
    };
  }
  return {
    algorithm: settings.algorithm,
    properties,
    search,
    depth,
    faults: maxFaults,
    reductions: { dedup: settings.dedup ?? true, por: settings.por ?? true, symmetry },
    setup,
    statesGenerated: result.generated,
    distinctStates: result.distinct,
    statesJudged: result.judged,
    sleptChoices: result.sleptChoices,
    statesPerSecond: result.seconds > 0 ? result.generated / result.seconds : 0,
    seconds: result.seconds,
    depthReached: result.depthReached,
    eventsRun: result.eventsRun,
    stoppedBy: result.stoppedBy,
    ...(violation !== undefined ? { violation } : {}),
    coverage: {
      sent: Object.fromEntries([...result.sent].sort()),
      ran: Object.fromEntries([...result.ran].sort()),
      declared: Object.fromEntries([...result.declared].sort()),
      transitions: Object.fromEntries([...result.transitions].sort()),
      rules: (def.rules ?? []).map((rule, i) => ({ rule, visits: result.rules[i] ?? 0 })),
    },
  };
}

/** The report as text (the CLI prints this). */
export function reportText(r: ExploreReport): string {
  const n = (x: number): string => x.toLocaleString("en-US");
  const lines = [
    `explored ${r.algorithm}: ${r.setup.world.brokers} brokers x ${r.setup.world.partitions} partition(s), ${r.search}, depth ${r.depth}, up to ${r.faults} fault(s) per path (${r.setup.faultKinds.join(", ")}), window ${r.setup.windowMs} ms`,
    `  from ${r.setup.world.startMs} ms (a settled cluster, seed ${r.setup.world.seed}${r.setup.world.tiedTimeouts === true ? ", tied timeouts: every host draws the same random timeouts" : ""}); each state judged after settling (healed; until agreed and quiet for ${r.setup.settleQuietMs} ms, at most ${r.setup.settleMs} ms)${r.properties.includes(CORE_LIVENESS) ? ", and for core-liveness again with a majority healed and the rest left faulty" : ""}${r.setup.restartJudgment === true ? ", and again after a whole-cluster restart (every broker crashes and all restart: the restart judgment)" : ""}; properties: ${r.properties.join(", ")}`,
    `  reductions: dedup ${r.reductions.dedup ? "on" : "off"}, partial-order (sleep sets) ${r.reductions.por ? "on" : "off"}, symmetry ${r.reductions.symmetry === "n/a" ? "n/a (the elector declares no digest that renames hosts)" : r.reductions.symmetry ? "on" : "off"}`,
    `  states generated ${n(r.statesGenerated)}, distinct ${n(r.distinctStates)}, judged ${n(r.statesJudged)}, choices asleep ${n(r.sleptChoices)}; depth reached ${r.depthReached}; ${n(r.eventsRun)} events run`,
    `  ${r.seconds.toFixed(2)} s, ${n(Math.round(r.statesPerSecond))} states/s; stopped: ${r.stoppedBy}`,
  ];
  if (r.violation !== undefined) {
    const v = r.violation;
    lines.push(`VIOLATION of ${v.property}: ${v.message}`);
    lines.push(`  path: ${v.foundLength} choices as found, ${v.length} after minimisation:`);
    for (const l of v.pathText) lines.push(`    ${l}`);
    if (v.counterexamplePath !== undefined) lines.push(`  saved: ${displayPath(v.counterexamplePath)} (replay: npx electorate replay ${displayPath(v.counterexamplePath)})`);
  } else {
    lines.push(`no violation ${r.stoppedBy === "exhausted" ? `in any path up to depth ${r.depth}` : `within the budget (${r.stoppedBy})`}`);
  }
  const c = r.coverage;
  const list = (o: Readonly<Record<string, number>>): string => Object.entries(o).map(([k, v]) => `${k} ${n(v)}`).join(", ") || "none";
  lines.push(`coverage: sent: ${list(c.sent)}`);
  lines.push(`  ran on brokers: ${list(c.ran)}`);
  lines.push(`  declared: ${list(c.declared)}`);
  lines.push(`  role transitions: ${list(c.transitions)}`);
  if (c.rules.length === 0) lines.push("  named rules: none declared by the elector (ElectorDefinition.rules)");
  else {
    const visited = c.rules.filter((r) => r.visits > 0);
    lines.push(`  named rules visited: ${visited.length} of ${c.rules.length}`);
    for (const r of c.rules) lines.push(`    ${r.visits > 0 ? n(r.visits).padStart(8) : "   never"}  ${r.rule}`);
  }
  return lines.join("\n");
}
