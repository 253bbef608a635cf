/**
 * Zab's broadcast phase on the leader (Leader.propose, processAck, tryToCommit): a proposal gets
 * zxid = epoch << 32 | counter, is logged by the leader (its own first ACK) and sent to the synced
 * learners; a quorum of ACKs commits it, in zxid order; the client is answered and COMMIT goes out.
 * A leader that stops leading leaves its pending clients unanswered (ZooKeeper's clients see the
 * connection close: the outcome is unknown, and the write may yet be committed by the next leader).
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
  /** Its position in the leader's log. */
  readonly position: number;
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
    // The leader logs its own proposal (and counts as its first ACK).
    const position = this.d.log.length[g];
    this.d.log.append(g, zxid, writeId, t.parts[g], this.port.observer);
    this.d.lastZxid[g] = zxid;
    this.port.durableChanged?.();
    this.guard.noteAck(g, this.port.now());
    const me = t.mySlot[g];
    const w: PendingWrite = { g, writeId, zxid, position, epoch, proposedAt: this.port.now(), mask: 1 << me };
    this.pending.set(this.key(g, zxid), w);
    const targets = t.mSynced[g] & t.mConn[g];
    for (let j = 0; j < t.rf; j++) {
      if (j !== me && (targets & (1 << j)) !== 0) this.port.emit3(t.hostOf(g, j), T.Proposal, t.parts[g], zxid, writeId);
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
      this.d.log.commit(g, w.position + 1, p, this.port.observer);
      // With the stale-ack guard (a lab addition) on, a quorum that came too late gets no answer.
      if (this.guard.inTime(w.proposedAt, this.port.now())) this.port.observer.acknowledged(p, w.writeId, w.epoch);
      const me = t.mySlot[g];
      const targets = t.mSynced[g] & t.mConn[g];
      for (let j = 0; j < t.rf; j++) {
        if (j !== me && (targets & (1 << j)) !== 0) this.port.emit2(t.hostOf(g, j), T.Commit, p, w.zxid);
      }
      w = this.pending.get(key + 1);
    }
  }

  /** The leader of group g stopped leading: its pending proposals are forgotten, their clients left without an answer. */
  forgetPending(g: number): void {
    if (this.pending.size === 0) return;
    for (const [key, w] of this.pending) if (w.g === g) this.pending.delete(key);
  }

  /** With the stale-ack guard on: proposals past the guard will never be answered; forget them. */
  expireLate(): void {
    if (this.pending.size === 0 || !this.guard.enabled) return;
    const now = this.port.now();
    for (const [key, w] of this.pending) if (!this.guard.inTime(w.proposedAt, now)) this.pending.delete(key);
  }
}
