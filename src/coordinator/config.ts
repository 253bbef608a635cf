/**
 * Defaults of the ZooKeeper model, each with where it comes from. Numbers marked "guess" are ours
 * (see docs/coordinator.md); the rest are ZooKeeper's own defaults or published measurements.
 */
import { ZOOKEEPER_PAPER_PROFILE, type ZkCostProfile } from "./profiles.ts";

export interface ZkConfig extends ZkCostProfile {
  /** zoo.cfg tickTime: the unit of session timeouts and of the expiry buckets. zoo_sample.cfg ships 2000 ms. */
  readonly tickTimeMs: number;
  /** minSessionTimeout = 2 x tickTime (ZooKeeper's default bound, Administrator's Guide). */
  readonly minSessionTimeoutTicks: number;
  /** maxSessionTimeout = 20 x tickTime (ZooKeeper's default bound, Administrator's Guide). */
  readonly maxSessionTimeoutTicks: number;

  // The server's cost per operation (a ZkCostProfile, profiles.ts) is spread into this config so a
  // scenario can override one figure by name; `coordinator: { profile }` picks the whole set.
  /** ClientCnxn.MAX_SEND_PING_INTERVAL: a connected client pings at least this often. */
  readonly maxPingIntervalMs: number;
  /**
   * Upper bound of the pause before a reconnect attempt: ClientCnxn.startConnect sleeps a random
   * 0..1000 ms before every attempt but the first. We draw it from a hash of (host, attempt).
   */
  readonly reconnectJitterMs: number;
  /** Seed of that jitter (the world may pass its run seed; any fixed number keeps runs reproducible). */
  readonly jitterSeed: number;
  /**
   * Retransmission timeout of the TCP-like streams: Linux's TCP_RTO_MIN (200 ms) for a LAN link
   * whose measured RTT is far below it, doubled per retry up to `tcpRtoMaxMs` (a guess; Linux caps
   * at 120 s, but sessions die long before that).
   */
  readonly tcpRtoMinMs: number;
  readonly tcpRtoMaxMs: number;

  /**
   * zookeeper.globalOutstandingLimit (ZooKeeperServer, default 1000): once more requests than this
   * are in the server's pipeline, it stops reading every connection that has a request of its own
   * outstanding, until that connection's requests are answered (ServerCnxn
   * incrOutstandingAndCheckThrottle / decrOutstandingAndCheckThrottle, ZooKeeperServer.shouldThrottle).
   * What is not read stays in the connection (server.ts, "Reading connections"). 0: no limit (a lab
   * switch, not a ZooKeeper setting: the model before stop 22, one unbounded queue).
   */
  readonly globalOutstandingLimit: number;

  /** Bytes of header per message: length prefix, request/reply header, TCP/IP. An estimate. */
  readonly headerBytes: number;
  /** Width of the buckets in which the maximum server queue length is sampled (ms). */
  readonly queueSampleMs: number;

  /**
   * 1: the txn log is one device that fsyncs one batch at a time (ZooKeeper's SyncRequestProcessor:
   * it appends requests while more are queued and flushes when its queue is empty or holds
   * `maxBatchSize` = 1000 txns, zookeeper.maxBatchSize's default in 3.6+); a write reaching the log
   * while a flush runs waits for the next one. 0: every write's log write runs on its own, in
   * parallel (the model before group commit; still the default, because the timing-pinned tests
   * of the coordinator and of the ZooKeeper-based electors were written against it).
   */
  readonly groupCommit: number;

  /**
   * LAB ADDITION, live-mode harness only (0 = off, the default everywhere else): in live mode one
   * Node process runs every broker's ZooKeeper client, so each reply and each watch notification
   * costs that one process this much CPU (parsing it, running the callback and the elector's
   * handler, writing the requests that follow) before the next can be handled. The simulated twin
   * of a live run (src/live/sim-twin.ts) sets them from `electorate calibrate zookeeper`'s
   * measurements of the process, so it compares like with like; a real deployment runs each
   * broker in its own process, and no profile or scenario sets them.
   */
  readonly liveProcessReplyMs: number;
  readonly liveProcessNotificationMs: number;
}

export const DEFAULT_ZK_CONFIG: ZkConfig = {
  tickTimeMs: 2000,
  minSessionTimeoutTicks: 2,
  maxSessionTimeoutTicks: 20,
  ...ZOOKEEPER_PAPER_PROFILE.costs,
  maxPingIntervalMs: 10000,
  reconnectJitterMs: 1000,
  jitterSeed: 0,
  tcpRtoMinMs: 200,
  tcpRtoMaxMs: 3200,
  globalOutstandingLimit: 1000,
  headerBytes: 40,
  queueSampleMs: 10,
  groupCommit: 0,
  liveProcessReplyMs: 0,
  liveProcessNotificationMs: 0,
};

export function zkConfig(overrides: Partial<ZkConfig> = {}): ZkConfig {
  return { ...DEFAULT_ZK_CONFIG, ...overrides };
}

/** The time a write's reply waits after its service: the log write (fsync) and the quorum round. */
export function commitLatencyMs(c: ZkCostProfile): number {
  return c.logWriteMs + c.quorumRoundMs;
}
