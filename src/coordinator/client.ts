/**
 * The ZooKeeper client a broker uses (ZkClient from the elector API), after ZooKeeper's ClientCnxn,
 * as a plain state machine: requests carry the elector's numeric tag; results, watch events and
 * session changes come back as ZkEvents through one sink. `ZkClients` owns every client's kernel
 * event kinds (timer, retransmit, local delivery) and routes them by host id.
 *
 * Rules (ClientCnxn; Programmer's Guide, "ZooKeeper Sessions"):
 *  - readTimeout = 2/3 of the negotiated session timeout; a connected client that has heard nothing
 *    for readTimeout drops the connection: in-flight requests fail with ConnectionLoss, then it
 *    reports Disconnected and reconnects (to the same, single server);
 *  - it pings when it has sent nothing for readTimeout / 2 (= 1/3 of the timeout), and at least
 *    every MAX_SEND_PING_INTERVAL (10 s);
 *  - a connect attempt waits connectTimeout = timeout / number of servers for the server's answer;
 *    every attempt but the first of a session is preceded by a random pause of up to 1 s;
 *  - requests issued while not connected are queued and sent once connected again (after SetWatches);
 *  - on reconnect it sends SetWatches with the last zxid it saw, so watches whose node changed
 *    meanwhile fire at once;
 *  - Expired is learnt only from the server on reconnecting; an expired session never comes back
 *    (queued requests fail with SessionExpired; connect() starts a new session);
 *  - a request on a closed or expired handle fails with SessionExpired (conLossPacket in state CLOSED).
 * Results never reach the elector from inside one of its own calls: a request that fails at once is
 * delivered through a kernel event at the current time.
 */
import type {
  CreateMode,
  ZkClient,
  ZkErrorCode,
  ZkEvent,
  ZkOp,
  ZkOpName,
  ZkResult,
  ZkSessionEvent,
  ZkSessionState,
  ZkWatchEvent,
} from "../elector/zookeeper-client.ts";
import { HostStatus, type EventHandler, type HostId, type Kernel } from "../sim/kernel.ts";
import type { Message, Network } from "../sim/network.ts";
import { mixSeed } from "../sim/random.ts";
import { zkConfig, type ZkConfig } from "./config.ts";
import { Fifo } from "./fifo.ts";
import { indexSizeFor, PathSet } from "./path-set.ts";
import { pathHash, sized, sizedInt32 } from "./path-table.ts";
import {
  requestBytes,
  setWatchesBytes,
  type ZkConnectedMessage,
  type ZkConnectMessage,
  type ZkFinMessage,
  type ZkPingMessage,
  type ZkReplyMessage,
  type ZkRequestMessage,
  type ZkRequestType,
  type ZkServerToClient,
  type ZkSetWatchesMessage,
  type ZkWatchMessage,
} from "./messages.ts";
import type { ZkClientHostStats } from "./stats.ts";
import { Stream } from "./stream.ts";
import { FamilyWatches, WatchSet } from "./watch-set.ts";

/** Where the clients' events go (the world hands them to the host's elector). */
export interface ZkEventSink {
  zkEvent(host: HostId, event: ZkEvent): void;
}

type ClientState = ZkClient["state"];

const OP_NAME: Record<ZkRequestType, ZkOpName> = {
  "zk.create": "create",
  "zk.delete": "delete",
  "zk.setData": "setData",
  "zk.getData": "getData",
  "zk.exists": "exists",
  "zk.getChildren": "getChildren",
  "zk.multi": "multi",
  "zk.closeSession": "delete", // never reported
};

/** A request; conn, session and xid are filled in when it is actually sent. */
class ClientRequest implements ZkRequestMessage {
  conn = 0;
  sessionId = 0;
  xid = 0;
  constructor(
    readonly type: ZkRequestType,
    readonly tag: number,
    readonly path: string,
    readonly data: unknown,
    readonly version: number,
    readonly mode: CreateMode | undefined,
    readonly watch: boolean,
    readonly ops: readonly ZkOp[] | undefined,
  ) {}
}

/**
 * Rule (PathUtils.validatePath): absolute, no empty, "." or ".." segment, no trailing slash (a
 * sequential create may end in one). Thrown at the call, as ZooKeeper's IllegalArgumentException.
 */
export function validatePath(path: string, sequential: boolean): void {
  if (path.length === 0 || path.charCodeAt(0) !== 47) throw new Error(`zk: path must start with /: "${path}"`);
  if (path.length === 1) return;
  if (path.endsWith("/") && !sequential) throw new Error(`zk: path must not end with /: "${path}"`);
  const body = sequential && path.endsWith("/") ? path.substring(0, path.length - 1) : path;
  if (body.includes("//")) throw new Error(`zk: empty node name in "${path}"`);
  if (body.includes("/./") || body.endsWith("/.") || body.includes("/../") || body.endsWith("/..")) {
    throw new Error(`zk: relative path segment in "${path}"`);
  }
}

export class ZkClientImpl implements ZkClient {
  sessionId = 0;
  state: ClientState = "idle";
  sessionTimeoutMs = 0;
  /** Last zxid seen in a reply (ClientCnxn.lastZxid), sent with SetWatches and connects. */
  lastZxid = 0;

  private requestedTimeoutMs = 0;
  private conn = 0;
  private stream: Stream | null = null;
  /** Waiting for the server's answer to a connect sent on `stream`. */
  private handshaking = false;
  private connectStartedAt = 0;
  private nextAttemptAt = 0;
  private attempts = 0;
  private lastHeard = 0;
  private lastSent = 0;
  private readTimeout = 0;
  private pingInterval = 0;
  private xid = 0;
  private timerSeq = 0;
  private timerAt = Infinity;

  private readonly pending = new Fifo<ClientRequest>();
  private readonly queued = new Fifo<ClientRequest>();
  // The watch tables, in the order the watches were set (path-set.ts: a Set<string> that keeps each
  // path's hash; watch-set.ts: data watches, also those restored on an ephemeral family's members).
  private dataWatches = new WatchSet();
  private existWatches = new PathSet();
  private childWatches = new PathSet();
  /** Watches a settled start restored, not yet in the tables above, per kind in restore order (restoreWatch). */
  private restoredData: RestoredWatches | null = null;
  private restoredExist: RestoredWatches | null = null;
  private restoredChild: RestoredWatches | null = null;

  // counters
  requests = 0;
  /** Reads, writes (each sub-op of a multi) and creates issued, as live mode counts them (src/live/). */
  reads = 0;
  writes = 0;
  creates = 0;
  watchEvents = 0;
  connectedEvents = 0;
  disconnectedEvents = 0;
  expiredEvents = 0;
  connectionLoss = 0;

  constructor(
    private readonly owner: ZkClients,
    readonly host: HostId,
  ) {}

  // ---- ZkClient ----

  connect(sessionTimeoutMs: number): void {
    if (this.state === "connecting" || this.state === "connected" || this.state === "disconnected") {
      throw new Error(`zk: host ${this.host} already has a live session (state ${this.state}); close() it first`);
    }
    // A new handle: whatever is left of an earlier (closed or expired) session is dropped.
    this.dropConnection(false);
    this.invalidateTimer();
    this.pending.clear();
    this.sessionId = 0;
    this.sessionTimeoutMs = 0;
    this.lastZxid = 0;
    this.clearWatches();
    this.requestedTimeoutMs = sessionTimeoutMs;
    this.state = "connecting";
    this.attempts = 0;
    this.attempt();
  }

  close(): void {
    const s = this.state;
    if (s === "closed") return;
    if (s === "connected") {
      // The closeSession request follows everything already sent; replies keep arriving until its own.
      this.state = "closed";
      this.send(new ClientRequest("zk.closeSession", 0, "", undefined, -1, undefined, false, undefined));
      return;
    }
    this.state = "closed";
    this.dropConnection(false);
    this.invalidateTimer();
    const failed = this.queued.drain();
    for (const r of failed) this.deliverLater(this.failure(r, "SessionExpired"));
  }

  create(path: string, data: unknown, mode: CreateMode, tag: number): void {
    validatePath(path, mode === "persistent-sequential" || mode === "ephemeral-sequential");
    this.submit(new ClientRequest("zk.create", tag, path, data, -1, mode, false, undefined));
  }

  delete(path: string, version: number, tag: number): void {
    validatePath(path, false);
    if (path === "/") throw new Error("zk: cannot delete /");
    this.submit(new ClientRequest("zk.delete", tag, path, undefined, version, undefined, false, undefined));
  }

  setData(path: string, data: unknown, version: number, tag: number): void {
    validatePath(path, false);
    this.submit(new ClientRequest("zk.setData", tag, path, data, version, undefined, false, undefined));
  }

  getData(path: string, watch: boolean, tag: number): void {
    validatePath(path, false);
    this.submit(new ClientRequest("zk.getData", tag, path, undefined, -1, undefined, watch, undefined));
  }

  exists(path: string, watch: boolean, tag: number): void {
    validatePath(path, false);
    this.submit(new ClientRequest("zk.exists", tag, path, undefined, -1, undefined, watch, undefined));
  }

  getChildren(path: string, watch: boolean, tag: number): void {
    validatePath(path, false);
    this.submit(new ClientRequest("zk.getChildren", tag, path, undefined, -1, undefined, watch, undefined));
  }

  multi(ops: readonly ZkOp[], tag: number): void {
    for (const op of ops) validatePath(op.path, op.op === "create" && (op.mode === "persistent-sequential" || op.mode === "ephemeral-sequential"));
    this.submit(new ClientRequest("zk.multi", tag, "", undefined, -1, undefined, false, ops));
  }

  // ---- settled start (issue 15; src/world/settled-coordinator.ts): state restored, not simulated ----

  /** Connected on a fresh connection with an open session, as a quiet start leaves the client. */
  restoreConnected(sessionId: number, requestedTimeoutMs: number, timeoutMs: number, conn: number, lastZxid: number): void {
    const o = this.owner;
    const c = o.config;
    const now = o.kernel.now;
    this.requestedTimeoutMs = requestedTimeoutMs;
    this.conn = conn;
    this.stream = new Stream(o.kernel, o.network, this.host, o.serverHost, conn, o.retransmitKind, this.host, 0, c.tcpRtoMinMs, c.tcpRtoMaxMs);
    this.sessionId = sessionId;
    this.sessionTimeoutMs = timeoutMs;
    this.readTimeout = Math.floor((timeoutMs * 2) / 3);
    this.pingInterval = Math.min(this.readTimeout / 2, c.maxPingIntervalMs);
    this.state = "connected";
    this.lastZxid = lastZxid;
    this.lastHeard = now;
    this.lastSent = now;
    this.invalidateTimer();
    this.armTimer(Math.min(this.lastHeard + this.readTimeout, this.lastSent + this.pingInterval));
  }

  /**
   * A watch the quiet start left registered on this client: noted, and added to the watch sets by
   * flushRestoredWatches once the whole restore is described. A settled start restores watches in
   * partition order, each on every replica's client in turn, so adding them at once touched a
   * hundred clients' sets by turns; at 1M partitions those sets outgrow the caches and the adds
   * cost seconds. Noted per client and kind, and added client by client, each set receives the same
   * paths in the same order (its iteration order, which SetWatches sends, is unchanged). `hash` is
   * the path's pathHash, computed by the caller while the new path string is in cache.
   */
  restoreWatch(path: string, kind: "data" | "exists" | "children", hash: number = pathHash(path)): void {
    const noted = kind === "data" ? (this.restoredData ??= new RestoredWatches()) : kind === "exists" ? (this.restoredExist ??= new RestoredWatches()) : (this.restoredChild ??= new RestoredWatches());
    noted.note(path, hash);
  }

  /**
   * The data watches this client holds on members of an ephemeral family a settled start restored
   * (`prefix`: its parent and "/"; `count` members, member k watched by hosts[k * perMember ..
   * (k + 1) * perMember), `watched` of them by this client), kept as they are (watch-set.ts). They
   * precede every other data watch: none may be noted before.
   */
  restoreFamilyWatches(prefix: string, count: number, hosts: Int32Array, perMember: number, watched: number): void {
    if ((this.restoredData?.n ?? 0) > 0 || this.dataWatches.size > 0) throw new Error(`zk: host ${this.host}: family watches under ${prefix} restored after other data watches`);
    this.dataWatches.addFamily(new FamilyWatches(prefix, count, hosts, perMember, this.host, watched));
  }

  /** About `n` watches of `kind` will be restored on this client (a sizing hint for the lists restoreWatch notes them in). */
  reserveRestored(kind: "data" | "exists" | "children", n: number): void {
    const noted = kind === "data" ? (this.restoredData ??= new RestoredWatches()) : kind === "exists" ? (this.restoredExist ??= new RestoredWatches()) : (this.restoredChild ??= new RestoredWatches());
    noted.reserve(n);
  }

  /** Adds the watches restoreWatch noted, in the order they were restored (RestoredCoordinator.finish). */
  flushRestoredWatches(): void {
    addRestored(this.dataWatches, this.restoredData);
    addRestored(this.existWatches, this.restoredExist);
    addRestored(this.childWatches, this.restoredChild);
    this.restoredData = null;
    this.restoredExist = null;
    this.restoredChild = null;
  }

  // ---- requests ----

  private submit(r: ClientRequest): void {
    this.requests++;
    switch (r.type) {
      case "zk.create":
        this.creates++;
        this.writes++;
        break;
      case "zk.delete":
      case "zk.setData":
        this.writes++;
        break;
      case "zk.multi": {
        const ops = r.ops as readonly ZkOp[];
        this.writes += Math.max(1, ops.length);
        for (const op of ops) if (op.op === "create") this.creates++;
        break;
      }
      case "zk.getData":
      case "zk.exists":
      case "zk.getChildren":
        this.reads++;
        break;
    }
    switch (this.state) {
      case "connected":
        this.send(r);
        return;
      case "connecting":
      case "disconnected":
        // Rule (ClientCnxn): queued until connected, sent after SetWatches.
        this.queued.push(r);
        return;
      case "idle":
        this.deliverLater(this.failure(r, "ConnectionLoss"));
        return;
      default:
        this.deliverLater(this.failure(r, "SessionExpired"));
    }
  }

  private send(r: ClientRequest): void {
    const stream = this.stream as Stream;
    r.conn = this.conn;
    r.sessionId = this.sessionId;
    r.xid = ++this.xid;
    this.pending.push(r);
    stream.send(r, requestBytes(this.owner.config.headerBytes, r));
    this.lastSent = this.owner.kernel.now;
  }

  private failure(r: ClientRequest, err: ZkErrorCode): ZkResult {
    if (err === "ConnectionLoss") this.connectionLoss++;
    return {
      kind: "result", tag: r.tag, op: OP_NAME[r.type], path: r.path, err, stat: undefined, data: undefined,
      children: undefined, createdPath: undefined, results: undefined, zxid: this.lastZxid,
    };
  }

  private deliverLater(event: ZkEvent): void {
    this.owner.kernel.schedule(this.owner.kernel.now, this.owner.localKind, this.host, 0, 0, event);
  }

  // ---- connection ----

  /** One connect attempt: the TCP handshake needs both directions open and the server machine up. */
  private attempt(): void {
    const o = this.owner;
    const now = o.kernel.now;
    this.attempts++;
    this.conn = o.nextConn++;
    if (o.handshakePossible(this.host)) {
      const c = o.config;
      this.stream = new Stream(o.kernel, o.network, this.host, o.serverHost, this.conn, o.retransmitKind, this.host, 0, c.tcpRtoMinMs, c.tcpRtoMaxMs);
      this.handshaking = true;
      this.connectStartedAt = now;
      const m: ZkConnectMessage = {
        type: "zk.connect", conn: this.conn, sessionId: this.sessionId, timeoutMs: this.requestedTimeoutMs, lastZxid: this.lastZxid,
      };
      this.stream.send(m, c.headerBytes + 28);
      this.lastSent = now;
      this.lastHeard = now;
      this.armTimer(now + this.connectTimeout());
    } else {
      this.scheduleAttempt();
    }
  }

  /** Rule (ClientCnxn.startConnect): a random pause of up to 1 s before trying again. */
  private scheduleAttempt(): void {
    const o = this.owner;
    const u = (mixSeed(o.config.jitterSeed + this.host * 65537 + this.attempts, "zk-reconnect") >>> 0) / 4294967296;
    this.nextAttemptAt = o.kernel.now + u * o.config.reconnectJitterMs;
    this.armTimer(this.nextAttemptAt);
  }

  /** ClientCnxn: connectTimeout = sessionTimeout / number of servers (one here). */
  private connectTimeout(): number {
    return this.sessionTimeoutMs > 0 ? this.sessionTimeoutMs : this.requestedTimeoutMs;
  }

  /** Closes the current connection; with `fin`, tells the server (if the path is open). */
  private dropConnection(fin: boolean): void {
    const stream = this.stream;
    if (stream === null) return;
    if (fin && this.owner.network.canReach(this.host, this.owner.serverHost)) {
      const m: ZkFinMessage = { type: "zk.fin", conn: this.conn, sessionId: this.sessionId };
      this.owner.network.sendStream(this.host, this.owner.serverHost, m, this.owner.config.headerBytes);
    }
    stream.close();
    this.stream = null;
    this.handshaking = false;
  }

  /**
   * The connection is gone (read timeout, connect timeout, or the server closed it): in-flight
   * requests fail with ConnectionLoss, then Disconnected is reported (if it was connected), then the
   * client tries again.
   */
  private connectionLost(): void {
    const wasConnected = this.state === "connected";
    const closed = this.state === "closed";
    this.dropConnection(true);
    this.invalidateTimer();
    const failed = this.pending.drain();
    if (wasConnected) this.state = "disconnected";
    if (!closed) this.scheduleAttempt();
    const sink = this.owner.sink;
    for (const r of failed) {
      if (r.type === "zk.closeSession") continue;
      sink.zkEvent(this.host, this.failure(r, closed ? "SessionExpired" : "ConnectionLoss"));
    }
    if (wasConnected) this.sessionEvent("disconnected");
  }

  private onConnected(m: ZkConnectedMessage): void {
    const now = this.owner.kernel.now;
    this.handshaking = false;
    if (m.timeoutMs <= 0) {
      // Rule: the server says the session is gone; the client learns Expired only now.
      this.dropConnection(false);
      this.invalidateTimer();
      this.state = "expired";
      this.clearWatches();
      const failed = this.queued.drain();
      this.sessionEvent("expired");
      for (const r of failed) this.owner.sink.zkEvent(this.host, this.failure(r, "SessionExpired"));
      return;
    }
    this.sessionId = m.sessionId;
    this.sessionTimeoutMs = m.timeoutMs;
    this.readTimeout = Math.floor((m.timeoutMs * 2) / 3);
    this.pingInterval = Math.min(this.readTimeout / 2, this.owner.config.maxPingIntervalMs);
    this.state = "connected";
    this.attempts = 0;
    this.lastHeard = now;
    // SetWatches goes first, then what was queued while disconnected.
    if (this.dataWatches.size + this.existWatches.size + this.childWatches.size > 0) {
      const sw: ZkSetWatchesMessage = {
        type: "zk.setWatches", conn: this.conn, sessionId: this.sessionId, relativeZxid: this.lastZxid,
        dataWatches: this.dataWatches.toArray(), existWatches: this.existWatches.toArray(),
        childWatches: this.childWatches.toArray(),
      };
      (this.stream as Stream).send(sw, setWatchesBytes(this.owner.config.headerBytes, sw));
      this.lastSent = now;
    }
    for (let r = this.queued.shift(); r !== undefined; r = this.queued.shift()) this.send(r);
    this.invalidateTimer();
    this.armTimer(Math.min(this.lastHeard + this.readTimeout, this.lastSent + this.pingInterval));
    this.sessionEvent("connected");
  }

  private onReply(m: ZkReplyMessage): void {
    const r = this.pending.shift();
    if (r === undefined || r.xid !== m.xid) {
      throw new Error(`zk: host ${this.host}: reply xid ${m.xid} out of order (expected ${r?.xid})`);
    }
    if (m.zxid > 0) this.lastZxid = m.zxid;
    if (r.type === "zk.closeSession") {
      this.dropConnection(false);
      this.invalidateTimer();
      return;
    }
    // Rule (WatchRegistration): the client keeps a watch once the server accepted it:
    // exists -> data watch if the node exists, exist watch if NoNode; getData/getChildren if ok.
    if (r.watch) {
      if (r.type === "zk.exists") {
        if (m.err === "ok") this.dataWatches.add(r.path);
        else if (m.err === "NoNode") this.existWatches.add(r.path);
      } else if (m.err === "ok") {
        if (r.type === "zk.getData") this.dataWatches.add(r.path);
        else if (r.type === "zk.getChildren") this.childWatches.add(r.path);
      }
    }
    const result: ZkResult = {
      kind: "result", tag: r.tag, op: OP_NAME[r.type], path: r.path, err: m.err, stat: m.stat, data: m.data,
      children: m.children, createdPath: m.createdPath, results: m.results, zxid: m.zxid,
    };
    this.owner.emit(this.host, result, this.owner.config.liveProcessReplyMs);
  }

  /** Rule (ZKWatchManager.materialize): an event clears the matching one-shot watches. */
  private onWatch(m: ZkWatchMessage): void {
    const p = m.path;
    let had = false;
    switch (m.event) {
      case "created":
      case "dataChanged": {
        const a = this.dataWatches.delete(p);
        const b = this.existWatches.delete(p);
        had = a || b;
        break;
      }
      case "deleted": {
        const a = this.dataWatches.delete(p);
        const b = this.existWatches.delete(p);
        const c = this.childWatches.delete(p);
        had = a || b || c;
        break;
      }
      case "childrenChanged":
        had = this.childWatches.delete(p);
        break;
    }
    if (!had) return;
    this.watchEvents++;
    const event: ZkWatchEvent = { kind: "watch", type: m.event, path: p };
    this.owner.emit(this.host, event, this.owner.config.liveProcessNotificationMs);
  }

  private sessionEvent(state: ZkSessionState): void {
    if (state === "connected") this.connectedEvents++;
    else if (state === "disconnected") this.disconnectedEvents++;
    else this.expiredEvents++;
    const event: ZkSessionEvent = { kind: "session", state, sessionId: this.sessionId };
    this.owner.emit(this.host, event, 0);
  }

  private clearWatches(): void {
    this.dataWatches.clear();
    this.existWatches.clear();
    this.childWatches.clear();
  }

  // ---- inbound ----

  receive(message: Message): void {
    const m = message as ZkServerToClient;
    // Anything on a connection this client has closed is discarded, as by a closed socket.
    if (this.stream === null || m.conn !== this.conn) return;
    this.lastHeard = this.owner.kernel.now;
    switch (m.type) {
      case "zk.connected":
        if (this.handshaking) this.onConnected(m);
        return;
      case "zk.reply":
        this.onReply(m);
        return;
      case "zk.pingReply":
        if (m.zxid > 0) this.lastZxid = m.zxid;
        return;
      case "zk.watch":
        this.onWatch(m);
        return;
      case "zk.fin":
        // The server closed the connection (session ended, or it reset an unknown connection).
        this.connectionLost();
        return;
    }
  }

  // ---- timers ----

  /** One lazy timer per client: arm for the earliest deadline; a stale firing is ignored by seq. */
  private armTimer(at: number): void {
    if (at >= this.timerAt) return;
    this.timerAt = at;
    this.owner.kernel.schedule(at, this.owner.timerKind, this.host, ++this.timerSeq, 0, undefined);
  }

  private invalidateTimer(): void {
    this.timerSeq++;
    this.timerAt = Infinity;
  }

  timerFired(seq: number): void {
    if (seq !== this.timerSeq) return;
    this.timerAt = Infinity;
    const now = this.owner.kernel.now;
    if (this.stream !== null && !this.handshaking) {
      // Connected (or closing): read timeout, then ping.
      const deadline = this.lastHeard + this.readTimeout;
      if (now >= deadline) {
        this.connectionLost();
        return;
      }
      if (now >= this.lastSent + this.pingInterval && this.state === "connected") {
        const ping: ZkPingMessage = { type: "zk.ping", conn: this.conn, sessionId: this.sessionId };
        this.stream.send(ping, this.owner.config.headerBytes);
        this.lastSent = now;
      }
      // Pings only while connected: a closing client waits for its close answer or the read
      // timeout (arming for a ping time already past would fire again at once, forever).
      this.armTimer(this.state === "connected" ? Math.min(deadline, this.lastSent + this.pingInterval) : deadline);
      return;
    }
    if (this.handshaking) {
      const deadline = this.connectStartedAt + this.connectTimeout();
      if (now >= deadline) this.connectionLost();
      else this.armTimer(deadline);
      return;
    }
    if (this.state === "connecting" || this.state === "disconnected") {
      if (now >= this.nextAttemptAt) this.attempt();
      else this.armTimer(this.nextAttemptAt);
    }
  }

  retransmit(conn: number): void {
    if (this.stream !== null && this.stream.conn === conn) this.stream.retransmit();
  }

  /** The host crashed: everything volatile is lost, silently. */
  reset(): void {
    this.stream?.close();
    this.stream = null;
    this.handshaking = false;
    this.invalidateTimer();
    this.pending.clear();
    this.queued.clear();
    this.clearWatches();
    this.state = "idle";
    this.sessionId = 0;
    this.sessionTimeoutMs = 0;
    this.lastZxid = 0;
    this.attempts = 0;
  }

  stats(): ZkClientHostStats {
    return {
      host: this.host,
      requests: this.requests,
      reads: this.reads,
      writes: this.writes,
      creates: this.creates,
      watchEvents: this.watchEvents,
      connected: this.connectedEvents,
      disconnected: this.disconnectedEvents,
      expired: this.expiredEvents,
      connectionLoss: this.connectionLoss,
    };
  }
}

/** Restored watches of one kind, in restore order: their paths and the paths' hashes (pathHash). */
class RestoredWatches {
  paths: string[] = [];
  hashes: Int32Array = new Int32Array(1024);
  /** Watches noted (the first n of both lists). */
  n = 0;
  /**
   * The set's index, allocated with the lists by reserve, untouched until addAll. A typed array
   * counts as external memory, and V8 starts a full collection once 64 MB of it were allocated
   * since the last one: at 1M partitions the hundred clients' indexes (26 MB) made at the end of
   * the restore, then the hosts' arrays (40 MB), started a collection of the whole settled heap
   * as the hosts booted (a 120-150 ms pause). Allocated before the restore's own collection, they
   * no longer count towards that one (docs/performance.md, stop 29).
   */
  index: Int32Array<ArrayBuffer> | null = null;

  note(path: string, hash: number): void {
    const n = this.n++;
    if (n === this.hashes.length) {
      const grown = new Int32Array(n * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[n] = hash;
    this.paths[n] = path;
  }

  /** Room for `more` watches beyond those noted, allocated once (reserveRestored). */
  reserve(more: number): void {
    const total = this.n + more;
    if (this.hashes.length < total) this.hashes = sizedInt32(this.hashes, this.n, total);
    if (this.paths.length < total) this.paths = sized(this.paths, this.n, total);
    const size = indexSizeFor(total);
    if (this.index === null || this.index.length < size) this.index = new Int32Array(size);
  }
}

/** Adds the noted watches to `set`, in order (into an empty set, the noted lists become the set's: PathSet.addAll). */
function addRestored(set: PathSet | WatchSet, noted: RestoredWatches | null): void {
  if (noted !== null) set.addAll(noted.paths, noted.hashes, noted.n, noted.index);
}

/** All brokers' ZooKeeper clients, and the kernel event kinds they share. */
export class ZkClients {
  readonly config: ZkConfig;
  readonly timerKind: number;
  readonly retransmitKind: number;
  readonly localKind: number;
  /** Connection numbers are unique across all clients and incarnations, like socket 4-tuples. */
  nextConn = 1;
  private readonly clients: (ZkClientImpl | undefined)[];
  /** Live-harness model (config.liveProcess*): whether it is on, and when the one process is next free. */
  private readonly oneProcess: boolean;
  private processFreeAt = 0;
  private readonly processKind: number;

  constructor(
    readonly kernel: Kernel,
    readonly network: Network,
    readonly serverHost: HostId,
    readonly sink: ZkEventSink,
    config: Partial<ZkConfig> = {},
  ) {
    this.config = zkConfig(config);
    this.clients = new Array<ZkClientImpl | undefined>(kernel.hostCount).fill(undefined);
    this.timerKind = kernel.registerKind("zk.client.timer", new TimerHandler(this.clients), true);
    this.retransmitKind = kernel.registerKind("zk.client.retransmit", new RetransmitHandler(this.clients), true);
    this.localKind = kernel.registerKind("zk.client.local", new LocalHandler(this.sink), true);
    this.oneProcess = this.config.liveProcessReplyMs > 0 || this.config.liveProcessNotificationMs > 0;
    this.processKind = this.oneProcess ? kernel.registerKind("zk.client.process", new ProcessHandler(this.kernel, this.sink), true) : -1;
  }

  /**
   * Hands a result, watch or session event to the host's elector. With the live-harness model on,
   * every client's events queue for one shared process and each costs it `costMs` first (in order,
   * so a session's events stay FIFO); an event for a host that crashed meanwhile is dropped.
   */
  emit(host: HostId, event: ZkEvent, costMs: number): void {
    if (!this.oneProcess) {
      this.sink.zkEvent(host, event);
      return;
    }
    const now = this.kernel.now;
    if (costMs === 0 && this.processFreeAt < now) {
      this.sink.zkEvent(host, event);
      return;
    }
    const at = Math.max(now, this.processFreeAt) + costMs;
    this.processFreeAt = at;
    this.kernel.schedule(at, this.processKind, host, this.kernel.incarnation(host), 0, event);
  }

  /** The client of a broker host (created on first use). */
  client(host: HostId): ZkClient {
    return this.impl(host);
  }

  impl(host: HostId): ZkClientImpl {
    let c = this.clients[host];
    if (c === undefined) {
      c = new ZkClientImpl(this, host);
      this.clients[host] = c;
    }
    return c;
  }

  /** The world calls this for every "zk." message arriving at a broker host. */
  deliver(host: HostId, message: Message): void {
    this.clients[host]?.receive(message);
  }

  /** Volatile client state is lost; the server-side session lives on until it expires. */
  hostCrashed(host: HostId): void {
    this.clients[host]?.reset();
  }

  /** Would a TCP handshake from `host` to the server complete now? */
  handshakePossible(host: HostId): boolean {
    const s = this.serverHost;
    return this.network.canReach(host, s) && this.network.canReach(s, host) && this.kernel.hostStatus(s) !== HostStatus.Crashed;
  }

  stats(): ZkClientHostStats[] {
    const out: ZkClientHostStats[] = [];
    for (const c of this.clients) if (c !== undefined) out.push(c.stats());
    return out;
  }
}

class TimerHandler implements EventHandler {
  constructor(private readonly clients: (ZkClientImpl | undefined)[]) {}
  handle(host: number, seq: number): void {
    this.clients[host]?.timerFired(seq);
  }
}

class RetransmitHandler implements EventHandler {
  constructor(private readonly clients: (ZkClientImpl | undefined)[]) {}
  handle(host: number, _key: number, conn: number): void {
    this.clients[host]?.retransmit(conn);
  }
}

class ProcessHandler implements EventHandler {
  constructor(
    private readonly kernel: Kernel,
    private readonly sink: ZkEventSink,
  ) {}
  handle(host: number, incarnation: number, _b: number, obj: unknown): void {
    if (this.kernel.incarnation(host) === incarnation) this.sink.zkEvent(host, obj as ZkEvent);
  }
}

class LocalHandler implements EventHandler {
  constructor(private readonly sink: ZkEventSink) {}
  handle(host: number, _a: number, _b: number, obj: unknown): void {
    this.sink.zkEvent(host, obj as ZkEvent);
  }
}
