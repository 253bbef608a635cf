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
 * Sets keep insertion order, so the order in which sessions are notified is reproducible.
 */
import type { ZkWatchType } from "../elector/zookeeper-client.ts";
import type { Session } from "./sessions.ts";

/** Receives the sessions to notify when a watch fires. */
export interface WatchTrigger {
  notify(session: Session, type: ZkWatchType, path: string): void;
}

export class WatchManager {
  private readonly data = new Map<string, Set<Session>>();
  private readonly child = new Map<string, Set<Session>>();
  /** Number of (path, session) watches currently held. */
  size = 0;

  /** Returns true if the watch is new (a session watching a path twice holds one watch). */
  addData(path: string, s: Session): boolean {
    if (!add(this.data, path, s)) return false;
    if (s.dataWatches === null) s.dataWatches = new Set();
    s.dataWatches.add(path);
    this.size++;
    return true;
  }

  addChild(path: string, s: Session): boolean {
    if (!add(this.child, path, s)) return false;
    if (s.childWatches === null) s.childWatches = new Set();
    s.childWatches.add(path);
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
      (s.dataWatches as Set<string>).delete(path);
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
      (s.childWatches as Set<string>).delete(path);
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
    }
    if (s.childWatches !== null) {
      for (const path of s.childWatches) {
        if (remove(this.child, path, s)) this.size--;
      }
      s.childWatches = null;
    }
  }

  clear(): void {
    this.data.clear();
    this.child.clear();
    this.size = 0;
  }
}

function add(table: Map<string, Set<Session>>, path: string, s: Session): boolean {
  let set = table.get(path);
  if (set === undefined) {
    set = new Set();
    table.set(path, set);
  }
  const before = set.size;
  set.add(s);
  return set.size !== before;
}

function remove(table: Map<string, Set<Session>>, path: string, s: Session): boolean {
  const set = table.get(path);
  if (set === undefined) return false;
  const had = set.delete(s);
  if (set.size === 0) table.delete(path);
  return had;
}
