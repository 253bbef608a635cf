/**
 * The coordinator side of a settled start (issue 15): an elector's `settle` describes the znodes,
 * sessions and watches a quiet start leaves, and this restores them directly on the ZooKeeper
 * model's server and in each broker's client — as a real ensemble restored from its snapshot,
 * with every broker already connected. Nothing restored is counted as coordinator load.
 */
import type { HostId, SettledCoordinator } from "../elector/api.ts";
import type { ZkClients } from "../coordinator/client.ts";
import { pathHash } from "../coordinator/path-table.ts";
import type { ZkServer } from "../coordinator/server.ts";
import type { Session } from "../coordinator/sessions.ts";

export class RestoredCoordinator implements SettledCoordinator {
  /** Per broker: its restored session (undefined until openSessions). */
  private readonly sessions: (Session | undefined)[];
  /** The last path watch() hashed, and its pathHash. */
  private hashedPath = "";
  private pathHash = 0;

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

  setData(path: string, data: unknown): number {
    return this.server.restoreSetData(path, data);
  }

  watch(host: HostId, path: string, kind: "data" | "exists" | "children"): void {
    this.server.restoreWatch(this.session(host), path, kind === "children");
    // Every replica watches the same path in turn: hashed once, while the new string is in cache.
    if (path !== this.hashedPath) {
      this.hashedPath = path;
      this.pathHash = pathHash(path);
    }
    this.clients.impl(host).restoreWatch(path, kind, this.pathHash);
  }

  /** Sizes the tree's table and each client's noted watches (a session's ephemerals and watches are not listed per session: ZnodeTree.createRestored, WatchManager.restoreData). */
  reserve(znodes: number, _ephemerals: (host: HostId) => number, dataWatches: (host: HostId) => number): void {
    this.server.restoreReserve(znodes);
    for (let h = 0; h < this.brokers; h++) {
      this.session(h); // throws if openSessions was not called
      this.clients.impl(h).reserveRestored("data", dataWatches(h));
    }
  }

  /** Every client has seen the last zxid of the restored state (ClientCnxn.lastZxid). */
  finish(): void {
    this.server.finishRestore();
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
