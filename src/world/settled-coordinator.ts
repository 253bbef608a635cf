/**
 * The coordinator side of a settled start (issue 15): an elector's `settle` describes the znodes,
 * sessions and watches a quiet start leaves, and this restores them directly on the ZooKeeper
 * model's server and in each broker's client — as a real ensemble restored from its snapshot,
 * with every broker already connected. Nothing restored is counted as coordinator load.
 */
import type { HostId, SettledCoordinator } from "../elector/api.ts";
import type { ZkClients } from "../coordinator/client.ts";
import { pathHash, sized, sizedInt32 } from "../coordinator/path-table.ts";
import type { ZkServer } from "../coordinator/server.ts";
import type { Session } from "../coordinator/sessions.ts";

export class RestoredCoordinator implements SettledCoordinator {
  /** Per broker: its restored session (undefined until openSessions). */
  private readonly sessions: (Session | undefined)[];
  /**
   * The clients' restored data watches, noted here and handed to the clients at finish: each
   * distinct path in turn (`paths`, with its pathHash in `hashes`; `count` of them), and per watch
   * its broker, times two, plus one when it is the first watch of the next path (`notes`,
   * `noteCount`). A settled naive race restores 3 watches per partition, each on another client:
   * noted by the clients as they came, 3M young path strings were written into a hundred old
   * lists (each store a remembered-set entry for the scavenger, at 1M partitions). Here one store
   * per path and an integer per watch; at finish, once the strings are old, the clients note the
   * same paths in the same order (into lists reserve sized beforehand: allocated at finish, their
   * external memory started a full collection there).
   */
  private paths: string[] = [];
  private hashes: Int32Array = new Int32Array(1024);
  private count = 0;
  private notes: Int32Array = new Int32Array(1024);
  private noteCount = 0;

  constructor(
    private readonly server: ZkServer,
    private readonly clients: ZkClients,
    private readonly brokers: number,
  ) {
    this.sessions = new Array<Session | undefined>(brokers).fill(undefined);
  }

  openSessions(sessionTimeoutMs: number): void {
    for (let h = 0; h < this.brokers; h++) {
      if (this.sessions[h] !== undefined) throw new Error(`settled start: broker ${h} already has a session`);
      const conn = this.clients.nextConn++;
      const s = this.server.restoreSession(h, sessionTimeoutMs, conn);
      this.sessions[h] = s;
      this.clients.impl(h).restoreConnected(s.id, sessionTimeoutMs, s.timeoutMs, conn, 0);
    }
  }

  create(path: string, data: unknown, owner: HostId): number {
    return this.server.restoreCreate(path, data, owner < 0 ? 0 : this.session(owner).id);
  }

  createNumbered(parent: string, data: readonly unknown[], child?: { readonly name: string; readonly data: readonly unknown[] }): number {
    return this.server.restoreNumbered(parent, data, child?.name ?? null, child?.data ?? null);
  }

  createEphemeralNumbered(parent: string, data: readonly unknown[] | { readonly byOwner: readonly unknown[] }, owners: ArrayLike<HostId>, watchers?: { readonly perMember: number; readonly hosts: ArrayLike<HostId> }): number {
    const n = owners.length;
    const byOwner = !Array.isArray(data);
    if (!byOwner && data.length !== n) throw new Error(`settled start: ephemeral family under ${parent}: one value per member expected`);
    // The clients' family watches come before their other data watches (watch-set.ts).
    if (watchers !== undefined && this.noteCount > 0) throw new Error(`settled start: ephemeral family under ${parent}: its watches must be restored before any other data watch`);
    // Owners' session ids through a table by host (a call per member was a tenth of this at 1M).
    const idOf = new Int32Array(this.brokers);
    for (let h = 0; h < this.brokers; h++) idOf[h] = this.session(h).id;
    const ids = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const o = owners[k];
      if (!(o >= 0 && o < this.brokers)) this.session(o); // throws: no such broker
      ids[k] = idOf[o];
    }
    // Data by owner: indexed by the owner's session id in the tree (numbered-family.ts).
    let values: readonly unknown[] = data as readonly unknown[];
    if (byOwner) {
      const bySession: unknown[] = [];
      const given = (data as { readonly byOwner: readonly unknown[] }).byOwner;
      for (let h = 0; h < this.brokers; h++) bySession[idOf[h]] = given[h];
      values = bySession;
    }
    if (watchers === undefined) return this.server.restoreEphemeralFamily(parent, values, byOwner, ids, null);
    // The hosts are kept by reference: a ClusterView's assignment, fixed for the run (api.ts).
    const hosts = watchers.hosts instanceof Int32Array ? watchers.hosts : Int32Array.from(watchers.hosts);
    const sessions: Session[] = [];
    for (let h = 0; h < this.brokers; h++) sessions.push(this.session(h));
    const first = this.server.restoreEphemeralFamily(parent, values, byOwner, ids, { perMember: watchers.perMember, hosts, sessions });
    // Each client reads the family's hosts for its own watches (watch-set.ts): nothing per watch here.
    const perHost = this.server.tree.familyAt(parent)?.watchesPerHost();
    for (let h = 0; h < this.brokers; h++) {
      const n = perHost?.[h] ?? 0;
      if (n > 0) this.clients.impl(h).restoreFamilyWatches(parent + "/", ids.length, hosts, watchers.perMember, n);
    }
    return first;
  }

  setData(path: string, data: unknown): number {
    return this.server.restoreSetData(path, data);
  }

  watch(host: HostId, path: string, kind: "data" | "exists" | "children"): void {
    this.server.restoreWatch(this.session(host), path, kind === "children");
    if (kind !== "data") {
      this.clients.impl(host).restoreWatch(path, kind);
      return;
    }
    // Every replica watches the same path in turn: noted and hashed once, while the new string is in cache.
    let next = 0;
    const i = this.count;
    if (i === 0 || this.paths[i - 1] !== path) {
      if (i === this.hashes.length) this.hashes = sizedInt32(this.hashes, i, i * 2);
      this.hashes[i] = pathHash(path);
      this.paths[i] = path;
      this.count = i + 1;
      next = 1;
    }
    const w = this.noteCount++;
    if (w === this.notes.length) this.notes = sizedInt32(this.notes, w, w * 2);
    this.notes[w] = host * 2 + next;
  }

  /** Sizes the tree's table and the notes of restored data watches (a session's ephemerals and watches are not listed per session: ZnodeTree.createRestored, WatchManager.restoreData). */
  reserve(znodes: number, dataWatches: (host: HostId) => number): void {
    this.server.restoreReserve(znodes);
    let watches = 0;
    for (let h = 0; h < this.brokers; h++) {
      this.session(h); // throws if openSessions was not called
      const n = dataWatches(h);
      watches += n;
      this.clients.impl(h).reserveRestored("data", n);
    }
    // Paths noted: at most one per znode when each is watched in one run of calls (naive race), and
    // never more than the watches (kafka-controller's 2M znodes have 100 data watches on one path).
    const paths = Math.min(znodes, watches);
    if (this.paths.length < this.count + paths) this.paths = sized(this.paths, this.count, this.count + paths);
    if (this.hashes.length < this.count + paths) this.hashes = sizedInt32(this.hashes, this.count, this.count + paths);
    if (this.notes.length < this.noteCount + watches) this.notes = sizedInt32(this.notes, this.noteCount, this.noteCount + watches);
  }

  /** Every client has seen the last zxid of the restored state (ClientCnxn.lastZxid). */
  finish(): void {
    this.server.finishRestore();
    const { paths, hashes, notes } = this;
    for (let w = 0, i = -1; w < this.noteCount; w++) {
      const v = notes[w];
      i += v & 1;
      this.clients.impl(v >> 1).restoreWatch(paths[i], "data", hashes[i]);
    }
    this.paths = [];
    this.hashes = new Int32Array(0);
    this.count = 0;
    this.notes = new Int32Array(0);
    this.noteCount = 0;
    for (let h = 0; h < this.brokers; h++) {
      if (this.sessions[h] === undefined) continue;
      const client = this.clients.impl(h);
      client.flushRestoredWatches();
      client.lastZxid = this.server.zxid;
    }
  }

  private session(host: HostId): Session {
    const s = host >= 0 && host < this.brokers ? this.sessions[host] : undefined;
    if (s === undefined) throw new Error(`settled start: broker ${host} has no session (call openSessions first)`);
    return s;
  }
}
