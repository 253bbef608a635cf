/**
 * Log replication (§5.3), commitment (§5.4.2) and acknowledgement for every group of one host:
 * the leader's side (append a proposal, send AppendEntries, count matches, commit, acknowledge)
 * and the follower's (consistency check, truncate a conflicting suffix, append, reply).
 *
 * Part of the pure core: the role checks (is this from our leader, is our term current) are the
 * caller's (raft-core.ts); this file owns the logs and the leaders' Progress.
 */
import type { DurableStore, HostId } from "../../src/elector/api.ts";
import type { GroupLayout } from "./layout.ts";
import { lastIndexOf, lastTermOf, type GroupLog } from "./log.ts";
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
import { leaseHolds, newProgress, quorumMatch, type Progress } from "./progress.ts";

/** Entries per AppendEntries (etcd's MaxSizePerMsg, in entries). */
const MAX_ENTRIES = 64;

export class Replication {
  /** Durable logs, by local group index (absent: empty). */
  private readonly logs: Map<number, GroupLog>;
  /** Leaders' progress, by local group index; exists once a leader's log is non-empty. */
  private readonly progress = new Map<number, Progress>();
  private readonly scratch: Float64Array;

  constructor(
    private readonly layout: GroupLayout,
    /** The core's currentTerm per group (read only here). */
    private readonly term: Int32Array,
    private readonly port: RaftPort,
    private readonly o: RaftOptions,
    durable: DurableStore,
  ) {
    let logs = durable.get<Map<number, GroupLog>>("raft.log");
    if (logs === undefined) {
      logs = new Map();
      durable.set("raft.log", logs);
    }
    this.logs = logs;
    this.scratch = new Float64Array(layout.rf);
  }

  lastIndex(g: number): number {
    return lastIndexOf(this.logs.get(g));
  }

  lastTerm(g: number): number {
    return lastTermOf(this.logs.get(g));
  }

  /** §5.4.1 election restriction: a candidate's log is at least as up-to-date as ours (last term, then index). */
  upToDate(g: number, lastTerm: number, lastIndex: number): boolean {
    const log = this.logs.get(g);
    const myIndex = lastIndexOf(log);
    const myTerm = lastTermOf(log);
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= myIndex);
  }

  // ---- leader ----

  /** A new leader's progress (next = last + 1, optimistic as etcd), or undefined while its log is empty. */
  startLeading(g: number): Progress | undefined {
    const last = this.lastIndex(g);
    return last > 0 ? this.createProgress(g, last + 1) : undefined;
  }

  /**
   * A leader steps down. Writes proposed in its term and not yet acknowledged fail, as etcd's
   * ErrProposalDropped / etcd server's ErrLeaderChanged: the producer hears a refusal, not
   * silence. (Some may be committed nonetheless: a refusal means "not known to be written", as a
   * timeout would.)
   */
  stopLeading(g: number): void {
    const pr = this.progress.get(g);
    if (pr === undefined) return;
    const log = this.logs.get(g)!;
    const p = this.layout.parts[g];
    const t = this.term[g];
    for (let i = pr.acked + 1; i <= log.terms.length; i++) {
      if (log.terms[i - 1] === t) this.port.observer.rejected(p, log.writeIds[i - 1]);
    }
    this.progress.delete(g);
  }

  /** §5.3: the leader appends the command to its log as a new entry, then replicates it. */
  propose(g: number, writeId: number, coalesced: boolean): void {
    let log = this.logs.get(g);
    if (log === undefined) {
      log = { terms: [], writeIds: [] };
      this.logs.set(g, log);
    }
    log.terms.push(this.term[g]);
    log.writeIds.push(writeId);
    const pr = this.progress.get(g) ?? this.createProgress(g, 1);
    const { rf, self } = this.layout;
    if (rf === 1) {
      this.maybeCommit(g, pr, log);
      this.maybeAck(g, pr, log);
      return;
    }
    for (let j = 0; j < rf; j++) {
      const r = this.layout.replica(g, j);
      // Coalesced: a silent host gets the entries once it is heard from again (host-level liveness).
      if (r === self || (coalesced && this.port.peerSilent(r))) continue;
      this.sendAppend(g, j, pr.next[j]);
    }
  }

  /** Replica j has entries we hold and it does not (a leader with a non-empty log). */
  lagging(g: number, j: number): boolean {
    const pr = this.progress.get(g);
    return pr !== undefined && pr.match[j] < this.logs.get(g)!.terms.length;
  }

  /** §5.3: retransmit to a lagging follower from the entry after its last known match. */
  retransmit(g: number, j: number): void {
    this.sendAppend(g, j, this.progress.get(g)!.match[j] + 1);
  }

  /** Sends entries from index `from` on to replica j (optimistically advancing next, as etcd's replicate state). */
  sendAppend(g: number, j: number, from: number): void {
    const pr = this.progress.get(g)!;
    const log = this.logs.get(g)!;
    const last = log.terms.length;
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
      prevTerm: prev > 0 ? log.terms[prev - 1] : 0,
      terms: count > 0 ? log.terms.slice(prev, prev + count) : [],
      writeIds: count > 0 ? log.writeIds.slice(prev, prev + count) : [],
    };
    if (count > 0) pr.next[j] = prev + count + 1;
    this.port.send(r, msg, APPEND_BYTES + count * ENTRY_BYTES);
  }

  /** An AppendEntriesResponse of our current term from replica j (the caller checked role and term). */
  onAppendResponse(g: number, j: number, m: AppendEntriesResponse): void {
    const pr = this.progress.get(g);
    if (pr === undefined) return;
    const log = this.logs.get(g)!;
    if (m.echo > pr.echo[j]) pr.echo[j] = m.echo;
    if (m.success) {
      if (m.index > pr.match[j]) {
        pr.match[j] = m.index;
        if (pr.next[j] <= m.index) pr.next[j] = m.index + 1;
        this.maybeCommit(g, pr, log);
      }
      this.maybeAck(g, pr, log);
      return;
    }
    if (m.rejected <= pr.match[j]) return; // stale rejection (etcd's MaybeDecrTo)
    // §5.3: after a rejection, decrement nextIndex (to the follower's hint) and retry.
    const next = Math.max(pr.match[j] + 1, Math.min(m.index + 1, m.rejected));
    this.sendAppend(g, j, next);
  }

  /** A heartbeat answered by replica j echoing our send time `echo` (the lease, check-quorum). */
  onHeartbeatEcho(g: number, j: number, echo: number): void {
    const pr = this.progress.get(g);
    if (pr !== undefined && echo > pr.echo[j]) {
      pr.echo[j] = echo;
      this.maybeAck(g, pr, this.logs.get(g)!);
    }
  }

  /**
   * §5.3/§5.4.2: an entry of the leader's current term is committed once a majority stores it
   * (and with it every earlier entry); only then is the producer's write acknowledged.
   */
  private maybeCommit(g: number, pr: Progress, log: GroupLog): void {
    const n = quorumMatch(pr, this.layout.selfIdx[g], log.terms.length, this.layout.majority, this.scratch);
    if (n <= pr.commit || log.terms[n - 1] !== this.term[g]) return;
    pr.commit = n;
  }

  /**
   * Acknowledges the committed writes of this term. With check-quorum, only while the leader
   * holds a lease (thesis §6.4.1): a majority (counting itself) answered messages it sent less
   * than electionTimeoutMin ago, and those followers refuse votes until then (§4.2.3), so no
   * newer leader can have been elected yet. Without it, Raft acknowledges at commit: safe by
   * Leader Completeness (§5.4.3) — the newer leader holds the entry — but possibly after a newer
   * leader was elected (see README.md).
   */
  private maybeAck(g: number, pr: Progress, log: GroupLog): void {
    if (pr.commit <= pr.acked) return;
    const { rf, majority, selfIdx } = this.layout;
    if (this.o.checkQuorum && rf > 1) {
      if (!leaseHolds(pr, selfIdx[g], majority, this.o.electionTimeoutMin, this.port.now(), this.scratch)) return;
    }
    const p = this.layout.parts[g];
    const t = this.term[g];
    for (let i = pr.acked + 1; i <= pr.commit; i++) {
      if (log.terms[i - 1] === t) this.port.observer.acknowledged(p, log.writeIds[i - 1], t);
    }
    pr.acked = pr.commit;
  }

  private createProgress(g: number, next: number): Progress {
    const pr = newProgress(this.layout.rf, next);
    this.progress.set(g, pr);
    return pr;
  }

  // ---- follower ----

  /**
   * AppendEntries from our leader of term >= ours (the caller checked the term and reset the
   * election timer): the §5.3 consistency check, then append, replacing a conflicting suffix.
   */
  onAppend(g: number, from: HostId, m: AppendEntries): void {
    let log = this.logs.get(g);
    const last = lastIndexOf(log);
    const t = this.term[g];
    // §5.3 consistency check: our log must contain an entry at prevIndex with prevTerm.
    if (m.prevIndex > last || (m.prevIndex > 0 && log!.terms[m.prevIndex - 1] !== m.prevTerm)) {
      this.replyAppend(from, m.p, t, false, Math.min(last, m.prevIndex - 1), m.prevIndex, m.sentAt);
      return;
    }
    if (m.terms.length > 0) {
      if (log === undefined) {
        log = { terms: [], writeIds: [] };
        this.logs.set(g, log);
      }
      for (let k = 0; k < m.terms.length; k++) {
        const idx = m.prevIndex + 1 + k;
        if (idx <= log.terms.length) {
          if (log.terms[idx - 1] === m.terms[k]) continue; // already there (a duplicate or reordered message)
          // §5.3: an existing entry conflicts with a new one: delete it and all that follow.
          log.terms.length = idx - 1;
          log.writeIds.length = idx - 1;
        }
        log.terms.push(m.terms[k]);
        log.writeIds.push(m.writeIds[k]);
      }
    }
    this.replyAppend(from, m.p, t, true, m.prevIndex + m.terms.length, 0, m.sentAt);
  }

  /** §5.1 / Figure 2: reply false if term < currentTerm (with our term, so the sender steps down). */
  refuseStale(g: number, from: HostId, m: AppendEntries): void {
    this.replyAppend(from, m.p, this.term[g], false, 0, m.prevIndex, -1);
  }

  private replyAppend(to: HostId, p: number, t: number, success: boolean, index: number, rejected: number, echo: number): void {
    const resp: AppendEntriesResponse = { type: APPEND_RESP, p, term: t, success, index, rejected, echo };
    this.port.send(to, resp, APPEND_RESP_BYTES);
  }

  // ---- introspection for tests ----

  writeIdsOf(g: number): readonly number[] {
    return this.logs.get(g)?.writeIds ?? [];
  }
}
