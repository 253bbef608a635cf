/**
 * Lost acknowledged writes and divergence, judged from the client history and the replica state
 * electors declared (Observer.append / truncate / commit), as Jepsen's checkers judge a final read
 * (docs/metrics.md):
 *  - a replica's *final log* replays its appends and truncations; its *committed prefix* is the
 *    first min(last declared commit count, final log length) entries;
 *  - a partition's *final committed log* is the longest committed prefix among the replicas that
 *    are not crashed at the end (ties: the first in replica order); no live replica: not judged;
 *  - *lost acknowledged write*: a write the client got an ok for whose id is not in its partition's
 *    final committed log;
 *  - *divergence*: two replicas (crashed ones too: logs are durable) whose committed prefixes hold
 *    different entries (write id or epoch) at some position both have committed.
 * Log entries are grouped by partition first (counting sort over the log), so a million
 * partitions cost a few typed arrays and one replay buffer per replica.
 */
import { Outcome, type History } from "../record/history.ts";
import { Obs, type ObservationLog } from "../record/observation-log.ts";
import { FinalStatus, type SafetyRecord } from "../record/run-record.ts";
import { Slot, type Scratch } from "./scratch.ts";
import { FINDINGS_PER_GRADE } from "./split-brain.ts";
import type { DataFinding, DataMetrics, DivergenceFinding, LostWriteFinding } from "./metrics.ts";

const isReplicaState = (k: number): boolean => k === Obs.Append || k === Obs.Truncate || k === Obs.Commit;

/**
 * Indices of the replica-state records (Append, Truncate, Commit), grouped by partition (CSR:
 * partition p owns idx[start[p] .. start[p+1]-1], in log order), and whether the log has an Append
 * or a Commit at all (the data grades are measured). The kind is read first: a settled
 * start's millions of declarations are passed over without reading their partitions, and the second
 * pass covers only the span from the first such record to the last.
 */
function groupReplicaState(log: ObservationLog, partitions: number, scratch?: Scratch): { start: Int32Array; idx: Int32Array; measured: boolean } {
  const { kind, partition } = log;
  const n = log.length;
  const start = scratch?.int32(Slot.StateStart, partitions + 1) ?? new Int32Array(partitions + 1);
  let from = n;
  let to = 0;
  let measured = false;
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (!isReplicaState(k)) continue;
    if (k !== Obs.Truncate) measured = true;
    const p = partition[i];
    if (!(p >= 0 && p < partitions)) continue;
    start[p + 1]++;
    if (i < from) from = i;
    to = i + 1;
  }
  for (let p = 0; p < partitions; p++) start[p + 1] += start[p];
  const idx = scratch?.int32(Slot.StateIndex, start[partitions], false) ?? new Int32Array(start[partitions]); // every element written
  // start[p] serves as partition p's cursor (no second P-sized array), then is shifted back.
  for (let i = from; i < to; i++) {
    if (!isReplicaState(kind[i])) continue;
    const p = partition[i];
    if (p >= 0 && p < partitions) idx[start[p]++] = i;
  }
  start.copyWithin(1, 0, partitions);
  start[0] = 0;
  return { start, idx, measured };
}

/** Rows of the history grouped by partition (CSR: partition p owns rows[start[p] .. start[p+1]-1], in invocation order). */
export interface HistoryByPartition {
  readonly start: Int32Array;
  readonly rows: Int32Array;
}

/** Rows of the history grouped by partition (CSR, in invocation order); `scratch`: the judge's (scratch.ts), valid until its judgement returns. */
export function historyByPartition(history: History, partitions: number, scratch?: Scratch): HistoryByPartition {
  const start = scratch?.int32(Slot.HistoryStart, partitions + 1) ?? new Int32Array(partitions + 1);
  for (let r = 0; r < history.length; r++) start[history.partition[r] + 1]++;
  for (let p = 0; p < partitions; p++) start[p + 1] += start[p];
  const rows = scratch?.int32(Slot.HistoryRows, history.length, false) ?? new Int32Array(history.length); // every element written
  for (let r = 0; r < history.length; r++) rows[start[history.partition[r]]++] = r;
  start.copyWithin(1, 0, partitions);
  start[0] = 0;
  return { start, rows };
}

/**
 * One replica's replayed log, reused across partitions. Its length is kept apart from the arrays':
 * setting an array's length is a slow call and, to 0, frees its storage, so resetting three replicas
 * per partition reallocated six arrays per partition (a million partitions that all declare state:
 * raft's judge at 1M spent more time there than anywhere else). Entries at `length` and beyond are
 * left over from an earlier partition and never read.
 */
class ReplicaLog {
  writes: (number | undefined)[] = [];
  epochs: (number | undefined)[] = [];
  length = 0;
  commit = 0;
  declared = false;
  reset(): void {
    this.length = 0;
    this.commit = 0;
    this.declared = false;
  }
  /** Entry `at` (dropping any from `at` on first); a gap before it reads as missing (undefined). */
  append(at: number, writeId: number, epoch: number): void {
    if (at < this.length) this.length = at;
    for (let pos = this.length; pos < at; pos++) {
      this.writes[pos] = undefined;
      this.epochs[pos] = undefined;
    }
    this.writes[at] = writeId;
    this.epochs[at] = epoch;
    this.length = at + 1;
  }
  truncate(at: number): void {
    if (at < this.length) this.length = at;
  }
  /** Whether write `w` is in the log at or after `from`. */
  holds(w: number, from: number): boolean {
    for (let pos = from; pos < this.length; pos++) if (this.writes[pos] === w) return true;
    return false;
  }
  get committed(): number {
    return Math.min(this.commit, this.length);
  }
}

/**
 * `byPartition`: the history already grouped (judgeSafety groups it once for this and the client-side
 * grade); `scratch`: the judge's working arrays (scratch.ts).
 */
export function judgeData(record: SafetyRecord, byPartition?: HistoryByPartition, scratch?: Scratch): DataMetrics {
  const { log, history, cluster, finalStatus } = record;
  const partitions = cluster.partitions;
  const rf = cluster.replicationFactor;
  const { kind: kinds } = log;
  let acknowledged = 0;
  for (let r = 0; r < history.length; r++) if (history.outcome[r] === Outcome.Ok) acknowledged++;
  // Whether any replica state was declared comes from the grouping's pass (a scan of its own for the
  // first Append read ~3M records at 1M: a settled start's declarations come first).
  const state = groupReplicaState(log, partitions, scratch);
  if (!state.measured) {
    return {
      measured: false,
      acknowledged,
      lostWrites: { count: null, partitions: null },
      divergence: { count: null, partitions: null },
      unjudgedPartitions: null,
      findings: [],
    };
  }

  const writes = byPartition ?? historyByPartition(history, partitions, scratch);
  const replicas = Array.from({ length: rf }, () => new ReplicaLog());
  const lost: LostWriteFinding[] = [];
  const diverged: DivergenceFinding[] = [];
  let lostCount = 0;
  let lostPartitions = 0;
  let divergenceCount = 0;
  let divergencePartitions = 0;
  let unjudged = 0;

  // Locals, not fields read per partition (a million iterations at 1M; as judge.ts's loops, stop 34).
  const { start: writeStart, rows: writeRows } = writes;
  const { start: stateStart, idx: stateIdx } = state;
  const outcome = history.outcome;
  for (let p = 0; p < partitions; p++) {
    let hasOk = false;
    for (let k = writeStart[p]; k < writeStart[p + 1] && !hasOk; k++) hasOk = outcome[writeRows[k]] === Outcome.Ok;
    if (!hasOk && stateStart[p] === stateStart[p + 1]) continue;

    for (const r of replicas) r.reset();
    for (let k = stateStart[p]; k < stateStart[p + 1]; k++) {
      const i = stateIdx[k];
      const j = cluster.replicaIndex(p, log.host[i]);
      if (j < 0) continue; // a host that does not replicate p holds no replica of it
      const r = replicas[j];
      r.declared = true;
      const kind = log.kind[i];
      if (kind === Obs.Append) r.append(log.a[i], log.b[i], log.c[i]);
      else if (kind === Obs.Truncate) r.truncate(log.a[i]);
      else {
        r.commit = log.a[i];
      }
    }

    // Divergence: every pair of replicas that declared state.
    let partitionDiverged = false;
    for (let x = 0; x < rf; x++) {
      for (let y = x + 1; y < rf; y++) {
        const a = replicas[x];
        const b = replicas[y];
        if (!a.declared || !b.declared) continue;
        const n = Math.min(a.committed, b.committed);
        for (let pos = 0; pos < n; pos++) {
          if (a.writes[pos] === b.writes[pos] && a.epochs[pos] === b.epochs[pos]) continue;
          divergenceCount++;
          partitionDiverged = true;
          if (diverged.length < FINDINGS_PER_GRADE) {
            diverged.push({
              grade: "divergence",
              partition: p,
              hosts: [cluster.replica(p, x), cluster.replica(p, y)],
              position: pos,
              writeIds: [a.writes[pos] ?? -1, b.writes[pos] ?? -1],
              epochs: [a.epochs[pos] ?? -1, b.epochs[pos] ?? -1],
              committed: [a.committed, b.committed],
            });
          }
          break;
        }
      }
    }
    if (partitionDiverged) divergencePartitions++;
    if (!hasOk) continue;

    // The final committed log: the longest committed prefix of a replica that is not crashed.
    let holder = -1;
    let live = 0;
    for (let j = 0; j < rf; j++) {
      if (finalStatus[cluster.replica(p, j)] === FinalStatus.Crashed) continue;
      live++;
      if (replicas[j].declared && (holder < 0 || replicas[j].committed > replicas[holder].committed)) holder = j;
    }
    if (live === 0) {
      unjudged++;
      continue;
    }
    const finalLog = new Set<number | undefined>();
    if (holder >= 0) {
      const h = replicas[holder];
      for (let pos = 0; pos < h.committed; pos++) finalLog.add(h.writes[pos]);
    }
    let partitionLost = false;
    for (let k = writes.start[p]; k < writes.start[p + 1]; k++) {
      const row = writes.rows[k];
      if (history.outcome[row] !== Outcome.Ok || finalLog.has(history.writeId[row])) continue;
      lostCount++;
      partitionLost = true;
      if (lost.length >= FINDINGS_PER_GRADE) continue;
      const w = history.writeId[row];
      const heldUncommittedBy: number[] = [];
      for (let j = 0; j < rf; j++) {
        const r = replicas[j];
        if (r.holds(w, r.committed)) heldUncommittedBy.push(cluster.replica(p, j));
      }
      lost.push({
        grade: "lost-write",
        partition: p,
        writeId: w,
        acknowledgedBy: history.answeredBy[row],
        epoch: -1,
        invokedAt: history.invokeAt[row],
        acknowledgedAt: history.completeAt[row],
        finalLog: holder < 0 ? { host: -1, length: 0 } : { host: cluster.replica(p, holder), length: replicas[holder].committed },
        heldUncommittedBy,
      });
    }
    if (partitionLost) lostPartitions++;
  }

  // The epoch each reported lost write was acknowledged in, from the acknowledging host's declaration.
  if (lost.length > 0) {
    const wanted = new Map<number, number>(lost.map((f, i) => [f.writeId, i]));
    const found: LostWriteFinding[] = lost.slice();
    for (let i = 0, length = log.length; i < length; i++) {
      if (kinds[i] !== Obs.Ack) continue;
      const n = wanted.get(log.b[i]);
      if (n === undefined || log.host[i] !== lost[n].acknowledgedBy || found[n].epoch !== -1) continue;
      found[n] = { ...found[n], epoch: log.a[i] };
    }
    lost.splice(0, lost.length, ...found);
  }

  const findings: DataFinding[] = [...lost.sort((f, g) => f.acknowledgedAt - g.acknowledgedAt), ...diverged];
  return {
    measured: true,
    acknowledged,
    lostWrites: { count: lostCount, partitions: lostPartitions },
    divergence: { count: divergenceCount, partitions: divergencePartitions },
    unjudgedPartitions: unjudged,
    findings,
  };
}
