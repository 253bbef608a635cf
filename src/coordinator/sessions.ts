/**
 * The server's session tracker, after ZooKeeper's SessionTrackerImpl.
 *
 * Rule (SessionTrackerImpl): sessions sit in expiry buckets one tickTime wide. Every packet the
 * server reads from a session's connection "touches" it (ZooKeeperServer.submitRequestNow, 3.6+:
 * when the request, a ping included, enters the pipeline; a packet the server has not read yet
 * because the connection is throttled touches nothing, see server.ts): its expiry becomes roundToInterval(now + timeout), i.e. now + timeout
 * rounded up to the next tick boundary (always strictly later: "a one interval grace period").
 * The expirer wakes at each tick boundary and expires the whole bucket due then.
 *
 * Rule (ZooKeeperServer.processConnectRequest): the timeout a client asks for is clamped to
 * [minSessionTimeout, maxSessionTimeout], by default [2, 20] x tickTime.
 */
import type { HostId } from "../sim/kernel.ts";
import type { Fifo } from "./fifo.ts";
import type { ZkPingMessage, ZkRequestMessage, ZkSetWatchesMessage } from "./messages.ts";
import type { Stream } from "./stream.ts";

/** A packet a client sends on an open session: what the server reads from the connection. */
export type SessionPacket = ZkRequestMessage | ZkSetWatchesMessage | ZkPingMessage;

export class Session {
  /** Expiry bucket (ms, a multiple of tickTime). */
  expireAt = 0;
  /** Expired or closed: its closeSession txn is queued or done; requests get SessionExpired. */
  closing = false;
  /** Its createSession txn has been applied (logged): it survives a server restart. */
  created = false;
  /** Connection currently attached (0: none). */
  conn = 0;
  /** The server->client half of that connection. */
  stream: Stream | null = null;
  /**
   * Paths this session's connection watches, for removal when the connection closes; may also list
   * paths whose watch fired (WatchManager prunes them lazily).
   */
  dataWatches: string[] | null = null;
  childWatches: string[] | null = null;
  /**
   * Whether this session holds data watches a settled start restored: those are on their nodes'
   * watcher lists but not in `dataWatches` (WatchManager.restoreData, removeSession).
   */
  unlistedWatches = false;
  /** Watches this session's connection holds now. */
  dataWatchCount = 0;
  childWatchCount = 0;
  /**
   * Throttling (server.ts, "Reading connections"): packets that reached the server on this
   * connection but are not read yet (the socket's unread bytes), the connection's requests read and
   * not yet answered (ServerCnxn.outstandingCount), whether the server stopped reading it
   * (NIOServerCnxn.throttled), and whether it waits in the server's ring of connections to read.
   */
  inbox: Fifo<SessionPacket> | null = null;
  outstanding = 0;
  throttled = false;
  inRing = false;

  constructor(
    readonly id: number,
    readonly timeoutMs: number,
    /** The client host the session was opened from (its last connection's host). */
    public host: HostId,
  ) {}
}

export class SessionTracker {
  readonly sessions = new Map<number, Session>();
  private readonly buckets = new Map<number, Set<Session>>();
  private nextId = 1;

  constructor(
    readonly tickTimeMs: number,
    readonly minTimeoutMs: number,
    readonly maxTimeoutMs: number,
  ) {}

  /** ZooKeeperServer: negotiated timeout = clamp(requested, min, max). */
  negotiate(requestedMs: number): number {
    return Math.min(this.maxTimeoutMs, Math.max(this.minTimeoutMs, requestedMs));
  }

  /** SessionTrackerImpl.roundToInterval: (time / tick + 1) * tick. */
  roundToInterval(time: number): number {
    return (Math.floor(time / this.tickTimeMs) + 1) * this.tickTimeMs;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: number): Session | undefined {
    return this.sessions.get(id);
  }

  create(timeoutMs: number, host: HostId, now: number): Session {
    const s = new Session(this.nextId++, timeoutMs, host);
    this.sessions.set(s.id, s);
    this.touch(s, now);
    return s;
  }

  /** SessionTrackerImpl.touchSession: move to the bucket of roundToInterval(now + timeout). */
  touch(s: Session, now: number): void {
    if (s.closing) return;
    const at = this.roundToInterval(now + s.timeoutMs);
    if (at <= s.expireAt) return;
    this.bucketRemove(s);
    s.expireAt = at;
    let bucket = this.buckets.get(at);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(at, bucket);
    }
    bucket.add(s);
  }

  /** Sessions of the bucket due at `time` (a tick boundary), now marked closing and untracked. */
  expire(time: number): Session[] {
    const bucket = this.buckets.get(time);
    if (bucket === undefined) return [];
    this.buckets.delete(time);
    const out = Array.from(bucket);
    for (const s of out) {
      s.closing = true;
      s.expireAt = 0;
    }
    return out;
  }

  /** Marks a session closing (client close()); it stays in `sessions` until removed. */
  markClosing(s: Session): void {
    this.bucketRemove(s);
    s.closing = true;
    s.expireAt = 0;
  }

  /** Forgets a session for good (its closeSession txn was applied). */
  remove(s: Session): void {
    this.bucketRemove(s);
    this.sessions.delete(s.id);
  }

  /** True while any session can still expire. */
  get hasBuckets(): boolean {
    return this.buckets.size > 0;
  }

  /**
   * After a server restart: sessions whose createSession txn was logged come back, un-closed, each
   * with a full timeout from now (ZooKeeper reloads sessions from the snapshot and touches them).
   */
  reload(now: number): void {
    this.buckets.clear();
    for (const s of Array.from(this.sessions.values())) {
      if (!s.created) {
        this.sessions.delete(s.id);
        continue;
      }
      s.closing = false;
      s.expireAt = 0;
      s.conn = 0;
      s.stream = null;
      s.dataWatches = null;
      s.childWatches = null;
      s.unlistedWatches = false;
      s.dataWatchCount = 0;
      s.childWatchCount = 0;
      s.inbox = null;
      s.outstanding = 0;
      s.throttled = false;
      s.inRing = false;
      this.touch(s, now);
    }
  }

  private bucketRemove(s: Session): void {
    if (s.expireAt === 0) return;
    const bucket = this.buckets.get(s.expireAt);
    if (bucket !== undefined) {
      bucket.delete(s);
      if (bucket.size === 0) this.buckets.delete(s.expireAt);
    }
  }
}
