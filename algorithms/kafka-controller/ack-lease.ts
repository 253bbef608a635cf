/**
 * The lab's acknowledgement lease (ackLeaseMs; a lab addition, not in Kafka, off by default), the
 * new leader's half: a broker told to lead takes leadership only once the promise it made to the
 * old leader has run out — ackLeaseMs after its last fetch response from it (promiseUntil, kept by
 * the fetcher), and ackLeaseMs after its own boot — so that the old leader can no longer count this
 * broker's fetches towards an acknowledgement. The old leader's half (counting only fetches that
 * answer a response sent less than ackLeaseMs ago) is in delayed-fetch.ts and the ReplicaManager.
 */
import type { HostContext } from "../../src/elector/api.ts";
import { PROMOTING, type LocalReplicas } from "./local-replicas.ts";
import { TIMER_PROMOTE } from "./timers.ts";

export class LeaseWait {
  private readonly waiting: number[] = [];
  private timerAt = Infinity;
  private readonly bootAt: number;

  constructor(
    private readonly ctx: HostContext,
    private readonly r: LocalReplicas,
    /** ackLeaseMs (0: off). */
    private readonly lease: number,
  ) {
    this.bootAt = ctx.now();
  }

  /** When local partition i may be led (-Infinity without a lease). */
  readyAt(i: number): number {
    return this.lease > 0 ? Math.max(this.r.promiseUntil[i], this.bootAt + this.lease) : -Infinity;
  }

  /** Partition i waits (role PROMOTING) until readyAt(i); `take` is called then. */
  wait(i: number): void {
    this.r.role[i] = PROMOTING;
    this.waiting.push(i);
    this.arm(this.readyAt(i));
  }

  private arm(at: number): void {
    if (at >= this.timerAt) return;
    this.timerAt = at;
    this.ctx.setTimer(at - this.ctx.now(), TIMER_PROMOTE);
  }

  /** TIMER_PROMOTE: partitions whose wait is over are handed to `take`. */
  onTimer(take: (i: number) => void): void {
    this.timerAt = Infinity;
    const now = this.ctx.now();
    let next = Infinity;
    let w = 0;
    for (let k = 0; k < this.waiting.length; k++) {
      const i = this.waiting[k];
      if (this.r.role[i] !== PROMOTING) continue;
      const at = this.readyAt(i);
      if (at <= now) take(i);
      else {
        this.waiting[w++] = i;
        if (at < next) next = at;
      }
    }
    this.waiting.length = w;
    if (next < Infinity) this.arm(next);
  }
}
