/**
 * The znode tree (ZooKeeper's DataTree), without watches (see watches.ts) and without timing.
 *
 * Layout for a million znodes: one PathMap (a Map keeping each path's hash) from full path to a Znode of ten fields; a node's children
 * are kept by their full paths (the strings the tree's Map already holds; names are cut from them
 * only when getChildren asks, and sorted then, so the array's order decides nothing) in an array,
 * each child remembering its index there (removed by moving the last one into its place): no Set,
 * whose adds at 1M children (/leaders, a topic's partitions) each probed a table far out of cache;
 * leaves carry null, and a node with one child that child's path alone (Kafka's 1M partition
 * znodes each hold one `state`: a one-element array is ~56 bytes more per partition). Ephemeral paths are also indexed per owning session
 * (DataTree.ephemerals), so closing a session does not scan the tree: an append-only list of
 * (path, node) per session, an entry counting while that node is still in the tree under that path
 * (no per-znode Set insert, a million of which were a tenth of a settled naive-race build). A
 * settled start's restored ephemerals are counted, not listed (createRestored): closing a session
 * that owns some walks the tree once, a cost moved from every 1M build to the sessions a run closes.
 * The server's data watchers on a path are kept on its Znode while the path has one (watches.ts
 * owns them; the tree only tells it, through `watchHolder`, when a node enters or leaves the tree,
 * so it can move them: a watch belongs to the path, not to the node).
 * A settled start may restore a numbered family of znodes (numbered-family.ts: Kafka's persistent
 * partitions of a topic and their `state` children; the naive race's ephemeral leader znodes,
 * with their owners and restored data watchers) as arrays of values: a member becomes a Znode
 * in the table the first time a lookup of its path misses the table (lookup), and its parent's
 * children stay counted, members removed and children added since kept beside them (addChild,
 * removeChild; getChildren names them without keeping a list). A representation only: every
 * answer is what the creates (and watches) in restore order would have given.
 * Measured heap: see docs/coordinator.md.
 *
 * Data values are stored by reference: callers treat them as immutable, as ZooKeeper's byte arrays.
 */
import type { CreateMode, ZkErrorCode, ZkStat } from "../elector/zookeeper-client.ts";
import { NumberedFamily, type RestoredFamilyWatchers } from "./numbered-family.ts";
import { PathMap } from "./path-map.ts";
import { pathHash } from "./path-table.ts";
import type { Session } from "./sessions.ts";

/** ZooKeeper's NoChildrenForEphemerals: an ephemeral znode cannot have children. */
export const NO_CHILDREN_FOR_EPHEMERALS: ZkErrorCode = "NoChildrenForEphemerals";

/** A znode's stat and data (ten fields). */
export interface Znode {
  data: unknown;
  /** zxid of the create */
  czxid: number;
  /** zxid of the last setData (or the create) */
  mzxid: number;
  /** zxid of the last change to the children (or the create) */
  pzxid: number;
  version: number;
  cversion: number;
  /** owning session for an ephemeral, 0 for a persistent node */
  ephemeralOwner: number;
  /**
   * Children's full paths, in no meaningful order: null none, a string the only one, else an
   * array; or a restored numbered family's members, counted, not listed (numbered-family.ts).
   */
  children: string[] | string | NumberedFamily | null;
  /** This node's index in its parent's `children`. */
  at: number;
  /** Sessions holding a data watch on this node's path, in the order they set it (watches.ts); null: none. */
  dataWatchers: Session[] | null;
}

/**
 * A new znode, made by an object literal rather than a class's `new`: V8 tracks a literal's
 * allocation site and, once nearly all its objects outlive a young-generation collection (a
 * settled start's 1-2M znodes all do), allocates them in the old generation directly instead of
 * copying each one twice through the scavenger (memory only: same fields, same order).
 */
function newZnode(data: unknown, zxid: number, ephemeralOwner: number): Znode {
  return { data, czxid: zxid, mzxid: zxid, pzxid: zxid, version: 0, cversion: 0, ephemeralOwner, children: null, at: 0, dataWatchers: null };
}

/**
 * Member `k` of `family` (at `path`) as its create and its child's left it: the child cannot have
 * changed the member without the member being looked up first (a delete or create under it looks
 * the member up as the parent).
 */
function memberZnode(family: NumberedFamily, k: number, path: string, take: boolean): Znode {
  const zxid = family.zxidOf(k);
  const node = newZnode(family.memberData(k), zxid, family.ownerOf(k));
  node.at = k;
  // An ephemeral family's restored data watchers go with the member (`take`: for good).
  node.dataWatchers = family.watchersOf(k, take);
  if (family.childName !== null) {
    node.children = path + "/" + family.childName;
    node.cversion = 1;
    node.pzxid = zxid + 1;
  }
  return node;
}

/** Member `k`'s child as its create left it. */
function childZnode(family: NumberedFamily, k: number): Znode {
  return newZnode(family.childDataOf(k), family.zxidOf(k) + 1, 0);
}

/** Told when a node enters or leaves the tree, if that node or its path may hold data watchers (watches.ts). */
export interface WatchHolder {
  /** Whether some path without a node holds data watchers (if not, entered() need not be called). */
  readonly holdsMissing: boolean;
  entered(path: string, node: Znode): void;
  left(path: string, node: Znode): void;
}

export function childCount(node: Znode): number {
  const c = node.children;
  return c === null ? 0 : typeof c === "string" ? 1 : Array.isArray(c) ? c.length : c.childCount;
}

function addChild(parent: Znode, childPath: string, child: Znode): void {
  const c = parent.children;
  if (c instanceof NumberedFamily) {
    // Kept counted (numbered-family.ts): a child added to a family's parent is listed beside it.
    child.at = c.count + c.added.length;
    c.added.push(childPath);
  } else if (c === null) {
    parent.children = childPath;
    child.at = 0;
  } else if (typeof c === "string") {
    parent.children = [c, childPath];
    child.at = 1;
  } else {
    child.at = c.length;
    c.push(childPath);
  }
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.substring(0, i);
}

export function nameOf(path: string): string {
  return path.substring(path.lastIndexOf("/") + 1);
}

/** ZooKeeper formats the sequence suffix as %010d of the parent's cversion. */
export function sequenceSuffix(cversion: number): string {
  const s = String(cversion);
  return s.length >= 10 ? s : "0000000000".substring(s.length) + s;
}

/** How to undo one applied sub-operation of a multi that failed later. */
const UNDO_CREATE = 0;
const UNDO_DELETE = 1;
const UNDO_SET = 2;

interface Undo {
  kind: number;
  path: string;
  node: Znode;
  parent: Znode | undefined;
  parentCversion: number;
  parentPzxid: number;
  data: unknown;
  version: number;
  mzxid: number;
}

/**
 * A session's ephemerals, in the order they were created: parallel lists of (path, node), appended
 * to and never pruned one by one. An entry is live while `nodes.get(path) === node` and no later
 * entry names the same node (a multi's rollback re-adds a deleted node at the end, as a Set would
 * move it there). Rebuilt from its live entries when it grows past twice their number.
 */
interface EphemeralList {
  readonly owner: number;
  paths: string[];
  nodes: Znode[];
  /** Entries used in `paths` and `nodes`. */
  used: number;
  live: number;
  /**
   * Whether some of the live ephemerals are not listed: those a settled start restored
   * (createRestored). The tree's own order finds them (liveEphemerals).
   */
  unlisted: boolean;
}

export class ZnodeTree {
  /**
   * Every node by its full path (path-map.ts: a Map that keeps each path's hash beside it), but for
   * restored family members not looked up yet (lookup; everyNode lists those too).
   */
  readonly nodes = new PathMap<Znode>();
  /** Ephemeral znodes per owning session id. */
  private readonly ephemerals = new Map<number, EphemeralList>();
  /** Set by a successful create: the path actually created (with a sequence suffix if sequential). */
  createdPath = "";
  /** While recording a multi, how to roll each applied op back. */
  private undo: Undo[] | null = null;
  /**
   * The parent the last create looked up, and the node it created: a settled start creates
   * thousands of siblings in a row, or a child of the node just created, and finding the parent by
   * its path (a substring, hashed, looked up) was a third of a create at 1M znodes. Forgotten
   * whenever a node is removed, so a remembered node is always in the tree.
   */
  private lastParentPath = "";
  private lastParent: Znode | undefined = undefined;
  private lastCreated: Znode | undefined = undefined;
  /** Keeps data watchers on nodes (WatchManager); null: none. */
  watchHolder: WatchHolder | null = null;
  /** While createRestored creates: an ephemeral is counted for its owner, not listed. */
  private restoring = false;
  /** Restored numbered families with members not yet in `nodes`, by parent path (numbered-family.ts); null: none. */
  private families: Map<string, NumberedFamily> | null = null;
  /** Znodes of those families not yet in `nodes` (counted in size). */
  private pendingZnodes = 0;
  /**
   * Whether an ephemeral family was ever restored (createEphemeralNumbered): its members enter the
   * table in the order they are looked up, not created, so liveWithUnlisted orders restored
   * ephemerals by czxid. The last zxid a restore created (restored nodes have czxids up to it).
   */
  private ephemeralFamilies = false;
  private lastRestoredZxid = 0;

  constructor() {
    this.nodes.set("/", newZnode(undefined, 0, 0));
  }

  get size(): number {
    return this.nodes.size + this.pendingZnodes;
  }

  /** Room for `znodes` more nodes in the table at once (a settled start's hint: PathTable.reserve). */
  reserve(znodes: number): void {
    this.nodes.reserve(znodes);
  }

  get(path: string): Znode | undefined {
    return this.lookup(path);
  }

  /** get(), answered without a lookup for the node the last create made (a settled start watches it next). */
  find(path: string): Znode | undefined {
    const last = this.lastCreated;
    if (last !== undefined && path === this.createdPath) return last;
    return this.lookup(path);
  }

  /**
   * The node at `path`: in the table, or a restored family's member (or member's child) not yet
   * looked up, which enters the table now. Every lookup of the tree comes through here; a miss
   * pays the family check only while some family has such members.
   */
  private lookup(path: string, hash: number = pathHash(path)): Znode | undefined {
    const node = this.nodes.get(path, hash);
    if (node !== undefined || this.families === null) return node;
    return this.fromFamily(path, hash);
  }

  stat(node: Znode): ZkStat {
    return {
      czxid: node.czxid,
      mzxid: node.mzxid,
      pzxid: node.pzxid,
      version: node.version,
      cversion: node.cversion,
      ephemeralOwner: node.ephemeralOwner,
      numChildren: childCount(node),
    };
  }

  /** Children names, sorted (ZooKeeper returns them unordered; sorting keeps runs reproducible). */
  childrenOf(node: Znode): string[] {
    const c = node.children;
    if (c === null) return [];
    if (c instanceof NumberedFamily) return c.childNames().sort(); // counted: named without being listed
    if (typeof c === "string") return [nameOf(c)];
    const names: string[] = [];
    for (const path of c) names.push(nameOf(path));
    return names.sort();
  }

  /** The session's ephemeral paths, in the order they were created. */
  ephemeralsOf(sessionId: number): string[] {
    const list = this.ephemerals.get(sessionId);
    return list === undefined ? [] : this.liveEphemerals(list);
  }

  ephemeralCount(sessionId: number): number {
    return this.ephemerals.get(sessionId)?.live ?? 0;
  }

  // ---- mutations (the caller supplies the txn's zxid) ----

  /**
   * Rules: the parent must exist (NoNode); an ephemeral parent cannot have children
   * (NoChildrenForEphemerals); the path must be free (NodeExists). A sequential node's name gets the
   * parent's cversion, zero-padded to 10 digits. The parent's cversion goes up by one and its pzxid
   * becomes the txn's zxid.
   */
  create(path: string, data: unknown, mode: CreateMode, owner: number, zxid: number): ZkErrorCode {
    const parent = this.parentForCreate(path);
    if (parent === undefined) return "NoNode";
    if (parent.ephemeralOwner !== 0) return NO_CHILDREN_FOR_EPHEMERALS;
    const sequential = mode === "persistent-sequential" || mode === "ephemeral-sequential";
    const actual = sequential ? path + sequenceSuffix(parent.cversion) : path;
    const hash = pathHash(actual);
    if (this.lookup(actual, hash) !== undefined) return "NodeExists";
    const ephemeral = mode === "ephemeral" || mode === "ephemeral-sequential";
    const node = newZnode(data, zxid, ephemeral ? owner : 0);
    if (this.undo !== null) {
      this.undo.push({
        kind: UNDO_CREATE, path: actual, node, parent, parentCversion: parent.cversion,
        parentPzxid: parent.pzxid, data: undefined, version: 0, mzxid: 0,
      });
    }
    this.nodes.set(actual, node, hash);
    this.entered(actual, node);
    addChild(parent, actual, node);
    parent.cversion++;
    parent.pzxid = zxid;
    if (ephemeral) this.addEphemeral(owner, actual, node);
    this.createdPath = actual;
    this.lastCreated = node;
    return "ok";
  }

  /**
   * create() for a settled start's restore (server.restoreCreate): an ephemeral is not listed
   * in its owner's list of ephemerals, only counted. At 1M partitions those lists held 1M
   * (path, node) pairs, written into old arrays as the paths were made (each store a
   * remembered-set entry for the scavenger), for the one session a crash closes; the tree's own
   * order, which is the order of creation, finds them then (liveEphemerals).
   */
  createRestored(path: string, data: unknown, mode: CreateMode, owner: number, zxid: number): ZkErrorCode {
    this.restoring = true;
    if (zxid > this.lastRestoredZxid) this.lastRestoredZxid = zxid;
    const err = this.create(path, data, mode, owner, zxid);
    this.restoring = false;
    return err;
  }

  /**
   * For a settled start's restore (server.restoreNumbered): the persistent znodes `parentPath`/0 ..
   * /(n-1), n = data.length, member k holding data[k], each with (if `childName` is given) a
   * persistent child `childName` holding childData[k]; created, as far as anyone can observe, in
   * the order member 0, its child, member 1, ... with one zxid each from `firstZxid`. They are
   * kept as a NumberedFamily (numbered-family.ts) until looked up. The parent must exist, be
   * persistent and have no children (it is a restore's, not a client's, operation: it throws).
   */
  createNumbered(parentPath: string, data: readonly unknown[], childName: string | null, childData: readonly unknown[] | null, firstZxid: number): void {
    const parent = this.lookup(parentPath);
    if (parent === undefined || parent.ephemeralOwner !== 0 || parent.children !== null) {
      throw new Error(`numbered family under ${parentPath}: the parent must be a persistent znode without children`);
    }
    if (childName !== null && (childName === "" || childName.includes("/"))) throw new Error(`numbered family under ${parentPath}: bad child name ${childName}`);
    if (data.length === 0) return;
    this.addFamily(parent, new NumberedFamily(parentPath, data.length, data, childName, childData, firstZxid));
  }

  /**
   * createNumbered for ephemeral members (server.restoreEphemeralFamily): member k holds data[k]
   * (with `dataByOwner`, data[owners[k]]), is owned by session `owners[k]` and, with `watchers`, holds restored data watches (numbered-family.ts);
   * as creates of the members in order, each followed by its watches. Each owner's ephemerals are
   * counted, not listed, as createRestored's (liveWithUnlisted finds them in the family).
   */
  createEphemeralNumbered(parentPath: string, data: readonly unknown[], dataByOwner: boolean, owners: Int32Array, watchers: RestoredFamilyWatchers | null, firstZxid: number): NumberedFamily | null {
    const parent = this.lookup(parentPath);
    if (parent === undefined || parent.ephemeralOwner !== 0 || parent.children !== null) {
      throw new Error(`numbered family under ${parentPath}: the parent must be a persistent znode without children`);
    }
    if (owners.length === 0) return null;
    const family = new NumberedFamily(parentPath, owners.length, data, null, null, firstZxid, owners, watchers, dataByOwner);
    // Each owner's count, in an array by session id (ids number the sessions opened: small).
    let top = 0;
    for (let k = 0; k < owners.length; k++) {
      const o = owners[k];
      if (!(o > 0)) throw new Error(`numbered family under ${parentPath}: member ${k} has no owner`);
      if (o > top) top = o;
    }
    const counts = new Int32Array(top + 1);
    for (let k = 0; k < owners.length; k++) counts[owners[k]]++;
    for (let o = 1; o <= top; o++) {
      if (counts[o] === 0) continue;
      const list = this.ephemeralListOf(o);
      list.live += counts[o];
      list.unlisted = true;
    }
    this.ephemeralFamilies = true;
    this.addFamily(parent, family);
    if (family.lastMemberZxid > this.lastRestoredZxid) this.lastRestoredZxid = family.lastMemberZxid;
    return family;
  }

  private addFamily(parent: Znode, family: NumberedFamily): void {
    parent.children = family;
    parent.cversion += family.count;
    parent.pzxid = family.lastMemberZxid;
    (this.families ??= new Map()).set(family.parentPath, family);
    this.pendingZnodes += family.pending;
  }

  /** The family under `parentPath` with members not yet in the table, if any. */
  familyAt(parentPath: string): NumberedFamily | undefined {
    return this.families?.get(parentPath);
  }

  /** The families with members not yet in the table (for the watch table: their restored watches). */
  pendingFamilies(): NumberedFamily[] {
    return this.families === null ? [] : Array.from(this.families.values());
  }

  /**
   * lookup() of a path the table does not hold, while families have members not in it: the
   * family member (parent/k) or member's child (parent/k/name) of that path enters the table now,
   * if it was never looked up before (after that, the table answers for it, also once it is deleted).
   */
  private fromFamily(path: string, hash: number): Znode | undefined {
    const families = this.families as Map<string, NumberedFamily>;
    const slash = path.lastIndexOf("/");
    if (slash <= 0) return undefined;
    const family = families.get(path.substring(0, slash));
    if (family !== undefined) {
      const k = family.indexIn(path, slash + 1, path.length);
      return k >= 0 && family.takeMember(k) ? this.taken(family, path, memberZnode(family, k, path, true), hash) : undefined;
    }
    const up = path.lastIndexOf("/", slash - 1);
    if (up <= 0) return undefined;
    const owner = families.get(path.substring(0, up));
    const name = owner?.childName ?? null;
    if (owner === undefined || name === null || path.length - slash - 1 !== name.length || !path.endsWith(name)) return undefined;
    const k = owner.indexIn(path, up + 1, slash);
    return k >= 0 && owner.takeChild(k) ? this.taken(owner, path, childZnode(owner, k), hash) : undefined;
  }

  /** `node`, of `family`, enters the table (and the family is dropped once it has nothing left to give). */
  private taken(family: NumberedFamily, path: string, node: Znode, hash: number): Znode {
    this.nodes.set(path, node, hash);
    this.pendingZnodes--;
    if (family.pending === 0) {
      const families = this.families as Map<string, NumberedFamily>;
      families.delete(family.parentPath);
      if (families.size === 0) this.families = null;
    }
    this.entered(path, node);
    return node;
  }

  /**
   * Every znode with its path: the table's in its order, then each family's members and their
   * children not yet in it, as their creates left them (Znodes made for the caller, not entered
   * in the table). Looks nothing up: for the settled digest and tests, which must see every znode
   * without changing the representation they check.
   */
  everyNode(): [string, Znode][] {
    const out: [string, Znode][] = [];
    for (const entry of this.nodes) out.push(entry);
    if (this.families === null) return out;
    for (const family of this.families.values()) {
      for (let k = 0; k < family.count; k++) {
        const path = family.prefix + k;
        if (family.isPending(k, false)) out.push([path, memberZnode(family, k, path, false)]);
        if (family.childName !== null && family.isPending(k, true)) out.push([path + "/" + family.childName, childZnode(family, k)]);
      }
    }
    return out;
  }

  /** The parent of `path` (see lastParent): the one of the previous create, the node it created, or looked up. */
  private parentForCreate(path: string): Znode | undefined {
    const slash = path.lastIndexOf("/");
    if (slash > 0) {
      if (this.lastParent !== undefined && slash === this.lastParentPath.length && path.startsWith(this.lastParentPath)) return this.lastParent;
      if (this.lastCreated !== undefined && slash === this.createdPath.length && path.startsWith(this.createdPath)) return this.lastCreated;
    }
    const parentPath = parentOf(path);
    const parent = this.lookup(parentPath);
    if (parent !== undefined) {
      this.lastParentPath = parentPath;
      this.lastParent = parent;
    }
    return parent;
  }

  private forgetLookups(): void {
    this.lastParentPath = "";
    this.lastParent = undefined;
    this.lastCreated = undefined;
  }

  /** Rules: NoNode; version -1 matches any, else BadVersion; a node with children is NotEmpty. */
  delete(path: string, version: number, zxid: number): ZkErrorCode {
    const node = this.lookup(path);
    if (node === undefined) return "NoNode";
    if (version !== -1 && version !== node.version) return "BadVersion";
    if (node.children !== null) return "NotEmpty";
    const parent = this.lookup(parentOf(path)) as Znode;
    if (this.undo !== null) {
      this.undo.push({
        kind: UNDO_DELETE, path, node, parent, parentCversion: parent.cversion,
        parentPzxid: parent.pzxid, data: undefined, version: 0, mzxid: 0,
      });
    }
    this.remove(path, node, parent, zxid);
    return "ok";
  }

  /** Rules: NoNode; version -1 matches any, else BadVersion; the version goes up by one. */
  setData(path: string, data: unknown, version: number, zxid: number): ZkErrorCode {
    const node = this.lookup(path);
    if (node === undefined) return "NoNode";
    if (version !== -1 && version !== node.version) return "BadVersion";
    if (this.undo !== null) {
      this.undo.push({
        kind: UNDO_SET, path, node, parent: undefined, parentCversion: 0, parentPzxid: 0,
        data: node.data, version: node.version, mzxid: node.mzxid,
      });
    }
    node.data = data;
    node.version++;
    node.mzxid = zxid;
    return "ok";
  }

  /** Multi's check op: NoNode, or BadVersion unless the version matches (-1 matches any). */
  check(path: string, version: number): ZkErrorCode {
    const node = this.lookup(path);
    if (node === undefined) return "NoNode";
    if (version !== -1 && version !== node.version) return "BadVersion";
    return "ok";
  }

  /** Whether a create of `path` would fail now: no parent, an ephemeral parent, or (not sequential) taken. */
  createWouldFail(path: string, sequential: boolean): boolean {
    const parent = this.lookup(parentOf(path));
    return parent === undefined || parent.ephemeralOwner !== 0 || (!sequential && this.lookup(path) !== undefined);
  }

  /** Whether delete(path, version) would fail now (NoNode, BadVersion, NotEmpty). */
  deleteWouldFail(path: string, version: number): boolean {
    const node = this.lookup(path);
    return node === undefined || (version !== -1 && version !== node.version) || node.children !== null;
  }

  /**
   * closeSession: deletes every ephemeral of the session in one txn (zxid). Returns the deleted
   * paths in the order they were created.
   */
  killSession(sessionId: number, zxid: number): string[] {
    const list = this.ephemerals.get(sessionId);
    if (list === undefined) return [];
    const paths = this.liveEphemerals(list);
    for (const path of paths) {
      const node = this.lookup(path);
      if (node === undefined) continue;
      this.remove(path, node, this.lookup(parentOf(path)) as Znode, zxid);
    }
    this.ephemerals.delete(sessionId);
    return paths;
  }

  // ---- multi: all or nothing ----

  beginMulti(): void {
    this.undo = [];
  }

  /** Keeps the applied ops. */
  commitMulti(): void {
    this.undo = null;
  }

  /** Undoes the ops applied since beginMulti, newest first. */
  rollbackMulti(): void {
    const log = this.undo;
    this.undo = null;
    if (log === null) return;
    for (let i = log.length - 1; i >= 0; i--) {
      const u = log[i];
      switch (u.kind) {
        case UNDO_CREATE: {
          this.nodes.delete(u.path);
          this.left(u.path, u.node);
          this.forgetLookups();
          const parent = u.parent as Znode;
          this.removeChild(parent, u.node);
          parent.cversion = u.parentCversion;
          parent.pzxid = u.parentPzxid;
          if (u.node.ephemeralOwner !== 0) this.dropEphemeral(u.node.ephemeralOwner);
          break;
        }
        case UNDO_DELETE: {
          this.nodes.set(u.path, u.node);
          this.entered(u.path, u.node);
          const parent = u.parent as Znode;
          addChild(parent, u.path, u.node);
          parent.cversion = u.parentCversion;
          parent.pzxid = u.parentPzxid;
          if (u.node.ephemeralOwner !== 0) this.addEphemeral(u.node.ephemeralOwner, u.path, u.node);
          break;
        }
        case UNDO_SET:
          u.node.data = u.data;
          u.node.version = u.version;
          u.node.mzxid = u.mzxid;
          break;
      }
    }
  }

  private remove(path: string, node: Znode, parent: Znode, zxid: number): void {
    this.nodes.delete(path);
    this.left(path, node);
    this.forgetLookups();
    this.removeChild(parent, node);
    parent.cversion++;
    parent.pzxid = zxid;
    if (node.ephemeralOwner !== 0) this.dropEphemeral(node.ephemeralOwner);
  }

  /** `node` is in the tree under `path` now: the watch holder moves the path's data watchers onto it. */
  private entered(path: string, node: Znode): void {
    const h = this.watchHolder;
    if (h !== null && h.holdsMissing) h.entered(path, node);
  }

  /** `node` left the tree: the watch holder keeps its data watchers by path. */
  private left(path: string, node: Znode): void {
    if (node.dataWatchers !== null) (this.watchHolder as WatchHolder).left(path, node);
  }

  /** Takes `child` out of `parent`'s children: the last child moves into its place. */
  private removeChild(parent: Znode, child: Znode): void {
    const c = parent.children as NumberedFamily | string[] | string;
    if (c instanceof NumberedFamily) {
      // A member leaves its place (its `at` is its number); a child added since, the list beside it.
      if (child.at < c.count) c.removeMember(child.at);
      else {
        const added = c.added;
        const i = child.at - c.count;
        const last = added.pop() as string;
        if (i < added.length) {
          added[i] = last;
          (this.lookup(last) as Znode).at = child.at;
        }
      }
      if (c.childCount === 0) parent.children = null;
      return;
    }
    if (typeof c === "string") {
      parent.children = null;
      return;
    }
    const last = c.pop() as string;
    if (c.length === 0 && child.at === 0) {
      parent.children = null;
      return;
    }
    if (child.at < c.length) {
      c[child.at] = last;
      (this.lookup(last) as Znode).at = child.at;
    }
  }

  /** `node` (now in the tree under `path`) is an ephemeral of `owner`. */
  /** Session `owner`'s list of ephemerals, made empty on first use. */
  private ephemeralListOf(owner: number): EphemeralList {
    let list = this.ephemerals.get(owner);
    if (list === undefined) {
      list = { owner, paths: [], nodes: [], used: 0, live: 0, unlisted: false };
      this.ephemerals.set(owner, list);
    }
    return list;
  }

  private addEphemeral(owner: number, path: string, node: Znode): void {
    const list = this.ephemeralListOf(owner);
    if (this.restoring) {
      list.live++;
      list.unlisted = true;
      return;
    }
    const e = list.used++;
    list.paths[e] = path;
    list.nodes[e] = node;
    list.live++;
    if (list.used > 2 * list.live + 64) {
      const paths = this.liveEphemerals(list);
      list.used = paths.length;
      list.paths = paths;
      list.nodes = paths.map((p) => this.lookup(p) as Znode);
      list.unlisted = false;
    }
  }

  /** One of `owner`'s ephemerals left the tree (its entry stops being live by itself). */
  private dropEphemeral(owner: number): void {
    const list = this.ephemerals.get(owner);
    if (list === undefined) return;
    list.live--;
    if (list.live === 0) this.ephemerals.delete(owner);
  }

  /** The live entries' paths in creation order (of a node listed twice, its last entry). */
  private liveEphemerals(list: EphemeralList): string[] {
    if (list.unlisted) return this.liveWithUnlisted(list);
    const { paths, nodes, used } = list;
    const livePaths: string[] = [];
    const liveNodes: Znode[] = [];
    for (let k = 0; k < used; k++) {
      if (this.lookup(paths[k]) !== nodes[k]) continue;
      livePaths.push(paths[k]);
      liveNodes.push(nodes[k]);
    }
    // More live entries than live nodes: a node listed twice (re-added by a rollback).
    return livePaths.length === list.live ? livePaths : lastEntryOfEach(livePaths, liveNodes);
  }

  /**
   * liveEphemerals when some are not listed (createRestored): the owner's nodes in the tree's
   * order, which is the order they entered it — the order a list appends them in, a rollback's
   * re-added node last in both — then the listed entries, of which the live ones name nodes
   * already found: each node's last entry is kept, as liveEphemerals keeps it.
   */
  private liveWithUnlisted(list: EphemeralList): string[] {
    if (this.ephemeralFamilies) return this.liveWithFamilies(list);
    const paths: string[] = [];
    const nodes: Znode[] = [];
    const table = this.nodes;
    for (let e = 0, end = table.end; e < end; e++) {
      const node = table.valueAt(e);
      if (node === undefined || node.ephemeralOwner !== list.owner) continue;
      paths.push(table.pathAt(e) as string);
      nodes.push(node);
    }
    for (let k = 0; k < list.used; k++) {
      if (this.lookup(list.paths[k]) !== list.nodes[k]) continue;
      paths.push(list.paths[k]);
      nodes.push(list.nodes[k]);
    }
    return lastEntryOfEach(paths, nodes);
  }

  /**
   * liveWithUnlisted once an ephemeral family was restored: a family's members enter the table
   * when looked up, in no creation order. The restored ephemerals (czxid up to lastRestoredZxid:
   * in the table, and family members not looked up yet) are put in czxid order, which is the
   * order of their creates and, for those in the table, the table's order without families; then
   * the table's later nodes and the listed entries, as liveWithUnlisted.
   */
  private liveWithFamilies(list: EphemeralList): string[] {
    const restored: { path: string; node: Znode | null; czxid: number }[] = [];
    const paths: string[] = [];
    const nodes: (Znode | null)[] = [];
    const table = this.nodes;
    const owner = list.owner;
    for (let e = 0, end = table.end; e < end; e++) {
      const node = table.valueAt(e);
      if (node === undefined || node.ephemeralOwner !== owner) continue;
      const path = table.pathAt(e) as string;
      if (node.czxid <= this.lastRestoredZxid) restored.push({ path, node, czxid: node.czxid });
      else {
        paths.push(path);
        nodes.push(node);
      }
    }
    if (this.families !== null) {
      for (const family of this.families.values()) {
        if (!family.ephemeral) continue;
        const owners = family.ownerIds;
        for (let k = 0; k < family.count; k++) {
          if (owners[k] === owner && family.isPending(k, false)) restored.push({ path: family.prefix + k, node: null, czxid: family.zxidOf(k) });
        }
      }
    }
    restored.sort((a, b) => a.czxid - b.czxid);
    const allPaths = restored.map((r) => r.path);
    const allNodes = restored.map((r) => r.node);
    for (let k = 0; k < paths.length; k++) {
      allPaths.push(paths[k]);
      allNodes.push(nodes[k]);
    }
    for (let k = 0; k < list.used; k++) {
      if (this.lookup(list.paths[k]) !== list.nodes[k]) continue;
      allPaths.push(list.paths[k]);
      allNodes.push(list.nodes[k]);
    }
    return lastEntryOfEach(allPaths, allNodes);
  }
}

/**
 * Of entries (paths[k], nodes[k]) in order, the paths of each node's last entry, in order (a null
 * node: a family member not looked up yet, met once).
 */
function lastEntryOfEach(paths: readonly string[], nodes: readonly (Znode | null)[]): string[] {
  const seen = new Set<Znode>();
  const kept: string[] = [];
  for (let k = paths.length - 1; k >= 0; k--) {
    const node = nodes[k];
    if (node !== null) {
      if (seen.has(node)) continue;
      seen.add(node);
    }
    kept.push(paths[k]);
  }
  return kept.reverse();
}
