/**
 * The follower side of replication (Kafka 2.x ReplicaFetcherThread, one per leader host:
 * num.replica.fetchers = 1): one fetch per (follower, leader) host pair at a time, incremental
 * (KIP-227: only partitions whose offset changed, plus the ones to forget), carrying the follower's
 * leader epoch (KIP-320). A fetch unanswered for replica.fetch.wait.max.ms +
 * replica.socket.timeout.ms is sent again as a full fetch.
 */
import type { HostContext, HostId } from "../../src/elector/api.ts";
import type { LocalReplicas } from "./local-replicas.ts";
import { fetchBytes, type FetchRequest, type FetchResponse } from "./messages.ts";
import type { KafkaControllerOptions } from "./options.ts";
import { TIMER_FETCH_TIMEOUT, TIMER_SPACE } from "./timers.ts";

const EMPTY_I32 = new Int32Array(0);
const EMPTY_F64 = new Float64Array(0);

export class ReplicaFetcher {
  // ---- per leader host ----
  /** Partitions fetched from host L. */
  private readonly followCount: Int32Array;
  /** Partitions whose offset (or epoch) the next fetch to L reports. */
  private readonly changed: (Set<number> | undefined)[];
  /** Partitions the next fetch to L forgets. */
  private readonly forget: (number[] | undefined)[];
  private readonly outstanding: Uint8Array;
  private readonly fetchTimeout: Float64Array;
  /** When the last fetch response from L arrived, and when L sent it. */
  readonly lastResponseAt: Float64Array;
  private readonly lastResponseSentAt: Float64Array;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: KafkaControllerOptions,
    private readonly r: LocalReplicas,
    /** The lab's acknowledgement lease (0: none). */
    private readonly lease: number,
  ) {
    const b = ctx.cluster.brokers;
    this.followCount = new Int32Array(b);
    this.changed = new Array(b).fill(undefined);
    this.forget = new Array(b).fill(undefined);
    this.outstanding = new Uint8Array(b);
    this.fetchTimeout = new Float64Array(b).fill(-1);
    this.lastResponseAt = new Float64Array(b).fill(-Infinity);
    this.lastResponseSentAt = new Float64Array(b).fill(-1);
  }

  startFetching(i: number, leader: HostId): void {
    this.r.fetchFrom[i] = leader;
    this.followCount[leader]++;
    this.noteChanged(leader, i);
    this.ensureFetching(leader);
  }

  stopFetching(i: number): void {
    const r = this.r;
    const from = r.fetchFrom[i];
    if (from < 0) return;
    r.fetchFrom[i] = -1;
    this.followCount[from]--;
    this.changed[from]?.delete(i);
    let f = this.forget[from];
    if (f === undefined) this.forget[from] = f = [];
    f.push(r.parts[i]);
    // The lease promise: the old leader may count our fetches until lastResponse + lease.
    const until = this.lastResponseAt[from] + this.lease;
    if (until > r.promiseUntil[i]) r.promiseUntil[i] = until;
  }

  /** The next fetch to `leader` reports partition i's offset. */
  noteChanged(leader: HostId, i: number): void {
    let s = this.changed[leader];
    if (s === undefined) this.changed[leader] = s = new Set();
    s.add(i);
  }

  ensureFetching(leader: HostId): void {
    if (this.outstanding[leader] === 0) this.sendFetch(leader);
  }

  private sendFetch(leader: HostId): void {
    const r = this.r;
    const changed = this.changed[leader];
    const forget = this.forget[leader];
    const hasForget = forget !== undefined && forget.length > 0;
    if (this.followCount[leader] === 0 && !hasForget) return;
    const m = changed === undefined ? 0 : changed.size;
    const partitions = m === 0 ? EMPTY_I32 : new Int32Array(m);
    const offsets = m === 0 ? EMPTY_F64 : new Float64Array(m);
    const epochs = m === 0 ? EMPTY_I32 : new Int32Array(m);
    if (changed !== undefined && m > 0) {
      let k = 0;
      for (const i of changed) {
        partitions[k] = r.parts[i];
        offsets[k] = r.leo[i];
        epochs[k] = r.leaderEpoch[i];
        k++;
      }
      changed.clear();
    }
    const forgotten = hasForget ? Int32Array.from(forget) : EMPTY_I32;
    if (hasForget) forget.length = 0;
    const req: FetchRequest = {
      type: "kafka.Fetch",
      answering: this.lastResponseSentAt[leader],
      partitions,
      offsets,
      epochs,
      forget: forgotten,
    };
    this.outstanding[leader] = 1;
    this.ctx.sendStream(leader, req, fetchBytes(m, forgotten.length));
    if (this.fetchTimeout[leader] >= 0) this.ctx.cancelTimer(this.fetchTimeout[leader]);
    this.fetchTimeout[leader] = this.ctx.setTimer(this.o.replicaFetchWaitMaxMs + this.o.replicaSocketTimeoutMs, TIMER_FETCH_TIMEOUT + TIMER_SPACE * leader);
  }

  onFetchResponse(leader: HostId, res: FetchResponse): void {
    if (this.outstanding[leader] === 0) return; // answer to a fetch we gave up on
    const r = this.r;
    this.outstanding[leader] = 0;
    if (this.fetchTimeout[leader] >= 0) this.ctx.cancelTimer(this.fetchTimeout[leader]);
    this.fetchTimeout[leader] = -1;
    this.lastResponseAt[leader] = this.ctx.now();
    this.lastResponseSentAt[leader] = res.sentAt;
    const { partitions, logEndOffsets, epochs } = res;
    for (let k = 0; k < partitions.length; k++) {
      const i = r.local(partitions[k]);
      if (i < 0 || r.fetchFrom[i] !== leader || r.leaderEpoch[i] !== epochs[k]) continue;
      if (r.leo[i] !== logEndOffsets[k]) {
        r.leo[i] = logEndOffsets[k];
        this.noteChanged(leader, i);
      }
    }
    this.sendFetch(leader);
  }

  /** replica.socket.timeout.ms: no answer; start over with a full fetch. */
  onFetchTimeout(leader: HostId): void {
    this.fetchTimeout[leader] = -1;
    this.outstanding[leader] = 0;
    this.lastResponseSentAt[leader] = -1;
    const fetchFrom = this.r.fetchFrom;
    for (let i = 0; i < fetchFrom.length; i++) if (fetchFrom[i] === leader) this.noteChanged(leader, i);
    this.sendFetch(leader);
  }
}
