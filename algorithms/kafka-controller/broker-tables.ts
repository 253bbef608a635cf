/**
 * Where a broker's per-partition typed arrays come from (memory only: nothing here decides
 * behaviour; every array starts zeroed, as a new one does).
 *
 * V8 runs a full collection whenever ArrayBuffer memory has grown by ~64 MiB since the last one. A
 * settled start at 1M partitions builds the 2M-znode tree first (a ~700 MiB heap) and then boots
 * 100 brokers, whose tables (~150 bytes per local partition: ~450 MiB) allocated broker by broker
 * forced a full collection of that heap every ~15 brokers. settleKafka reserves every broker's
 * tables in one ArrayBuffer before it builds the tree, while the heap is small; each broker then
 * carves its arrays from its share. A broker without a share (a cold start, a restart after a
 * crash, a share used up) allocates as before.
 */
import type { ClusterView, HostId } from "../../src/elector/api.ts";

export interface Tables {
  i32(n: number): Int32Array;
  f64(n: number): Float64Array;
  u8(n: number): Uint8Array;
  /** Whether these are a settled start's reserved share (sized for RESERVED_HOLD_QUEUE too). */
  readonly reserved: boolean;
}

/** Fresh arrays. */
export const FRESH: Tables = {
  i32: (n) => new Int32Array(n),
  f64: (n) => new Float64Array(n),
  u8: (n) => new Uint8Array(n),
  reserved: false,
};

/**
 * Numbers of a leader's hold queue (hold-queue.ts) taken from its share: 4,096 consumed numbers
 * before a cut plus two per pending hold (at most one per follower), rounded up to a power of two.
 * A fresh queue starts small and doubles; with 99 followers it doubled six times a run, ~127 KiB of
 * fresh memory per broker whose every page faulted (a 10k cell's 100 brokers: ~13 ms of a ~0.7 s
 * run, CPU profile, stop 33). In the share the pages are untouched until the queue reaches them.
 */
export const RESERVED_HOLD_QUEUE = 8192;

/**
 * Bytes per local partition a broker takes: ReplicaManager's tables (9 int32, a float64, 3 bytes;
 * per follower slot, rf - 1 of them, a float64 and 2 int32), the log's slots and high watermarks (2
 * int32), the fetcher's position (an int32) and the delayed fetches' marks (2 bytes per follower slot). Alignment adds at
 * most 7 bytes per array. A wrong count costs only memory or speed: arrays past the share are
 * allocated fresh.
 */
function bytesPerPartition(rf: number): number {
  return 9 * 4 + 8 + 3 + (rf - 1) * (8 + 2 * 4) + 2 * 4 + 4 + 2 * (rf - 1);
}
const ARRAYS_PER_BROKER = 32;
/** Per broker, apart from its partitions: the hold queue's buffer. */
const BYTES_PER_BROKER = RESERVED_HOLD_QUEUE * 8;

/**
 * One broker's share of the reserved buffer: arrays carved in order, 8-byte aligned. Its fields are
 * #private: a share is where memory comes from, not the broker's state (settled-digest.ts walks a
 * broker's enumerable fields).
 */
class Share implements Tables {
  readonly #buffer: ArrayBuffer;
  #offset: number;
  readonly #end: number;

  get reserved(): boolean {
    return true;
  }

  constructor(buffer: ArrayBuffer, offset: number, end: number) {
    this.#buffer = buffer;
    this.#offset = offset;
    this.#end = end;
  }

  #take(bytes: number): number {
    const at = this.#offset;
    if (at + bytes > this.#end) return -1;
    this.#offset = at + ((bytes + 7) & ~7);
    return at;
  }

  i32(n: number): Int32Array {
    const at = this.#take(n * 4);
    return at < 0 ? new Int32Array(n) : new Int32Array(this.#buffer, at, n);
  }

  f64(n: number): Float64Array {
    const at = this.#take(n * 8);
    return at < 0 ? new Float64Array(n) : new Float64Array(this.#buffer, at, n);
  }

  u8(n: number): Uint8Array {
    const at = this.#take(n);
    return at < 0 ? new Uint8Array(n) : new Uint8Array(this.#buffer, at, n);
  }
}

/** Per cluster (the settled start's), each broker's share until its first ReplicaManager takes it. */
const reserved = new WeakMap<ClusterView, (Share | undefined)[]>();

/** Reserves every broker's tables of this cluster in one buffer (settled start). */
export function reserveBrokerTables(cluster: ClusterView): void {
  const per = bytesPerPartition(cluster.replicationFactor);
  const shares: (Share | undefined)[] = [];
  let total = 0;
  const sizes: number[] = [];
  for (let h = 0; h < cluster.brokers; h++) {
    const bytes = (cluster.partitionsOf(h).length * per + BYTES_PER_BROKER + ARRAYS_PER_BROKER * 8 + 7) & ~7; // each share 8-byte aligned
    sizes.push(bytes);
    total += bytes;
  }
  const buffer = new ArrayBuffer(total);
  let offset = 0;
  for (let h = 0; h < cluster.brokers; h++) {
    shares.push(new Share(buffer, offset, offset + sizes[h]));
    offset += sizes[h];
  }
  reserved.set(cluster, shares);
}

/** The broker's reserved share (once), or fresh arrays. */
export function brokerTables(cluster: ClusterView, host: HostId): Tables {
  const shares = reserved.get(cluster);
  const share = shares?.[host];
  if (shares === undefined || share === undefined) return FRESH;
  shares[host] = undefined;
  return share;
}
