/**
 * The searches over explored worlds: breadth-first, depth-first with iterative deepening, and
 * random walks. A state is named by its path of choices from the start; it is rebuilt by replaying
 * that path on a fresh world (re-execution). Every new distinct state is judged (settle, then the
 * checker); the search stops at the first violation, so breadth-first search reports a shortest one.
 *
 * Reductions (each can be turned off, to measure it):
 *  - dedup: a state whose digest was seen is not expanded again (digest.ts);
 *  - por: sleep sets (Godefroid 1996). After exploring event e at a state, e sleeps in the
 *    siblings explored after it when it commutes with their choice: both events run on different
 *    hosts at the same clock value (so neither sees the other, nor a different time), and the
 *    sibling's choice led straight to a branching state (no forced steps to commute through).
 *    A sleeping event is not explored again from there. With dedup, a state reached again with a
 *    sleep set that is not a superset of the stored one is expanded again with their intersection.
 */
import type { HostId } from "../elector/api.ts";
import { Obs } from "../record/observation-log.ts";
import { RandomStream } from "../sim/random.ts";
import { eventKey, hashDigest, labObjects, stateDigest } from "./digest.ts";
import { isFault, type Choice, type ChoiceSettings, type ExploreWorld, type PendingEvent } from "./explore-world.ts";
import { errorText, judgeState, type ExploredProperty, type StateVerdict } from "./verdict.ts";

export type SearchKind = "bfs" | "dfs" | "random";

export interface SearchSettings extends ChoiceSettings {
  readonly search: SearchKind;
  readonly depth: number;
  readonly maxFaults: number;
  readonly dedup: boolean;
  readonly por: boolean;
  readonly maxStates: number;
  /** Wall-clock budget (seconds); Infinity for none. A states budget gives deterministic results, this one does not. */
  readonly maxSeconds: number;
  /** Random walks' seed. */
  readonly seed: number;
  readonly settleMs: number;
  readonly settleQuietMs: number;
  readonly properties: readonly ExploredProperty[];
  readonly electorName: string;
  /** The restart judgment (verdict.ts judgeState): every judged state also judged after a whole-cluster restart. */
  readonly restartJudgment: boolean;
}

export interface FoundViolation {
  readonly property: ExploredProperty;
  readonly message: string;
  readonly path: readonly Choice[];
  readonly verdict: StateVerdict;
}

export interface SearchResult {
  readonly generated: number;
  readonly distinct: number;
  /** Choices not explored because their event was asleep (partial-order reduction). */
  readonly sleptChoices: number;
  /** States judged (settled and checked). */
  readonly judged: number;
  readonly depthReached: number;
  readonly eventsRun: number;
  readonly seconds: number;
  readonly stoppedBy: "exhausted" | "max-states" | "max-seconds" | "violation";
  readonly violation?: FoundViolation;
  /** What ran across every generated state (coverage). */
  readonly ran: ReadonlyMap<string, number>;
  readonly sent: ReadonlyMap<string, number>;
  readonly declared: ReadonlyMap<string, number>;
  /** Role transitions per (broker, partition) named from declarations: "follower -> candidate", ... */
  readonly transitions: ReadonlyMap<string, number>;
  /** Visits per named rule of the elector (ElectorDefinition.rules; empty when it declares none). */
  readonly rules: Float64Array;
}

/** Builds the world at the start state (after the warm-up and its forced steps). */
export type WorldFactory = () => ExploreWorld;

const identity = (h: HostId): number => h;

interface Node {
  readonly path: Choice[];
  /** Event ids asleep at this state. */
  readonly sleep: readonly number[];
}

class Stop extends Error {
  constructor(readonly why: SearchResult["stoppedBy"]) {
    super(why);
  }
}

export class Search {
  private generated = 0;
  private distinct = 0;
  private slept = 0;
  private judged = 0;
  private depthReached = 0;
  private eventsRun = 0;
  private violation: FoundViolation | undefined;
  private readonly started = performance.now();
  private readonly ran = new Map<string, number>();
  private readonly sent = new Map<string, number>();
  private readonly declared = new Map<string, number>();
  private readonly transitions = new Map<string, number>();
  private rules = new Float64Array(0);
  /** Digest -> sleeping event keys stored with it (null: none asleep). */
  private visited = new Map<string, Set<string> | null>();
  /** Digest -> the shallowest depth it was reached at (in this iteration of deepening). */
  private shallowest = new Map<string, number>();
  /** Digests seen by random walks (their distinct-state count). */
  private readonly walkSeen = new Set<string>();
  /** Digests judged already (across iterations of deepening). */
  private readonly judgedDigests = new Set<string>();

  constructor(
    private readonly s: SearchSettings,
    private readonly fresh: WorldFactory,
  ) {}

  run(): SearchResult {
    let stoppedBy: SearchResult["stoppedBy"] = "exhausted";
    try {
      if (this.s.search === "bfs") this.bfs();
      else if (this.s.search === "dfs") this.iterativeDeepening();
      else this.randomWalks();
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      stoppedBy = e.why;
    }
    return {
      generated: this.generated,
      distinct: this.distinct,
      sleptChoices: this.slept,
      judged: this.judged,
      depthReached: this.depthReached,
      eventsRun: this.eventsRun,
      seconds: (performance.now() - this.started) / 1000,
      stoppedBy,
      ...(this.violation !== undefined ? { violation: this.violation } : {}),
      ran: this.ran,
      sent: this.sent,
      declared: this.declared,
      transitions: this.transitions,
      rules: this.rules,
    };
  }

  /**
   * The world at the end of `path` (replayed from the start). An exception on the way (an elector's
   * own invariant check, say) is a no-exceptions violation of this path: the search stops there.
   */
  replay(path: readonly Choice[]): { ew: ExploreWorld; enabled: PendingEvent[]; forcedLast: number } {
    try {
      const ew = this.fresh();
      let left = this.s.maxFaults;
      let enabled = ew.runForced(this.s.windowMs, left);
      for (const c of path) {
        ew.apply(c);
        if (isFault(c)) left--;
        enabled = ew.runForced(this.s.windowMs, left);
      }
      return { ew, enabled, forcedLast: ew.forced };
    } catch (e) {
      if (e instanceof Stop) throw e;
      this.thrown(path, e);
    }
  }

  /** An exception while running a path's events: the no-exceptions violation, and the search stops. */
  private thrown(path: readonly Choice[], e: unknown): never {
    const message = `while running the path: ${errorText(e)}`;
    this.violation = { property: "no-exceptions", message, path: [...path], verdict: { violations: { "no-exceptions": message } } };
    throw new Stop("violation");
  }

  private choiceSettings(path: readonly Choice[]): ChoiceSettings {
    let used = 0;
    for (const c of path) if (isFault(c)) used++;
    return { ...this.s, faultsLeft: this.s.maxFaults - used };
  }

  private checkBudget(): void {
    if (this.generated >= this.s.maxStates) throw new Stop("max-states");
    if (this.s.maxSeconds !== Infinity && (performance.now() - this.started) / 1000 >= this.s.maxSeconds) throw new Stop("max-seconds");
  }

  /**
   * A state was generated: digest it; when new (or dedup is off), judge it. Returns the digest
   * and whether it is new. Uses up the world when it judges.
   */
  private visit(ew: ExploreWorld, path: readonly Choice[], digest: string | undefined): boolean {
    this.generated++;
    if (path.length > this.depthReached) this.depthReached = path.length;
    this.eventsRun += ew.eventsRun;
    const isNew = digest === undefined || !this.judgedDigests.has(digest);
    if (digest !== undefined) this.judgedDigests.add(digest);
    if (!isNew) return false;
    this.distinct++;
    this.collectCoverage(ew);
    this.judge(ew, path);
    return true;
  }

  /** Settles and judges a world (using it up); a violation stops the search. */
  private judge(ew: ExploreWorld, path: readonly Choice[]): void {
    this.judged++;
    const verdict = judgeState(ew, () => this.replay(path).ew, this.s.electorName, this.s.properties, this.s.settleMs, this.s.settleQuietMs, this.s.restartJudgment);
    const names = Object.keys(verdict.violations) as ExploredProperty[];
    if (names.length > 0) {
      const property = names[0];
      this.violation = { property, message: verdict.violations[property]!, path: [...path], verdict };
      throw new Stop("violation");
    }
  }

  private collectCoverage(ew: ExploreWorld): void {
    const visits = ew.world.ruleVisits;
    if (this.rules.length !== visits.length) this.rules = new Float64Array(visits.length);
    for (let r = 0; r < visits.length; r++) this.rules[r] += visits[r] - (ew.rulesAtStart[r] ?? 0);
    for (const [k, v] of ew.ran) this.ran.set(k, (this.ran.get(k) ?? 0) + v);
    for (const [type, c] of Object.entries(ew.world.network.counts().byType)) {
      const n = c.count - (ew.sentAtStart[type]?.count ?? 0);
      if (n > 0) this.sent.set(type, (this.sent.get(type) ?? 0) + n);
    }
    const from = ew.setup.startMs;
    const log = ew.world.log;
    const brokers = ew.setup.brokers;
    // Role per (host, partition) from the declarations, to name the role transitions a path made.
    const role = new Map<number, string>();
    for (let i = 0; i < log.length; i++) {
      const kind = log.kind[i];
      const host = log.host[i];
      if (host < 0 || host >= brokers) continue;
      const counted = log.time[i] >= from; // the warm-up only sets the roles exploration starts from
      const name = OBS_LABEL[kind];
      if (name !== undefined && counted) this.declared.set(name, (this.declared.get(name) ?? 0) + 1);
      if (kind === Obs.Crash) {
        for (let p = 0; p < ew.setup.partitions; p++) this.roleChange(role, host * 8 + p, "down", counted);
        continue;
      }
      const next = ROLE_OF[kind]?.(log.a[i]);
      if (next !== undefined && log.partition[i] >= 0) this.roleChange(role, host * 8 + log.partition[i], next, counted);
    }
  }

  private roleChange(role: Map<number, string>, key: number, next: string, counted: boolean): void {
    const prev = role.get(key) ?? "start";
    if (prev === next) return;
    role.set(key, next);
    if (!counted) return;
    const t = `${prev} -> ${next}`;
    this.transitions.set(t, (this.transitions.get(t) ?? 0) + 1);
  }

  private digestOf(ew: ExploreWorld): string | undefined {
    if (!this.s.dedup) return undefined;
    const order = Array.from({ length: ew.setup.brokers }, (_, h) => h);
    return hashDigest(stateDigest(ew, labObjects(ew), identity, order));
  }

  /** Children of a node, in choice order; calls `onChild` for each new child worth expanding. */
  private expand(node: Node, bound: number, onChild: (child: Node) => void): void {
    this.checkBudget();
    const { ew, enabled } = this.replay(node.path);
    const choices = ew.choices(this.choiceSettings(node.path), enabled);
    const byId = new Map(enabled.map((e) => [e.id, e]));
    const asleep = new Set(node.sleep);
    const done: number[] = [];
    for (const c of choices) {
      if (c.k === "event" && asleep.has(c.id)) {
        this.slept++;
        continue;
      }
      this.checkBudget();
      const path = [...node.path, c];
      const child = this.replay(path);
      // Sleep set of the child: earlier siblings' events and the node's sleepers that commute with c.
      let sleep: number[] = [];
      if (this.s.por && c.k === "event" && child.forcedLast === 0) {
        const ce = byId.get(c.id)!;
        const at = (e: PendingEvent): number => Math.max(e.time, ew.now);
        for (const id of [...node.sleep, ...done]) {
          const e = byId.get(id);
          if (e !== undefined && e.host !== ce.host && at(e) === at(ce)) sleep.push(id);
        }
      }
      const digest = this.digestOf(child.ew);
      const keys = this.sleepKeys(child.ew, sleep);
      const expandAgain = this.recordSleep(digest, keys);
      if (c.k === "event") done.push(c.id);
      // Depth-first search can reach a state first deep and later shallower: then it has more depth
      // left below it than when it was expanded, and is expanded again (with nothing asleep).
      const before = digest === undefined ? undefined : this.shallowest.get(digest);
      const shallower = before !== undefined && path.length < before;
      if (digest !== undefined && (before === undefined || shallower)) this.shallowest.set(digest, path.length);
      if (digest !== undefined && !expandAgain && !shallower) {
        this.generated++;
        this.eventsRun += child.ew.eventsRun;
        continue;
      }
      if (expandAgain === "again" || shallower) {
        // Seen before with a sleep set that is not a superset: expand again with the intersection.
        const stored = this.visited.get(digest!) ?? null;
        sleep = stored === null || shallower ? [] : sleep.filter((id) => stored.has(this.keyOf(child.ew, id)));
        this.generated++;
        this.eventsRun += child.ew.eventsRun;
        if (path.length < bound) onChild({ path, sleep });
        continue;
      }
      this.visit(child.ew, path, digest);
      if (path.length < bound) onChild({ path, sleep });
    }
  }

  private keyOf(ew: ExploreWorld, id: number): string {
    const e = ew.candidates().find((x) => x.id === id);
    return e === undefined ? `gone:${id}` : eventKey(e, ew.now, identity, labObjects(ew));
  }

  private sleepKeys(ew: ExploreWorld, sleep: readonly number[]): Set<string> | null {
    if (sleep.length === 0) return null;
    return new Set(sleep.map((id) => this.keyOf(ew, id)));
  }

  /**
   * Records a state's sleep set. Returns true when the state is new, "again" when it was seen with
   * a sleep set that is not a superset of this one (the stored set becomes the intersection),
   * false when it was seen and covered.
   */
  private recordSleep(digest: string | undefined, keys: Set<string> | null): boolean | "again" {
    if (digest === undefined) return true;
    if (!this.visited.has(digest)) {
      this.visited.set(digest, keys);
      return true;
    }
    const stored = this.visited.get(digest) ?? null;
    if (stored === null) return false; // nothing was asleep: everything was explored
    const covered = keys !== null && [...stored].every((k) => keys.has(k));
    if (covered) return false;
    const meet = keys === null ? null : new Set([...stored].filter((k) => keys.has(k)));
    this.visited.set(digest, meet !== null && meet.size > 0 ? meet : null);
    return "again";
  }

  private bfs(): void {
    const root = this.replay([]);
    const rootDigest = this.digestOf(root.ew);
    if (rootDigest !== undefined) this.visited.set(rootDigest, null);
    this.visit(root.ew, [], rootDigest);
    let frontier: Node[] = this.s.depth > 0 ? [{ path: [], sleep: [] }] : [];
    while (frontier.length > 0) {
      const next: Node[] = [];
      for (const node of frontier) this.expand(node, this.s.depth, (child) => next.push(child));
      frontier = next;
    }
  }

  private iterativeDeepening(): void {
    const root = this.replay([]);
    const rootDigest = this.digestOf(root.ew);
    this.visit(root.ew, [], rootDigest);
    const full = this.s.depth;
    for (let bound = 1; bound <= full; bound++) {
      this.visited = new Map();
      this.shallowest = new Map();
      if (rootDigest !== undefined) {
        this.visited.set(rootDigest, null);
        this.shallowest.set(rootDigest, 0);
      }
      const stack: Node[] = [{ path: [], sleep: [] }];
      while (stack.length > 0) {
        const node = stack.pop()!;
        const children: Node[] = [];
        this.expand(node, bound, (child) => children.push(child));
        // Depth-first, in choice order.
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
      }
    }
  }

  /**
   * Random walks: from the start, a seeded random choice at every state, to the depth bound or a
   * state with no choice. Each step's state is digested (distinct states are counted), and the
   * walk's last state is judged (on the walk's own world: no replay), so a walk costs one settle.
   * A violation found at a walk's end is then minimised like any other.
   */
  private randomWalks(): void {
    const rng = new RandomStream(this.s.seed, "explore:walk");
    for (;;) {
      this.checkBudget();
      const path: Choice[] = [];
      let { ew, enabled } = this.replay([]);
      if (this.s.depth === 0 || ew.choices(this.choiceSettings(path), enabled).length === 0) return; // nothing to walk
      let left = this.s.maxFaults;
      for (let step = 0; step < this.s.depth; step++) {
        const choices = ew.choices({ ...this.s, faultsLeft: left }, enabled);
        if (choices.length === 0) break;
        // A fault with probability K / depth at each step (so a walk spends its faults along its
        // whole length, not all at its first states), else a uniform event (or resume).
        const faults = choices.filter(isFault);
        const others = choices.filter((c) => !isFault(c));
        const pool = faults.length > 0 && (others.length === 0 || rng.next() < this.s.maxFaults / this.s.depth) ? faults : others;
        const c = pool[rng.int(0, pool.length - 1)];
        path.push(c);
        try {
          ew.apply(c);
          if (isFault(c)) left--;
          enabled = ew.runForced(this.s.windowMs, left);
        } catch (e) {
          this.thrown(path, e);
        }
        this.generated++;
        if (path.length > this.depthReached) this.depthReached = path.length;
        const digest = this.digestOf(ew);
        if (digest === undefined || !this.walkSeen.has(digest)) {
          this.distinct++;
          if (digest !== undefined) this.walkSeen.add(digest);
        }
        if (this.generated >= this.s.maxStates) break;
      }
      this.eventsRun += ew.eventsRun;
      this.collectCoverage(ew);
      this.judge(ew, path);
    }
  }
}

/** The role a declaration puts a (host, partition) in (Follow: a = the leader, -1 none). */
const ROLE_OF: Record<number, (a: number) => string> = {
  [Obs.Lead]: () => "leader",
  [Obs.Follow]: (leader) => (leader < 0 ? "no leader" : "follower"),
  [Obs.StepDown]: () => "no leader",
  [Obs.Campaign]: () => "candidate",
};

const OBS_LABEL: Record<number, string> = {
  1: "lead",
  2: "follow",
  3: "stepDown",
  4: "acknowledged",
  5: "rejected",
  6: "campaign",
  7: "controller",
  8: "controllerResigned",
  17: "append",
  18: "truncate",
  19: "commit",
};
