/**
 * Everything the checker may judge, in time order: the beliefs electors declared, the writes they
 * acknowledged or refused, host lifecycle changes and injected faults. Columns in growable typed
 * arrays, so a million declarations cost tens of megabytes, not a million objects.
 */
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
   * replica: reserved before the start builds its state, the columns are allocated while the heap
   * is small, where growing them record by record allocated twice their size in steps, the last
   * ones at the end of the build over the whole settled heap, each step of ~100 MiB at 1M partitions
   * forcing a full collection of it (V8 collects on external-memory growth).
   */
  reserve(records: number): void {
    let n = this.time.length;
    while (n < records) n *= 2;
    if (n > this.time.length) this.grow(n);
  }

  private grow(n = this.time.length * 2): void {
    const g = <T extends Float64Array | Int32Array | Uint8Array>(src: T, dst: T): T => {
      dst.set(src as never);
      return dst;
    };
    this.time = g(this.time, new Float64Array(n));
    this.host = g(this.host, new Int32Array(n));
    this.kind = g(this.kind, new Uint8Array(n));
    this.partition = g(this.partition, new Int32Array(n));
    this.a = g(this.a, new Float64Array(n));
    this.b = g(this.b, new Float64Array(n));
    this.c = g(this.c, new Float64Array(n));
  }
}
