/**
 * ControllerEventManager (Kafka 2.x): every broker runs the controller's single event thread.
 * Events are handled one at a time, in order; an event may take many ZooKeeper round trips (it
 * calls `done` when over). On session expiry the queue is cleared and Expire put in
 * (clearAndPut); a fenced controller abandons the event in progress.
 */
import type { HostId } from "../../src/elector/api.ts";

export type EventKind = "register" | "elect" | "brokerChange" | "isrChange" | "shutdown" | "rebalance" | "expire";

export interface ControllerEvent {
  readonly kind: EventKind;
  /** ControlledShutdown: the broker asking, and its attempt. */
  readonly from?: HostId;
  readonly attempt?: number;
  /** Rebalance: the controller generation that scheduled it. */
  readonly generation?: number;
}

export class ControllerEventManager {
  private readonly queue: ControllerEvent[] = [];
  private busy = false;
  private eventSeq = 0;

  constructor(private readonly handle: (e: ControllerEvent, done: () => void) => void) {}

  put(e: ControllerEvent): void {
    this.queue.push(e);
    this.processNext();
  }

  /** Queued ahead of everything else (handled once the current event is over). */
  putFirst(e: ControllerEvent): void {
    this.queue.unshift(e);
  }

  /** clearAndPut: drop what is queued (not the event in progress), then put `e`. */
  clearAndPut(e: ControllerEvent): void {
    this.queue.length = 0;
    this.put(e);
  }

  /** Ends the event in progress without waiting for it (the controller was fenced). */
  abandonCurrent(): void {
    this.eventSeq++;
    this.busy = false;
  }

  private processNext(): void {
    while (!this.busy && this.queue.length > 0) {
      const e = this.queue.shift() as ControllerEvent;
      const seq = ++this.eventSeq;
      this.busy = true;
      let sync = true;
      let finished = false;
      const done = (): void => {
        if (seq !== this.eventSeq || finished) return;
        finished = true;
        this.busy = false;
        if (!sync) this.processNext();
      };
      this.handle(e, done);
      sync = false;
    }
  }
}
