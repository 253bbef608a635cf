/**
 * A standalone ZooKeeper server reached over the simulated network: the znode tree, sessions,
 * watches, and one request pipeline with a service time per request.
 *
 * Pipeline (ZooKeeper's PrepRequestProcessor -> proposal/commit -> FinalRequestProcessor):
 *  1. Requests from all sessions wait in one FIFO queue. The server takes them one at a time; each
 *     occupies it for its service time from the cost profile (profiles.ts: per operation type,
 *     failed writes, multi sub-ops, ephemerals deleted at a session's end, each watch notification
 *     sent). A herd turns into queueing delay here.
 *  2. At the end of its service a request is executed: a write gets the next zxid (failed writes
 *     too: ZooKeeper proposes error txns) and is applied to the tree; a read reads it.
 *  3. Its reply, and the watch events a write fired, leave in the order the requests were taken:
 *     a write's after the commit latency (log write + quorum round), a read's as soon as every earlier
 *     output has left (ZooKeeper 3.4's CommitProcessor holds later requests behind an uncommitted
 *     write). So each session's replies are FIFO, and a watch event always leaves before the reply
 *     to any read that was taken after the change ("a client sees a watch event before it sees the
 *     new data"), and events leave in zxid order.
 *
 * Reading connections (ZooKeeper 3.8: NIOServerCnxn, ServerCnxn, ZooKeeperServer.shouldThrottle,
 * NIOServerCnxnFactory.SelectorThread.select): a packet is read from its connection, and touches its
 * session, when it enters the pipeline (ZooKeeperServer.submitRequestNow). Once more than
 * `globalOutstandingLimit` (zookeeper.globalOutstandingLimit, 1000) requests are in the pipeline,
 * reading a request with a positive xid (not a ping, SetWatches or connect) from a connection stops
 * that connection from being read (disableRecv) while it has requests of its own outstanding; the
 * reply to one of them lets it be read again (enableRecv) if the pipeline is back under the limit
 * or the connection has nothing left outstanding. Packets that arrive meanwhile stay in the
 * connection (`Session.inbox`: the socket's unread bytes; their sender's TCP window). Connections
 * ready to be read are read one packet each in turn (the selector reads one packet per ready
 * connection per pass, in shuffled order; here a fixed ring, for determinism), until every one is
 * empty or throttled. So a herd of clients cannot build one queue longer than the limit: what the
 * server has not read waits in each client's connection, and every client keeps getting replies.
 *
 * Sessions expire as SessionTrackerImpl does (sessions.ts); an expiry is queued as a closeSession
 * txn like any request, deleting the session's ephemerals under one zxid and firing their watches.
 *
 * Connections: each session has at most one live connection (stream.ts). Replies and events for a
 * connection that has since closed are dropped (as on a closed socket); traffic arriving on a
 * connection the server does not know is answered with a FIN (like a TCP reset).
 *
 * Durability: on a crash of the server's host the tree, the zxid counter and the logged sessions
 * survive (ZooKeeper's txn log and snapshot); the queue, the connections and the watches do not.
 * The world should call hostCrashed()/hostRestarted() for the server's host; if it does not, the
 * server notices the new incarnation on the first message after the restart and recovers then.
 *
 * Later, as a Zab ensemble: the pipeline's commit latency would become a real proposal/ack round
 * among server hosts, reads would be served by the server a session is connected to, and a leader
 * change would close every connection. Nothing of that exists yet.
 */
import type { ZkErrorCode, ZkOp, ZkStat, ZkWatchType } from "../elector/zookeeper-client.ts";
import { HostStatus, type EventHandler, type HostId, type Kernel } from "../sim/kernel.ts";
import type { Message, Network } from "../sim/network.ts";
import type { WindowSeries } from "../sim/window-series.ts";
import { commitLatencyMs, zkConfig, type ZkConfig } from "./config.ts";
import { Fifo } from "./fifo.ts";
import type { RestoredFamilyWatchers } from "./numbered-family.ts";
import {
  replyBytes,
  type ZkConnectedMessage,
  type ZkConnectMessage,
  type ZkFinMessage,
  type ZkPingMessage,
  type ZkPingReplyMessage,
  type ZkReplyMessage,
  type ZkRequestMessage,
  type ZkSetWatchesMessage,
  type ZkWatchMessage,
} from "./messages.ts";
import { Session, SessionTracker, type SessionPacket } from "./sessions.ts";
import { MaxSeries, ZkAccounting, type ZkStats } from "./stats.ts";
import { Stream } from "./stream.ts";
import { parentOf, ZnodeTree, type Znode } from "./tree.ts";
import { WatchManager, type WatchTrigger } from "./watches.ts";

/** The server's own job: the session's expiry, queued as a closeSession txn. */
interface ExpireJob {
  readonly type: "zk.expire";
  readonly conn: number;
}
const EXPIRE: ExpireJob = { type: "zk.expire", conn: 0 };

type Job = ZkRequestMessage | ZkSetWatchesMessage | ZkPingMessage | ZkConnectMessage | ExpireJob;

/** SyncRequestProcessor's maxBatchSize default (zookeeper.maxBatchSize, ZooKeeper 3.6+). */
const GROUP_COMMIT_MAX_BATCH = 1000;

/** What leaves the server for one request once every earlier output has left. */
class Release {
  noteSessions: Session[] | null = null;
  notes: ZkWatchMessage[] | null = null;
  /** What the request counted while in the pipeline: see ZkServer.counting. */
  counted = 0;
  constructor(
    readonly session: Session,
    readonly conn: number,
    public reply: Message | null,
    public bytes: number,
    /** closeSession/expiry: close the connection after the reply. */
    readonly fin: boolean,
  ) {}
}

export interface ZkServerSeries {
  readonly requests: WindowSeries;
  readonly reads: WindowSeries;
  readonly writes: WindowSeries;
  readonly notifications: WindowSeries;
  /** Maximum queue length per `queueSampleMs` bucket. */
  readonly queueLength: MaxSeries;
}

export class ZkServer implements WatchTrigger {
  readonly config: ZkConfig;
  readonly tree = new ZnodeTree();
  readonly sessions: SessionTracker;
  readonly watches = new WatchManager(this.tree);
  readonly accounting: ZkAccounting;
  /** The last zxid assigned. */
  zxid = 0;

  private readonly jobs = new Fifo<Job>();
  private readonly jobSessions = new Fifo<Session>();
  /**
   * Requests read from connections and not yet answered (ZooKeeperServer.requestsInProcess: a
   * request counts from submitRequestNow until FinalRequestProcessor answers it; expiries, which
   * have no connection, do not count).
   */
  private inProcess = 0;
  /** Connections with unread packets that may be read now, in the order they are read. */
  private readonly ring = new Fifo<Session>();
  /**
   * What the job being executed counts (copied to its Release): 0 nothing (an expiry), 1 the
   * pipeline only (ping, SetWatches, createSession: xid <= 0), 2 also its connection's outstanding
   * requests (a request with a positive xid).
   */
  private counting = 0;
  /** Times a connection was throttled, and packets that waited unread in a connection. */
  throttledConnections = 0;
  packetsHeld = 0;
  private busy = false;
  /** The server is sending watch notifications until then (notificationMs each). */
  private busyUntil = 0;
  /** Watch notifications queued so far (to charge notificationMs for each). */
  private notesQueued = 0;
  /** Time the last scheduled output leaves; outputs leave in order. */
  private lastRelease = 0;
  /** Group commit: the latest scheduled flush of the txn log and how many writes it carries. */
  private flushStart = 0;
  private flushEnd = 0;
  private flushBatch = 0;
  private expiryTimerRunning = false;
  /** Release record being filled while a write fires watches. */
  private collecting: Release | null = null;
  /** Sessions told of a delete through a data watch (reused). */
  private readonly told = new Set<Session>();
  /** The host incarnation this server's volatile state belongs to. */
  private incarnation: number;

  /** A write's reply waits for the log write and the quorum round (commitLatencyMs in config.ts). */
  private readonly commitLatency: number;
  private readonly serviceKind: number;
  private readonly releaseKind: number;
  private readonly expiryKind: number;
  private readonly retransmitKind: number;

  constructor(
    private readonly kernel: Kernel,
    private readonly network: Network,
    readonly host: HostId,
    config: Partial<ZkConfig> = {},
  ) {
    this.config = zkConfig(config);
    const c = this.config;
    this.commitLatency = commitLatencyMs(c);
    this.sessions = new SessionTracker(c.tickTimeMs, c.minSessionTimeoutTicks * c.tickTimeMs, c.maxSessionTimeoutTicks * c.tickTimeMs);
    this.accounting = new ZkAccounting(kernel.hostCount, c.queueSampleMs);
    this.incarnation = kernel.incarnation(host);
    this.serviceKind = kernel.registerKind("zk.server.service", { handle: () => this.serviceDone() }, true);
    this.releaseKind = kernel.registerKind("zk.server.release", new ReleaseHandler(this), true);
    this.expiryKind = kernel.registerKind("zk.server.expiry", { handle: (_t, at) => this.expiryTick(at) }, true);
    this.retransmitKind = kernel.registerKind("zk.server.retransmit", new RetransmitHandler(this), true);
  }

  // ---- public ----

  stats(): ZkStats {
    return this.accounting.snapshot({
      znodes: this.tree.size,
      zxid: this.zxid,
      liveSessions: this.sessions.size,
      liveWatches: this.watches.size,
    });
  }

  get series(): ZkServerSeries {
    const a = this.accounting;
    return {
      requests: a.requestSeries,
      reads: a.readSeries,
      writes: a.writeSeries,
      notifications: a.notificationSeries,
      queueLength: a.queueLength,
    };
  }

  /** Requests waiting or in service. */
  get queueLength(): number {
    return this.jobs.length;
  }

  /** The world calls this when a message reaches the server's host. */
  deliver(from: HostId, message: Message): void {
    if (this.kernel.incarnation(this.host) !== this.incarnation) {
      // Restarted without hostCrashed/hostRestarted being called: recover now.
      this.hostCrashed();
      this.hostRestarted();
    }
    const m = message as Job | ZkFinMessage;
    switch (m.type) {
      case "zk.connect":
        this.onConnect(from, m);
        return;
      case "zk.fin": {
        const s = this.sessions.get(m.sessionId);
        if (s !== undefined && s.conn === m.conn) this.closeConnection(s);
        return;
      }
      case "zk.expire":
        return;
      default:
        this.onSessionTraffic(from, m);
    }
  }

  /** The server's host crashed: the queue, connections and watches are gone; logged state stays. */
  hostCrashed(): void {
    this.jobs.clear();
    this.jobSessions.clear();
    this.inProcess = 0;
    this.ring.clear();
    this.busy = false;
    this.busyUntil = 0;
    this.lastRelease = 0;
    this.flushStart = 0;
    this.flushEnd = 0;
    this.flushBatch = 0;
    this.expiryTimerRunning = false;
    this.collecting = null;
    this.watches.clear();
    for (const s of this.sessions.sessions.values()) {
      s.stream?.close();
      s.stream = null;
      s.conn = 0;
      this.resetReading(s);
    }
  }

  /** Restart: logged sessions come back with a full timeout from now (SessionTrackerImpl at load). */
  hostRestarted(): void {
    this.incarnation = this.kernel.incarnation(this.host);
    this.sessions.reload(this.kernel.now);
    this.ensureExpiryTimer();
  }

  /**
   * The expireSession fault: the server expires `host`'s live session now, as its expiry tick
   * would (SessionTrackerImpl hands it to closeSession): queued as a closeSession txn. Returns
   * whether there was a live session.
   */
  expireSessionOf(host: HostId): boolean {
    const found = this.sessionToExpire(host);
    if (found === undefined) return false;
    this.sessions.markClosing(found);
    this.accounting.sessionExpired(found.host);
    this.enqueue(EXPIRE, found);
    return true;
  }

  /**
   * The session an expiry fault ends: `host`'s newest live one (an older one may linger after a
   * crash until its own expiry). None while the server is crashed: its session tracker is not
   * running, and at its restart the logged sessions come back with a full timeout (hostRestarted);
   * queuing an expiry on a dead server left its request pipeline busy with a job whose event died
   * with it, so the restarted server never answered again.
   */
  private sessionToExpire(host: HostId): Session | undefined {
    if (this.kernel.hostStatus(this.host) === HostStatus.Crashed) return undefined;
    let found: Session | undefined;
    for (const s of this.sessions.sessions.values()) if (s.host === host && !s.closing && s.created) found = s;
    return found;
  }

  // ---- settled start (issue 15; src/world/settled-coordinator.ts): state restored, not simulated ----

  /** A session a quiet start opened: logged (created), attached to `conn` from `host`, touched now. Not counted as load. */
  restoreSession(host: HostId, requestedTimeoutMs: number, conn: number): Session {
    const s = this.sessions.create(this.sessions.negotiate(requestedTimeoutMs), host, this.kernel.now);
    s.created = true;
    this.attach(s, conn, host);
    this.ensureExpiryTimer();
    return s;
  }

  /**
   * Sizing hint for a quiet start's restore: about `znodes` znodes will be created
   * (ZnodeTree.reserve). A restored session's ephemerals and data watches need no room: they are
   * not listed per session (ZnodeTree.createRestored, WatchManager.restoreData).
   */
  restoreReserve(znodes: number): void {
    this.tree.reserve(znodes);
  }

  /** A znode a quiet start created (`owner`: the owning session id, 0 for persistent); returns its czxid. */
  restoreCreate(path: string, data: unknown, owner: number): number {
    const zxid = ++this.zxid;
    const err = this.tree.createRestored(path, data, owner === 0 ? "persistent" : "ephemeral", owner, zxid);
    if (err !== "ok") throw new Error(`settled start: create ${path}: ${err}`);
    return zxid;
  }

  /**
   * A numbered family a quiet start created (ZnodeTree.createNumbered): `parent`/k for each k of
   * `data`, each followed by its child `childName` (if not null), one zxid each in that order;
   * returns the first zxid.
   */
  restoreNumbered(parent: string, data: readonly unknown[], childName: string | null, childData: readonly unknown[] | null): number {
    const first = this.zxid + 1;
    this.tree.createNumbered(parent, data, childName, childData, first);
    this.zxid += data.length * (childName === null ? 1 : 2);
    return first;
  }

  /**
   * An ephemeral numbered family a quiet start created (ZnodeTree.createEphemeralNumbered):
   * `parent`/k holding data[k] (with `dataByOwner`, data[owners[k]]), owned by session
   * `owners[k]`, watched (if `watchers`) by the sessions it names; one zxid per member in order;
   * returns the first zxid.
   */
  restoreEphemeralFamily(parent: string, data: readonly unknown[], dataByOwner: boolean, owners: Int32Array, watchers: RestoredFamilyWatchers | null): number {
    const first = this.zxid + 1;
    const family = this.tree.createEphemeralNumbered(parent, data, dataByOwner, owners, watchers, first);
    if (family !== null) this.watches.restoreFamily(family);
    this.zxid += owners.length;
    return first;
  }

  /** A setData a quiet start made; returns its zxid. */
  restoreSetData(path: string, data: unknown): number {
    const zxid = ++this.zxid;
    const err = this.tree.setData(path, data, -1, zxid);
    if (err !== "ok") throw new Error(`settled start: setData ${path}: ${err}`);
    return zxid;
  }

  /** A watch a quiet start left registered (exists on a missing node is a data watch here, as in ZooKeeper). */
  restoreWatch(s: Session, path: string, children: boolean): void {
    if (children) this.watches.addChild(path, s);
    else this.watches.restoreData(path, s);
  }

  /** The quiet start's state is restored (RestoredCoordinator.finish). */
  finishRestore(): void {
    this.watches.endRestore();
  }

  /**
   * What live mode does to expire a session (src/live/live-run.ts): another connection re-attaches
   * with the session's id and password, so the server closes the owner's connection (and drops its
   * watches, as ZooKeeper does with a closed connection's), then that connection closes the
   * session. The owner therefore hears none of its own ephemerals' deletions, unlike in
   * expireSessionOf. Used by the simulated twin of a live run, to compare like with like.
   * Returns whether there was a live session.
   */
  takeOverAndExpire(host: HostId): boolean {
    const found = this.sessionToExpire(host);
    if (found === undefined) return false;
    if (found.conn !== 0 && found.stream !== null) {
      const fin: ZkFinMessage = { type: "zk.fin", conn: found.conn, sessionId: found.id };
      found.stream.send(fin, this.config.headerBytes);
      this.closeConnection(found);
    }
    this.sessions.markClosing(found);
    this.accounting.sessionExpired(found.host);
    this.enqueue(EXPIRE, found);
    return true;
  }

  // ---- connections ----

  private onConnect(from: HostId, m: ZkConnectMessage): void {
    const now = this.kernel.now;
    this.accounting.connects++;
    if (m.sessionId === 0) {
      // A new session: tracked at once, created by a createSession txn through the pipeline.
      const s = this.sessions.create(this.sessions.negotiate(m.timeoutMs), from, now);
      this.attach(s, m.conn, from);
      this.ensureExpiryTimer();
      this.enqueue(m, s);
      return;
    }
    const s = this.sessions.get(m.sessionId);
    if (s === undefined || s.closing) {
      // Rule: an expired session never comes back; the client is told with a zero timeout.
      const expired: ZkConnectedMessage = { type: "zk.connected", conn: m.conn, sessionId: m.sessionId, timeoutMs: 0 };
      this.network.sendStream(this.host, from, expired, this.config.headerBytes);
      return;
    }
    // Re-attach within the timeout: the old connection (and its watches) is closed first.
    if (s.conn !== 0) this.closeConnection(s);
    this.attach(s, m.conn, from);
    this.sessions.touch(s, now);
    const ok: ZkConnectedMessage = { type: "zk.connected", conn: m.conn, sessionId: s.id, timeoutMs: s.timeoutMs };
    (s.stream as Stream).send(ok, this.config.headerBytes + 12);
  }

  private attach(s: Session, conn: number, from: HostId): void {
    const c = this.config;
    this.resetReading(s);
    s.conn = conn;
    s.host = from;
    s.stream = new Stream(this.kernel, this.network, this.host, from, conn, this.retransmitKind, this.host, s.id, c.tcpRtoMinMs, c.tcpRtoMaxMs);
  }

  /** The connection closed (FIN, replaced, or the session ended): its watches go with it. */
  private closeConnection(s: Session): void {
    this.watches.removeSession(s);
    s.stream?.close();
    s.stream = null;
    s.conn = 0;
    this.resetReading(s);
  }

  /** A new or closed connection: nothing unread (a closed socket's unread bytes are gone), nothing outstanding. */
  private resetReading(s: Session): void {
    s.inbox?.clear();
    s.outstanding = 0;
    s.throttled = false;
  }

  private onSessionTraffic(from: HostId, m: ZkRequestMessage | ZkSetWatchesMessage | ZkPingMessage): void {
    const s = this.sessions.get(m.sessionId);
    if (s === undefined || s.conn !== m.conn) {
      // A packet on a connection the server has closed: answer with a reset.
      const rst: ZkFinMessage = { type: "zk.fin", conn: m.conn, sessionId: m.sessionId };
      this.network.sendStream(this.host, from, rst, this.config.headerBytes);
      return;
    }
    if (s.throttled) {
      // Rule (NIOServerCnxn.disableRecv): a throttled connection is not read; the packet waits in it.
      let inbox = s.inbox;
      if (inbox === null) {
        inbox = new Fifo<SessionPacket>();
        s.inbox = inbox;
      }
      inbox.push(m);
      this.packetsHeld++;
      return;
    }
    // Not throttled: nothing of this connection is left unread (readConnections leaves none), so it is read now.
    this.readPacket(s, m);
  }

  /**
   * Reads one packet into the pipeline. Rule (ZooKeeperServer.processPacket, 3.8): a request with a
   * positive xid first counts as outstanding on its connection, checked against the pipeline as it
   * was before this request (ServerCnxn.incrOutstandingAndCheckThrottle): over the limit, the
   * connection is not read again until a reply lets it. Rule (ZooKeeperServer.submitRequestNow):
   * the request, a ping too, touches its session as it enters the pipeline, and counts in it.
   */
  private readPacket(s: Session, m: SessionPacket): void {
    const now = this.kernel.now;
    if (m.type !== "zk.ping" && m.type !== "zk.setWatches") {
      if (this.shouldThrottle(++s.outstanding)) {
        s.throttled = true;
        this.throttledConnections++;
      }
    }
    this.sessions.touch(s, now);
    if (m.type === "zk.ping") this.accounting.pings++;
    else this.accounting.request(s.host, now);
    this.inProcess++;
    this.enqueue(m, s);
  }

  /** Rule (ZooKeeperServer.shouldThrottle): over the global limit, a connection with requests outstanding is throttled. */
  private shouldThrottle(outstanding: number): boolean {
    const limit = this.config.globalOutstandingLimit;
    return limit > 0 && this.inProcess > limit && outstanding > 0;
  }

  /**
   * Reads the connections in the ring, one packet each in turn (NIOServerCnxnFactory's selector
   * reads one packet per ready connection per pass), until each is empty or throttled.
   */
  private readConnections(): void {
    const ring = this.ring;
    for (let s = ring.shift(); s !== undefined; s = ring.shift()) {
      s.inRing = false;
      const inbox = s.inbox;
      if (s.throttled || inbox === null || inbox.length === 0) continue;
      this.readPacket(s, inbox.shift() as SessionPacket);
      if (!s.throttled && inbox.length > 0) {
        s.inRing = true;
        ring.push(s);
      }
    }
  }

  /**
   * A request of `s` was answered on its connection. Rule (ServerCnxn.decrOutstandingAndCheckThrottle,
   * called by sendResponse): the connection is read again unless the pipeline is still over the
   * limit and the connection still has requests outstanding.
   */
  private answered(s: Session): void {
    s.outstanding--;
    if (!s.throttled || this.shouldThrottle(s.outstanding)) return;
    s.throttled = false;
    const inbox = s.inbox;
    if (inbox === null || inbox.length === 0 || s.inRing) return;
    s.inRing = true;
    this.ring.push(s);
    this.readConnections();
  }

  // ---- the queue ----

  private enqueue(job: Job, s: Session): void {
    this.jobs.push(job);
    this.jobSessions.push(s);
    this.accounting.queue(this.kernel.now, this.jobs.length);
    if (!this.busy) this.startNext();
  }

  private startNext(): void {
    const job = this.jobs.peek();
    if (job === undefined) {
      this.busy = false;
      return;
    }
    this.busy = true;
    const start = Math.max(this.kernel.now, this.busyUntil);
    this.kernel.schedule(start + this.serviceTime(job, this.jobSessions.peek() as Session), this.serviceKind, this.host, 0, 0, undefined);
  }

  /** The request's cost from the profile (profiles.ts); a write that will fail costs failedWriteMs. */
  private serviceTime(job: Job, s: Session): number {
    const c = this.config;
    switch (job.type) {
      case "zk.ping":
        return c.pingMs;
      case "zk.getData":
      case "zk.exists":
      case "zk.getChildren":
      case "zk.setWatches":
        return c.readMs;
      case "zk.connect":
        return c.sessionConnectMs;
      case "zk.multi":
        return c.setDataMs + Math.max(0, (job.ops as readonly ZkOp[]).length - 1) * c.multiSubOpMs;
      case "zk.closeSession":
      case "zk.expire":
        return c.sessionCloseMs + this.tree.ephemeralCount(s.id) * c.ephemeralDeleteMs;
      case "zk.create":
        return this.tree.createWouldFail(job.path, job.mode === "persistent-sequential" || job.mode === "ephemeral-sequential") ? c.failedWriteMs : c.createMs;
      case "zk.setData":
        return this.tree.check(job.path, job.version) !== "ok" ? c.failedWriteMs : c.setDataMs;
      case "zk.delete":
        return this.tree.deleteWouldFail(job.path, job.version) ? c.failedWriteMs : c.deleteMs;
    }
  }

  private serviceDone(): void {
    const job = this.jobs.shift() as Job;
    const s = this.jobSessions.shift() as Session;
    const notesBefore = this.notesQueued;
    this.execute(job, s);
    // Sending the watch notifications a request fired holds the server before its next request.
    const notes = this.notesQueued - notesBefore;
    if (notes > 0) this.busyUntil = this.kernel.now + notes * this.config.notificationMs;
    this.accounting.queue(this.kernel.now, this.jobs.length);
    this.startNext();
  }

  // ---- execution ----

  private execute(job: Job, s: Session): void {
    const now = this.kernel.now;
    const type = job.type;
    this.counting = type === "zk.expire" ? 0 : type === "zk.ping" || type === "zk.setWatches" || type === "zk.connect" ? 1 : 2;
    switch (job.type) {
      case "zk.ping": {
        const r: ZkPingReplyMessage = { type: "zk.pingReply", conn: job.conn, zxid: this.zxid };
        this.output(new Release(s, job.conn, r, this.config.headerBytes, false), false);
        return;
      }
      case "zk.connect": {
        // createSession txn
        this.zxid++;
        s.created = true;
        this.accounting.sessionsCreated++;
        this.accounting.write(s.host, now, 1);
        const r: ZkConnectedMessage = { type: "zk.connected", conn: job.conn, sessionId: s.id, timeoutMs: s.timeoutMs };
        this.output(new Release(s, job.conn, r, this.config.headerBytes + 12, false), true);
        return;
      }
      case "zk.expire":
        this.closeSession(s, null);
        return;
      case "zk.setWatches":
        this.setWatches(job, s);
        return;
      default:
        this.request(job, s);
    }
  }

  private request(m: ZkRequestMessage, s: Session): void {
    const now = this.kernel.now;
    if (s.closing) {
      // Rule (SessionTracker.checkSession): a closing or expired session's requests fail.
      this.replyTo(s, m, "SessionExpired", this.zxid, false);
      return;
    }
    const liveConn = s.conn === m.conn;
    switch (m.type) {
      case "zk.getData":
      case "zk.exists":
      case "zk.getChildren": {
        this.accounting.read(s.host, now);
        const node = this.tree.get(m.path);
        const watch = m.watch && liveConn;
        if (m.type === "zk.exists") {
          // Rule: exists sets a data watch even on a missing node, to see it created.
          if (watch && this.watches.addData(m.path, s)) this.accounting.watchRegistered(s.host);
          this.replyTo(s, m, node === undefined ? "NoNode" : "ok", this.zxid, false, node === undefined ? undefined : this.tree.stat(node));
          return;
        }
        if (node === undefined) {
          this.replyTo(s, m, "NoNode", this.zxid, false);
          return;
        }
        if (m.type === "zk.getData") {
          if (watch && this.watches.addData(m.path, s)) this.accounting.watchRegistered(s.host);
          this.replyTo(s, m, "ok", this.zxid, false, this.tree.stat(node), node.data);
        } else {
          if (watch && this.watches.addChild(m.path, s)) this.accounting.watchRegistered(s.host);
          this.replyTo(s, m, "ok", this.zxid, false, this.tree.stat(node), undefined, this.tree.childrenOf(node));
        }
        return;
      }
      case "zk.create": {
        const zxid = ++this.zxid;
        this.accounting.write(s.host, now, 1);
        const rec = this.beginWrite(s, m);
        const err = this.tree.create(m.path, m.data, m.mode ?? "persistent", s.id, zxid);
        if (err === "ok") this.fireCreated(this.tree.createdPath);
        else if (err === "NodeExists") this.accounting.losingCreate(s.host);
        this.endWrite(rec, m, err, zxid, undefined, err === "ok" ? this.tree.createdPath : undefined);
        return;
      }
      case "zk.delete": {
        const zxid = ++this.zxid;
        this.accounting.write(s.host, now, 1);
        const rec = this.beginWrite(s, m);
        const err = this.tree.delete(m.path, m.version, zxid);
        if (err === "ok") this.fireDeleted(m.path);
        this.endWrite(rec, m, err, zxid);
        return;
      }
      case "zk.setData": {
        const zxid = ++this.zxid;
        this.accounting.write(s.host, now, 1);
        const rec = this.beginWrite(s, m);
        const err = this.tree.setData(m.path, m.data, m.version, zxid);
        let stat: ZkStat | undefined;
        if (err === "ok") {
          this.watches.triggerData(m.path, "dataChanged", this, null);
          stat = this.tree.stat(this.tree.get(m.path) as Znode);
        }
        this.endWrite(rec, m, err, zxid, stat);
        return;
      }
      case "zk.multi":
        this.multi(m, s);
        return;
      case "zk.closeSession":
        this.closeSession(s, m);
        return;
    }
  }

  /**
   * Rule (multi): all ops or none, under one zxid; ops see the effects of the ops before them. On
   * failure the ops before the failing one report "ok", the failing one its error, and the result
   * list stops there (ZooKeeper reports RuntimeInconsistency for the rest, which ZkErrorCode lacks).
   */
  private multi(m: ZkRequestMessage, s: Session): void {
    const ops = m.ops as readonly ZkOp[];
    const zxid = ++this.zxid;
    this.accounting.write(s.host, this.kernel.now, Math.max(1, ops.length));
    const results: ZkErrorCode[] = [];
    const created: string[] = [];
    let failed: ZkErrorCode = "ok";
    this.tree.beginMulti();
    for (const op of ops) {
      let err: ZkErrorCode;
      switch (op.op) {
        case "create":
          err = this.tree.create(op.path, op.data, op.mode, s.id, zxid);
          created.push(err === "ok" ? this.tree.createdPath : "");
          break;
        case "delete":
          err = this.tree.delete(op.path, op.version, zxid);
          break;
        case "setData":
          err = this.tree.setData(op.path, op.data, op.version, zxid);
          break;
        case "check":
          err = this.tree.check(op.path, op.version);
          break;
      }
      results.push(err);
      if (err !== "ok") {
        failed = err;
        if (err === "NodeExists" && op.op === "create") this.accounting.losingCreate(s.host);
        break;
      }
    }
    const rec = this.beginWrite(s, m);
    if (failed !== "ok") {
      this.tree.rollbackMulti();
    } else {
      this.tree.commitMulti();
      let c = 0;
      for (const op of ops) {
        if (op.op === "create") this.fireCreated(created[c++]);
        else if (op.op === "delete") this.fireDeleted(op.path);
        else if (op.op === "setData") this.watches.triggerData(op.path, "dataChanged", this, null);
      }
    }
    this.endWrite(rec, m, failed, zxid, undefined, undefined, results);
  }

  /** closeSession txn (client close or expiry): delete the ephemerals under one zxid, then close. */
  private closeSession(s: Session, m: ZkRequestMessage | null): void {
    const zxid = ++this.zxid;
    const conn = s.conn;
    this.sessions.markClosing(s);
    const rec = new Release(s, m === null ? conn : m.conn, null, 0, true);
    this.collecting = rec;
    const paths = this.tree.killSession(s.id, zxid);
    for (const p of paths) this.fireDeleted(p);
    this.collecting = null;
    this.accounting.write(s.host, this.kernel.now, Math.max(1, paths.length));
    if (m === null) {
      this.output(rec, true);
    } else {
      this.accounting.sessionsClosed++;
      const r = this.makeReply(m, "ok", zxid);
      rec.reply = r;
      rec.bytes = replyBytes(this.config.headerBytes, r);
      this.output(rec, true);
    }
    this.sessions.remove(s);
  }

  private setWatches(m: ZkSetWatchesMessage, s: Session): void {
    // Rule (DataTree.setWatches): a watch whose node changed after the client's last zxid fires now;
    // the others are registered again.
    this.accounting.read(s.host, this.kernel.now);
    const rec = new Release(s, m.conn, null, 0, false);
    this.collecting = rec;
    const live = s.conn === m.conn;
    for (const path of m.dataWatches) {
      const node = this.tree.get(path);
      if (node === undefined) this.notify(s, "deleted", path);
      else if (node.mzxid > m.relativeZxid) this.notify(s, "dataChanged", path);
      else if (live && this.watches.addData(path, s)) this.accounting.watchRegistered(s.host);
    }
    for (const path of m.existWatches) {
      const node = this.tree.get(path);
      if (node !== undefined) this.notify(s, "created", path);
      else if (live && this.watches.addData(path, s)) this.accounting.watchRegistered(s.host);
    }
    for (const path of m.childWatches) {
      const node = this.tree.get(path);
      if (node === undefined) this.notify(s, "deleted", path);
      else if (node.pzxid > m.relativeZxid) this.notify(s, "childrenChanged", path);
      else if (live && this.watches.addChild(path, s)) this.accounting.watchRegistered(s.host);
    }
    this.collecting = null;
    this.output(rec, false);
  }

  // ---- watch firing ----

  private fireCreated(path: string): void {
    this.watches.triggerData(path, "created", this, null);
    this.watches.triggerChild(parentOf(path), "childrenChanged", this, null);
  }

  private fireDeleted(path: string): void {
    const told = this.told;
    told.clear();
    this.watches.triggerData(path, "deleted", this, told);
    this.watches.triggerChild(path, "deleted", this, told);
    this.watches.triggerChild(parentOf(path), "childrenChanged", this, null);
  }

  /** WatchTrigger: queue a notification on the release record being built. */
  notify(s: Session, type: ZkWatchType, path: string): void {
    const rec = this.collecting;
    if (rec === null || s.conn === 0) return;
    if (rec.notes === null) {
      rec.notes = [];
      rec.noteSessions = [];
    }
    rec.notes.push({ type: "zk.watch", conn: s.conn, event: type, path });
    this.notesQueued++;
    (rec.noteSessions as Session[]).push(s);
  }

  // ---- replies and output ordering ----

  private beginWrite(s: Session, m: ZkRequestMessage): Release {
    const rec = new Release(s, m.conn, null, 0, false);
    this.collecting = rec;
    return rec;
  }

  private endWrite(
    rec: Release,
    m: ZkRequestMessage,
    err: ZkErrorCode,
    zxid: number,
    stat?: ZkStat,
    createdPath?: string,
    results?: ZkErrorCode[],
  ): void {
    this.collecting = null;
    const r = this.makeReply(m, err, zxid, stat, undefined, undefined, createdPath, results);
    rec.reply = r;
    rec.bytes = replyBytes(this.config.headerBytes, r);
    this.output(rec, true);
  }

  private replyTo(
    s: Session,
    m: ZkRequestMessage,
    err: ZkErrorCode,
    zxid: number,
    write: boolean,
    stat?: ZkStat,
    data?: unknown,
    children?: string[],
  ): void {
    const r = this.makeReply(m, err, zxid, stat, data, children);
    this.output(new Release(s, m.conn, r, replyBytes(this.config.headerBytes, r), false), write);
  }

  private makeReply(
    m: ZkRequestMessage,
    err: ZkErrorCode,
    zxid: number,
    stat?: ZkStat,
    data?: unknown,
    children?: string[],
    createdPath?: string,
    results?: ZkErrorCode[],
  ): ZkReplyMessage {
    return { type: "zk.reply", conn: m.conn, xid: m.xid, err, zxid, stat, data, children, createdPath, results };
  }

  /**
   * When a write that reaches the log now is committed. Without group commit: after its own log
   * write. With it (config.groupCommit): flushes run one at a time; a write joins the flush that
   * has not started yet, or starts one if the log is idle, or waits for the next one after the
   * flush in progress; a flush takes at most GROUP_COMMIT_MAX_BATCH writes. Then the quorum round.
   */
  private committedAt(now: number): number {
    const c = this.config;
    if (c.groupCommit === 0) return now + this.commitLatency;
    if (now >= this.flushEnd) {
      this.flushStart = now;
      this.flushEnd = now + c.logWriteMs;
      this.flushBatch = 1;
    } else if (now < this.flushStart && this.flushBatch < GROUP_COMMIT_MAX_BATCH) {
      this.flushBatch++;
    } else {
      this.flushStart = this.flushEnd;
      this.flushEnd += c.logWriteMs;
      this.flushBatch = 1;
    }
    return this.flushEnd + c.quorumRoundMs;
  }

  /** Schedules an output: a write's once committed, any output after every earlier one. */
  private output(rec: Release, write: boolean): void {
    const now = this.kernel.now;
    let at = write ? this.committedAt(now) : now;
    if (at < this.lastRelease) at = this.lastRelease;
    this.lastRelease = at;
    rec.counted = this.counting;
    this.kernel.schedule(at, this.releaseKind, this.host, 0, 0, rec);
  }

  /** Kernel callback: an output leaves, notifications first, then the reply. */
  releaseNow(rec: Release): void {
    const now = this.kernel.now;
    const hb = this.config.headerBytes;
    if (rec.notes !== null) {
      const sessions = rec.noteSessions as Session[];
      for (let i = 0; i < rec.notes.length; i++) {
        const s = sessions[i];
        const note = rec.notes[i];
        if (s.conn !== note.conn || s.stream === null) continue;
        s.stream.send(note, hb + note.path.length);
        this.accounting.notification(s.host, now);
      }
    }
    const s = rec.session;
    // Rule (FinalRequestProcessor): the request leaves the pipeline (decInProcess), then is answered.
    if (rec.counted > 0) this.inProcess--;
    if (rec.reply !== null && s.conn === rec.conn && s.stream !== null) s.stream.send(rec.reply, rec.bytes);
    if (rec.fin && s.conn === rec.conn && s.conn !== 0) {
      const fin: ZkFinMessage = { type: "zk.fin", conn: s.conn, sessionId: s.id };
      (s.stream as Stream).send(fin, hb);
      this.closeConnection(s);
    } else if (rec.counted === 2 && s.conn === rec.conn && s.conn !== 0) {
      this.answered(s);
    }
  }

  retransmit(sessionId: number, conn: number): void {
    const s = this.sessions.get(sessionId);
    if (s !== undefined && s.stream !== null && s.stream.conn === conn) s.stream.retransmit();
  }

  // ---- expiry ----

  private ensureExpiryTimer(): void {
    if (this.expiryTimerRunning || !this.sessions.hasBuckets) return;
    this.expiryTimerRunning = true;
    const at = this.sessions.roundToInterval(this.kernel.now);
    this.kernel.schedule(at, this.expiryKind, this.host, at, 0, undefined);
  }

  /** Rule (SessionTrackerImpl.run): at each tick boundary expire the bucket due then. */
  private expiryTick(at: number): void {
    const expired = this.sessions.expire(at);
    for (const s of expired) {
      this.accounting.sessionExpired(s.host);
      this.enqueue(EXPIRE, s);
    }
    if (this.sessions.hasBuckets) {
      const next = at + this.config.tickTimeMs;
      this.kernel.schedule(next, this.expiryKind, this.host, next, 0, undefined);
    } else {
      this.expiryTimerRunning = false;
    }
  }
}

class ReleaseHandler implements EventHandler {
  constructor(private readonly server: ZkServer) {}
  handle(_target: number, _a: number, _b: number, obj: unknown): void {
    this.server.releaseNow(obj as Release);
  }
}

class RetransmitHandler implements EventHandler {
  constructor(private readonly server: ZkServer) {}
  handle(_target: number, sessionId: number, conn: number): void {
    this.server.retransmit(sessionId, conn);
  }
}
