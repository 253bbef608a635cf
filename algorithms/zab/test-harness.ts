/**
 * A small deterministic world for Zab's unit tests, independent of the lab's src/world: a few
 * hosts with a HostContext each, one event list ordered by (time, sequence), FIFO links with a
 * seeded delay, crash / restart (durable state kept) / pause, reachability cuts, and a hook that
 * can rewrite or drop the group messages inside a frame. Every observer call is recorded.
 */
import { ClusterModel } from "../../src/cluster/cluster-model.ts";
import { Schema } from "effect";
import type {
  ElectorInstance,
  HostContext,
  HostId,
  HostRandom,
  Message,
  Observer,
  PartitionId,
} from "../../src/elector/api.ts";
import { zab } from "./index.ts";
import { WIDTH, TYPE_OF, type ZabFrame } from "./messages.ts";
import type { ZabOptions } from "./options.ts";
import type { ZabHost } from "./zab-host.ts";

export interface Declaration {
  readonly time: number;
  readonly host: HostId;
  readonly kind: "lead" | "follow" | "stepDown" | "ack" | "reject" | "campaign";
  readonly partition: PartitionId;
  /** lead: epoch; follow: leader; ack: epoch. */
  readonly a: number;
  /** follow: epoch; ack / reject: writeId. */
  readonly b: number;
}

export interface SentFrame {
  readonly time: number;
  readonly from: HostId;
  readonly to: HostId;
  readonly type: string;
  readonly items: readonly number[];
}

/**
 * Decides the fate of each group message: return true to deliver it, false to drop it (the frame
 * is delivered without it, so the connection stays intact: the message was simply never sent).
 */
export type ItemFilter = (from: HostId, to: HostId, type: string, item: readonly number[]) => boolean;


/** xorshift32: the harness's own seeded randomness. */
class Rng implements HostRandom {
  private s: number;
  constructor(seed: number) {
    this.s = (seed * 2654435761) >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.s = x;
    return x / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
}

interface Ev {
  time: number;
  seq: number;
  host: HostId;
  incarnation: number;
  kind: "msg" | "timer";
  from: HostId;
  message: Message | undefined;
  tag: number;
  handle: number;
}

export interface HarnessOptions {
  readonly hosts: number;
  readonly partitions?: number;
  readonly replicationFactor?: number;
  /** Replica list of partition p; default [p, p+1, ..] mod hosts. */
  readonly replicas?: (p: number) => readonly number[];
  readonly options?: Partial<ZabOptions>;
  readonly seed?: number;
  /** One-way delay range in ms (uniform). */
  readonly delayMin?: number;
  readonly delayMax?: number;
  /** Hosts that do not boot at time 0. */
  readonly down?: readonly HostId[];
}

export class Harness {
  readonly cluster: ClusterModel;
  readonly options: ZabOptions;
  now = 0;
  readonly declarations: Declaration[] = [];
  readonly frames: SentFrame[] = [];
  filter: ItemFilter | undefined;
  /** reachable[from * n + to] */
  private readonly reachable: Uint8Array;
  private readonly events: Ev[] = [];
  private seq = 0;
  private readonly rng: Rng;
  private readonly delayMin: number;
  private readonly delayMax: number;
  readonly instances: (ZabHost | undefined)[];
  readonly durables: Map<string, unknown>[];
  private readonly incarnations: number[];
  private readonly paused: boolean[];
  private readonly held: Ev[][];
  private readonly lastArrival: Float64Array;
  private readonly cancelled = new Set<number>();
  private nextHandle = 1;

  constructor(o: HarnessOptions) {
    const n = o.hosts;
    const rf = o.replicationFactor ?? Math.min(3, n);
    const partitions = o.partitions ?? 1;
    const replicas = o.replicas ?? ((p: number) => Array.from({ length: rf }, (_, j) => (p + j) % n));
    this.cluster = ClusterModel.fromReplicaLists(n, Array.from({ length: partitions }, (_, p) => replicas(p).slice(0, rf)));
    this.options = { ...Schema.decodeUnknownSync(zab.options)({}), ...o.options };
    this.rng = new Rng(o.seed ?? 1);
    this.delayMin = o.delayMin ?? 0.5;
    this.delayMax = o.delayMax ?? 0.5;
    this.reachable = new Uint8Array(n * n).fill(1);
    this.instances = new Array(n).fill(undefined);
    this.durables = Array.from({ length: n }, () => new Map<string, unknown>());
    this.incarnations = new Array(n).fill(0);
    this.paused = new Array(n).fill(false);
    this.held = Array.from({ length: n }, () => []);
    this.lastArrival = new Float64Array(n * n);
    const down = new Set(o.down ?? []);
    for (let h = 0; h < n; h++) if (!down.has(h)) this.boot(h);
  }

  // ---- hosts ----

  private boot(h: HostId): void {
    const harness = this;
    const durable = this.durables[h];
    const observer: Observer = {
      lead: (p, e) => harness.record(h, "lead", p, e, 0),
      follow: (p, l, e) => harness.record(h, "follow", p, l, e),
      stepDown: (p) => harness.record(h, "stepDown", p, 0, 0),
      acknowledged: (p, w, e) => harness.record(h, "ack", p, e, w),
      rejected: (p, w) => harness.record(h, "reject", p, 0, w),
      campaign: (p) => harness.record(h, "campaign", p, 0, 0),
      controller: () => {},
      controllerResigned: () => {},
      append: () => {},
      truncate: () => {},
      commit: () => {},
    };
    const ctx: HostContext = {
      host: h,
      cluster: this.cluster,
      now: () => harness.now,
      send: (to, m) => harness.transmit(h, to, m),
      sendStream: (to, m) => harness.transmit(h, to, m),
      setTimer: (delay, tag) => harness.timer(h, delay, tag),
      cancelTimer: (handle) => harness.cancelled.add(handle),
      random: this.rng,
      durable: { get: <T>(k: string) => durable.get(k) as T | undefined, set: (k, v) => void durable.set(k, v) },
      zk: undefined as never,
      observer,
      shutdownComplete: () => {},
    };
    const instance = zab.create(ctx, this.options) as ElectorInstance as ZabHost;
    this.instances[h] = instance;
    instance.start();
  }

  crash(h: HostId): void {
    this.instances[h] = undefined;
    this.incarnations[h]++;
    this.paused[h] = false;
    this.held[h] = [];
  }

  restart(h: HostId): void {
    if (this.instances[h] === undefined) this.boot(h);
  }

  pause(h: HostId): void {
    this.paused[h] = true;
  }

  resume(h: HostId): void {
    this.paused[h] = false;
    const held = this.held[h];
    this.held[h] = [];
    for (const ev of held) {
      ev.time = this.now;
      ev.seq = this.seq++;
      this.push(ev);
    }
  }

  isUp(h: HostId): boolean {
    return this.instances[h] !== undefined;
  }

  /** Cuts (or restores) both directions between two sets of hosts. */
  setReachable(a: readonly HostId[], b: readonly HostId[], ok: boolean): void {
    const n = this.cluster.brokers;
    for (const x of a) for (const y of b) {
      if (x === y) continue;
      this.reachable[x * n + y] = ok ? 1 : 0;
      this.reachable[y * n + x] = ok ? 1 : 0;
    }
  }

  /** Cuts one direction only. */
  cut(from: HostId, to: HostId): void {
    this.reachable[from * this.cluster.brokers + to] = 0;
  }

  isolate(h: HostId): void {
    const all = Array.from({ length: this.cluster.brokers }, (_, i) => i);
    this.setReachable([h], all, false);
  }

  heal(): void {
    this.reachable.fill(1);
  }

  durable<T>(h: HostId, key: string): T {
    return this.durables[h].get(key) as T;
  }

  /** Seeds durable state before a host boots (it must be down). */
  seedDurable(h: HostId, key: string, value: unknown): void {
    this.durables[h].set(key, value);
  }

  bootNow(h: HostId): void {
    this.boot(h);
  }

  write(h: HostId, partition: PartitionId, writeId: number): void {
    const inst = this.instances[h];
    if (inst !== undefined && !this.paused[h]) inst.onWrite(partition, writeId);
  }

  // ---- network and timers ----

  private transmit(from: HostId, to: HostId, message: Message): void {
    const frame = message as ZabFrame;
    let items = frame.items;
    if (this.filter !== undefined && items.length > 0) {
      const w = WIDTH[TYPE_OF.get(frame.type) as number];
      const kept: number[] = [];
      for (let i = 0; i < items.length; i += w) {
        const item = items.slice(i, i + w);
        if (this.filter(from, to, frame.type, item)) kept.push(...item);
      }
      items = kept;
    }
    this.frames.push({ time: this.now, from, to, type: frame.type, items: items.slice() });
    if (this.reachable[from * this.cluster.brokers + to] === 0) return;
    const delivered: ZabFrame = { ...frame, items };
    const l = from * this.cluster.brokers + to;
    let t = this.now + this.rng.uniform(this.delayMin, this.delayMax);
    if (this.lastArrival[l] > t) t = this.lastArrival[l];
    this.lastArrival[l] = t;
    this.push({
      time: t,
      seq: this.seq++,
      host: to,
      incarnation: this.incarnations[to],
      kind: "msg",
      from,
      message: delivered,
      tag: 0,
      handle: 0,
    });
  }

  private timer(h: HostId, delay: number, tag: number): number {
    const handle = this.nextHandle++;
    this.push({
      time: this.now + delay,
      seq: this.seq++,
      host: h,
      incarnation: this.incarnations[h],
      kind: "timer",
      from: -1,
      message: undefined,
      tag,
      handle,
    });
    return handle;
  }

  private push(ev: Ev): void {
    // Binary insertion by (time, seq): the lists stay small in tests.
    const es = this.events;
    let lo = 0;
    let hi = es.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = es[mid];
      if (m.time < ev.time || (m.time === ev.time && m.seq < ev.seq)) lo = mid + 1;
      else hi = mid;
    }
    es.splice(lo, 0, ev);
  }

  /** Runs every event up to time `until` (inclusive), then sets the clock to `until`. */
  runUntil(until: number): void {
    while (this.events.length > 0 && this.events[0].time <= until) {
      const ev = this.events.shift() as Ev;
      this.now = ev.time;
      if (ev.kind === "timer" && this.cancelled.has(ev.handle)) continue;
      if (ev.incarnation !== this.incarnations[ev.host]) continue;
      const inst = this.instances[ev.host];
      if (inst === undefined) continue;
      if (this.paused[ev.host]) {
        this.held[ev.host].push(ev);
        continue;
      }
      if (ev.kind === "timer") inst.onTimer(ev.tag);
      else inst.onMessage(ev.from, ev.message as Message);
    }
    if (until > this.now) this.now = until;
  }

  runFor(ms: number): void {
    this.runUntil(this.now + ms);
  }

  // ---- what was declared ----

  private record(host: HostId, kind: Declaration["kind"], partition: PartitionId, a: number, b: number): void {
    this.declarations.push({ time: this.now, host, kind, partition, a, b });
  }

  /** The hosts' current beliefs about partition p: for each host, the leader it names (-1 none). */
  beliefs(partition: PartitionId): Map<HostId, HostId> {
    const m = new Map<HostId, HostId>();
    for (const d of this.declarations) {
      if (d.partition !== partition) continue;
      if (d.kind === "lead") m.set(d.host, d.host);
      else if (d.kind === "follow") m.set(d.host, d.a);
      else if (d.kind === "stepDown") m.set(d.host, -1);
    }
    for (const h of [...m.keys()]) if (!this.isUp(h)) m.delete(h);
    return m;
  }

  leads(partition?: PartitionId): Declaration[] {
    return this.declarations.filter((d) => d.kind === "lead" && (partition === undefined || d.partition === partition));
  }

  /**
   * Safety over the declarations: no two hosts lead one partition with one epoch; no write
   * acknowledged in an epoch older than a leader declared strictly before it. Returns the
   * violations found (empty when safe).
   */
  violations(): string[] {
    const out: string[] = [];
    const byEpoch = new Map<string, HostId>();
    const leads = this.declarations.filter((d) => d.kind === "lead");
    for (const d of leads) {
      const key = `${d.partition}/${d.a}`;
      const other = byEpoch.get(key);
      if (other !== undefined && other !== d.host) out.push(`same epoch ${d.a} on p${d.partition}: hosts ${other} and ${d.host} at ${d.time}`);
      byEpoch.set(key, d.host);
    }
    for (const d of this.declarations) {
      if (d.kind !== "ack") continue;
      const newer = leads.find((l) => l.partition === d.partition && l.time < d.time && l.a > d.a);
      if (newer !== undefined) {
        out.push(`stale ack of write ${d.b} on p${d.partition} in epoch ${d.a} at ${d.time}; epoch ${newer.a} elected at ${newer.time}`);
      }
    }
    return out;
  }
}
