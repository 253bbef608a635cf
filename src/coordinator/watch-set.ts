/**
 * A client's table of data watches (ZKWatchManager.dataWatches): a PathSet (path-set.ts), in front
 * of which a settled start may put the watches this client holds on the members of restored
 * ephemeral families (lab representation, numbered-family.ts): per family, the member numbers
 * this client watches, ascending, in an Int32Array, and the members whose watch is gone since.
 * It behaves as the Set<string> of paths it stands for: the family's watches first, in member
 * order (the order they were restored), then the set's paths in insertion order; a watch that
 * fired and is set again goes to the end (into the set).
 *
 * Why: a settled naive race restores 3 data watches per partition, one on each replica's client:
 * at 1M partitions 3M path entries in a hundred hash tables that a run crashing one broker
 * touches ~30k of (docs/performance.md, stop 32).
 */
import { memberIndex } from "./numbered-family.ts";
import { PathSet } from "./path-set.ts";

/**
 * One client's restored data watches on an ephemeral family's members: the members whose watchers
 * (`hosts`, `perMember` per member, the family's own array, shared by every client) include this
 * client's host, but for those gone since (a bit per member, allocated when the first goes).
 */
export class FamilyWatches {
  /**
   * The members whose watch is gone (fired, or deleted); null: none gone yet. A set of the few a
   * run removes, not a bit per member: at 1M members the bitmap was 125 KiB of fresh memory for
   * each client the first time one of its watches fired, a fifth of the crash's session expiry
   * (docs/performance.md, stop 34).
   */
  private gone: Set<number> | null = null;
  /** Watches not gone. */
  live: number;

  constructor(
    /** The family's parent path and "/". */
    readonly prefix: string,
    /** Members in the family (numbers below it name members). */
    readonly count: number,
    private readonly hosts: Int32Array,
    private readonly perMember: number,
    /** This client's host. */
    private readonly host: number,
    /** The members it watches. */
    watched: number,
  ) {
    this.live = watched;
  }

  /** The member `path` names if this client's watch on it is live, or -1. */
  private memberOf(path: string): number {
    const prefix = this.prefix;
    if (path.length <= prefix.length || !path.startsWith(prefix)) return -1;
    const k = memberIndex(path, prefix.length, path.length, this.count);
    return k >= 0 && this.holds(k) ? k : -1;
  }

  private holds(k: number): boolean {
    const hosts = this.hosts;
    for (let i = k * this.perMember, end = i + this.perMember; i < end; i++) if (hosts[i] === this.host) return this.gone === null || !this.gone.has(k);
    return false;
  }

  has(path: string): boolean {
    return this.memberOf(path) >= 0;
  }

  /** Removes the watch on `path`; returns whether it was held. */
  delete(path: string): boolean {
    const k = this.memberOf(path);
    if (k < 0) return false;
    (this.gone ??= new Set()).add(k);
    this.live--;
    return true;
  }

  /** The live watches' paths, in member order (a walk of the family: SetWatches, digests). */
  paths(out: string[]): void {
    if (this.live === 0) return;
    for (let k = 0; k < this.count; k++) if (this.holds(k)) out.push(this.prefix + k);
  }
}

export class WatchSet {
  /** The watches set or restored one by one. */
  readonly set = new PathSet();
  /** Restored families' watches, in the order restored (before any path of `set`); null: none. */
  private families: FamilyWatches[] | null = null;

  get size(): number {
    let n = this.set.size;
    if (this.families !== null) for (const f of this.families) n += f.live;
    return n;
  }

  /** Adds `path` at the end unless it is watched already (where it keeps its place). */
  add(path: string): boolean {
    if (this.families !== null && this.inFamily(path)) return false;
    return this.set.add(path);
  }

  has(path: string): boolean {
    return (this.families !== null && this.inFamily(path)) || this.set.has(path);
  }

  delete(path: string): boolean {
    if (this.families !== null) {
      for (const f of this.families) {
        if (!f.delete(path)) continue;
        if (f.live === 0) this.dropEmpty();
        return true;
      }
    }
    return this.set.delete(path);
  }

  clear(): void {
    this.families = null;
    this.set.clear();
  }

  /** A family's restored watches, after those already here: the set must be empty (they come first). */
  addFamily(f: FamilyWatches): void {
    if (this.set.size > 0) throw new Error("family watches are restored before any other data watch");
    if (f.live > 0) (this.families ??= []).push(f);
  }

  /**
   * PathSet.addAll of restored paths (client.ts: restoreWatch), leaving out those a family holds
   * already (as add() would).
   */
  addAll(paths: (string | undefined)[], hashes: Int32Array, n: number, room: Int32Array<ArrayBuffer> | null): void {
    this.set.addAll(paths, hashes, n, room);
    if (this.families === null || this.set.size === 0) return;
    for (const p of this.set.toArray()) if (this.inFamily(p)) this.set.delete(p);
  }

  /** The paths in order: the families' watches, then the set's. */
  toArray(): string[] {
    if (this.families === null) return this.set.toArray();
    const out: string[] = [];
    for (const f of this.families) f.paths(out);
    for (const p of this.set.toArray()) out.push(p);
    return out;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.toArray()[Symbol.iterator]();
  }

  private inFamily(path: string): boolean {
    for (const f of this.families as FamilyWatches[]) if (f.has(path)) return true;
    return false;
  }

  private dropEmpty(): void {
    const kept = (this.families as FamilyWatches[]).filter((f) => f.live > 0);
    this.families = kept.length === 0 ? null : kept;
  }
}
