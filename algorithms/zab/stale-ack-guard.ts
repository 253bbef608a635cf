/**
 * The stale-acknowledgement guard: a lab addition, not in ZooKeeper, off by default (guardMs 0;
 * see options.ts). On, a leader answers a write only if a quorum ACKed it within `guardMs` of
 * proposing (a later quorum leaves the client without an answer), and a peer ACKs
 * NEWLEADER (a leader counts itself) only `guardMs` after its last proposal ACK in that group,
 * or after boot if it ACKed anything before a crash. Any newer leader's quorum shares a peer with
 * the old quorum, so every acknowledgement then precedes every newer election in time.
 */
import type { ZabDurable } from "./durable-state.ts";

const NO_TIME = -2147483648;

export class StaleAckGuard {
  /** Time (ceil ms) of this peer's last proposal ACK in the group, this incarnation. */
  private readonly lastAck: Int32Array;
  /** The last proposal ACK in any group before this boot (durable). */
  private readonly bootGuardFrom: number;
  readonly enabled: boolean;

  constructor(
    groups: number,
    private readonly durable: ZabDurable,
    readonly guardMs: number,
  ) {
    this.enabled = guardMs > 0;
    // Read only when enabled: off (the default), no per-group table is made or written (at 1M
    // partitions 12 MiB of fresh pages a settled build would touch for nothing).
    this.lastAck = this.enabled ? new Int32Array(groups).fill(NO_TIME) : new Int32Array(0);
    this.bootGuardFrom = durable.lastAckAny[0];
  }

  /** This peer ACKed a proposal of group g (a leader counts its own). */
  noteAck(g: number, now: number): void {
    if (this.enabled) this.lastAck[g] = Math.ceil(now);
    this.durable.lastAckAny[0] = now;
  }

  /** The earliest time this peer may acknowledge NEWLEADER in group g. */
  until(g: number): number {
    if (!this.enabled) return -Infinity;
    const last = this.lastAck[g] > this.bootGuardFrom ? this.lastAck[g] : this.bootGuardFrom;
    return last + this.guardMs;
  }

  /** Whether a write proposed at `proposedAt` may still be acknowledged at `now`. */
  inTime(proposedAt: number, now: number): boolean {
    return !this.enabled || now - proposedAt < this.guardMs;
  }
}
