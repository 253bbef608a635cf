/**
 * Leaders' view of their followers (etcd's Progress; Figure 2 "volatile state on leaders"), for
 * every group of one host in typed arrays indexed by g * rf + replica index: nextIndex,
 * matchIndex, and (lease) the latest send time of ours each follower answered. Reset when a
 * replica becomes leader; meaningless otherwise. No object per group: a million groups each have
 * a leader.
 */
export class ProgressTable {
  readonly next: Int32Array;
  readonly match: Int32Array;
  /** Latest send time of ours each follower answered as our follower (lease; empty without it). */
  readonly echo: Float64Array;
  /** Entries up to here were acknowledged (or are not ours to acknowledge). */
  readonly acked: Int32Array;

  constructor(
    groups: number,
    private readonly rf: number,
    withLease: boolean,
  ) {
    this.next = new Int32Array(groups * rf);
    this.match = new Int32Array(groups * rf);
    this.echo = new Float64Array(withLease ? groups * rf : 0);
    this.acked = new Int32Array(groups);
  }

  /**
   * A new leader: next = last + 1 for everyone (optimistic, as etcd), nothing matched but its own
   * log (stored before it campaigned), nothing answered.
   */
  reset(g: number, selfIdx: number, last: number, acked: number): void {
    const base = g * this.rf;
    for (let j = 0; j < this.rf; j++) {
      this.next[base + j] = last + 1;
      this.match[base + j] = j === selfIdx ? last : 0;
      if (this.echo.length > 0) this.echo[base + j] = -Infinity;
    }
    this.acked[g] = acked;
  }

  /**
   * The highest index a majority of the group stores (§5.3: matchIndex of a majority), the
   * leader's own slot holding what its disk has (etcd's self-progress). `scratch` has rf slots.
   */
  quorumMatch(g: number, majority: number, scratch: Float64Array): number {
    const base = g * this.rf;
    for (let j = 0; j < this.rf; j++) scratch[j] = this.match[base + j];
    sortSmall(scratch, this.rf);
    return scratch[this.rf - majority];
  }

  /**
   * Thesis §6.4.1: the leader holds a lease while a majority (counting itself) answered messages it
   * sent less than `leaseMs` ago.
   */
  leaseHolds(g: number, selfIdx: number, majority: number, leaseMs: number, now: number, scratch: Float64Array): boolean {
    const base = g * this.rf;
    for (let j = 0; j < this.rf; j++) scratch[j] = j === selfIdx ? Infinity : this.echo[base + j];
    sortSmall(scratch, this.rf);
    // The majority-th largest, counting ourselves as the largest.
    return scratch[this.rf - majority] + leaseMs > now;
  }
}

/**
 * Sorts the first n (a replication factor) values ascending by insertion: the same order as
 * Float64Array's sort for these values (no NaN), without a builtin call per commit check (~1% of
 * a raft:paper property run).
 */
function sortSmall(a: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}
