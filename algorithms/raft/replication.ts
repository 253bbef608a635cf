/**
 * Log replication (§5.3), commitment (§5.4.2) and acknowledgement for every group of one host:
 * the leader's side (a new term's empty entry, append a proposal, send AppendEntries, count
 * matches, commit, acknowledge) and the follower's (consistency check, truncate a conflicting
 * suffix, append, follow the leader's commit index). Every change to a replica's log and commit
 * index is declared through the Observer (append / truncate / commit), for the judge.
 *
 * Part of the pure core: the role checks (is this from our leader, is our term current) are the
 * caller's (raft-core.ts); this file owns the logs, the commit indexes and the leaders' progress.
 */
import type { DurableStore, HostId } from "../../src/elector/api.ts";
import { LEADER, type GroupLayout } from "./layout.ts";
import { LogStore } from "./log.ts";
import {
  APPEND,
  APPEND_BYTES,
  APPEND_RESP,
  APPEND_RESP_BYTES,
  ENTRY_BYTES,
  type AppendEntries,
  type AppendEntriesResponse,
} from "./messages.ts";
import type { RaftOptions } from "./options.ts";
import type { RaftPort } from "./port.ts";
import { durable } from "./durable.ts";
import { ProgressTable } from "./progress.ts";
import { RULE } from "./rules.ts";

/** Entries per AppendEntries (etcd's MaxSizePerMsg, in entries). */
const MAX_ENTRIES = 64;
/** writeId of an entry that is not a producer write (a new leader's empty entry). */
export const NO_WRITE = -1;

export class Replication {
  /** Every group's log (durable). */
  readonly log: LogStore;
  /**
   * Commit index per group (§5.3), kept durable as etcd's HardState.Commit, so that a restarted
   * replica never declares a smaller one.
   */
  readonly commit: Int32Array;
  private readonly progress: ProgressTable;
  private readonly scratch: Float64Array;
  private readonly rf: number;
  /**
   * Entries this host appended as a leader whose flush is pending (FIFO): group, index, term, in
   * `unsynced[unsyncedHead .. unsyncedCount-1]`. Both lists are emptied by resetting their counts,
   * never by a length store (a V8 runtime call).
   */
  private readonly unsynced: number[] = [];
  private unsyncedCount = 0;
  private unsyncedHead = 0;
  /** Per flush asked for (FIFO): `unsyncedCount` when it was asked for, entries `flushHead` .. `flushCount`-1. */
  private readonly flushEnds: number[] = [];
  private flushCount = 0;
  private flushHead = 0;

  constructor(
    private readonly layout: GroupLayout,
    /** The core's currentTerm per group (read only here). */
    private readonly term: Int32Array,
    private readonly port: RaftPort,
    private readonly o: RaftOptions,
    store: DurableStore,
  ) {
    this.rf = layout.rf;
    this.log = durable(store, "raft.log", () => new LogStore(layout.n));
    this.commit = durable(store, "raft.commit", () => new Int32Array(layout.n));
    this.progress = new ProgressTable(layout.n, layout.rf, o.ackLease);
    this.scratch = new Float64Array(layout.rf);
  }

  lastIndex(g: number): number {
    return this.log.lastIndex(g);
  }

  lastTerm(g: number): number {
    return this.log.lastTerm(g);
  }

  /** §5.4.1 election restriction: a candidate's log is at least as up-to-date as ours (last term, then index). */
  upToDate(g: number, lastTerm: number, lastIndex: number): boolean {
    const myIndex = this.log.lastIndex(g);
    const myTerm = this.log.lastTerm(g);
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= myIndex);
  }

  /** Next index to send to replica j (a leader's). */
  nextFor(g: number, j: number): number {
    return this.progress.next[g * this.rf + j];
  }

  /** What a heartbeat to replica j may tell it is committed: min(matchIndex, commitIndex), as etcd. */
  commitFor(g: number, j: number): number {
    return Math.min(this.progress.match[g * this.rf + j], this.commit[g]);
  }

  // ---- leader ----

  /**
   * A new leader (thesis §6.4 / etcd's becomeLeader): progress reset (next = last + 1, nothing
   * matched), then an empty entry of its own term, so that earlier entries become committed
   * (§5.4.2) without waiting for a producer's write.
   */
  startLeading(g: number): void {
    const last = this.log.lastIndex(g);
    this.progress.reset(g, this.layout.selfIdx[g], last, last);
    this.appendOwn(g, NO_WRITE);
  }

  /**
   * A leader steps down. Writes proposed in its term and not yet acknowledged fail, as etcd's
   * ErrProposalDropped / etcd server's ErrLeaderChanged: the producer hears a refusal, not
   * silence. (Some may be committed nonetheless: a refusal means "not known to be written", as a
   * timeout would.)
   */
  stopLeading(g: number): void {
    const p = this.layout.parts[g];
    const t = this.term[g];
    const last = this.log.lastIndex(g);
    for (let i = this.progress.acked[g] + 1; i <= last; i++) {
      if (this.log.termAt(g, i) !== t) continue;
      const w = this.log.writeIdAt(g, i);
      if (w !== NO_WRITE) this.port.observer.rejected(p, w);
    }
    this.progress.acked[g] = last;
  }

  /** §5.3: the leader appends the command to its log as a new entry, then replicates it. */
  propose(g: number, writeId: number, coalesced: boolean): void {
    this.appendOwn(g, writeId);
    const { rf, self } = this.layout;
    for (let j = 0; j < rf; j++) {
      const r = this.layout.replica(g, j);
      // Coalesced: a silent host gets the entries once it is heard from again (host-level liveness).
      if (r === self || (coalesced && this.port.peerSilent(r))) continue;
      this.sendAppend(g, j, this.progress.next[g * rf + j]);
    }
  }

  /**
   * Appends an entry of the leader's term to its own log (declared). The leader counts itself as
   * storing it once its disk flushed it (leaderLogFlushed), or at once without a disk model; a
   * group of one then commits it.
   */
  private appendOwn(g: number, writeId: number): void {
    const t = this.term[g];
    const index = this.log.append(g, t, writeId);
    this.port.observer.append(this.layout.parts[g], writeId, index - 1, t);
    if (this.port.leaderLogged?.() === true) {
      const u = this.unsynced;
      const k = this.unsyncedCount;
      u[k] = g;
      u[k + 1] = index;
      u[k + 2] = t;
      this.unsyncedCount = k + 3;
      return;
    }
    this.progress.match[g * this.rf + this.layout.selfIdx[g]] = index;
    if (this.rf === 1) {
      this.maybeCommit(g);
      this.maybeAck(g);
    }
  }

  /** The host asks its disk to flush everything this host appended as a leader so far. */
  flushRequested(): void {
    this.flushEnds[this.flushCount++] = this.unsyncedCount;
  }

  /**
   * The oldest requested flush completed: a group still led in the entry's term counts itself as
   * storing it (etcd's self-ack after the leader's own append is durable), which may commit.
   */
  flushed(role: Uint8Array): void {
    const end = this.flushEnds[this.flushHead++];
    const u = this.unsynced;
    for (let i = this.unsyncedHead; i < end; i += 3) {
      const g = u[i];
      const index = u[i + 1];
      const t = u[i + 2];
      const k = g * this.rf + this.layout.selfIdx[g];
      if (role[g] !== LEADER || this.term[g] !== t || index > this.log.lastIndex(g) || this.log.termAt(g, index) !== t || index <= this.progress.match[k]) continue;
      this.progress.match[k] = index;
      this.maybeCommit(g);
      this.maybeAck(g);
    }
    this.unsyncedHead = end;
    if (this.flushHead === this.flushCount) {
      this.flushCount = this.flushHead = 0;
      if (end === this.unsyncedCount) this.unsyncedCount = this.unsyncedHead = 0;
    }
  }

  /** Replica j lacks entries we hold (a leader's question). */
  lagging(g: number, j: number): boolean {
    return this.progress.match[g * this.rf + j] < this.log.lastIndex(g);
  }

  /** §5.3: retransmit to a lagging follower from the entry after its last known match. */
  retransmit(g: number, j: number): void {
    this.sendAppend(g, j, this.progress.match[g * this.rf + j] + 1);
  }

  /** Sends entries from index `from` on to replica j (optimistically advancing next, as etcd's replicate state). */
  sendAppend(g: number, j: number, from: number): void {
    const log = this.log;
    const last = log.lastIndex(g);
    const prev = from - 1;
    const count = Math.min(last - prev, MAX_ENTRIES);
    const r = this.layout.replica(g, j);
    const msg: AppendEntries = {
      type: APPEND,
      p: this.layout.parts[g],
      term: this.term[g],
      gen: this.port.generationTowards(r),
      sentAt: this.port.now(),
      prevIndex: prev,
      prevTerm: log.termAt(g, prev),
      terms: count > 0 ? log.terms(g, from, count) : [],
      writeIds: count > 0 ? log.writeIds(g, from, count) : [],
      commit: this.commit[g],
    };
    if (count > 0) this.progress.next[g * this.rf + j] = prev + count + 1;
    this.port.send(r, msg, APPEND_BYTES + count * ENTRY_BYTES);
  }

  /** An AppendEntriesResponse of our current term from replica j (the caller checked role and term). */
  onAppendResponse(g: number, j: number, m: AppendEntriesResponse): void {
    const pr = this.progress;
    const k = g * this.rf + j;
    if (pr.echo.length > 0 && m.echo > pr.echo[k]) pr.echo[k] = m.echo;
    if (m.success) {
      if (m.index > pr.match[k]) {
        pr.match[k] = m.index;
        if (pr.next[k] <= m.index) pr.next[k] = m.index + 1;
        this.maybeCommit(g);
      }
      this.maybeAck(g);
      return;
    }
    if (m.rejected <= pr.match[k]) return; // stale rejection (etcd's MaybeDecrTo)
    // §5.3: after a rejection, decrement nextIndex (to the follower's hint) and retry.
    const next = Math.max(pr.match[k] + 1, Math.min(m.index + 1, m.rejected));
    this.sendAppend(g, j, next);
  }

  /** A heartbeat answered by replica j echoing our send time `echo` (the ack lease). */
  onHeartbeatEcho(g: number, j: number, echo: number): void {
    const pr = this.progress;
    const k = g * this.rf + j;
    if (pr.echo.length > 0 && echo > pr.echo[k]) {
      pr.echo[k] = echo;
      this.maybeAck(g);
    }
  }

  /**
   * §5.3/§5.4.2: an entry of the leader's current term is committed once a majority stores it
   * (and with it every earlier entry).
   */
  private maybeCommit(g: number): void {
    const n = this.progress.quorumMatch(g, this.layout.majority, this.scratch);
    if (n <= this.commit[g] || this.log.termAt(g, n) !== this.term[g]) return;
    this.port.observer.rule?.(RULE.commitByMajority);
    this.commit[g] = n;
    this.port.observer.commit(this.layout.parts[g], n);
  }

  /**
   * Acknowledges the committed writes of this term (etcd answers a proposal once its entry is
   * committed and applied). With the lab's `ackLease` addition, only while the leader holds a
   * lease (thesis §6.4.1): a majority (counting itself) answered messages it sent less than
   * electionTimeoutMin ago, and with check-quorum those followers refuse votes until then
   * (§4.2.3), so no newer leader can have been elected yet. Without it a write may be
   * acknowledged after a newer leader was elected (a late acknowledgement): safe by Leader
   * Completeness (§5.4.3), the newer leader holds the entry.
   */
  private maybeAck(g: number): void {
    const commit = this.commit[g];
    const acked = this.progress.acked[g];
    if (commit <= acked) return;
    const { rf, majority, selfIdx } = this.layout;
    if (this.o.ackLease && rf > 1) {
      if (!this.progress.leaseHolds(g, selfIdx[g], majority, this.o.electionTimeoutMin, this.port.now(), this.scratch)) return;
    }
    const p = this.layout.parts[g];
    const t = this.term[g];
    for (let i = acked + 1; i <= commit; i++) {
      if (this.log.termAt(g, i) !== t) continue;
      const w = this.log.writeIdAt(g, i);
      if (w !== NO_WRITE) this.port.observer.acknowledged(p, w, t);
    }
    this.progress.acked[g] = commit;
  }

  // ---- follower ----

  /**
   * AppendEntries from our leader of term >= ours (the caller checked the term and reset the
   * election timer): the §5.3 consistency check, then append, replacing a conflicting suffix,
   * then follow the leader's commit index.
   */
  onAppend(g: number, from: HostId, m: AppendEntries): void {
    const log = this.log;
    const last = log.lastIndex(g);
    const t = this.term[g];
    // §5.3 consistency check: our log must contain an entry at prevIndex with prevTerm.
    if (m.prevIndex > last || (m.prevIndex > 0 && log.termAt(g, m.prevIndex) !== m.prevTerm)) {
      this.port.observer.rule?.(RULE.appendMismatch);
      this.replyAppend(from, m.p, t, false, Math.min(last, m.prevIndex - 1), m.prevIndex, m.sentAt);
      return;
    }
    const p = m.p;
    this.port.observer.rule?.(RULE.appendAccepted);
    for (let k = 0; k < m.terms.length; k++) {
      const idx = m.prevIndex + 1 + k;
      if (idx <= log.lastIndex(g)) {
        if (log.termAt(g, idx) === m.terms[k]) continue; // already there (a duplicate or reordered message)
        // §5.3: an existing entry conflicts with a new one: delete it and all that follow.
        this.port.observer.rule?.(RULE.truncateConflict);
        log.truncateAfter(g, idx - 1);
        this.port.durableChanged?.();
        this.port.observer.truncate(p, idx - 1);
      }
      log.append(g, m.terms[k], m.writeIds[k]);
      this.port.durableChanged?.();
      this.port.observer.append(p, m.writeIds[k], idx - 1, m.terms[k]);
    }
    // Figure 2: if leaderCommit > commitIndex, commitIndex = min(leaderCommit, index of last new entry).
    this.followCommit(g, Math.min(m.commit, m.prevIndex + m.terms.length));
    this.replyAppend(from, p, t, true, m.prevIndex + m.terms.length, 0, m.sentAt);
  }

  /** Our leader says entries up to `index` are committed, and our log matches its up to there. */
  followCommit(g: number, leaderCommit: number): void {
    const index = Math.min(leaderCommit, this.log.lastIndex(g));
    if (index <= this.commit[g]) return;
    this.commit[g] = index;
    this.port.observer.commit(this.layout.parts[g], index);
  }

  /** §5.1 / Figure 2: reply false if term < currentTerm (with our term, so the sender steps down). */
  refuseStale(g: number, from: HostId, m: AppendEntries): void {
    this.replyAppend(from, m.p, this.term[g], false, 0, m.prevIndex, -1);
  }

  private replyAppend(to: HostId, p: number, t: number, success: boolean, index: number, rejected: number, echo: number): void {
    const resp: AppendEntriesResponse = { type: APPEND_RESP, p, term: t, success, index, rejected, echo };
    this.port.send(to, resp, APPEND_RESP_BYTES);
  }

  /**
   * Settled start (lab addition, settled.ts): the empty entry of the leader's term at index 1,
   * committed on the leader; its progress as after every follower matched it (next 2, match 1, acked 1).
   */
  settleGroup(g: number, leading: boolean): void {
    const p = this.layout.parts[g];
    const t = this.term[g];
    this.log.append(g, t, NO_WRITE);
    this.port.observer.append(p, NO_WRITE, 0, t);
    if (leading) {
      this.progress.reset(g, this.layout.selfIdx[g], 0, 1);
      for (let j = 0; j < this.rf; j++) {
        this.progress.match[g * this.rf + j] = 1; // the leader's own slot too: its entry is on its disk
        if (this.layout.replica(g, j) === this.layout.self) continue;
        this.progress.next[g * this.rf + j] = 2;
      }
    }
    if (!leading) return; // a follower learns the commit with the next entry (coalesced heartbeats carry none)
    this.commit[g] = 1;
    this.port.observer.commit(p, 1);
  }

  // ---- introspection for tests ----

  writeIdsOf(g: number): number[] {
    return this.log.writeIds(g, 1, this.log.lastIndex(g));
  }
}
