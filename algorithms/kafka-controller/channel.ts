/**
 * ControllerChannelManager (Kafka 2.x): one queue and one RequestSendThread per live broker. The
 * thread sends the queue's head, waits for its response, then sends the next; a request that got
 * no response within controller.socket.timeout.ms is sent again (the connection is re-established)
 * until it is answered or the broker is removed (it died, or this controller resigned). Requests to
 * a broker are thus delivered in order and not lost to a network partition, only delayed.
 */
import type { HostContext, HostId } from "../../src/elector/api.ts";
import type { ControlRequest, ControlResponse } from "./messages.ts";
import { TIMER_CHANNEL, TIMER_SPACE } from "./timers.ts";

interface Queued {
  readonly request: ControlRequest;
  readonly bytes: number;
}

class BrokerQueue {
  readonly items: Queued[] = [];
  head = 0;
  /** Sent and unanswered: the head. */
  inFlight = false;
  sentAt = 0;
  timer = -1;
  nextCorrelationId = 1;
}

export class ChannelManager {
  private readonly queues: (BrokerQueue | undefined)[];
  resends = 0;

  constructor(
    private readonly ctx: HostContext,
    private readonly timeoutMs: number,
  ) {
    this.queues = new Array(ctx.cluster.brokers).fill(undefined);
  }

  addBroker(b: HostId): void {
    if (this.queues[b] === undefined) this.queues[b] = new BrokerQueue();
  }

  /** The broker died: its queue and thread go (requests to it are dropped). */
  removeBroker(b: HostId): void {
    const q = this.queues[b];
    if (q === undefined) return;
    if (q.timer >= 0) this.ctx.cancelTimer(q.timer);
    this.queues[b] = undefined;
  }

  shutdown(): void {
    for (let b = 0; b < this.queues.length; b++) this.removeBroker(b);
  }

  nextCorrelationId(b: HostId): number {
    const q = this.queues[b];
    return q === undefined ? 0 : q.nextCorrelationId++;
  }

  /** Queues a request (built with nextCorrelationId(b)); dropped if the broker has no queue. */
  send(b: HostId, request: ControlRequest, bytes: number): void {
    const q = this.queues[b];
    if (q === undefined) return;
    q.items.push({ request, bytes });
    if (!q.inFlight) this.transmit(b, q);
  }

  private transmit(b: HostId, q: BrokerQueue): void {
    const item = q.items[q.head];
    q.inFlight = true;
    q.sentAt = this.ctx.now();
    this.ctx.sendStream(b, item.request, item.bytes);
    if (q.timer >= 0) this.ctx.cancelTimer(q.timer);
    q.timer = this.ctx.setTimer(this.timeoutMs, TIMER_CHANNEL + TIMER_SPACE * b);
  }

  onResponse(b: HostId, r: ControlResponse): void {
    const q = this.queues[b];
    if (q === undefined || !q.inFlight || q.items[q.head].request.correlationId !== r.correlationId) return;
    if (q.timer >= 0) this.ctx.cancelTimer(q.timer);
    q.timer = -1;
    q.inFlight = false;
    q.items[q.head] = undefined as unknown as Queued;
    q.head++;
    if (q.head > 1024 && q.head * 2 > q.items.length) {
      q.items.splice(0, q.head);
      q.head = 0;
    }
    if (q.head < q.items.length) this.transmit(b, q);
  }

  onTimeout(b: HostId): void {
    const q = this.queues[b];
    if (q === undefined || !q.inFlight) return;
    q.timer = -1;
    this.resends++;
    this.transmit(b, q);
  }

  /** Requests queued or in flight, for tests. */
  backlog(): number {
    let k = 0;
    for (const q of this.queues) if (q !== undefined) k += q.items.length - q.head;
    return k;
  }
}
