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
 */
import type { ZkWatchType } from "../elector/zookeeper-client.ts";
import type { Session } from "./sessions.ts";

/** Receives the sessions to notify when a watch fires. */
export interface WatchTrigger {
  notify(session: Session, type: ZkWatchType, path: string): void;
}

export class WatchManager {
  // Per path, the sessions watching it in the order they set the watch (an array: most paths have a
  // few watchers, and a million small Sets cost seconds to build and collect at 1M partitions).
  private readonly data = new Map<string, Session[]>();
  private readonly child = new Map<string, Session[]>();
  /** Number of (path, session) watches currently held. */
  size = 0;

  /** Returns true if the watch is new (a session watching a path twice holds one watch). */
  addData(path: string, s: Session): boolean {
    if (!add(this.data, path, s)) return false;
    s.dataWatches = remember(s.dataWatches, path, ++s.dataWatchCount, this.data, s);
    this.size++;
    return true;
  }

  addChild(path: string, s: Session): boolean {
    if (!add(this.child, path, s)) return false;
    s.childWatches = remember(s.childWatches, path, ++s.childWatchCount, this.child, s);
    this.size++;
    return true;
  }

  /**
   * Fires and removes the data watches on `path`. `told` (may be null) collects the sessions told,
   * so that a delete does not tell a session twice through its child watch on the same path.
   */
  triggerData(path: string, type: ZkWatchType, out: WatchTrigger, told: Set<Session> | null): void {
    const set = this.data.get(path);
    if (set === undefined) return;
    this.data.delete(path);
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
    if (s.dataWatches !== null) {
      for (const path of s.dataWatches) {
        if (remove(this.data, path, s)) this.size--;
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

  clear(): void {
    this.data.clear();
    this.child.clear();
    this.size = 0;
  }
}

function add(table: Map<string, Session[]>, path: string, s: Session): boolean {
  const set = table.get(path);
  if (set === undefined) {
    table.set(path, [s]);
    return true;
  }
  if (set.includes(s)) return false;
  // A push onto a one-element array leaves room for 17 (V8 grows by half plus 16): ~110 bytes
  // unused per watched path, 100+ MiB of a settled naive-race start at 1M partitions. Short lists
  // are copied one longer instead (the table holds the only reference: triggerData removes a list
  // from the table before walking it).
  if (set.length < SHORT_WATCHERS) table.set(path, copyPlus(set, s));
  else set.push(s);
  return true;
}

const SHORT_WATCHERS = 8;

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
  set.splice(i, 1);
  if (set.length === 0) table.delete(path);
  return true;
}

/**
 * A session's list of the paths it watches, for removeSession: appended to, not pruned when a watch
 * fires (a path may be listed again, or no longer watched: removeSession skips those). When the list
 * grows past twice the watches held, it is rebuilt from the paths still watched.
 */
function remember(list: string[] | null, path: string, held: number, table: Map<string, Session[]>, s: Session): string[] {
  if (list === null) return [path];
  list.push(path);
  if (list.length > 2 * held + 64) {
    const seen = new Set<string>();
    const kept: string[] = [];
    for (const p of list) {
      if (seen.has(p)) continue;
      seen.add(p);
      if (table.get(p)?.includes(s) === true) kept.push(p);
    }
    return kept;
  }
  return list;
}
