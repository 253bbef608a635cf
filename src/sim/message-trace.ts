/**
 * An optional record of every message the network carried — who sent what to whom, when it was
 * sent, and when it arrived (or that it was dropped, and why) — for message (Lamport) diagrams of
 * small runs, as Maelstrom's messages.svg shows them. Off by default (WorldConfig.traceMessages):
 * it costs memory per message, and it reads nothing random, so turning it on changes no run.
 */
/** What the trace keeps of a message: its object, for its type and fields (e.g. a write id). */
export interface TracedMessage {
  readonly type: string;
}
type HostId = number;

export const DropReason = { None: 0, Unreachable: 1, Lost: 2 } as const;

export class MessageTrace {
  length = 0;
  /** Messages not recorded because the trace was full. */
  overflow = 0;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly sentAt: Float64Array;
  /** Arrival time; NaN while in flight, and forever if it never arrived (dropped, or its receiver crashed). */
  readonly deliveredAt: Float64Array;
  readonly dropped: Uint8Array;
  readonly message: TracedMessage[] = [];

  constructor(readonly capacity = 200_000) {
    this.from = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
    this.sentAt = new Float64Array(capacity);
    this.deliveredAt = new Float64Array(capacity).fill(NaN);
    this.dropped = new Uint8Array(capacity);
  }

  /** Records a send; returns its index (-1 when the trace is full). */
  sent(from: HostId, to: HostId, message: TracedMessage, at: number): number {
    if (this.length === this.capacity) {
      this.overflow++;
      return -1;
    }
    const i = this.length++;
    this.from[i] = from;
    this.to[i] = to;
    this.sentAt[i] = at;
    this.message.push(message);
    return i;
  }

  drop(index: number, reason: number): void {
    if (index >= 0) this.dropped[index] = reason;
  }

  delivered(index: number, at: number): void {
    if (index >= 0 && index < this.length) this.deliveredAt[index] = at;
  }
}
