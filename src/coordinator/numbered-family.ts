/**
 * A numbered family of restored znodes (lab representation, not a ZooKeeper behaviour): the
 * persistent children parent/0 .. parent/(count-1) of a restored parent, each with its own data
 * and, optionally, one persistent child of a fixed name with its own data (Kafka's
 * /brokers/topics/T/partitions/N and its `state`), kept as two arrays of values instead of a
 * Znode and a path per member. The tree (tree.ts) turns a member into an ordinary Znode the first
 * time any operation looks its path up, and from then on its table is authoritative for that path
 * (a deleted member does not come back); what clients observe is exactly what the creates in
 * restore order would have left.
 *
 * Why: a settled kafka-controller start at 1M partitions restored 2M znodes (2M objects of 104
 * bytes, 2M path strings, 2M inserts into a 4M-slot index, each a cache miss at that size) of
 * which a run that crashes the busiest leader touches ~30k (docs/performance.md, stop 31).
 *
 * The stats are those of creates in this order, one zxid each, from `firstZxid`: member 0, its
 * child, member 1, its child, ... (member k's czxid is firstZxid + k * step, step 2 with a child
 * and 1 without; its child's the next one). The values are kept by reference, as the tree keeps
 * data, and are never computed later from the restorer's state (which a run may change).
 */
export class NumberedFamily {
  /** The parent's path followed by "/": a member's path is this and its decimal index. */
  readonly prefix: string;
  /** zxids per member: 2 with a child, 1 without. */
  readonly step: number;
  /**
   * Per index: MEMBER once the member's path has been looked up (it is in the tree's table, or
   * was deleted from it), CHILD the same for its child.
   */
  private readonly taken: Uint8Array;
  /** Members and children not yet turned into Znodes. */
  pending: number;

  constructor(
    readonly parentPath: string,
    readonly count: number,
    private readonly data: readonly unknown[],
    /** The child's name under each member, or null: members without a child. */
    readonly childName: string | null,
    private readonly childData: readonly unknown[] | null,
    readonly firstZxid: number,
  ) {
    if (data.length !== count || (childName !== null && childData?.length !== count)) throw new Error(`numbered family ${parentPath}: one value per member expected`);
    if (parentPath === "/" || parentPath.endsWith("/")) throw new Error(`numbered family ${parentPath}: the parent must be a znode below the root`);
    this.prefix = parentPath + "/";
    this.step = childName === null ? 1 : 2;
    this.taken = new Uint8Array(count);
    this.pending = count * this.step;
  }

  /** The zxid that created member `k` (its child's is the next one). */
  zxidOf(k: number): number {
    return this.firstZxid + k * this.step;
  }

  /** The zxid of the last member's create: the parent's pzxid after the restore. */
  get lastMemberZxid(): number {
    return this.zxidOf(this.count - 1);
  }

  memberData(k: number): unknown {
    return this.data[k];
  }

  childDataOf(k: number): unknown {
    return (this.childData as readonly unknown[])[k];
  }

  /**
   * The member index that `path`'s characters [from, to) name (a decimal number without leading
   * zeros, below count), or -1: the only names the eager creates would have made.
   */
  indexIn(path: string, from: number, to: number): number {
    const n = to - from;
    if (n <= 0 || n > 15 || (n > 1 && path.charCodeAt(from) === 48)) return -1;
    let k = 0;
    for (let i = from; i < to; i++) {
      const d = path.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      k = k * 10 + d;
    }
    return k < this.count ? k : -1;
  }

  /** Marks member `k` looked up; false if it was already (the tree's table answers for it). */
  takeMember(k: number): boolean {
    return this.take(k, MEMBER);
  }

  /** Marks member `k`'s child looked up; false if it was already. */
  takeChild(k: number): boolean {
    return this.take(k, CHILD);
  }

  /** Whether member `k` (or, with `child`, its child) has not been looked up yet. */
  isPending(k: number, child: boolean): boolean {
    return (this.taken[k] & (child ? CHILD : MEMBER)) === 0;
  }

  /** The members' names ("0", "1", ...) in index order (getChildren of the parent, which need not list the paths). */
  memberNames(): string[] {
    const out = new Array<string>(this.count);
    for (let k = 0; k < this.count; k++) out[k] = String(k);
    return out;
  }

  /** The members' paths in index order (the parent's children once they must be listed). */
  memberPaths(): string[] {
    const out = new Array<string>(this.count);
    for (let k = 0; k < this.count; k++) out[k] = this.prefix + k;
    return out;
  }

  private take(k: number, bit: number): boolean {
    const t = this.taken[k];
    if ((t & bit) !== 0) return false;
    this.taken[k] = t | bit;
    this.pending--;
    return true;
  }
}

const MEMBER = 1;
const CHILD = 2;
