/**
 * Defaults of the ZooKeeper model, each with where it comes from. Numbers marked "guess" are ours
 * (see docs/coordinator.md); the rest are ZooKeeper's own defaults or published measurements.
 */

export interface ZkConfig {
  /** zoo.cfg tickTime: the unit of session timeouts and of the expiry buckets. zoo_sample.cfg ships 2000 ms. */
  readonly tickTimeMs: number;
  /** minSessionTimeout = 2 x tickTime (ZooKeeper's default bound, Administrator's Guide). */
  readonly minSessionTimeoutTicks: number;
  /** maxSessionTimeout = 20 x tickTime (ZooKeeper's default bound, Administrator's Guide). */
  readonly maxSessionTimeoutTicks: number;

  /**
   * Time a write occupies the server before the next request can start: 1/21000 s, the saturated
   * write throughput of a 3-server ensemble in the ZooKeeper paper (Hunt et al., USENIX ATC 2010).
   */
  readonly writeServiceMs: number;
  /** Time a read (getData/exists/getChildren, setWatches) occupies the server. A guess (~83k reads/s). */
  readonly readServiceMs: number;
  /** Extra server time per additional op in one multi / per extra ephemeral in one closeSession. A guess. */
  readonly multiOpServiceMs: number;
  /** Time a ping occupies the server. A guess: pings go through the pipeline but touch no data. */
  readonly pingServiceMs: number;
  /**
   * The quorum round between proposing a write and committing it (replies and watch events of a
   * write leave after it). 1.15 ms so that a write spends ~1.2 ms in the server (service + commit),
   * the paper's average request latency; with the default link's ~0.8 ms round trip a client waits
   * ~2 ms per write, which is the paper's "5000 updates one after the other take 10 seconds".
   */
  readonly commitLatencyMs: number;

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

  /** Bytes of header per message: length prefix, request/reply header, TCP/IP. An estimate. */
  readonly headerBytes: number;
  /** Width of the buckets in which the maximum server queue length is sampled (ms). */
  readonly queueSampleMs: number;
}

export const DEFAULT_ZK_CONFIG: ZkConfig = {
  tickTimeMs: 2000,
  minSessionTimeoutTicks: 2,
  maxSessionTimeoutTicks: 20,
  writeServiceMs: 1000 / 21000,
  readServiceMs: 0.012,
  multiOpServiceMs: 0.012,
  pingServiceMs: 0,
  commitLatencyMs: 1.15,
  maxPingIntervalMs: 10000,
  reconnectJitterMs: 1000,
  jitterSeed: 0,
  tcpRtoMinMs: 200,
  tcpRtoMaxMs: 3200,
  headerBytes: 40,
  queueSampleMs: 10,
};

export function zkConfig(overrides: Partial<ZkConfig> = {}): ZkConfig {
  return { ...DEFAULT_ZK_CONFIG, ...overrides };
}
