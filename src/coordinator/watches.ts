/**
 * The server's watch tables (ZooKeeper's WatchManager, one for data watches and one for child
 * watches), keyed by path, holding the sessions whose current connection set the watch.
 *
 * Rules (Programmer's Guide, "ZooKeeper Watches"; DataTree):
 *  - watches are one-shot: triggering removes them;
 *  - getData and exists set data watches (exists also on a missing node, to see it created);
 *    getChildren sets child watches;
 *  - create fires the node's data watches (created) and the parent's child watches;
 *    delete fires the node's data and child watches (deleted) and the parent's child watches;
 *    setData fires the node's data watches (dataChanged);
 *  - a watch belongs to the connection (ServerCnxn): when the connection closes, its watches go,
 *    and the client re-registers them with SetWatches when it reconnects.
 * Watchers are kept in the order they set the watch, so the order in which sessions are notified is
 * reproducible.
 *
 * Layout: as in ZooKeeper, a watch belongs to a path, not to a znode (exists watches a missing path;
 * a node's watchers stay on its path when it is deleted, until they fire). Data watchers are kept,
 * while the path has a node, in that Znode's `dataWatchers` (a settled naive race holds 3M data
 * watches on 1M paths: a second Map of 1M strings cost a probe per watch, cache misses and GC),
 * and in `dataMissing`, keyed by path, while it has none. The tree tells this table when a node
 * enters or leaves it (WatchHolder), and the watchers move with the path. Child watches are few
 * (a handful of parents) and stay in one Map by path.
 */
import type { ZkWatchType } from "../elector/zookeeper-client.ts";
import type { NumberedFamily } from "./numbered-family.ts";
import type { Session } from "./sessions.ts";
import type { WatchHolder, Znode, ZnodeTree } from "./tree.ts";

/** Receives the sessions to notify when a watch fires. */
export interface WatchTrigger {
  notify(session: Session, type: ZkWatchType, path: string): void;
}

export class WatchManager implements WatchHolder {
  /** Data watchers of paths that have no node now (see the header); the rest are on their Znodes. */
  private readonly dataMissing = new Map<string, Session[]>();
  // Per path, the sessions watching it in the order they set the watch (an array: most paths have a
  // few watchers, and a million small Sets cost seconds to build and collect at 1M partitions).
  private readonly child = new Map<string, Session[]>();
  /** Number of (path, session) watches currently held. */
  size = 0;
  /** While a settled start restores watches: each shared list's successors, by the session added (restoreData). */
  private restored: RestoredLists | null = null;

  constructor(private readonly tree: ZnodeTree) {
    tree.watchHolder = this;
  }

  /** Returns true if the watch is new (a session watching a path twice holds one watch). */
  addData(path: string, s: Session): boolean {
    const node = this.tree.find(path);
    if (node !== undefined) {
      const list = withWatcher(node.dataWatchers, s);
      if (list === null) return false;
      node.dataWatchers = list;
    } else if (!add(this.dataMissing, path, s)) {
      return false;
    }
    this.rememberData(s, path);
    this.size++;
    return true;
  }

  /**
   * A data watch a settled start restored (server.restoreWatch): as addData, but the watchers go on
   * shared lists until endRestore, so that every znode whose watchers are the same sessions in the
   * same order holds the same array. A settled naive race restores 3 watches on each of 1M paths;
   * each path's own list (an array and its backing store, made three times on the way) was a fifth
   * of the settled heap for the scavenger to copy and the collector to mark, where 100 brokers' replica
   * lists (first replica x shift, assignment.ts) make fewer than 10k distinct ones. Sharing is safe
   * because a short list is never changed in place (withWatcher and the removals copy it), and only
   * lists shorter than SHORT_WATCHERS are shared.
   *
   * The path is not listed in the session's `dataWatches` (Session.unlistedWatches): at 1M
   * partitions those lists held 3M paths, written into old arrays as the strings were made (each
   * store a remembered-set entry for the scavenger) for a removal that comes for one session in a
   * crash, if at all; removeSession finds such watches on the nodes instead.
   */
  restoreData(path: string, s: Session): boolean {
    const node = this.tree.find(path);
    if (node === undefined) return this.addData(path, s);
    const list = this.withRestored(node.dataWatchers, s);
    if (list === null) return false;
    node.dataWatchers = list;
    s.dataWatchCount++;
    s.unlistedWatches = true;
    this.size++;
    return true;
  }

  /**
   * The data watches an ephemeral family restored with its members (ZnodeTree.createEphemeralNumbered):
   * counted here and per session, kept in the family until a member is looked up (its watchers
   * then go onto its Znode) or a watcher's connection closes (removeUnlisted). Not listed per
   * session, as restoreData's.
   */
  restoreFamily(family: NumberedFamily): void {
    const perHost = family.watchesPerHost();
    for (let h = 0; h < perHost.length; h++) {
      const n = perHost[h];
      const s = family.watcherSession(h);
      if (n === 0 || s === null) continue;
      s.dataWatchCount += n;
      s.unlistedWatches = true;
      this.size += n;
    }
  }

  /** The restore is over: the table of shared lists is dropped (the lists stay shared). */
  endRestore(): void {
    this.restored = null;
  }

  /** Lists `path` as watched by `s` (one more watch held). */
  private rememberData(s: Session, path: string): void {
    s.dataWatches = this.remember(s.dataWatches, path, ++s.dataWatchCount, s, false);
  }

  /** withWatcher for a restored watch: the shared list of `list`'s watchers then `s` (see restoreData). */
  private withRestored(list: Session[] | null, s: Session): Session[] | null {
    if (list !== null && list.includes(s)) return null;
    if (list !== null && list.length + 1 >= SHORT_WATCHERS) return withWatcher(list, s);
    // A path's watches are restored one after another, so `list` is nearly always the list the
    // previous call returned: its node is at hand, found without a lookup keyed by the list.
    const restored = (this.restored ??= new RestoredLists());
    const from = list === null ? restored.root : list === restored.last.list ? restored.last : (restored.byList.get(list) ?? restored.add(list));
    let to = from.next.get(s);
    if (to === undefined) to = restored.add(list === null ? [s] : copyPlus(list, s), from, s);
    restored.last = to;
    return to.list;
  }

  addChild(path: string, s: Session): boolean {
    if (!add(this.child, path, s)) return false;
    s.childWatches = this.remember(s.childWatches, path, ++s.childWatchCount, s, true);
    this.size++;
    return true;
  }

  /**
   * Fires and removes the data watches on `path`. `told` (may be null) collects the sessions told,
   * so that a delete does not tell a session twice through its child watch on the same path.
   */
  triggerData(path: string, type: ZkWatchType, out: WatchTrigger, told: Set<Session> | null): void {
    const node = this.tree.get(path);
    let set: Session[] | null | undefined;
    if (node !== undefined) {
      set = node.dataWatchers;
      if (set === null) return;
      node.dataWatchers = null;
    } else {
      set = this.dataMissing.get(path);
      if (set === undefined) return;
      this.dataMissing.delete(path);
    }
    for (const s of set) {
      s.dataWatchCount--;
      this.size--;
      if (told !== null) told.add(s);
      out.notify(s, type, path);
    }
  }

  triggerChild(path: string, type: ZkWatchType, out: WatchTrigger, told: Set<Session> | null): void {
    const set = this.child.get(path);
    if (set === undefined) return;
    this.child.delete(path);
    for (const s of set) {
      s.childWatchCount--;
      this.size--;
      if (told !== null && told.has(s)) continue;
      out.notify(s, type, path);
    }
  }

  /** The session's connection closed: drop its watches (DataTree.removeCnxn). */
  removeSession(s: Session): void {
    if (s.unlistedWatches) this.removeUnlisted(s);
    if (s.dataWatches !== null) {
      for (const path of s.dataWatches) {
        if (this.removeData(path, s)) this.size--;
      }
      s.dataWatches = null;
      s.dataWatchCount = 0;
    }
    if (s.childWatches !== null) {
      for (const path of s.childWatches) {
        if (remove(this.child, path, s)) this.size--;
      }
      s.childWatches = null;
      s.childWatchCount = 0;
    }
  }

  /**
   * Drops `s` from every data watcher list that holds it: the watches a settled start restored are
   * not in its `dataWatches` (restoreData). One walk of the tree (and of the missing paths), once
   * per such session; the listed paths removeSession then walks find `s` already gone.
   */
  private removeUnlisted(s: Session): void {
    s.unlistedWatches = false;
    const table = this.tree.nodes;
    for (let e = 0, end = table.end; e < end; e++) {
      const node = table.valueAt(e);
      if (node === undefined) continue;
      const list = node.dataWatchers;
      if (list === null) continue;
      const i = list.indexOf(s);
      if (i < 0) continue;
      node.dataWatchers = without(list, i);
      this.size--;
    }
    for (const path of Array.from(this.dataMissing.keys())) {
      if (remove(this.dataMissing, path, s)) this.size--;
    }
    for (const family of this.tree.pendingFamilies()) this.size -= family.dropWatcher(s);
    // Every watch the session held is gone with these and its listed ones (removeSession).
    s.dataWatchCount = 0;
  }

  clear(): void {
    for (const node of this.tree.nodes.values()) node.dataWatchers = null;
    for (const family of this.tree.pendingFamilies()) family.dropAllWatchers();
    this.dataMissing.clear();
    this.child.clear();
    this.size = 0;
  }

  /** Every watched path with its watchers, of one kind, in no particular order (tests and digests; walks the tree). */
  table(child: boolean): Map<string, readonly Session[]> {
    if (child) return new Map(this.child);
    const out = new Map<string, readonly Session[]>(this.dataMissing);
    for (const [path, node] of this.tree.nodes) if (node.dataWatchers !== null) out.set(path, node.dataWatchers);
    for (const family of this.tree.pendingFamilies()) {
      if (family.watchesPending === 0) continue;
      for (let k = 0; k < family.count; k++) {
        if (!family.isPending(k, false)) continue;
        const list = family.watchersOf(k, false);
        if (list !== null) out.set(family.prefix + k, list);
      }
    }
    return out;
  }

  // ---- WatchHolder: the tree's nodes come and go, the watches stay on their paths ----

  get holdsMissing(): boolean {
    return this.dataMissing.size > 0;
  }

  entered(path: string, node: Znode): void {
    const list = this.dataMissing.get(path);
    if (list === undefined) return;
    this.dataMissing.delete(path);
    node.dataWatchers = list;
  }

  left(path: string, node: Znode): void {
    this.dataMissing.set(path, node.dataWatchers as Session[]);
    node.dataWatchers = null;
  }

  private removeData(path: string, s: Session): boolean {
    const node = this.tree.get(path);
    if (node === undefined) return remove(this.dataMissing, path, s);
    const list = node.dataWatchers;
    if (list === null) return false;
    const i = list.indexOf(s);
    if (i < 0) return false;
    node.dataWatchers = without(list, i);
    return true;
  }

  private watching(path: string, s: Session, child: boolean): boolean {
    if (child) return this.child.get(path)?.includes(s) === true;
    const node = this.tree.get(path);
    const list = node !== undefined ? node.dataWatchers : this.dataMissing.get(path);
    return list?.includes(s) === true;
  }

  /**
   * A session's list of the paths it watches, for removeSession: appended to, not pruned when a
   * watch fires (a path may be listed again, or no longer watched: removeSession skips those). When
   * the list grows past twice the watches held, it is rebuilt from the paths still watched.
   */
  private remember(list: string[] | null, path: string, held: number, s: Session, child: boolean): string[] {
    if (list === null) return [path];
    list.push(path);
    if (list.length > 2 * held + 64) {
      const seen = new Set<string>();
      const kept: string[] = [];
      for (const p of list) {
        if (seen.has(p)) continue;
        seen.add(p);
        if (this.watching(p, s, child)) kept.push(p);
      }
      return kept;
    }
    return list;
  }
}

function add(table: Map<string, Session[]>, path: string, s: Session): boolean {
  const set = table.get(path) ?? null;
  const list = withWatcher(set, s);
  if (list === null) return false;
  if (list !== set) table.set(path, list);
  return true;
}

/** `list` with `s` added at the end (a new array while short), or null if `s` is in it already. */
function withWatcher(list: Session[] | null, s: Session): Session[] | null {
  if (list === null) return [s];
  if (list.includes(s)) return null;
  // A push onto a one-element array leaves room for 17 (V8 grows by half plus 16): ~110 bytes
  // unused per watched path, 100+ MiB of a settled naive-race start at 1M partitions. Short lists
  // are copied one longer instead, and never changed in place: a settled start's restored watches
  // share them between paths (restoreData; triggerData takes a list away before walking it). A long
  // list has one holder and grows in place.
  if (list.length < SHORT_WATCHERS) return copyPlus(list, s);
  list.push(s);
  return list;
}

const SHORT_WATCHERS = 8;

/** One shared watcher list of a restore, and the shared lists that extend it by one session. */
interface RestoredList {
  readonly list: Session[];
  readonly next: Map<Session, RestoredList>;
}

/** The shared watcher lists of a restore (WatchManager.restoreData), as a tree from the empty list. */
class RestoredLists {
  readonly root: RestoredList = { list: [], next: new Map() };
  readonly byList = new Map<Session[], RestoredList>();
  last: RestoredList = this.root;

  /** `list` as a shared list (and as `s` after `from`, if given). */
  add(list: Session[], from?: RestoredList, s?: Session): RestoredList {
    const node: RestoredList = { list, next: new Map() };
    this.byList.set(list, node);
    if (from !== undefined) from.next.set(s as Session, node);
    return node;
  }
}

function copyPlus(list: Session[], s: Session): Session[] {
  const n = list.length;
  const out = new Array<Session>(n + 1);
  for (let i = 0; i < n; i++) out[i] = list[i];
  out[n] = s;
  return out;
}

function remove(table: Map<string, Session[]>, path: string, s: Session): boolean {
  const set = table.get(path);
  if (set === undefined) return false;
  const i = set.indexOf(s);
  if (i < 0) return false;
  const rest = without(set, i);
  if (rest === null) table.delete(path);
  else if (rest !== set) table.set(path, rest);
  return true;
}

/**
 * `list` without its i-th watcher, null if none is left: a short list is copied (it may be shared,
 * see WatchManager.restoreData), a long one is changed in place.
 */
function without(list: Session[], i: number): Session[] | null {
  const n = list.length;
  if (n === 1) return null;
  if (n > SHORT_WATCHERS) {
    list.splice(i, 1);
    return list;
  }
  const out = new Array<Session>(n - 1);
  for (let k = 0, w = 0; k < n; k++) if (k !== i) out[w++] = list[k];
  return out;
}
