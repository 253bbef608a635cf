/**
 * One explored world: the lab's own World (kernel, network, hosts, producers, the unchanged
 * elector instances) whose kernel takes its events from an ExploreQueue, so the search decides
 * which pending event runs next. Built fresh and replayed from its start for every state the
 * search visits (re-execution; see docs/explore.md for why not cloning).
 *
 * The choices at a state:
 *  - events: every pending event whose scheduled time is within `windowMs` of the earliest one
 *    (message deliveries, timer firings, fsync completions, producer timers), except events of a
 *    paused host and stream messages that an earlier message on the same link must precede (TCP
 *    is FIFO);
 *  - faults, while the path has used fewer than `maxFaults`: crash, restart, pause, cut one link,
 *    heal, drop one enabled datagram, jump a clock; and "resume" for a paused host (free: a pause
 *    is one fault however long it lasts).
 * After a choice, while exactly one event is enabled it runs at once (a forced step, not a choice),
 * so the depth counts decisions, not ticks.
 */
import type { ElectorDefinition, HostId, Message } from "../elector/api.ts";
import { HostStatus } from "../sim/kernel.ts";
import { Obs } from "../record/observation-log.ts";
import type { RandomStream } from "../sim/random.ts";
import { World } from "../world/world.ts";
import type { WorldConfig, WorkloadSpec } from "../world/world-config.ts";
import { ExploreQueue } from "./explore-queue.ts";
import { TiedRandom } from "./tied-random.ts";

/** What the explorer builds a world from (all plain data: a counterexample stores it). */
export interface WorldSetup {
  readonly brokers: number;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly seed: number;
  /** Constant one-way delay of every link (ms). */
  readonly delayMs: number;
  /** Exploration starts at this time; before it, the world runs in the kernel's own order. */
  readonly startMs: number;
  /** The producer starts here (its first tick asks for metadata; writes follow every 1000 / writesPerSecond ms) and stops at stopMs. */
  readonly producerFromMs: number;
  /** Producer writes per second to each partition, from producerFromMs to stopMs. */
  readonly writesPerSecond: number;
  readonly stopMs: number;
  /**
   * Tied timeouts (tied-random.ts; absent: false): every broker's elector draws from an identically
   * seeded stream, and the world begins settled (ElectorDefinition.settle: a cold start with tied
   * draws would split its votes forever), so equal situations time out together.
   */
  readonly tiedTimeouts?: boolean;
}

export type FaultKind = "crash" | "restart" | "pause" | "cut" | "heal" | "drop" | "clockJump" | "expire" | "longPause";
/** The default fault alphabet. */
export const DEFAULT_FAULT_KINDS: readonly FaultKind[] = ["crash", "restart", "pause", "cut", "heal", "drop", "clockJump"];
/**
 * Coordinator faults, offered to coordinator-backed electors only and only when named (not in the
 * default alphabet, so explorations that do not name them are unchanged):
 *  - expire: the ZooKeeper server expires the host's session now (the lab's expireSession fault:
 *    its ephemerals go, watchers fire; the client learns Expired when it next hears from the
 *    server) — what a session timeout does, without the timeout's worth of decisions;
 *  - longPause: the classic zombie — the host is paused past its session timeout: the others run
 *    in the kernel's own order (no choices) until the server expired the host's session and they
 *    settled without it (see ExploreWorld.longPause); the host stays paused (a resume is free).
 */
export const COORDINATOR_FAULT_KINDS: readonly FaultKind[] = ["expire", "longPause"];
/** Every fault kind the explorer knows. */
export const FAULT_KINDS: readonly FaultKind[] = [...DEFAULT_FAULT_KINDS, ...COORDINATOR_FAULT_KINDS];

/** One decision of a path. Events are named by their insertion number (stable under replay). */
export type Choice =
  | { readonly k: "event"; readonly id: number }
  | { readonly k: "drop"; readonly id: number }
  | { readonly k: "crash" | "restart" | "pause" | "resume" | "expire" | "longPause"; readonly host: HostId }
  | { readonly k: "clockJump"; readonly host: HostId; readonly byMs: number }
  | { readonly k: "cut"; readonly from: HostId; readonly to: HostId }
  | { readonly k: "heal" };

/** Whether a choice spends one of the path's faults. */
export function isFault(c: Choice): boolean {
  return c.k !== "event" && c.k !== "resume";
}

/** An enabled event as the search sees it. */
export interface PendingEvent {
  readonly id: number;
  readonly kind: string;
  /** The host it runs on (for deliveries, the receiver). */
  readonly host: HostId;
  /** Deliveries: the sender; else -1. */
  readonly from: HostId;
  readonly time: number;
  readonly a: number;
  readonly b: number;
  readonly message: Message | undefined;
  readonly stream: boolean;
}

export interface ChoiceSettings {
  readonly windowMs: number;
  readonly faultsLeft: number;
  readonly faultKinds: readonly FaultKind[];
  readonly clockJumpMs: number;
}

/** Declarations that mean the cluster is still moving (settle waits for them to stop). */
const SETTLING = new Set<number>([Obs.Lead, Obs.Follow, Obs.StepDown, Obs.Append, Obs.Truncate, Obs.Commit]);

/**
 * Forced steps run after one choice at most: a world that does not branch again within them (every
 * broker crashed, a producer retrying alone) becomes a state with one choice, and the path goes on
 * from there.
 */
const MAX_FORCED = 1_000;

/**
 * Housekeeping events (ExploreSettings.housekeeping) run forced, without stopping, until this many
 * of them sent a message since the last choice; then they are ordinary events again until the next
 * choice. In a world where only housekeeping happens (idle replication, pings), time then passes
 * in steps of this many messages per decision instead of one.
 */
const HOUSEKEEPING_PER_STOP = 100;
/** Housekeeping events run in one runForced at most (a bound on silent ones: expiry ticks, timers re-armed). */
const MAX_HOUSEKEEPING = 50_000;

/**
 * The class of a pending event, as housekeeping patterns name it: "deliver TYPE" for a message
 * delivery (TYPE its message type: "deliver zk.ping", "deliver kafka.Fetch"), "timer TAG" for an
 * elector timer, else the kernel's kind name ("zk.server.service", "zk.client.timer", "producer").
 */
export function eventClass(e: PendingEvent): string {
  if (e.kind === "deliver") return `deliver ${e.message?.type ?? "?"}`;
  if (e.kind === "timer") return `timer ${e.a}`;
  return e.kind;
}

/** Whether a class matches one of the patterns (exact, or a prefix ending in "*"). */
export function matchesClass(cls: string, patterns: readonly string[]): boolean {
  for (const p of patterns) if (p.endsWith("*") ? cls.startsWith(p.slice(0, -1)) : cls === p) return true;
  return false;
}

export class ExploreWorld {
  readonly world: World;
  readonly queue = new ExploreQueue();
  readonly config: WorldConfig<unknown>;
  /** Events dispatched since the start of exploration (choices and forced steps). */
  eventsRun = 0;
  /** Faults applied on this path, with their times, as text (the timeline's fault lines). */
  readonly faults: { readonly at: number; readonly text: string }[] = [];
  /** Per event id: sent as a stream message (FIFO, never lost). */
  private readonly streamIds = new Set<number>();
  private cutAny = false;
  /** Forced steps run by the last runForced. */
  forced = 0;
  /** What ran, for coverage: "recv TYPE", "timer TAG", "persisted", ... with counts. */
  readonly ran = new Map<string, number>();
  private readonly deliverKind: number;
  private readonly timerKind: number;
  /** Tied timeouts: each broker's stream (empty otherwise). */
  readonly tied: TiedRandom[] = [];
  /**
   * longPause's bounds (ms): the others must have been quiet this long after the session expired,
   * and it ends this long after the expiry at most. The explorer sets them from its settle settings
   * (PathSetup.settleQuietMs, settleMs), so a replayed path runs the same long pauses.
   */
  longPauseQuietMs = 1000;
  longPauseMaxMs = 60_000;
  /**
   * Housekeeping event classes (ExploreSettings.housekeeping; patterns as matchesClass reads
   * them): such an event never is a choice while another event is enabled, and runs forced when
   * it is the earliest pending one, without stopping the forced run (up to HOUSEKEEPING_PER_STOP
   * that sent a message). Empty (the default): every event is an ordinary one.
   */
  housekeeping: readonly string[] = [];

  constructor(
    readonly definition: ElectorDefinition,
    readonly options: unknown,
    readonly setup: WorldSetup,
    traceMessages = 0,
  ) {
    const workload: Partial<WorkloadSpec> = {
      producers: 1,
      partitions: setup.partitions,
      writesPerSecond: setup.writesPerSecond,
      startMs: setup.producerFromMs,
      stopMs: setup.stopMs,
    };
    this.config = {
      seed: setup.seed,
      durationMs: Number.MAX_SAFE_INTEGER,
      cluster: { brokers: setup.brokers, partitions: setup.partitions, replicationFactor: setup.replicationFactor, startIndex: 0, nextReplicaShift: 0 },
      network: { delay: { kind: "constant", ms: setup.delayMs } },
      workload,
      faults: [],
      elector: definition,
      options,
      ...(traceMessages > 0 ? { traceMessages } : {}),
      eventQueue: () => this.queue,
      ...(setup.tiedTimeouts === true
        ? {
            start: "settled" as const,
            hostRandom: (h: number, own: RandomStream): RandomStream => (this.tied[h] = new TiedRandom(setup.seed, own)),
          }
        : {}),
    };
    this.world = new World(this.config);
    // Mark stream sends so the search keeps each link FIFO and never drops one (TCP would not).
    const network = this.world.network;
    const sendStream = network.sendStream.bind(network);
    const queue = this.queue;
    const streamIds = this.streamIds;
    network.sendStream = (from: HostId, to: HostId, message: Message, bytes: number): void => {
      const before = queue.nextId;
      sendStream(from, to, message, bytes);
      for (let id = before; id < queue.nextId; id++) streamIds.add(id);
    };
    this.deliverKind = this.kindNumber("deliver");
    this.timerKind = this.kindNumber("timer");
    this.world.start();
  }

  private kindNumber(name: string): number {
    for (let k = 1; k < 64; k++) if (this.world.kernel.kindName(k) === name) return k;
    return -1;
  }

  get now(): number {
    return this.world.kernel.now;
  }

  /** Messages sent by type during the warm-up (coverage counts only what exploration sent). */
  sentAtStart: Readonly<Record<string, { count: number }>> = {};
  /** The elector's named-rule visits during the warm-up (ElectorDefinition.rules). */
  rulesAtStart: Float64Array = new Float64Array(0);

  /** Runs the kernel's own order up to the start of exploration. */
  warmUp(): void {
    this.world.kernel.runUntil(this.setup.startMs);
    this.sentAtStart = this.world.network.counts().byType;
    this.rulesAtStart = this.world.ruleVisits.slice();
  }

  /** Pending events that can run now: not stale, not held by a pause, FIFO respected. */
  candidates(): PendingEvent[] {
    return this.pendingEvents(false);
  }

  /** Pending events of paused hosts (they wait for the resume). */
  heldEvents(): PendingEvent[] {
    return this.pendingEvents(true);
  }

  private pendingEvents(held: boolean): PendingEvent[] {
    const k = this.world.kernel;
    const q = this.queue;
    const out: PendingEvent[] = [];
    const streamSeen = new Set<number>();
    for (const id of q.pending()) {
      const kind = q.kindOf(id);
      const target = q.targetOf(id);
      if (k.isHostBound(kind)) {
        if (k.hostStatus(target) === HostStatus.Crashed || k.incarnation(target) !== q.incarnationOf(id)) {
          // The kernel would drop it when it came up; dropping it now keeps the queue short.
          q.remove(id);
          k.eventsDropped++;
          continue;
        }
        if ((k.hostStatus(target) === HostStatus.Paused) !== held) continue;
      } else if (held) continue;
      const isDeliver = kind === this.deliverKind;
      const stream = isDeliver && this.streamIds.has(id);
      const from = isDeliver ? q.aOf(id) : -1;
      if (stream && !held) {
        // pending() is in (time, id) order, and a stream's events on one link in send order.
        const link = from * k.hostCount + target;
        if (streamSeen.has(link)) continue;
        streamSeen.add(link);
      }
      out.push({
        id,
        kind: k.kindName(kind),
        host: target,
        from,
        time: q.scheduledTime(id),
        a: q.aOf(id),
        b: q.bOf(id),
        message: isDeliver ? (q.peekObj(id) as Message) : undefined,
        stream,
      });
    }
    return out;
  }

  /**
   * The candidates within the window of the earliest one. Timers due at the same instant fire in
   * the kernel's order (only the first of them is enabled): ticks of hosts that booted together
   * fall due together every tick, and timers on different hosts at one instant commute, so letting
   * the search order them would spend its depth on ticks (docs/explore.md: what this leaves out).
   */
  enabled(windowMs: number): PendingEvent[] {
    const all = this.candidates();
    if (all.length === 0) return all;
    let t0 = Infinity;
    for (const e of all) if (e.time < t0) t0 = e.time;
    const timerAt = new Set<number>();
    const inWindow = all.filter((e) => {
      if (e.time > t0 + windowMs) return false;
      if (e.kind !== "timer") return true;
      if (timerAt.has(e.time)) return false; // candidates come in (time, id) order
      timerAt.add(e.time);
      return true;
    });
    if (this.housekeeping.length === 0) return inWindow;
    // Housekeeping is no choice while something else can run; alone, the earliest one is (time passes).
    const choosable = inWindow.filter((e) => !this.isHousekeeping(e));
    return choosable.length > 0 ? choosable : inWindow.slice(0, 1);
  }

  isHousekeeping(e: PendingEvent): boolean {
    return this.housekeeping.length > 0 && matchesClass(eventClass(e), this.housekeeping);
  }

  /** The earliest pending event that can run, if it is housekeeping. */
  private housekeepingDue(): PendingEvent | undefined {
    if (this.housekeeping.length === 0) return undefined;
    const all = this.candidates();
    let first: PendingEvent | undefined;
    for (const e of all) if (first === undefined || e.time < first.time) first = e; // ties: (time, id) order
    return first !== undefined && this.isHousekeeping(first) ? first : undefined;
  }

  /** Every decision at this state: enabled events first, then faults. */
  choices(s: ChoiceSettings, enabled: readonly PendingEvent[] = this.enabled(s.windowMs)): Choice[] {
    const out: Choice[] = enabled.map((e) => ({ k: "event", id: e.id }) as Choice);
    const k = this.world.kernel;
    const brokers = this.setup.brokers;
    for (let h = 0; h < brokers; h++) if (k.hostStatus(h) === HostStatus.Paused) out.push({ k: "resume", host: h });
    if (s.faultsLeft <= 0) return out;
    const allowed = new Set(s.faultKinds);
    for (let h = 0; h < brokers; h++) {
      const st = k.hostStatus(h);
      if (allowed.has("crash") && st !== HostStatus.Crashed) out.push({ k: "crash", host: h });
      if (allowed.has("restart") && st === HostStatus.Crashed) out.push({ k: "restart", host: h });
      if (allowed.has("pause") && st === HostStatus.Up) out.push({ k: "pause", host: h });
      if (allowed.has("clockJump") && st !== HostStatus.Crashed) out.push({ k: "clockJump", host: h, byMs: s.clockJumpMs });
      if (this.definition.usesCoordinator && st !== HostStatus.Crashed && this.hasSession(h)) {
        if (allowed.has("expire")) out.push({ k: "expire", host: h });
        if (allowed.has("longPause") && st === HostStatus.Up) out.push({ k: "longPause", host: h });
      }
    }
    if (allowed.has("cut")) {
      for (let f = 0; f < brokers; f++) for (let t = 0; t < brokers; t++) if (f !== t && this.world.network.canReach(f, t)) out.push({ k: "cut", from: f, to: t });
    }
    if (allowed.has("heal") && this.cutAny) out.push({ k: "heal" });
    if (allowed.has("drop")) for (const e of enabled) if (e.kind === "deliver" && !e.stream) out.push({ k: "drop", id: e.id });
    return out;
  }

  /** Applies one decision (an event runs; a fault is applied at the current time). */
  apply(c: Choice): void {
    const k = this.world.kernel;
    switch (c.k) {
      case "event":
        this.run(c.id);
        return;
      case "drop": {
        const from = this.queue.aOf(c.id);
        const to = this.queue.targetOf(c.id);
        const type = (this.queue.peekObj(c.id) as Message | undefined)?.type ?? "?";
        this.queue.remove(c.id);
        this.note(`drop one ${type} from host ${from} to host ${to}`);
        return;
      }
      case "crash":
        k.crash(c.host);
        this.note(`crash host ${c.host}`);
        return;
      case "restart":
        k.restart(c.host);
        this.note(`restart host ${c.host}`);
        return;
      case "pause":
        k.pause(c.host);
        this.note(`pause host ${c.host} (until it is resumed)`);
        return;
      case "resume":
        this.resume(c.host);
        return;
      case "expire":
        this.world.sessionFault(c.host, "expire");
        this.note(`the ZooKeeper server expires host ${c.host}'s session`);
        return;
      case "longPause":
        this.longPause(c.host);
        return;
      case "clockJump":
        this.world.clockJump(c.host, c.byMs);
        this.note(`clock of host ${c.host} jumps ${c.byMs >= 0 ? "+" : ""}${c.byMs} ms`);
        return;
      case "cut":
        this.world.network.cutLink(c.from, c.to);
        this.cutAny = true;
        this.note(`cut host ${c.from} -> host ${c.to}`);
        return;
      case "heal":
        this.world.network.heal();
        this.cutAny = false;
        this.note("heal the network");
        return;
    }
  }

  /** One line for a choice, read before it is applied (the counterexample's path). */
  describe(c: Choice): string {
    const q = this.queue;
    const at = `${this.world.kernel.now.toFixed(3)} ms`;
    switch (c.k) {
      case "event": {
        const kind = this.world.kernel.kindName(q.kindOf(c.id));
        const target = q.targetOf(c.id);
        const name = (h: number): string => (h < this.setup.brokers ? `host ${h}` : h === this.world.coordinatorHost ? "zk" : `client ${h - this.world.firstProducer}`);
        if (kind === "deliver") {
          const m = q.peekObj(c.id) as Message;
          return `${at}  deliver ${m.type} ${name(q.aOf(c.id))} -> ${name(target)}${this.streamIds.has(c.id) ? " (stream)" : ""}`;
        }
        if (kind === "timer") return `${at}  timer (tag ${q.aOf(c.id)}) fires on ${name(target)}`;
        return `${at}  ${kind} on ${name(target)}`;
      }
      case "drop":
        return `${at}  FAULT drop one ${(q.peekObj(c.id) as Message | undefined)?.type ?? "?"} from host ${q.aOf(c.id)} to host ${q.targetOf(c.id)}`;
      case "crash":
      case "restart":
      case "pause":
        return `${at}  FAULT ${c.k} host ${c.host}`;
      case "expire":
        return `${at}  FAULT the ZooKeeper server expires host ${c.host}'s session`;
      case "longPause":
        return `${at}  FAULT pause host ${c.host} past its ZooKeeper session (the others run in the kernel's order until it expired and they settled)`;
      case "resume":
        return `${at}  resume host ${c.host}`;
      case "clockJump":
        return `${at}  FAULT clock of host ${c.host} jumps ${c.byMs >= 0 ? "+" : ""}${c.byMs} ms`;
      case "cut":
        return `${at}  FAULT cut host ${c.from} -> host ${c.to}`;
      case "heal":
        return `${at}  FAULT heal the network`;
    }
  }

  /** Whether a choice is one this state offers (a replayed or minimised path must stay legal). */
  offers(c: Choice, s: ChoiceSettings): boolean {
    const key = JSON.stringify(c);
    return this.choices(s).some((x) => JSON.stringify(x) === key);
  }

  /** Records a fault in the observation log (Obs.Fault, a = its index in `faults`) and in `faults`. */
  private note(text: string): void {
    this.faults.push({ at: this.world.kernel.now, text });
    this.world.log.record(this.world.kernel.now, -1, Obs.Fault, -1, this.faults.length - 1, 0);
  }

  /** Runs one pending event (chosen or forced) and notes it for coverage. */
  private run(id: number): void {
    const q = this.queue;
    const kind = q.kindOf(id);
    const target = q.targetOf(id);
    let what: string | undefined;
    if (target < this.setup.brokers) {
      if (kind === this.deliverKind) what = `received ${(q.peekObj(id) as Message).type}`;
      else if (kind === this.timerKind) what = `timer tag ${q.aOf(id)}`;
      else what = this.world.kernel.kindName(kind);
    }
    q.choose(id);
    this.world.kernel.step();
    this.eventsRun++;
    if (what !== undefined) this.ran.set(what, (this.ran.get(what) ?? 0) + 1);
  }

  /** Whether the coordinator holds a live (not expired or closing) session opened from `host`. */
  hasSession(host: HostId): boolean {
    for (const s of this.world.coordinator.sessions.sessions.values()) if (s.host === host && s.created && !s.closing) return true;
    return false;
  }

  /**
   * The longPause fault: `host` is paused; the rest of the world runs in the kernel's own order (no
   * choices, no other faults: one execution the real system can have) until the coordinator has
   * expired the host's session and then the others have declared no leader, follower, append,
   * truncation or commit for `longPauseQuietMs` while every partition has one leader its replicas
   * other than `host` follow — or `longPauseMaxMs` after the expiry at most. The host stays paused.
   */
  private longPause(host: HostId): void {
    const k = this.world.kernel;
    k.pause(host);
    const at = k.now;
    this.note(`pause host ${host} past its ZooKeeper session`);
    const noted = this.faults.length - 1;
    const log = this.world.log;
    let seen = log.length;
    let lastChange = k.now;
    let expiredAt = this.hasSession(host) ? -1 : k.now;
    while (this.queue.size > 0) {
      if (expiredAt >= 0 && (k.now - expiredAt >= this.longPauseMaxMs || (k.now - lastChange >= this.longPauseQuietMs && this.settledLeaders(host)))) break;
      k.step();
      this.eventsRun++;
      if (log.length !== seen) {
        for (let i = seen; i < log.length; i++) if (SETTLING.has(log.kind[i])) lastChange = log.time[i];
        seen = log.length;
      }
      if (expiredAt < 0 && !this.hasSession(host)) {
        expiredAt = k.now;
        lastChange = k.now;
      }
    }
    this.faults[noted] = { at, text: `pause host ${host} past its ZooKeeper session (${(k.now - at).toFixed(0)} ms: expired, the others settled; still paused)` };
  }

  private resume(host: HostId): void {
    const k = this.world.kernel;
    k.resume(host);
  }

  /**
   * Runs forced steps: while exactly one event is enabled, it runs. While the path may still
   * inject a fault (`faultsLeft` > 0) or resume a paused host, forcing also stops right after an
   * event that did something visible (sent a message or declared a belief), so a fault or a resume
   * can land at every protocol step (a campaign, a vote, an append) without every silent tick
   * being a decision. Returns the enabled events where it stopped (empty: nothing left to run).
   */
  runForced(windowMs: number, faultsLeft: number): PendingEvent[] {
    this.forced = 0;
    const net = this.world.network;
    const log = this.world.log;
    let chores = 0;
    let housekeepingRun = 0;
    for (let n = 0; n < MAX_FORCED; n++) {
      // Housekeeping first: the earliest pending event runs forced if it is housekeeping (ExploreSettings.housekeeping).
      if (chores < HOUSEKEEPING_PER_STOP && housekeepingRun < MAX_HOUSEKEEPING) {
        const due = this.housekeepingDue();
        if (due !== undefined) {
          const sentBefore = net.sent;
          this.run(due.id);
          this.forced++;
          housekeepingRun++;
          if (net.sent !== sentBefore) chores++;
          n--;
          continue;
        }
      }
      const enabled = this.enabled(windowMs);
      if (enabled.length !== 1) return enabled;
      const sent = net.sent;
      const declared = log.length;
      this.run(enabled[0].id);
      this.forced++;
      if ((faultsLeft > 0 || this.anyPaused()) && (net.sent !== sent || log.length !== declared)) return this.enabled(windowMs);
    }
    return this.enabled(windowMs);
  }

  anyPaused(): boolean {
    const k = this.world.kernel;
    for (let h = 0; h < this.setup.brokers; h++) if (k.hostStatus(h) === HostStatus.Paused) return true;
    return false;
  }

  /**
   * The end of a path: every fault heals (network whole, paused hosts resumed, crashed ones
   * restarted), then the kernel's own order runs until the cluster is quiet — every partition has
   * one leader all its live replicas follow and no replica declared a leader, an append, a
   * truncation or a commit for `quietMs` — or for the elector's quiet period `settleMs` at most,
   * so the judge reads replicas that had the chance to agree, as the property suite's recovery
   * phase lets them. Returns when the recovery began.
   */
  settle(settleMs: number, quietMs: number, restartAll = false): number {
    const k = this.world.kernel;
    const recoveryAt = k.now;
    this.untie();
    this.world.network.heal();
    if (restartAll) {
      // The restart judgment (ExploreSettings.restartJudgment): every broker crashes here (messages
      // in flight to it are lost, as at any crash) and all restart together from durable state.
      for (let h = 0; h < this.setup.brokers; h++) {
        if (k.hostStatus(h) === HostStatus.Paused) this.resume(h);
        if (k.hostStatus(h) !== HostStatus.Crashed) k.crash(h);
      }
      this.note("restart judgment: every broker crashes and restarts");
    }
    for (let h = 0; h < this.setup.brokers; h++) {
      if (k.hostStatus(h) === HostStatus.Paused) this.resume(h);
      if (k.hostStatus(h) === HostStatus.Crashed) k.restart(h);
    }
    this.runUntilQuiet(recoveryAt, settleMs, quietMs, () => this.settledLeaders());
    return recoveryAt;
  }

  /** Runs the kernel's own order until `agreed()` holds and no replica declared a change for `quietMs`, or `settleMs` from `from`. */
  private runUntilQuiet(from: number, settleMs: number, quietMs: number, agreed: () => boolean): void {
    const k = this.world.kernel;
    const log = this.world.log;
    const end = from + settleMs;
    let seen = log.length;
    let lastChange = from;
    while (this.queue.peekTime() <= end) {
      k.step();
      if (log.length !== seen) {
        for (let i = seen; i < log.length; i++) if (SETTLING.has(log.kind[i])) lastChange = log.time[i];
        seen = log.length;
      }
      if (k.now - lastChange >= quietMs && agreed()) return;
    }
    if (end > k.now) k.runUntil(end);
  }

  /** Tied timeouts: every host draws from its own stream from now on (judging: tied-random.ts says why). */
  untie(): void {
    for (const t of this.tied) t.untie();
  }

  /**
   * The core: the majority of brokers the core judgment heals (TigerBeetle VOPR's liveness mode).
   * Chosen to make electing hardest: brokers that believe they lead no partition first (so a
   * leader is left out when one can be: its followers must elect without it), then brokers that
   * are up, then by number. One core per state; other majorities are not judged.
   */
  core(): HostId[] {
    const { cluster, beliefs, kernel } = this.world;
    const n = this.setup.brokers;
    const rank = (h: HostId): number => {
      let leads = 0;
      for (let p = 0; p < cluster.partitions; p++) if (beliefs.leaderSeenBy(h, p) === h) leads = 1;
      return leads * 2 + (kernel.hostStatus(h) === HostStatus.Up ? 0 : 1);
    };
    const hosts = Array.from({ length: n }, (_, h) => h);
    hosts.sort((a, b) => rank(a) - rank(b) || a - b);
    return hosts.slice(0, Math.floor(n / 2) + 1).sort((a, b) => a - b);
  }

  /**
   * The core judgment's end of a path: the core (core()) heals — its crashed brokers restart, its
   * paused ones resume, the network is whole among every host but the others — and every broker
   * outside it stays faulty: a crashed one stays down, an up or paused one is resumed and cut off
   * from every host. Tied timeouts are untied, as in settle(). Then the kernel's own order runs
   * until coreAgreed() and quiet for `quietMs`, or `settleMs` at most. Returns the core and when
   * this began.
   */
  settleCore(settleMs: number, quietMs: number): { core: HostId[]; recoveryAt: number } {
    const k = this.world.kernel;
    const recoveryAt = k.now;
    const core = this.core();
    this.untie();
    this.world.network.heal();
    const left: string[] = [];
    for (let h = 0; h < this.setup.brokers; h++) {
      const inCore = core.includes(h);
      if (k.hostStatus(h) === HostStatus.Paused) this.resume(h);
      if (inCore && k.hostStatus(h) === HostStatus.Crashed) k.restart(h);
      if (inCore) continue;
      if (k.hostStatus(h) === HostStatus.Crashed) left.push(`host ${h} stays crashed`);
      else {
        this.world.network.isolate(h);
        left.push(`host ${h} cut off from every host`);
      }
    }
    this.note(`core judgment: hosts ${core.join(", ")} healed; ${left.join(", ")}`);
    this.runUntilQuiet(recoveryAt, settleMs, quietMs, () => this.coreAgreed(core) === undefined);
    return { core, recoveryAt };
  }

  /**
   * Whether the core agrees: every partition with a majority of its replicas in the core has a
   * leader in the core that believes it leads and every core replica of the partition follows.
   * Undefined when it does; else what is wrong, per partition. Partitions with no majority in the
   * core are not judged (they cannot elect without the hosts left out).
   */
  coreAgreed(core: readonly HostId[]): string | undefined {
    const { cluster, beliefs } = this.world;
    const wrong: string[] = [];
    for (let p = 0; p < cluster.partitions; p++) {
      const members: HostId[] = [];
      for (let j = 0; j < cluster.replicationFactor; j++) {
        const h = cluster.replica(p, j);
        if (core.includes(h)) members.push(h);
      }
      if (members.length * 2 <= cluster.replicationFactor) continue;
      const seen = members.map((h) => beliefs.leaderSeenBy(h, p));
      const l = seen[0];
      if (l >= 0 && members.includes(l) && seen.every((x) => x === l)) continue;
      wrong.push(`partition ${p}: ${members.map((h, i) => `host ${h} follows ${seen[i] < 0 ? "no leader" : seen[i] === h ? "itself" : `host ${seen[i]}`}`).join(", ")}`);
    }
    return wrong.length === 0 ? undefined : wrong.join("; ");
  }

  /** Whether every partition has one leader all its live replicas (but `except`) follow (the warm-up's end). */
  settledLeaders(except = -1): boolean {
    const { cluster, beliefs, kernel } = this.world;
    for (let p = 0; p < cluster.partitions; p++) {
      let leader = -2;
      for (let j = 0; j < cluster.replicationFactor; j++) {
        const h = cluster.replica(p, j);
        if (kernel.hostStatus(h) === HostStatus.Crashed || h === except) continue;
        const l = beliefs.leaderSeenBy(h, p);
        if (l < 0 || (leader !== -2 && l !== leader)) return false;
        leader = l;
      }
    }
    return true;
  }

  /** Lead declarations (partition, epoch, host) and acknowledged writes so far: what the judge reads of the past. */
  judgedHistory(hostName: (h: HostId) => number): string {
    const log = this.world.log;
    const leads = new Set<string>();
    const acks = new Set<string>();
    for (let i = 0; i < log.length; i++) {
      const kind = log.kind[i];
      if (kind === Obs.Lead) leads.add(`${log.partition[i]}:${log.a[i]}:${hostName(log.host[i])}`);
      else if (kind === Obs.Ack) acks.add(`${log.partition[i]}:${log.b[i]}`);
    }
    return `L${[...leads].sort().join(",")}A${[...acks].sort().join(",")}`;
  }
}
