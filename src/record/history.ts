/**
 * The client history, as Jepsen and Maelstrom record it: every producer operation's invocation
 * and its completion — ok (acknowledged), fail (definitely not written: refused, or never sent
 * because no leader was known) or info (unknown: timed out; the write may or may not be stored).
 * An operation with no completion by the run's end is unanswered (treated as info). One row per
 * operation in invocation order, in growable typed arrays: a million writes cost tens of MB.
 */

export const Outcome = { Pending: 0, Ok: 1, Fail: 2, Info: 3 } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** Why an operation failed or is unknown. */
export const Reason = { None: 0, Rejected: 1, NoLeaderKnown: 2, TimedOut: 3, ConnectionReset: 4, ConnectionRefused: 5 } as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export const OUTCOME_NAMES = ["pending", "ok", "fail", "info"] as const;
export const REASON_NAMES = ["", "rejected", "no leader known", "timed out", "connection reset", "connection refused"] as const;

export class History {
  length = 0;
  invokeAt = new Float64Array(1024);
  /** Completion time (-1 while pending). */
  completeAt = new Float64Array(1024);
  /** The write's id; -1 for a write never sent (no leader known: no id was given out). */
  writeId = new Int32Array(1024);
  partition = new Int32Array(1024);
  /** The producer host. */
  client = new Int32Array(1024);
  /** The broker the write was sent to (-1: not sent). */
  target = new Int32Array(1024);
  /** The broker whose answer completed it (-1: none). */
  answeredBy = new Int32Array(1024);
  outcome = new Uint8Array(1024);
  reason = new Uint8Array(1024);
  /** Row of each write id (-1: none). */
  private rowOf = new Int32Array(1024).fill(-1);

  /** A write `writeId` for `partition` sent by `client` to broker `target`. */
  invoke(time: number, client: number, partition: number, writeId: number, target: number): void {
    const r = this.add(time, client, partition, writeId, target);
    if (writeId >= this.rowOf.length) {
      let n = this.rowOf.length;
      while (n <= writeId) n *= 2;
      const g = new Int32Array(n).fill(-1);
      g.set(this.rowOf);
      this.rowOf = g;
    }
    this.rowOf[writeId] = r;
  }

  /** A write the client could not send (no leader known, or its connection refused): invoked and failed at once. */
  notSent(time: number, client: number, partition: number, reason: Reason = Reason.NoLeaderKnown, target = -1): void {
    const r = this.add(time, client, partition, -1, target);
    this.outcome[r] = Outcome.Fail;
    this.reason[r] = reason;
    this.completeAt[r] = time;
  }

  ok(time: number, writeId: number, host: number): void {
    this.complete(time, writeId, host, Outcome.Ok, Reason.None);
  }

  fail(time: number, writeId: number, host: number): void {
    this.complete(time, writeId, host, Outcome.Fail, Reason.Rejected);
  }

  /** The client gave up waiting: the write's fate is unknown. */
  timedOut(time: number, writeId: number): void {
    this.complete(time, writeId, -1, Outcome.Info, Reason.TimedOut);
  }

  /** The broker's connection closed with the write in flight (Kafka: NetworkException): its fate is unknown. */
  connectionReset(time: number, writeId: number): void {
    this.complete(time, writeId, -1, Outcome.Info, Reason.ConnectionReset);
  }

  /** Row of write `writeId`, or -1. */
  row(writeId: number): number {
    return writeId >= 0 && writeId < this.rowOf.length ? this.rowOf[writeId] : -1;
  }

  /** The first completion stands (a late or duplicate answer after a timeout changes nothing the client saw). */
  private complete(time: number, writeId: number, host: number, outcome: Outcome, reason: Reason): void {
    const r = this.row(writeId);
    if (r < 0 || this.outcome[r] !== Outcome.Pending) return;
    this.outcome[r] = outcome;
    this.reason[r] = reason;
    this.completeAt[r] = time;
    this.answeredBy[r] = host;
  }

  private add(time: number, client: number, partition: number, writeId: number, target: number): number {
    if (this.length === this.invokeAt.length) this.grow();
    const r = this.length++;
    this.invokeAt[r] = time;
    this.completeAt[r] = -1;
    this.writeId[r] = writeId;
    this.partition[r] = partition;
    this.client[r] = client;
    this.target[r] = target;
    this.answeredBy[r] = -1;
    this.outcome[r] = Outcome.Pending;
    this.reason[r] = Reason.None;
    return r;
  }

  private grow(): void {
    const n = this.invokeAt.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(src: T, dst: T): T => {
      dst.set(src as never);
      return dst;
    };
    this.invokeAt = g(this.invokeAt, new Float64Array(n));
    this.completeAt = g(this.completeAt, new Float64Array(n));
    this.writeId = g(this.writeId, new Int32Array(n));
    this.partition = g(this.partition, new Int32Array(n));
    this.client = g(this.client, new Int32Array(n));
    this.target = g(this.target, new Int32Array(n));
    this.answeredBy = g(this.answeredBy, new Int32Array(n));
    this.outcome = g(this.outcome, new Uint8Array(n));
    this.reason = g(this.reason, new Uint8Array(n));
  }
}
