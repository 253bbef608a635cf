/**
 * A leader's view of its followers in one group (etcd's Progress; Figure 2 "volatile state on
 * leaders"): nextIndex and matchIndex per replica, the commit index, how far it acknowledged, and
 * for the lease the latest send time of ours each follower answered. Indexed by replica index;
 * created when a leader's log becomes non-empty, dropped when it stops leading.
 */
export interface Progress {
  readonly next: Int32Array;
  readonly match: Int32Array;
  /** Latest send time of ours each follower answered as our follower (lease, check-quorum only). */
  readonly echo: Float64Array;
  /** Raft's commit index (§5.3). */
  commit: number;
  /** Entries up to here were acknowledged (or are not ours to acknowledge). */
  acked: number;
}

export function newProgress(rf: number, next: number): Progress {
  return {
    next: new Int32Array(rf).fill(next),
    match: new Int32Array(rf),
    echo: new Float64Array(rf).fill(-Infinity),
    commit: 0,
    acked: 0,
  };
}

/**
 * The highest index a majority of the group stores (§5.3: matchIndex of a majority), counting
 * ourselves as holding `last`. `scratch` has rf slots.
 */
export function quorumMatch(pr: Progress, selfIdx: number, last: number, majority: number, scratch: Float64Array): number {
  const rf = scratch.length;
  for (let j = 0; j < rf; j++) scratch[j] = j === selfIdx ? last : pr.match[j];
  scratch.sort();
  return scratch[rf - majority];
}

/**
 * Thesis §6.4.1: the leader holds a lease while a majority (counting itself) answered messages it
 * sent less than `leaseMs` ago. Returns whether the lease holds at `now`.
 */
export function leaseHolds(pr: Progress, selfIdx: number, majority: number, leaseMs: number, now: number, scratch: Float64Array): boolean {
  const rf = scratch.length;
  for (let j = 0; j < rf; j++) scratch[j] = j === selfIdx ? Infinity : pr.echo[j];
  scratch.sort();
  // The majority-th largest, counting ourselves as the largest.
  return scratch[rf - majority] + leaseMs > now;
}
