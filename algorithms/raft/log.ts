/**
 * A group's Raft log (Figure 2 "log[]", durable). Entries carry no payload, only the term they
 * were created in and the producer's write id. Index i (1-based, as the paper) is terms[i-1].
 * Logs exist only for groups that ever held an entry: a million idle groups cost nothing here.
 */
export interface GroupLog {
  readonly terms: number[];
  readonly writeIds: number[];
}

export function lastIndexOf(log: GroupLog | undefined): number {
  return log === undefined ? 0 : log.terms.length;
}

export function lastTermOf(log: GroupLog | undefined): number {
  return log === undefined || log.terms.length === 0 ? 0 : log.terms[log.terms.length - 1];
}

/** Term of the entry at `index` (0 for index 0, the empty prefix). */
export function termAt(log: GroupLog | undefined, index: number): number {
  return index === 0 || log === undefined ? 0 : log.terms[index - 1];
}
