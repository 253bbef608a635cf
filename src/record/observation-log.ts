/**
 * Everything the checker may judge, in time order: the beliefs electors declared, the writes they
 * acknowledged or refused, host lifecycle changes and injected faults. Columns in growable typed
 * arrays, so a million declarations cost tens of megabytes, not a million objects.
 */
import { KeptArrays } from "./kept-arrays.ts";

export const Obs = {
  Lead: 1, // partition, a = epoch
  Follow: 2, // partition, a = leader (-1 none), b = epoch (-1 unknown)
  StepDown: 3, // partition
  Ack: 4, // partition, a = epoch, b = writeId
  Reject: 5, // partition, b = writeId
  Campaign: 6, // partition
  Controller: 7, // a = epoch
  ControllerResigned: 8,
  Crash: 9,
  Restart: 10,
  Pause: 11,
  Resume: 12,
  Fault: 13, // a = index in the schedule
  WatchFired: 14, // a ZooKeeper watch notification reached the host
  WriteSent: 15, // host = producer, partition, a = target broker, b = writeId
  ShutdownComplete: 16,
  Append: 17, // partition, a = position, b = writeId (-1: not a producer write), c = epoch
  Truncate: 18, // partition, a = first position dropped
  Commit: 19, // partition, a = count of committed entries
} as const;
export type ObsKind = (typeof Obs)[keyof typeof Obs];

export const OBS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Obs).map(([name, k]) => [k, name]),
);

/** A log's seven columns, as `release` hands them on. */
interface Columns {
  readonly time: Float64Array<ArrayBuffer>;
  readonly host: Int32Array<ArrayBuffer>;
  readonly kind: Uint8Array<ArrayBuffer>;
  readonly partition: Int32Array<ArrayBuffer>;
  readonly a: Float64Array<ArrayBuffer>;
  readonly b: Float64Array<ArrayBuffer>;
  readonly c: Float64Array<ArrayBuffer>;
}

/**
 * The columns of the last released log, zeroed, for the next log that grows to their capacity.
 * Why: a settled start at a million partitions declares ~3M beliefs into columns of up to 32 MiB
 * each, which the C allocator maps fresh for each run and unmaps when the run's log is collected,
 * so every run paid a page fault per 4 KiB of them again (~23k of the ~38k page faults of a 1M zab
 * build), where smaller cells reuse memory their predecessors freed. One set is kept.
 */
const spare = new KeptArrays<Columns>();

export class ObservationLog {
  length = 0;
  time = new Float64Array(1024);
  host = new Int32Array(1024);
  kind = new Uint8Array(1024);
  partition = new Int32Array(1024);
  a = new Float64Array(1024);
  b = new Float64Array(1024);
  /** A third value, for the few kinds that need one (Append's epoch); 0 otherwise. */
  c = new Float64Array(1024);

  record(time: number, host: number, kind: ObsKind, partition: number, a: number, b: number, c = 0): void {
    if (this.length === this.time.length) this.grow();
    const i = this.length++;
    this.time[i] = time;
    this.host[i] = host;
    this.kind[i] = kind;
    this.partition[i] = partition;
    this.a[i] = a;
    this.b[i] = b;
    // Almost every record's c is 0, which a fresh column already holds (a record is written once):
    // not written, its pages stay untouched (24 MiB of them per 3M records). Read only for Append.
    if (!Object.is(c, 0)) this.c[i] = c;
  }

  /**
   * Grows the columns at once to the capacity that doubling would reach for `records` records
   * (never more), skipping the doublings on the way. A settled start declares a belief for every
   * replica: reserved once the first host has booted (world.ts), the columns are allocated while the
   * heap is small, where growing them record by record allocated twice their size in steps, the last
   * ones at the end of the build over the whole settled heap, each step of ~100 MiB at 1M partitions
   * forcing a full collection of it (V8 collects on external-memory growth).
   */
  reserve(records: number): void {
    let n = this.time.length;
    while (n < records) n *= 2;
    if (n > this.time.length) this.grow(n);
  }

  /**
   * What else the world that wrote this log gives back when the log is released (World: its belief
   * table, beliefs.ts), for the callers that release a log after its run (the runner, the benches)
   * hold neither the world nor the table. An object, not a closure: a closure over the world would
   * keep the whole world reachable from the record while it is judged.
   */
  releasesWith: { release(): void } | undefined;

  /**
   * The log will not be read again (its run is judged and reported): its columns, zeroed up to its
   * length and so equal to fresh ones, go to the next log that grows to their capacity. The log is
   * left empty. Only the holder of the last reference to the log and its columns (and to the world
   * that wrote it) may call this.
   */
  release(): void {
    this.releasesWith?.release();
    this.releasesWith = undefined;
    const n = this.length;
    const columns = { time: this.time, host: this.host, kind: this.kind, partition: this.partition, a: this.a, b: this.b, c: this.c };
    // Only a large log's columns are kept (kept-arrays.ts); those are zeroed to read as fresh.
    if (spare.give(columns, this.time.length)) for (const col of Object.values(columns)) col.fill(0, 0, n);
    this.length = 0;
    this.time = new Float64Array(1024);
    this.host = new Int32Array(1024);
    this.kind = new Uint8Array(1024);
    this.partition = new Int32Array(1024);
    this.a = new Float64Array(1024);
    this.b = new Float64Array(1024);
    this.c = new Float64Array(1024);
  }

  private grow(n = this.time.length * 2): void {
    const g = <T extends Float64Array | Int32Array | Uint8Array>(src: T, dst: T): T => {
      dst.set(src as never);
      return dst;
    };
    const from = spare.take(n);
    this.time = g(this.time, from?.time ?? new Float64Array(n));
    this.host = g(this.host, from?.host ?? new Int32Array(n));
    this.kind = g(this.kind, from?.kind ?? new Uint8Array(n));
    this.partition = g(this.partition, from?.partition ?? new Int32Array(n));
    this.a = g(this.a, from?.a ?? new Float64Array(n));
    this.b = g(this.b, from?.b ?? new Float64Array(n));
    this.c = g(this.c, from?.c ?? new Float64Array(n));
  }
}
