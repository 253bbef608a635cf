/**
 * A per-group number (zero until written) kept in page-sized chunks made on the first nonzero
 * write: a read of a chunk never made is 0, a write of +0 to one is skipped. Why: on the lab's VMs
 * the first read or write of a page of fresh memory costs a page fault, and a failover makes a few
 * hundred groups of a host elect, spread over all its groups. An election reads a group's last
 * zxid and, on a new leader, its log's length and commit count; as flat arrays (30k groups a host
 * at 1M partitions) those reads touched nearly every page of them on every host, though almost no
 * group had logged anything (~7k page faults fewer in a 1M cell's run). Values are exact doubles.
 * A chunk, once made, stays (a structural digest tells a chunk of zeros from none: equal values,
 * different digests, which only costs the explorer a repeated state).
 */
const SHIFT = 9; // 512 doubles: one 4 KiB page a chunk
const MASK = (1 << SHIFT) - 1;

export class PageChunks {
  private readonly chunks: (Float64Array | undefined)[];

  constructor(readonly length: number) {
    this.chunks = new Array<Float64Array | undefined>((length + MASK) >> SHIFT).fill(undefined);
  }

  get(i: number): number {
    const c = this.chunks[i >> SHIFT];
    return c === undefined ? 0 : c[i & MASK];
  }

  set(i: number, v: number): void {
    let c = this.chunks[i >> SHIFT];
    if (c === undefined) {
      if (Object.is(v, 0)) return; // what a chunk never made reads already
      c = this.chunks[i >> SHIFT] = new Float64Array(1 << SHIFT);
    }
    c[i & MASK] = v;
  }
}
