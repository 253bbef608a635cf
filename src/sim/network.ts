/**
 * The simulated network between hosts (brokers, the coordinator, producers).
 *
 * Per directed link: a one-way delay distribution, loss and duplication probabilities, and
 * whether delivery is ordered. Two kinds of traffic share it:
 *  - datagrams (what electors send by default): subject to loss, duplication and reordering
 *    through random delay;
 *  - streams (TCP-like, e.g. a ZooKeeper session): no loss or duplication, FIFO per link, but a
 *    partition or cut still drops them, as a broken connection would.
 * Faults: symmetric partitions into groups, one-way cuts, isolating a host, healing, and clogging
 * a link for a while (messages are held, then delivered). Every message is counted by type,
 * sender and receiver, with its estimated size; inbound messages per host and all messages are
 * also kept as 1 ms series for sliding-window peak rates.
 */
import { DropReason, type MessageTrace } from "./message-trace.ts";
import type { EventHandler, HostId, Kernel } from "./kernel.ts";
import type { RandomStream } from "./random.ts";
import { WindowSeries } from "./window-series.ts";

export type DelayDistribution =
  | { readonly kind: "constant"; readonly ms: number }
  | { readonly kind: "uniform"; readonly min: number; readonly max: number }
  | { readonly kind: "exponential"; readonly min: number; readonly mean: number };

export interface LinkSettings {
  readonly delay: DelayDistribution;
  /** Probability a datagram is lost. */
  readonly loss: number;
  /** Probability a datagram is delivered twice (the copy with its own delay). */
  readonly duplicate: number;
}

/** A same-rack data-centre link: 0.2-0.6 ms one way. A guess, documented in docs/. */
export const DEFAULT_LINK: LinkSettings = {
  delay: { kind: "uniform", min: 0.2, max: 0.6 },
  loss: 0,
  duplicate: 0,
};

/** Anything sent over the network. `type` names it in the message counts. */
export interface Message {
  readonly type: string;
}

/** Where delivered messages go (the world routes them to electors, the coordinator, producers). */
export interface MessageSink {
  deliver(to: HostId, from: HostId, message: Message): void;
}

export interface MessageCounts {
  readonly sent: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly bytes: number;
  readonly byType: Readonly<Record<string, { count: number; bytes: number }>>;
}

const NO_GROUP = 0;

export class Network implements EventHandler {
  readonly hostCount: number;
  private readonly deliverKind: number;
  private readonly links: LinkSettings[]; // n*n, shared objects
  private readonly group: Int32Array; // partition group per host (0: not partitioned)
  private readonly cut: Uint8Array; // n*n one-way blocks
  private readonly isolated: Uint8Array;
  private readonly clogUntil: Float64Array; // n*n
  private readonly lastArrival: Float64Array; // n*n, for ordered (stream) delivery

  // Accounting
  sent = 0;
  delivered = 0;
  dropped = 0;
  /** Every message's send and arrival, when a world asks for it (WorldConfig.traceMessages). */
  trace: MessageTrace | undefined;
  bytes = 0;
  readonly sentBy: Float64Array;
  readonly receivedBy: Float64Array;
  readonly inbound: WindowSeries[];
  readonly all = new WindowSeries();
  private readonly typeIds = new Map<string, number>();
  private readonly typeNames: string[] = [];
  private typeCounts = new Float64Array(16);
  private typeBytes = new Float64Array(16);
  /**
   * The last two types counted and their ids: runs of one type, and a request alternating with its
   * answer, skip the map (type names are interned literals, so these compares are pointer compares).
   */
  private lastType: string | undefined = undefined;
  private lastTypeId = 0;
  private otherType: string | undefined = undefined;
  private otherTypeId = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly random: RandomStream,
    private readonly sink: MessageSink,
    defaults: LinkSettings = DEFAULT_LINK,
  ) {
    const n = kernel.hostCount;
    this.hostCount = n;
    this.links = new Array<LinkSettings>(n * n).fill(defaults);
    this.group = new Int32Array(n);
    this.cut = new Uint8Array(n * n);
    this.isolated = new Uint8Array(n);
    this.clogUntil = new Float64Array(n * n);
    this.lastArrival = new Float64Array(n * n);
    this.sentBy = new Float64Array(n);
    this.receivedBy = new Float64Array(n);
    this.inbound = Array.from({ length: n }, () => new WindowSeries());
    this.deliverKind = kernel.registerKind("deliver", this, true);
    kernel.dispatchDirectly(this.deliverKind);
  }

  // ---- sending ----

  /** Sends a datagram: may be lost, duplicated or reordered according to the link. */
  send(from: HostId, to: HostId, message: Message, bytes: number): void {
    this.transmit(from, to, message, bytes, false);
  }

  /** Sends over a TCP-like stream: no loss or duplication, FIFO per link; partitions still drop. */
  sendStream(from: HostId, to: HostId, message: Message, bytes: number): void {
    this.transmit(from, to, message, bytes, true);
  }

  private transmit(from: HostId, to: HostId, message: Message, bytes: number, stream: boolean): void {
    const now = this.kernel.now;
    this.count(from, message, bytes, now);
    const traced = this.trace === undefined ? -1 : this.trace.sent(from, to, message, now);
    if (!this.canReach(from, to)) {
      this.dropped++;
      this.trace?.drop(traced, DropReason.Unreachable);
      return;
    }
    const link = this.links[from * this.hostCount + to];
    if (!stream && this.random.chance(link.loss)) {
      this.dropped++;
      this.trace?.drop(traced, DropReason.Lost);
      return;
    }
    this.schedule(from, to, message, now + this.drawDelay(link.delay), stream, traced);
    if (!stream && this.random.chance(link.duplicate)) {
      const copy = this.trace === undefined ? -1 : this.trace.sent(from, to, message, now);
      this.schedule(from, to, message, now + this.drawDelay(link.delay), false, copy);
    }
  }

  private schedule(from: HostId, to: HostId, message: Message, arrival: number, ordered: boolean, traced = -1): void {
    const l = from * this.hostCount + to;
    let t = arrival;
    const clog = this.clogUntil[l];
    if (clog > t) t = clog;
    if (ordered) {
      if (this.lastArrival[l] > t) t = this.lastArrival[l];
      this.lastArrival[l] = t;
    }
    // b carries the trace index (+1, so 0 stays "not traced"); nothing decides on it.
    this.kernel.post(t, this.deliverKind, to, from, traced + 1, message);
  }

  private drawDelay(d: DelayDistribution): number {
    switch (d.kind) {
      case "constant":
        return d.ms;
      case "uniform":
        return d.min === d.max ? d.min : this.random.uniform(d.min, d.max);
      case "exponential":
        return d.min + this.random.exponential(d.mean - d.min);
    }
  }

  /** Kernel callback: a message arrives at a host that is up. */
  handle(to: number, from: number, b: number, obj: unknown): void {
    this.delivered++;
    if (b > 0) this.trace?.delivered(b - 1, this.kernel.now);
    this.receivedBy[to]++;
    this.inbound[to].add(this.kernel.now);
    this.sink.deliver(to, from, obj as Message);
  }

  // ---- reachability and faults ----

  canReach(from: HostId, to: HostId): boolean {
    if (from === to) return true;
    if (this.isolated[from] === 1 || this.isolated[to] === 1) return false;
    if (this.group[from] !== this.group[to]) return false;
    return this.cut[from * this.hostCount + to] === 0;
  }

  /**
   * Splits hosts into groups that cannot reach each other. Hosts not named form one more group
   * together.
   */
  partition(groups: readonly (readonly HostId[])[]): void {
    this.group.fill(groups.length + 1);
    groups.forEach((members, g) => {
      for (const h of members) this.group[h] = g + 1;
    });
  }

  /** Blocks messages from `from` to `to` (one way). */
  cutLink(from: HostId, to: HostId): void {
    this.cut[from * this.hostCount + to] = 1;
  }

  /** Cuts one host off from every other host, both ways. */
  isolate(host: HostId): void {
    this.isolated[host] = 1;
  }

  /** Removes every partition, cut and isolation (clogs run out on their own). */
  heal(): void {
    this.group.fill(NO_GROUP);
    this.cut.fill(0);
    this.isolated.fill(0);
  }

  /** Holds messages on the link from `from` to `to` until `ms` from now, then delivers them. */
  clog(from: HostId, to: HostId, ms: number): void {
    const l = from * this.hostCount + to;
    this.clogUntil[l] = Math.max(this.clogUntil[l], this.kernel.now + ms);
  }

  /** Changes the settings of one directed link (or of every link with from/to undefined). */
  setLink(from: HostId | undefined, to: HostId | undefined, settings: Partial<LinkSettings>): void {
    const n = this.hostCount;
    for (let f = 0; f < n; f++) {
      if (from !== undefined && f !== from) continue;
      for (let t = 0; t < n; t++) {
        if (to !== undefined && t !== to) continue;
        const l = f * n + t;
        this.links[l] = { ...this.links[l], ...settings };
      }
    }
  }

  link(from: HostId, to: HostId): LinkSettings {
    return this.links[from * this.hostCount + to];
  }

  // ---- accounting ----

  private count(from: HostId, message: Message, bytes: number, now: number): void {
    this.sent++;
    this.bytes += bytes;
    this.sentBy[from]++;
    this.all.add(now);
    const type = message.type;
    let id: number;
    if (type === this.lastType) id = this.lastTypeId;
    else if (type === this.otherType) {
      // Requests and their answers alternate: the two latest types swap places, no map lookup.
      id = this.otherTypeId;
      this.otherType = this.lastType;
      this.otherTypeId = this.lastTypeId;
      this.lastType = type;
      this.lastTypeId = id;
    } else {
      id = this.typeIdOf(type);
      this.otherType = this.lastType;
      this.otherTypeId = this.lastTypeId;
      this.lastType = type;
      this.lastTypeId = id;
    }
    this.typeCounts[id]++;
    this.typeBytes[id] += bytes;
  }

  private typeIdOf(type: string): number {
    let id = this.typeIds.get(type);
    if (id === undefined) {
      id = this.typeNames.length;
      this.typeIds.set(type, id);
      this.typeNames.push(type);
      if (id >= this.typeCounts.length) {
        const c = new Float64Array(this.typeCounts.length * 2);
        c.set(this.typeCounts);
        this.typeCounts = c;
        const b = new Float64Array(this.typeBytes.length * 2);
        b.set(this.typeBytes);
        this.typeBytes = b;
      }
    }
    return id;
  }

  counts(): MessageCounts {
    const byType: Record<string, { count: number; bytes: number }> = {};
    const order = this.typeNames.map((name, id) => ({ name, id })).sort((x, y) => (x.name < y.name ? -1 : 1));
    for (const { name, id } of order) byType[name] = { count: this.typeCounts[id], bytes: this.typeBytes[id] };
    return { sent: this.sent, delivered: this.delivered, dropped: this.dropped, bytes: this.bytes, byType };
  }
}
