/**
 * A tiny deterministic world for Raft's unit tests: hosts with fake HostContexts, a binary-heap
 * event queue, a datagram network with delay, loss, partitions and one-way cuts, crash/restart
 * with durable state, and an observer that records every declaration. Independent of src/world
 * on purpose (the tests of the algorithm should not depend on the lab's internals); the
 * integration tests use the lab's runWorld.
 */
import { ClusterModel } from "../../src/cluster/cluster-model.ts";
import type {
  DurableStore,
  ElectorDefinition,
  ElectorInstance,
  HostContext,
  HostId,
  HostRandom,
  Message,
  Observer,
  PartitionId,
  ZkClient,
} from "../../src/elector/api.ts";

/** A 32-bit seeded generator (mulberry32), enough for tests. */
export class TestRandom implements HostRandom {
  private s: number;
  constructor(seed: number) {
    this.s = (seed * 2654435761) >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
}

/** Partition p on brokers (p + j) mod brokers, j < rf: Kafka's round robin without the shift. */
export const TestCluster = {
  roundRobin(brokers: number, partitions: number, rf: number): ClusterModel {
    const lists = Array.from({ length: partitions }, (_, p) => Array.from({ length: rf }, (_, j) => (p + j) % brokers));
    return ClusterModel.fromReplicaLists(brokers, lists);
  },
};

export type ObsKind = "lead" | "follow" | "stepDown" | "ack" | "reject" | "campaign";
export interface Obs {
  readonly t: number;
  readonly host: HostId;
  readonly kind: ObsKind;
  readonly p: PartitionId;
  /** lead: term; follow: leader; ack: term */
  readonly a: number;
  /** follow: term; ack/reject: write id */
  readonly b: number;
}

interface Event {
  time: number;
  seq: number;
  host: HostId;
  incarnation: number;
  /** 0 timer, 1 delivery, 2 action */
  kind: number;
  tag: number;
  from: HostId;
  message: Message | undefined;
  action: (() => void) | undefined;
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

const noZk = new Proxy({} as ZkClient, {
  get() {
    throw new Error("raft must not use the coordinator");
  },
});

export interface SentRecord {
  readonly t: number;
  readonly from: HostId;
  readonly to: HostId;
  readonly type: string;
  readonly bytes: number;
  readonly message: Message;
}

export class FakeWorld<O> {
  now = 0;
  private seq = 0;
  private readonly heap: Event[] = [];
  readonly obs: Obs[] = [];
  readonly sent: SentRecord[] = [];
  readonly instances: (ElectorInstance | undefined)[];
  private readonly incarnation: Int32Array;
  private readonly stores: MapStore[];
  private readonly randoms: TestRandom[];
  private readonly net: TestRandom;
  /** group id per host (0 = default); hosts in different groups cannot talk */
  private readonly group: Int32Array;
  private readonly cut = new Set<number>();
  loss = 0;
  minDelay = 0.2;
  maxDelay = 0.6;
  eventsRun = 0;

  constructor(
    readonly cluster: ClusterModel,
    readonly definition: ElectorDefinition<O>,
    readonly options: O,
    seed: number,
    private readonly hostOptions: Readonly<Record<number, O>> = {},
  ) {
    const n = cluster.brokers;
    this.instances = new Array(n).fill(undefined);
    this.incarnation = new Int32Array(n);
    this.stores = Array.from({ length: n }, () => new MapStore());
    this.randoms = Array.from({ length: n }, (_, h) => new TestRandom(seed * 1000 + h + 1));
    this.net = new TestRandom(seed * 7919 + 17);
    this.group = new Int32Array(n);
  }

  /** Boots every host. */
  start(): this {
    for (let h = 0; h < this.cluster.brokers; h++) this.boot(h);
    return this;
  }

  private boot(h: HostId): void {
    const world = this;
    const observer: Observer = {
      lead: (p, e) => world.record(h, "lead", p, e, 0),
      follow: (p, l, e) => world.record(h, "follow", p, l, e),
      stepDown: (p) => world.record(h, "stepDown", p, 0, 0),
      acknowledged: (p, w, e) => world.record(h, "ack", p, e, w),
      rejected: (p, w) => world.record(h, "reject", p, 0, w),
      campaign: (p) => world.record(h, "campaign", p, 0, 0),
      controller: () => {},
      controllerResigned: () => {},
      append: () => {},
      truncate: () => {},
      commit: () => {},
    };
    const ctx: HostContext = {
      host: h,
      cluster: this.cluster,
      now: () => world.now,
      send: (to, message, bytes) => world.send(h, to, message, bytes),
      sendStream: (to, message, bytes) => world.send(h, to, message, bytes),
      setTimer: (delay, tag) => {
        world.push({ time: world.now + delay, host: h, incarnation: world.incarnation[h], kind: 0, tag, from: -1, message: undefined, action: undefined });
        return 0;
      },
      cancelTimer: () => {},
      random: this.randoms[h],
      durable: this.stores[h],
      zk: noZk,
      observer,
      shutdownComplete: () => {},
    };
    const instance = this.definition.create(ctx, this.hostOptions[h] ?? this.options);
    this.instances[h] = instance;
    instance.start();
  }

  private record(host: HostId, kind: ObsKind, p: PartitionId, a: number, b: number): void {
    this.obs.push({ t: this.now, host, kind, p, a, b });
  }

  private push(e: Omit<Event, "seq">): void {
    const ev = e as Event;
    ev.seq = this.seq++;
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(h[i], h[parent])) break;
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
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  canReach(from: HostId, to: HostId): boolean {
    return this.group[from] === this.group[to] && !this.cut.has(from * 65536 + to);
  }

  private send(from: HostId, to: HostId, message: Message, bytes: number): void {
    this.sent.push({ t: this.now, from, to, type: message.type, bytes, message });
    if (!this.canReach(from, to)) return;
    if (this.loss > 0 && this.net.next() < this.loss) return;
    const delay = this.net.uniform(this.minDelay, this.maxDelay);
    this.push({ time: this.now + delay, host: to, incarnation: this.incarnation[to], kind: 1, tag: 0, from, message, action: undefined });
  }

  /** Runs until `time` (absolute, ms). */
  runUntil(time: number): this {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.time > time) break;
      const e = this.pop()!;
      this.now = e.time;
      this.eventsRun++;
      if (e.kind === 2) {
        e.action!();
        continue;
      }
      const inst = this.instances[e.host];
      if (inst === undefined || e.incarnation !== this.incarnation[e.host]) continue;
      if (e.kind === 0) inst.onTimer(e.tag);
      else inst.onMessage(e.from, e.message!);
    }
    this.now = time;
    return this;
  }

  /** Schedules an action at absolute time `time`. */
  at(time: number, action: () => void): this {
    this.push({ time, host: -1, incarnation: 0, kind: 2, tag: 0, from: -1, message: undefined, action });
    return this;
  }

  crash(h: HostId): void {
    this.instances[h] = undefined;
    this.incarnation[h]++;
  }

  restart(h: HostId): void {
    if (this.instances[h] !== undefined) return;
    this.boot(h);
  }

  /** Hosts in `hosts` form one side; everybody else the other. */
  partition(hosts: readonly HostId[]): void {
    this.group.fill(0);
    for (const h of hosts) this.group[h] = 1;
  }

  /** Cuts `h` off from everyone. */
  isolate(h: HostId): void {
    this.group[h] = 100 + h;
  }

  cutLink(from: HostId, to: HostId): void {
    this.cut.add(from * 65536 + to);
  }

  heal(): void {
    this.group.fill(0);
    this.cut.clear();
  }

  write(host: HostId, p: PartitionId, writeId: number): void {
    this.instances[host]?.onWrite(p, writeId);
  }

  // ---- queries over the observations ----

  /** The hosts that declared lead(p, term), per "p:term". */
  leadersByTerm(): Map<string, Set<HostId>> {
    const m = new Map<string, Set<HostId>>();
    for (const o of this.obs) {
      if (o.kind !== "lead") continue;
      const k = `${o.p}:${o.a}`;
      let s = m.get(k);
      if (s === undefined) m.set(k, (s = new Set()));
      s.add(o.host);
    }
    return m;
  }

  /** What each live host currently believes for p: the last lead/follow/stepDown declaration. */
  beliefs(p: PartitionId): Map<HostId, { leader: HostId; term: number }> {
    const m = new Map<HostId, { leader: HostId; term: number }>();
    for (const o of this.obs) {
      if (o.p !== p) continue;
      if (o.kind === "lead") m.set(o.host, { leader: o.host, term: o.a });
      else if (o.kind === "follow") m.set(o.host, { leader: o.a, term: o.b });
      else if (o.kind === "stepDown") m.set(o.host, { leader: -1, term: -1 });
    }
    for (const h of [...m.keys()]) if (this.instances[h] === undefined) m.delete(h);
    return m;
  }

  count(kind: ObsKind, p?: PartitionId): number {
    return this.obs.filter((o) => o.kind === kind && (p === undefined || o.p === p)).length;
  }

  sentOfType(type: string, from = -Infinity, to = Infinity): number {
    return this.sent.filter((s) => s.type === type && s.t >= from && s.t < to).length;
  }
}

function less(a: Event, b: Event): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
