/**
 * Zab's broadcast phase on the leader (Leader.propose, processAck, tryToCommit): a proposal gets
 * zxid = epoch << 32 | counter, is logged by the leader (its own first ACK) and sent to the synced
 * learners; a quorum of ACKs commits it, in zxid order; the client is answered and COMMIT goes out.
 */
import type { ZabDurable } from "./durable-state.ts";
import { ZXID_EPOCH, counterOfZxid, epochOfZxid, makeZxid } from "./fle.ts";
import { popcount, type GroupTable } from "./group-table.ts";
import { T } from "./messages.ts";
import type { CorePort } from "./core-port.ts";
import type { StaleAckGuard } from "./stale-ack-guard.ts";

/** A write proposed by a leader and not yet answered. */
interface PendingWrite {
  readonly g: number;
  readonly writeId: number;
  readonly zxid: number;
  readonly epoch: number;
  readonly proposedAt: number;
  mask: number;
}

export class Broadcast {
  /** Outstanding proposals by (group, counter); only leaders in broadcast have any. */
  private readonly pending = new Map<number, PendingWrite>();

  constructor(
    private readonly t: GroupTable,
    private readonly d: ZabDurable,
    private readonly port: CorePort,
    private readonly guard: StaleAckGuard,
  ) {}

  private key(g: number, zxid: number): number {
    return g * ZXID_EPOCH + counterOfZxid(zxid);
  }

  /** Leader.propose, on an established leader of group g. */
  propose(g: number, writeId: number): void {
    const t = this.t;
    const epoch = this.d.currentEpoch[g];
    const last = this.d.lastZxid[g];
    const zxid = epochOfZxid(last) === epoch ? last + 1 : makeZxid(epoch, 1);
    this.d.lastZxid[g] = zxid; // the leader logs its own proposal (and counts as its first ACK)
    this.guard.noteAck(g, this.port.now());
    const me = t.mySlot[g];
    const w: PendingWrite = { g, writeId, zxid, epoch, proposedAt: this.port.now(), mask: 1 << me };
    this.pending.set(this.key(g, zxid), w);
    const targets = t.mSynced[g] & t.mConn[g];
    for (let j = 0; j < t.rf; j++) {
      if (j !== me && (targets & (1 << j)) !== 0) this.port.emit2(t.hostOf(g, j), T.Proposal, t.parts[g], zxid);
    }
    this.tryCommit(w);
  }

  /** processAck of a proposal from replica slot j (the caller checked the epoch). */
  onAck(g: number, j: number, zxid: number): void {
    const w = this.pending.get(this.key(g, zxid));
    if (w === undefined) return;
    w.mask |= 1 << j;
    this.tryCommit(w);
  }

  /** tryToCommit: a quorum ACKed, and every earlier proposal is committed (in zxid order). */
  private tryCommit(first: PendingWrite): void {
    const t = this.t;
    let w: PendingWrite | undefined = first;
    while (w !== undefined && popcount(w.mask) >= t.quorum) {
      const key = this.key(w.g, w.zxid);
      if (counterOfZxid(w.zxid) > 1 && this.pending.has(key - 1)) return;
      this.pending.delete(key);
      const g = w.g;
      const p = t.parts[g];
      if (this.guard.inTime(w.proposedAt, this.port.now())) this.port.observer.acknowledged(p, w.writeId, w.epoch);
      else this.port.observer.rejected(p, w.writeId); // too late to answer safely (the stale-ack guard)
      const me = t.mySlot[g];
      const targets = t.mSynced[g] & t.mConn[g];
      for (let j = 0; j < t.rf; j++) {
        if (j !== me && (targets & (1 << j)) !== 0) this.port.emit2(t.hostOf(g, j), T.Commit, p, w.zxid);
      }
      w = this.pending.get(key + 1);
    }
  }

  /** The leader of group g stepped down: its clients' requests fail. */
  failPending(g: number): void {
    if (this.pending.size === 0) return;
    for (const [key, w] of this.pending) {
      if (w.g !== g) continue;
      this.pending.delete(key);
      this.port.observer.rejected(this.t.parts[g], w.writeId);
    }
  }

  /** Writes whose quorum did not come within the stale-ack guard will not be acknowledged: refuse them. */
  expireLate(): void {
    if (this.pending.size === 0) return;
    const now = this.port.now();
    for (const [key, w] of this.pending) {
      if (this.guard.inTime(w.proposedAt, now)) continue;
      this.pending.delete(key);
      this.port.observer.rejected(this.t.parts[w.g], w.writeId);
    }
  }
}
