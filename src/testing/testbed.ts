/**
 * The elector testing kit: a few hosts running any ElectorDefinition on a small deterministic
 * network, for unit tests of an elector's rules. Shaped after etcd-io/raft's raft_test.go
 * `network` (drop, cut, isolate, filter) with manual stepping on top:
 *  - time is virtual; `runUntil` / `runFor` deliver messages and fire timers in (time, sequence) order;
 *  - `pending()` lists messages in flight; `deliver(id)` / `drop(id)` decide one by hand, and
 *    `hold` keeps messages from being delivered automatically while timers still run;
 *  - `fireTimer(host, tag?)` fires a host's next timer now;
 *  - `cut`, `cutBoth`, `isolate`, `partition`, `heal`, `loss` and `filter` (drop or rewrite a message);
 *  - `crash` (volatile state lost, durable store kept), `restart`, `pause` / `resume` (held events
 *    arrive at once on resume: the zombie leader);
 *  - `write` hands a producer write to a host; the answers form a client history;
 *  - every Observer call is recorded (`recorder`), and `judge()` hands the run to the real checker.
 * Coordinator-backed electors (a ZkClient) need the full world: see world-bench.ts.
 */
import type {
  DurableStore,
  ElectorDefinition,
  ElectorInstance,
  HostContext,
  HostId,
  Message,
  PartitionId,
  TimerHandle,
  ZkClient,
} from "../elector/api.ts";
import { judgeSafety, type SafetyVerdict } from "../checker/judge.ts";
import { ClusterModel } from "../cluster/cluster-model.ts";
import { History } from "../record/history.ts";
import { Obs } from "../record/observation-log.ts";
import { FinalStatus } from "../record/run-record.ts";
import { decodeVariantOptions } from "../elector/variants.ts";
import { RandomStream } from "../sim/random.ts";
import { Recorder } from "./recorder.ts";

export interface TestbedSpec {
  readonly elector: ElectorDefinition;
  /** A declared variant of the elector ("etcd" for raft:etcd); absent: the defaults. */
  readonly variant?: string;
  /** Option input merged over the variant's (decoded through the elector's schema). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Per-host option input merged over `options` (e.g. one broker on an older version). */
  readonly hostOptions?: Readonly<Record<number, Readonly<Record<string, unknown>>>>;
  /** Brokers (default 3). */
  readonly hosts?: number;
  /** Partitions (default 1). */
  readonly partitions?: number;
  /** Replicas per partition (default min(3, hosts)), placed round robin: partition p on p, p+1, ... */
  readonly replicationFactor?: number;
  /** Explicit replica lists, one per partition (overrides partitions and replicationFactor). */
  readonly replicas?: readonly (readonly HostId[])[];
  readonly seed?: number;
  /** One-way delay, uniform in [min, max] ms (default 0.5 to 0.5: exact times). */
  readonly delay?: { readonly min: number; readonly max: number };
  /** Hosts that do not boot at time 0 (start them with `restart`). */
  readonly down?: readonly HostId[];
  /** Every host's fsync latency for ctx.persist, in ms (default 1: exact times; completions FIFO). */
  readonly fsyncMs?: number;
}

/** One message in flight. */
export interface Envelope {
  readonly id: number;
  readonly from: HostId;
  readonly to: HostId;
  readonly message: Message;
  readonly bytes: number;
  /** Sent with sendStream (FIFO, never lost) rather than send (a datagram). */
  readonly stream: boolean;
  readonly sentAt: number;
  /** When it will arrive if nothing intervenes. */
  readonly at: number;
}

/** Every send attempt, delivered or not. */
export interface SentRecord {
  readonly time: number;
  readonly from: HostId;
  readonly to: HostId;
  readonly type: string;
  readonly bytes: number;
  readonly message: Message;
  /** "cut" (unreachable), "loss", "filter", or undefined when it was put in flight. */
  readonly dropped: "cut" | "loss" | "filter" | undefined;
}

/**
 * Decides a message's fate at send time: true delivers it, false drops it, a Message delivers that
 * message instead (to drop a part of a batched frame, say).
 */
export type MessageFilter = (from: HostId, to: HostId, message: Message) => boolean | Message;

/** One producer operation, as a Jepsen-style history entry (answer -1 while none came). */
export interface TestWrite {
  readonly writeId: number;
  readonly partition: PartitionId;
  readonly host: HostId;
  readonly invokedAt: number;
  /** 1 ok, 0 fail (rejected), -1 no answer (yet). */
  outcome: 1 | 0 | -1;
  answeredAt: number;
  answeredBy: HostId;
}

const TIMER = 0;
const MESSAGE = 1;
/** ctx.persist's completion (tag = the persist's tag); dropped at a crash, held by a pause. */
const PERSISTED = 2;

interface Event {
  time: number;
  seq: number;
  kind: typeof TIMER | typeof MESSAGE | typeof PERSISTED;
  host: HostId;
  incarnation: number;
  /** Timer: its tag. */
  tag: number;
  /** Timer: its handle; message: the envelope id. */
  id: number;
  envelope: Envelope | undefined;
  done: boolean;
}

class MapStore implements DurableStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  set(key: string, value: unknown): void {
    this.values.set(key, value);
  }
}

const NO_COORDINATOR = new Proxy({} as ZkClient, {
  get(_target, key) {
    throw new Error(`the testbed has no ZooKeeper coordinator (zk.${String(key)}); test coordinator-backed electors with src/testing/world-bench.ts`);
  },
});

export class Testbed {
  readonly cluster: ClusterModel;
  readonly definition: ElectorDefinition;
  /** Decoded options per host. */
  readonly options: readonly unknown[];
  now = 0;
  readonly recorder: Recorder;
  readonly sent: SentRecord[] = [];
  readonly writes: TestWrite[] = [];
  /** The same writes as the lab's typed client history (what the checker reads). */
  readonly history = new History();
  /** Messages stay in flight until delivered by hand (timers still fire in runUntil). */
  hold = false;
  /** Probability that a datagram (send, not sendStream) is lost. */
  loss = 0;
  filter: MessageFilter | undefined;
  eventsRun = 0;

  private readonly n: number;
  private readonly instances: (ElectorInstance | undefined)[];
  private readonly stores: MapStore[];
  private readonly randoms: RandomStream[];
  private readonly network: RandomStream;
  private readonly incarnation: Int32Array;
  private readonly paused: Uint8Array;
  /** Events that came due while a host was paused, in order. */
  private readonly backlog: Event[][];
  /** reachable[from * n + to] */
  private readonly reachable: Uint8Array;
  private readonly lastArrival: Float64Array;
  private readonly delayMin: number;
  private readonly delayMax: number;
  private readonly fsyncMs: number;
  private heap: Event[] = [];
  private readonly timers = new Map<TimerHandle, Event>();
  private readonly inFlight = new Map<number, Event>();
  private readonly writeIndex = new Map<number, TestWrite>();
  private seq = 0;
  private nextId = 1;
  private nextWriteId = 1;

  constructor(spec: TestbedSpec) {
    const n = spec.hosts ?? 3;
    this.n = n;
    const lists =
      spec.replicas ??
      Array.from({ length: spec.partitions ?? 1 }, (_, p) => Array.from({ length: spec.replicationFactor ?? Math.min(3, n) }, (_, j) => (p + j) % n));
    this.cluster = ClusterModel.fromReplicaLists(n, lists);
    this.definition = spec.elector;
    this.options = Array.from({ length: n }, (_, h) =>
      decodeVariantOptions(spec.elector, spec.variant, { ...spec.options, ...spec.hostOptions?.[h] }),
    );
    const seed = spec.seed ?? 1;
    this.recorder = new Recorder(() => this.now, { answered: (h, p, w, ok) => this.answered(h, p, w, ok) });
    this.instances = new Array(n).fill(undefined);
    this.stores = Array.from({ length: n }, () => new MapStore());
    this.randoms = Array.from({ length: n }, (_, h) => new RandomStream(seed, `host:${h}`));
    this.network = new RandomStream(seed, "network");
    this.incarnation = new Int32Array(n);
    this.paused = new Uint8Array(n);
    this.backlog = Array.from({ length: n }, () => []);
    this.reachable = new Uint8Array(n * n).fill(1);
    this.lastArrival = new Float64Array(n * n);
    this.delayMin = spec.delay?.min ?? 0.5;
    this.delayMax = spec.delay?.max ?? this.delayMin;
    this.fsyncMs = spec.fsyncMs ?? 1;
    const down = new Set(spec.down ?? []);
    for (let h = 0; h < n; h++) if (!down.has(h)) this.boot(h);
  }

  // ---- hosts ----

  /** The elector instance on host h (undefined while crashed); cast it to reach its test hooks. */
  instance<T = ElectorInstance>(h: HostId): T | undefined {
    return this.instances[h] as T | undefined;
  }

  isUp(h: HostId): boolean {
    return this.instances[h] !== undefined;
  }

  isPaused(h: HostId): boolean {
    return this.paused[h] === 1;
  }

  /** Host h's durable store (survives crashes). */
  durable(h: HostId): DurableStore {
    return this.stores[h];
  }

  private boot(h: HostId): void {
    const bed = this;
    const ctx: HostContext = {
      host: h,
      cluster: this.cluster,
      now: () => bed.now,
      send: (to, message, bytes) => bed.transmit(h, to, message, bytes, false),
      sendStream: (to, message, bytes) => bed.transmit(h, to, message, bytes, true),
      setTimer: (delay, tag) => bed.setTimer(h, delay, tag),
      cancelTimer: (handle) => bed.cancelTimer(handle),
      random: this.randoms[h],
      durable: this.stores[h],
      // A constant latency and (time, seq) order keep completions FIFO per host.
      persist: (tag) => void bed.push(bed.now + bed.fsyncMs, PERSISTED, h, tag, bed.nextId++, undefined),
      zk: NO_COORDINATOR,
      observer: this.recorder.observerFor(h),
      shutdownComplete: () => bed.crash(h),
    };
    const instance = this.definition.create(ctx, this.options[h]);
    this.instances[h] = instance;
    instance.start();
  }

  /** Volatile state lost, timers and messages to h dropped; the durable store is kept. */
  crash(h: HostId): void {
    if (this.instances[h] === undefined) return;
    this.instances[h] = undefined;
    this.incarnation[h]++;
    this.paused[h] = 0;
    this.backlog[h] = [];
    for (const ev of [...this.timers.values(), ...this.inFlight.values()]) if (ev.host === h) this.finish(ev);
    this.recorder.event(h, Obs.Crash);
  }

  /** Boots h again (or for the first time, if it started down) from its durable store. */
  restart(h: HostId): void {
    if (this.instances[h] !== undefined) return;
    this.recorder.event(h, Obs.Restart);
    this.boot(h);
  }

  /** h handles nothing until resumed; what arrives meanwhile is handed over at once on resume. */
  pause(h: HostId): void {
    if (this.instances[h] === undefined || this.paused[h] === 1) return;
    this.paused[h] = 1;
    this.recorder.event(h, Obs.Pause);
  }

  resume(h: HostId): void {
    if (this.paused[h] === 0) return;
    this.paused[h] = 0;
    this.recorder.event(h, Obs.Resume);
    const due = this.backlog[h];
    this.backlog[h] = [];
    for (const ev of due) {
      ev.time = this.now;
      ev.seq = this.seq++;
      this.insert(ev);
    }
  }

  // ---- the network ----

  /** Whether a message from `from` to `to` would get through now. */
  canReach(from: HostId, to: HostId): boolean {
    return this.reachable[from * this.n + to] === 1;
  }

  /** Cuts one direction. */
  cut(from: HostId, to: HostId): void {
    this.reachable[from * this.n + to] = 0;
  }

  /** Cuts both directions between every host of `a` and every host of `b`. */
  cutBoth(a: readonly HostId[] | HostId, b: readonly HostId[] | HostId): void {
    for (const x of typeof a === "number" ? [a] : a) {
      for (const y of typeof b === "number" ? [b] : b) {
        if (x === y) continue;
        this.cut(x, y);
        this.cut(y, x);
      }
    }
  }

  /** Cuts h from every other host. */
  isolate(h: HostId): void {
    this.cutBoth(h, this.allHosts());
  }

  /** Hosts in different groups cannot talk; hosts named in no group form one more group. */
  partition(...groups: readonly (readonly HostId[])[]): void {
    const group = new Int32Array(this.n).fill(-1);
    groups.forEach((g, i) => g.forEach((h) => (group[h] = i)));
    for (let x = 0; x < this.n; x++) {
      for (let y = 0; y < this.n; y++) this.reachable[x * this.n + y] = group[x] === group[y] ? 1 : 0;
    }
  }

  /** Every link works again (filter and loss are left as set). */
  heal(): void {
    this.reachable.fill(1);
  }

  private allHosts(): HostId[] {
    return Array.from({ length: this.n }, (_, h) => h);
  }

  private transmit(from: HostId, to: HostId, original: Message, bytes: number, stream: boolean): void {
    let message = original;
    let dropped: SentRecord["dropped"];
    if (this.filter !== undefined) {
      const verdict = this.filter(from, to, original);
      if (verdict === false) dropped = "filter";
      else if (verdict !== true) message = verdict;
    }
    if (dropped === undefined && !this.canReach(from, to)) dropped = "cut";
    if (dropped === undefined && !stream && this.loss > 0 && this.network.chance(this.loss)) dropped = "loss";
    this.sent.push({ time: this.now, from, to, type: message.type, bytes, message, dropped });
    if (dropped !== undefined) return;
    let at = this.now + (this.delayMax > this.delayMin ? this.network.uniform(this.delayMin, this.delayMax) : this.delayMin);
    const link = from * this.n + to;
    if (stream) {
      if (this.lastArrival[link] > at) at = this.lastArrival[link];
      this.lastArrival[link] = at;
    }
    const id = this.nextId++;
    const envelope: Envelope = { id, from, to, message, bytes, stream, sentAt: this.now, at };
    const event = this.push(at, MESSAGE, to, 0, id, envelope);
    this.inFlight.set(id, event);
  }

  /** Messages in flight, in arrival order (optionally only those matching `where`). */
  pending(where?: (e: Envelope) => boolean): Envelope[] {
    const out: Envelope[] = [];
    for (const ev of [...this.inFlight.values()].sort(order)) {
      if (ev.envelope !== undefined && (where === undefined || where(ev.envelope))) out.push(ev.envelope);
    }
    return out;
  }

  /** Delivers message `id` now, whatever its planned arrival (a crashed receiver drops it). */
  deliver(id: number): void {
    const ev = this.take(id);
    if (this.isUp(ev.host) && ev.incarnation === this.incarnation[ev.host]) this.dispatch(ev);
  }

  /** Drops message `id`. */
  drop(id: number): void {
    this.take(id);
  }

  /** Drops every message in flight that matches `where` (all of them without it); returns how many. */
  dropPending(where?: (e: Envelope) => boolean): number {
    const doomed = this.pending(where);
    for (const e of doomed) this.drop(e.id);
    return doomed.length;
  }

  /** Delivers every message in flight that matches `where`, in arrival order, until none is left (etcd's network.send). */
  deliverAll(where?: (e: Envelope) => boolean, limit = 100_000): number {
    let n = 0;
    for (;;) {
      const next = this.pending(where)[0];
      if (next === undefined) return n;
      if (++n > limit) throw new Error(`deliverAll: more than ${limit} deliveries; the hosts keep talking`);
      this.deliver(next.id);
    }
  }

  private take(id: number): Event {
    const ev = this.inFlight.get(id);
    if (ev === undefined) throw new Error(`message ${id} is not in flight`);
    ev.done = true;
    this.inFlight.delete(id);
    return ev;
  }

  // ---- timers ----

  private setTimer(h: HostId, delayMs: number, tag: number): TimerHandle {
    const handle = this.nextId++;
    this.timers.set(handle, this.push(this.now + delayMs, TIMER, h, tag, handle, undefined));
    return handle;
  }

  private cancelTimer(handle: TimerHandle): void {
    const ev = this.timers.get(handle);
    if (ev === undefined) return;
    ev.done = true;
    this.timers.delete(handle);
  }

  /** Tags of host h's pending timers with their due times, soonest first. */
  pendingTimers(h: HostId): { readonly tag: number; readonly at: number }[] {
    return [...this.timers.values()]
      .filter((ev) => ev.host === h && ev.incarnation === this.incarnation[h])
      .sort(order)
      .map((ev) => ({ tag: ev.tag, at: ev.time }));
  }

  /** Fires host h's soonest pending timer (with `tag`, if given) now; false when there is none. */
  fireTimer(h: HostId, tag?: number): boolean {
    let best: Event | undefined;
    for (const ev of this.timers.values()) {
      if (ev.host !== h || ev.incarnation !== this.incarnation[h] || (tag !== undefined && ev.tag !== tag)) continue;
      if (best === undefined || order(ev, best) < 0) best = ev;
    }
    if (best === undefined || !this.isUp(h)) return false;
    best.done = true;
    this.timers.delete(best.id);
    this.dispatch(best);
    return true;
  }

  // ---- running ----

  /** Runs every due event up to `time` (inclusive), then sets the clock to `time`. */
  runUntil(time: number): this {
    const heldBack: Event[] = [];
    for (;;) {
      const ev = this.heap[0];
      if (ev === undefined || ev.time > time) break;
      this.pop();
      if (ev.done) continue;
      if (ev.kind === MESSAGE && this.hold) {
        heldBack.push(ev);
        continue;
      }
      this.now = Math.max(this.now, ev.time);
      this.run(ev);
    }
    for (const ev of heldBack) this.insert(ev);
    if (time > this.now) this.now = time;
    return this;
  }

  runFor(ms: number): this {
    return this.runUntil(this.now + ms);
  }

  /** Runs the next due event (held messages excepted); false when nothing is scheduled. */
  step(): boolean {
    const heldBack: Event[] = [];
    let ran = false;
    for (;;) {
      const ev = this.pop();
      if (ev === undefined) break;
      if (ev.done) continue;
      if (ev.kind === MESSAGE && this.hold) {
        heldBack.push(ev);
        continue;
      }
      this.now = Math.max(this.now, ev.time);
      this.run(ev);
      ran = true;
      break;
    }
    for (const ev of heldBack) this.insert(ev);
    return ran;
  }

  /** Handles a due event: stale incarnations vanish, a paused host's events wait for its resume. */
  private run(ev: Event): void {
    if (ev.incarnation !== this.incarnation[ev.host] || !this.isUp(ev.host)) {
      this.finish(ev);
      return;
    }
    if (this.paused[ev.host] === 1) {
      this.backlog[ev.host].push(ev); // handed over when the host resumes
      return;
    }
    if (ev.kind === MESSAGE && !this.canReach(ev.envelope!.from, ev.host)) {
      this.finish(ev); // the link was cut while the message was in flight
      return;
    }
    this.finish(ev);
    this.dispatch(ev);
  }

  private finish(ev: Event): void {
    ev.done = true;
    if (ev.kind === MESSAGE) this.inFlight.delete(ev.id);
    else this.timers.delete(ev.id);
  }

  private dispatch(ev: Event): void {
    this.eventsRun++;
    const inst = this.instances[ev.host]!;
    if (ev.kind === TIMER) inst.onTimer(ev.tag);
    else if (ev.kind === PERSISTED) inst.onPersisted?.(ev.tag);
    else inst.onMessage(ev.envelope!.from, ev.envelope!.message);
  }

  // ---- producers ----

  /** A producer write for `partition` handed to host h now (it must answer through the observer). Returns the write id. */
  write(h: HostId, partition: PartitionId, writeId = this.nextWriteId): number {
    this.nextWriteId = Math.max(this.nextWriteId, writeId + 1);
    const w: TestWrite = { writeId, partition, host: h, invokedAt: this.now, outcome: -1, answeredAt: -1, answeredBy: -1 };
    this.writes.push(w);
    this.writeIndex.set(writeId, w);
    this.recorder.event(-1, Obs.WriteSent, partition, h, writeId);
    this.history.invoke(this.now, -1, partition, writeId, h);
    const inst = this.instances[h];
    if (inst !== undefined && this.paused[h] === 0) inst.onWrite(partition, writeId);
    return writeId;
  }

  private answered(host: HostId, _partition: PartitionId, writeId: number, ok: boolean): void {
    const w = this.writeIndex.get(writeId);
    if (w === undefined || w.outcome !== -1) return; // not a testbed write, or answered before
    w.outcome = ok ? 1 : 0;
    w.answeredAt = this.now;
    w.answeredBy = host;
    if (ok) this.history.ok(this.now, writeId, host);
    else this.history.fail(this.now, writeId, host);
  }

  // ---- the real checker ----

  /**
   * The checker's safety grades over this run so far, as if it ended now: split-brain (overlap,
   * same-epoch, late acknowledgements), lost acknowledged writes and divergence from the declared
   * replica state, client-side availability and the end state (one agreed leader per partition).
   */
  judge(): SafetyVerdict {
    const finalStatus = Uint8Array.from({ length: this.n }, (_, h) =>
      !this.isUp(h) ? FinalStatus.Crashed : this.paused[h] === 1 ? FinalStatus.Paused : FinalStatus.Up,
    );
    return judgeSafety({ cluster: this.cluster, durationMs: this.now, log: this.recorder.log, history: this.history, finalStatus });
  }

  // ---- beliefs ----

  /** What each live host last declared about partition p: the leader it names (itself when leading; -1 none) and the epoch. */
  beliefs(p: PartitionId): Map<HostId, { readonly leader: HostId; readonly epoch: number }> {
    const m = new Map<HostId, { leader: HostId; epoch: number }>();
    for (const d of this.recorder.declarations) {
      if (d.partition !== p) continue;
      if (d.kind === "lead") m.set(d.host, { leader: d.host, epoch: d.a });
      else if (d.kind === "follow") m.set(d.host, { leader: d.a, epoch: d.b });
      else if (d.kind === "stepDown") m.set(d.host, { leader: -1, epoch: -1 });
    }
    for (const h of [...m.keys()]) if (!this.isUp(h)) m.delete(h);
    return m;
  }

  /** Live hosts that currently believe they lead p. */
  leaders(p: PartitionId): HostId[] {
    return [...this.beliefs(p)].filter(([h, b]) => b.leader === h).map(([h]) => h).sort((x, y) => x - y);
  }

  /** The one live leader of p that every live replica names, or -1. */
  agreedLeader(p: PartitionId): HostId {
    const leaders = this.leaders(p);
    if (leaders.length !== 1) return -1;
    for (let j = 0; j < this.cluster.replicationFactor; j++) {
      const h = this.cluster.replica(p, j);
      if (this.isUp(h) && this.beliefs(p).get(h)?.leader !== leaders[0]) return -1;
    }
    return leaders[0];
  }

  /** Sends of message type `type` in [from, to). */
  sentOfType(type: string, from = -Infinity, to = Infinity): number {
    return this.sent.filter((s) => s.type === type && s.time >= from && s.time < to).length;
  }

  // ---- the event heap ----

  private push(time: number, kind: Event["kind"], host: HostId, tag: number, id: number, envelope: Envelope | undefined): Event {
    const ev: Event = { time, seq: this.seq++, kind, host, incarnation: this.incarnation[host], tag, id, envelope, done: false };
    this.insert(ev);
    return ev;
  }

  private insert(ev: Event): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (order(h[i], h[parent]) >= 0) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Event | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && order(h[l], h[m]) < 0) m = l;
        if (r < h.length && order(h[r], h[m]) < 0) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function order(a: Event, b: Event): number {
  return a.time - b.time || a.seq - b.seq;
}
