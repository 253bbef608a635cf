/**
 * Zab's broadcast phase on the leader (Leader.propose, processAck, tryToCommit): a proposal gets
 * zxid = epoch << 32 | counter, is sent to the synced learners and logged by the leader, whose own
 * ACK counts once its log is flushed (ZooKeeper's ProposalRequestProcessor sends the PROPOSAL, then
 * hands the request to SyncRequestProcessor; AckRequestProcessor acks for the leader after the
 * flush); a quorum of ACKs commits it, in zxid order; the client is answered and COMMIT goes out.
 * A leader that stops leading leaves its pending clients unanswered (ZooKeeper's clients see the
 * connection close: the outcome is unknown, and the write may yet be committed by the next leader).
 */
import type { ZabDurable } from "./durable-state.ts";
import { ZXID_EPOCH, counterOfZxid, epochOfZxid, makeZxid } from "./fle.ts";
import { popcount, type GroupTable } from "./group-table.ts";
import { T } from "./messages.ts";
import type { CorePort } from "./core-port.ts";
import type { StaleAckGuard } from "./stale-ack-guard.ts";
import { ZRULE } from "./rules.ts";

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
  /**
   * Proposals this leader appended whose log flush is pending (FIFO), `unsynced[unsyncedHead ..
   * unsyncedCount-1]`. Both lists are emptied by resetting their counts, never by a length store
   * (a V8 runtime call).
   */
  private readonly unsynced: PendingWrite[] = [];
  private unsyncedCount = 0;
  private unsyncedHead = 0;
  /** Per flush asked for (FIFO): `unsyncedCount` when it was asked for, entries `flushHead` .. `flushCount`-1. */
  private readonly flushEnds: number[] = [];
  private flushCount = 0;
  private flushHead = 0;

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
    const last = this.d.lastZxid.get(g);
    const zxid = epochOfZxid(last) === epoch ? last + 1 : makeZxid(epoch, 1);
    // The leader appends the proposal to its log; the PROPOSAL does not wait for the flush, the
    // leader's own ACK does (unless the host models no disk: then it is its first ACK at once).
    const position = this.d.log.lengthOf(g);
    this.d.log.append(g, zxid, writeId, t.parts[g], this.port.observer);
    this.d.lastZxid.set(g, zxid);
    const flushes = this.port.leaderLogged?.() === true;
    this.guard.noteAck(g, this.port.now());
    const me = t.mySlot[g];
    const w: PendingWrite = { g, writeId, zxid, position, epoch, proposedAt: this.port.now(), mask: flushes ? 0 : 1 << me };
    this.pending.set(this.key(g, zxid), w);
    if (flushes) this.unsynced[this.unsyncedCount++] = w;
    const targets = t.mSynced[g] & t.mConn[g];
    for (let j = 0; j < t.rf; j++) {
      if (j !== me && (targets & (1 << j)) !== 0) this.port.emit3(t.hostOf(g, j), T.Proposal, t.parts[g], zxid, writeId);
    }
    if (!flushes) this.tryCommit(w);
  }

  /** The host asks for a flush of everything this leader appended so far. */
  flushRequested(): void {
    this.flushEnds[this.flushCount++] = this.unsyncedCount;
  }

  /** The oldest requested flush completed: the leader ACKs the proposals it covered (if still pending). */
  flushed(): void {
    const end = this.flushEnds[this.flushHead++];
    for (let i = this.unsyncedHead; i < end; i++) {
      const w = this.unsynced[i];
      this.unsynced[i] = undefined as unknown as PendingWrite;
      // Identity, not key: a forgotten proposal's key may be reused in a later epoch.
      if (this.pending.get(this.key(w.g, w.zxid)) !== w) continue;
      w.mask |= 1 << this.t.mySlot[w.g];
      this.tryCommit(w);
    }
    this.unsyncedHead = end;
    if (this.flushHead === this.flushCount) {
      this.flushCount = this.flushHead = 0;
      if (end === this.unsyncedCount) this.unsyncedCount = this.unsyncedHead = 0;
    }
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
      this.port.observer.rule?.(ZRULE.commitQuorum);
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
