/**
 * The host's outgoing stream frames: per destination host one open frame of one message type; a
 * group message of another type closes it (per-link FIFO order is kept). With coalescing on, the
 * open frames go out at the end of the event being handled; off, every group message is sent as
 * its own frame at once. Frames carry the sender's connection (conn) and a sequence number on it.
 */
import type { HostContext, HostId } from "../../src/elector/api.ts";
import { FRAME_BYTES, ITEM_BYTES, PING_BYTES, T, TYPE_NAMES, WIDTH, type ZabFrame } from "./messages.ts";

/** Connection numbers: incarnation * CONN_SPACE + teardowns since boot. */
export const CONN_SPACE = 65536;

export class Outbox {
  private readonly openType: Int8Array;
  private readonly openItems: (number[] | undefined)[];
  /** Hosts with an open frame, `dirty[0 .. dirtyCount-1]` (emptied by a count, not a length store). */
  private readonly dirty: number[] = [];
  private dirtyCount = 0;
  /** Our side of the connection to each host, and the last sequence number sent on it. */
  private readonly outConn: Float64Array;
  private readonly outSeq: Float64Array;

  constructor(
    private readonly ctx: Pick<HostContext, "sendStream">,
    brokers: number,
    private readonly coalesce: boolean,
  ) {
    this.openType = new Int8Array(brokers).fill(-1);
    this.openItems = new Array<number[] | undefined>(brokers).fill(undefined);
    this.outConn = new Float64Array(brokers);
    this.outSeq = new Float64Array(brokers);
  }

  /** A boot: every connection is new. */
  startIncarnation(incarnation: number): void {
    this.outConn.fill(incarnation * CONN_SPACE);
  }

  /** We tore the connection to h down: the next frame opens a new one. */
  newConnection(h: HostId): void {
    this.outConn[h]++;
    this.outSeq[h] = 0;
  }

  private open(to: HostId, type: number): number[] {
    const t = this.openType[to];
    if (t === type) return this.openItems[to] as number[];
    if (t !== -1) this.sendOpen(to);
    else if (this.coalesce) this.dirty[this.dirtyCount++] = to;
    this.openType[to] = type;
    const items: number[] = [];
    this.openItems[to] = items;
    return items;
  }

  private sendOpen(to: HostId): void {
    const type = this.openType[to];
    const items = this.openItems[to] as number[];
    this.openType[to] = -1;
    this.openItems[to] = undefined;
    const w = WIDTH[type];
    const n = w === 0 ? 0 : items.length / w;
    const frame: ZabFrame = { type: TYPE_NAMES[type], conn: this.outConn[to], seq: ++this.outSeq[to], items };
    this.ctx.sendStream(to, frame, type === T.Ping ? PING_BYTES : FRAME_BYTES + n * ITEM_BYTES[type]);
  }

  emit0(to: HostId, type: number): void {
    if (this.openType[to] === type) return; // one ping per frame
    this.open(to, type);
    if (!this.coalesce) this.sendOpen(to);
  }

  emit2(to: HostId, type: number, p: number, a: number): void {
    const items = this.open(to, type);
    items.push(p, a);
    if (!this.coalesce) this.sendOpen(to);
  }

  emit3(to: HostId, type: number, p: number, a: number, b: number): void {
    const items = this.open(to, type);
    items.push(p, a, b);
    if (!this.coalesce) this.sendOpen(to);
  }

  emit4(to: HostId, type: number, p: number, a: number, b: number, c: number): void {
    const items = this.open(to, type);
    items.push(p, a, b, c);
    if (!this.coalesce) this.sendOpen(to);
  }

  emit6(to: HostId, type: number, p: number, a: number, b: number, c: number, d: number, e: number): void {
    const items = this.open(to, type);
    items.push(p, a, b, c, d, e);
    if (!this.coalesce) this.sendOpen(to);
  }

  /** End of an event: send every open frame. */
  flush(): void {
    const dirty = this.dirty;
    for (let i = 0; i < this.dirtyCount; i++) if (this.openType[dirty[i]] !== -1) this.sendOpen(dirty[i]);
    this.dirtyCount = 0;
  }
}
