/**
 * What the ZooKeeper model counts, in total, per client host and over time.
 *
 * Definitions:
 *  - requests: client operations arriving at the server (create, delete, setData, getData, exists,
 *    getChildren, multi, closeSession, setWatches); pings and connects are counted apart;
 *  - reads: getData, exists, getChildren and setWatches served;
 *  - writes: txns' sub-operations applied or refused: every create/delete/setData, each op of a
 *    multi (checks included, failed multis too: ZooKeeper proposes error txns), a createSession,
 *    and one per ephemeral a closeSession or an expiry deletes (at least one);
 *  - losingCreates: creates (plain or in a multi that failed on it) refused with NodeExists;
 *  - watchesRegistered: new (path, session) watches entered in the server's tables, SetWatches included;
 *  - notifications: watch events the server sent on a live connection;
 *  - queue length: requests waiting at the server or in service, sampled as the maximum per bucket.
 * Series per 1 ms (WindowSeries) give the peak rates in 10 ms / 100 ms / 1 s windows.
 */
import { STANDARD_WINDOWS_MS, WindowSeries, type WindowPeak } from "../sim/window-series.ts";

export interface ZkHostStats {
  readonly host: number;
  readonly requests: number;
  readonly reads: number;
  readonly writes: number;
  readonly losingCreates: number;
  readonly watchesRegistered: number;
  readonly notifications: number;
  readonly sessionsExpired: number;
}

export interface ZkStats {
  readonly requests: number;
  readonly reads: number;
  readonly writes: number;
  readonly pings: number;
  readonly connects: number;
  readonly losingCreates: number;
  readonly watchesRegistered: number;
  readonly notifications: number;
  readonly sessionsCreated: number;
  readonly sessionsExpired: number;
  readonly sessionsClosed: number;
  readonly maxQueueLength: number;
  /** Maximum queue length per bucket of `bucketMs`, for buckets where it was above zero. */
  readonly queueLength: { readonly bucketMs: number; readonly atMs: number[]; readonly max: number[] };
  /** Peak counts in sliding windows of 10 ms, 100 ms and 1 s. */
  readonly peaks: {
    readonly requests: WindowPeak[];
    readonly reads: WindowPeak[];
    readonly writes: WindowPeak[];
    readonly notifications: WindowPeak[];
  };
  /** State at the time of the snapshot. */
  readonly znodes: number;
  readonly zxid: number;
  readonly liveSessions: number;
  readonly liveWatches: number;
  /** Hosts with any activity, ascending. */
  readonly perHost: ZkHostStats[];
}

const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

/** Maximum of a sampled value per bucket of fixed width, allocated in chunks on first use. */
export class MaxSeries {
  private chunks: (Uint32Array | undefined)[] = [];
  lastBucket = -1;

  constructor(readonly bucketMs: number) {}

  sample(timeMs: number, value: number): void {
    const bucket = Math.floor(timeMs / this.bucketMs);
    const c = bucket >> CHUNK_BITS;
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      while (this.chunks.length < c) this.chunks.push(undefined);
      chunk = new Uint32Array(CHUNK);
      this.chunks[c] = chunk;
    }
    const i = bucket & (CHUNK - 1);
    if (value > chunk[i]) chunk[i] = value;
    if (bucket > this.lastBucket) this.lastBucket = bucket;
  }

  /** Maximum in the bucket holding `timeMs`. */
  at(timeMs: number): number {
    const bucket = Math.floor(timeMs / this.bucketMs);
    const chunk = this.chunks[bucket >> CHUNK_BITS];
    return chunk === undefined ? 0 : chunk[bucket & (CHUNK - 1)];
  }

  /** Non-zero buckets as parallel arrays (bucket start in ms, maximum). */
  nonZero(): { atMs: number[]; max: number[] } {
    const atMs: number[] = [];
    const max: number[] = [];
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      if (chunk === undefined) continue;
      for (let i = 0; i < CHUNK; i++) {
        if (chunk[i] > 0) {
          atMs.push(((c << CHUNK_BITS) + i) * this.bucketMs);
          max.push(chunk[i]);
        }
      }
    }
    return { atMs, max };
  }
}

/** Counters per client host in typed arrays (index: host id). */
class PerHost {
  readonly requests: Float64Array;
  readonly reads: Float64Array;
  readonly writes: Float64Array;
  readonly losingCreates: Float64Array;
  readonly watchesRegistered: Float64Array;
  readonly notifications: Float64Array;
  readonly sessionsExpired: Float64Array;

  constructor(n: number) {
    this.requests = new Float64Array(n);
    this.reads = new Float64Array(n);
    this.writes = new Float64Array(n);
    this.losingCreates = new Float64Array(n);
    this.watchesRegistered = new Float64Array(n);
    this.notifications = new Float64Array(n);
    this.sessionsExpired = new Float64Array(n);
  }

  snapshot(): ZkHostStats[] {
    const out: ZkHostStats[] = [];
    for (let h = 0; h < this.requests.length; h++) {
      const row: ZkHostStats = {
        host: h,
        requests: this.requests[h],
        reads: this.reads[h],
        writes: this.writes[h],
        losingCreates: this.losingCreates[h],
        watchesRegistered: this.watchesRegistered[h],
        notifications: this.notifications[h],
        sessionsExpired: this.sessionsExpired[h],
      };
      if (row.requests + row.reads + row.writes + row.notifications + row.sessionsExpired + row.watchesRegistered > 0) {
        out.push(row);
      }
    }
    return out;
  }
}

/** The server's counters; ZkServer updates them, `snapshot` turns them into plain JSON. */
export class ZkAccounting {
  requests = 0;
  reads = 0;
  writes = 0;
  pings = 0;
  connects = 0;
  losingCreates = 0;
  watchesRegistered = 0;
  notifications = 0;
  sessionsCreated = 0;
  sessionsExpired = 0;
  sessionsClosed = 0;
  maxQueueLength = 0;

  /** Live series per 1 ms. */
  readonly requestSeries = new WindowSeries();
  readonly readSeries = new WindowSeries();
  readonly writeSeries = new WindowSeries();
  readonly notificationSeries = new WindowSeries();
  readonly queueLength: MaxSeries;
  readonly perHost: PerHost;

  constructor(hostCount: number, queueSampleMs: number) {
    this.perHost = new PerHost(hostCount);
    this.queueLength = new MaxSeries(queueSampleMs);
  }

  request(host: number, now: number): void {
    this.requests++;
    this.perHost.requests[host]++;
    this.requestSeries.add(now);
  }

  read(host: number, now: number): void {
    this.reads++;
    this.perHost.reads[host]++;
    this.readSeries.add(now);
  }

  write(host: number, now: number, n: number): void {
    this.writes += n;
    this.perHost.writes[host] += n;
    this.writeSeries.add(now, n);
  }

  losingCreate(host: number): void {
    this.losingCreates++;
    this.perHost.losingCreates[host]++;
  }

  watchRegistered(host: number): void {
    this.watchesRegistered++;
    this.perHost.watchesRegistered[host]++;
  }

  notification(host: number, now: number): void {
    this.notifications++;
    this.perHost.notifications[host]++;
    this.notificationSeries.add(now);
  }

  sessionExpired(host: number): void {
    this.sessionsExpired++;
    this.perHost.sessionsExpired[host]++;
  }

  queue(now: number, length: number): void {
    if (length > this.maxQueueLength) this.maxQueueLength = length;
    this.queueLength.sample(now, length);
  }

  snapshot(state: { znodes: number; zxid: number; liveSessions: number; liveWatches: number }): ZkStats {
    const peaks = (s: WindowSeries): WindowPeak[] => STANDARD_WINDOWS_MS.map((w) => s.peak(w));
    const q = this.queueLength.nonZero();
    return {
      requests: this.requests,
      reads: this.reads,
      writes: this.writes,
      pings: this.pings,
      connects: this.connects,
      losingCreates: this.losingCreates,
      watchesRegistered: this.watchesRegistered,
      notifications: this.notifications,
      sessionsCreated: this.sessionsCreated,
      sessionsExpired: this.sessionsExpired,
      sessionsClosed: this.sessionsClosed,
      maxQueueLength: this.maxQueueLength,
      queueLength: { bucketMs: this.queueLength.bucketMs, atMs: q.atMs, max: q.max },
      peaks: {
        requests: peaks(this.requestSeries),
        reads: peaks(this.readSeries),
        writes: peaks(this.writeSeries),
        notifications: peaks(this.notificationSeries),
      },
      znodes: state.znodes,
      zxid: state.zxid,
      liveSessions: state.liveSessions,
      liveWatches: state.liveWatches,
      perHost: this.perHost.snapshot(),
    };
  }
}

/** What the clients count, per host (ZkClients.stats()). */
export interface ZkClientHostStats {
  readonly host: number;
  /** Requests the elector issued. */
  readonly requests: number;
  /** Of those: reads, writes (each sub-op of a multi counted) and creates (in multis too). */
  readonly reads: number;
  readonly writes: number;
  readonly creates: number;
  /** Watch events delivered to the elector. */
  readonly watchEvents: number;
  readonly connected: number;
  readonly disconnected: number;
  readonly expired: number;
  /** Requests failed with ConnectionLoss. */
  readonly connectionLoss: number;
}
