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
 * Ephemeral families (stop 32: the naive race's /leaders/<p>, ZnodeTree.createEphemeralNumbered):
 * members without a child, each owned by a session (an Int32Array of session ids; the data may be
 * given per owner) and data-watched by a few sessions restored with them (the flat host array
 * RestoredFamilyWatchers names, kept by reference). A member looked up takes its watchers with it
 * onto its Znode; a watcher whose connection closes leaves the members not looked up (dropWatcher);
 * the clients read the same host array for their side of those watches (watch-set.ts). At 1M
 * partitions: no 1M Znodes, paths and index entries, no 3M server and 3M client watch entries
 * (docs/performance.md, stop 32).
 *
 * The parent's children stay counted while it holds the family: members removed and children
 * added later are kept beside the count (childCount, removeMember, added), never listed as paths.
 *
 * The stats are those of creates in this order, one zxid each, from `firstZxid`: member 0, its
 * child, member 1, its child, ... (member k's czxid is firstZxid + k * step, step 2 with a child
 * and 1 without; its child's the next one). The values are kept by reference, as the tree keeps
 * data, and are never computed later from the restorer's state (which a run may change).
 */
import type { Session } from "./sessions.ts";

/**
 * An ephemeral family's restored data watches (createEphemeralNumbered): member k is watched by
 * the sessions of hosts[k * perMember .. (k + 1) * perMember), in that order (the order the
 * watches were set), each host at most once per member.
 */
export interface RestoredFamilyWatchers {
  readonly perMember: number;
  readonly hosts: Int32Array;
  /** Per host, its session (the one that set the watches). */
  readonly sessions: readonly Session[];
}

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
    /** Per member, its owner's session id (an ephemeral family), or null: persistent members. */
    private readonly owners: Int32Array | null = null,
    watchers: RestoredFamilyWatchers | null = null,
    /** Whether `data` holds a value per owner (by session id), not per member: member k holds data[owners[k]]. */
    private readonly dataByOwner = false,
  ) {
    if (owners !== null && (childName !== null || owners.length !== count)) throw new Error(`numbered family ${parentPath}: ephemeral members have an owner each and no child`);
    if (watchers !== null && (owners === null || watchers.hosts.length !== count * watchers.perMember)) throw new Error(`numbered family ${parentPath}: watchers restored on ephemeral members only, perMember per member`);
    if ((dataByOwner ? owners === null : data.length !== count) || (childName !== null && childData?.length !== count)) throw new Error(`numbered family ${parentPath}: one value per member expected`);
    if (parentPath === "/" || parentPath.endsWith("/")) throw new Error(`numbered family ${parentPath}: the parent must be a znode below the root`);
    this.prefix = parentPath + "/";
    this.step = childName === null ? 1 : 2;
    this.taken = new Uint8Array(count);
    this.pending = count * this.step;
    if (watchers !== null) {
      this.watchHosts = watchers.hosts;
      this.perMember = watchers.perMember;
      this.watcherOf = watchers.sessions.slice();
      this.pendingWatches = new Int32Array(watchers.sessions.length);
      const hosts = watchers.hosts;
      const w = watchers.perMember;
      for (let i = 0; i < hosts.length; i++) {
        const h = hosts[i];
        if (!(h >= 0 && h < this.watcherOf.length)) throw new Error(`numbered family ${parentPath}: watcher ${h} has no session`);
        for (let j = i - (i % w); j < i; j++) if (hosts[j] === h) throw new Error(`numbered family ${parentPath}: member ${(i - (i % w)) / w} watched twice by ${h}`);
        this.pendingWatches[h]++;
      }
      this.watchesPending = hosts.length;
    }
  }

  /**
   * Restored data watches (an ephemeral family with watchers; lab representation, as the members):
   * per member `perMember` hosts (`watchHosts`), whose sessions are `watcherOf[host]`, null once
   * that session's restored watches went with its connection (dropWatcher). Watches on members not
   * looked up yet: per host (`pendingWatches`) and in all (`watchesPending`).
   */
  private readonly watchHosts: Int32Array | null = null;
  private readonly perMember: number = 0;
  private readonly watcherOf: (Session | null)[] = [];
  private readonly pendingWatches: Int32Array = new Int32Array(0);
  watchesPending = 0;

  /** Member `k`'s owning session id, 0 for a persistent family. */
  ownerOf(k: number): number {
    return this.owners === null ? 0 : this.owners[k];
  }

  /** Whether the members are ephemeral (have owners). */
  get ephemeral(): boolean {
    return this.owners !== null;
  }

  /** The owners' session ids in member order (ephemeral families only). */
  get ownerIds(): Int32Array {
    return this.owners as Int32Array;
  }

  /**
   * The sessions watching member `k` now, in the order they set the watch (a new array), or null
   * if none; with `take`, the member is being looked up and its watches leave the family's count.
   */
  watchersOf(k: number, take: boolean): Session[] | null {
    const hosts = this.watchHosts;
    if (hosts === null) return null;
    let out: Session[] | null = null;
    for (let i = k * this.perMember, end = i + this.perMember; i < end; i++) {
      const h = hosts[i];
      const s = this.watcherOf[h];
      if (s === null) continue;
      (out ??= []).push(s);
      if (take) {
        this.pendingWatches[h]--;
        this.watchesPending--;
      }
    }
    return out;
  }

  /** Session `s`'s connection closed: its restored watches on members not looked up go; returns how many. */
  dropWatcher(s: Session): number {
    let n = 0;
    for (let h = 0; h < this.watcherOf.length; h++) {
      if (this.watcherOf[h] !== s) continue;
      this.watcherOf[h] = null;
      n += this.pendingWatches[h];
      this.pendingWatches[h] = 0;
    }
    this.watchesPending -= n;
    return n;
  }

  /** Every restored watch goes (the server's watches are lost: WatchManager.clear). */
  dropAllWatchers(): void {
    this.watcherOf.fill(null);
    this.pendingWatches.fill(0);
    this.watchesPending = 0;
  }

  /** Per host, the watches it holds on members not looked up yet (WatchManager.restoreFamily). */
  watchesPerHost(): Int32Array {
    return this.pendingWatches;
  }

  /** Host `h`'s restored session (whose watches the family counts). */
  watcherSession(h: number): Session | null {
    return this.watcherOf[h] ?? null;
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
    return this.dataByOwner ? this.data[(this.owners as Int32Array)[k]] : this.data[k];
  }

  childDataOf(k: number): unknown {
    return (this.childData as readonly unknown[])[k];
  }

  /**
   * The member index that `path`'s characters [from, to) name (a decimal number without leading
   * zeros, below count), or -1: the only names the eager creates would have made.
   */
  indexIn(path: string, from: number, to: number): number {
    return memberIndex(path, from, to, this.count);
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

  /**
   * The parent's children while it holds the family (tree.ts: addChild, removeChild): the members
   * not removed (`gone`, a byte per member once one is, and `removed` of them) and the children
   * added since, by path (`added`; such a child's `at` is count + its index there). The parent's
   * children never have to be listed as a million paths (listing them at a crash's first delete
   * made 1M strings).
   */
  private gone: Uint8Array | null = null;
  private removed = 0;
  readonly added: string[] = [];

  /** The parent's number of children. */
  get childCount(): number {
    return this.count - this.removed + this.added.length;
  }

  /** Member `at` (< count) leaves the parent's children. */
  removeMember(at: number): void {
    const gone = (this.gone ??= new Uint8Array(this.count));
    if (gone[at] !== 0) throw new Error(`numbered family ${this.parentPath}: member ${at} removed twice`);
    gone[at] = 1;
    this.removed++;
  }

  /** The parent's children's names, unsorted (getChildren, which need not list the paths). */
  childNames(): string[] {
    const out: string[] = [];
    const gone = this.gone;
    for (let k = 0; k < this.count; k++) if (gone === null || gone[k] === 0) out.push(String(k));
    for (const path of this.added) out.push(path.substring(this.prefix.length));
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

/**
 * The member index that `path`'s characters [from, to) name, a decimal number without leading
 * zeros below `count`, or -1.
 */
export function memberIndex(path: string, from: number, to: number, count: number): number {
  const n = to - from;
  if (n <= 0 || n > 15 || (n > 1 && path.charCodeAt(from) === 48)) return -1;
  let k = 0;
  for (let i = from; i < to; i++) {
    const d = path.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    k = k * 10 + d;
  }
  return k < count ? k : -1;
}

const MEMBER = 1;
const CHILD = 2;
