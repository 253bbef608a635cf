/**
 * Per-host storage: each host's fsync latency. An elector that must persist before it replies
 * (Raft's term, vote and log; Zab's epoch and proposals) asks for an fsync with a tag; the disk
 * completes fsyncs in request order (FIFO per host: a later fsync never completes before an
 * earlier one) after a latency drawn from the host's distribution, and the completion is handed
 * back as a host-bound event: a crash loses every completion still pending, a pause holds them.
 *
 * The default latency is a published measurement of fdatasync on a cloud SSD (docs/scenarios.md,
 * "Storage"): fio with --fdatasync=1 and 2300-byte writes, as etcd's WAL does, reported by
 * M. Olivi and M. Spreitzer, "Using fio to tell whether your storage is fast enough for etcd",
 * IBM Cloud blog, 2019: min 534 us, average 1273 us, median 783 us, p99 2376 us. Modelled as an
 * exponential with that minimum and mean (its median, 1.05 ms, and p99, 3.9 ms, are higher than
 * measured: the measured distribution is bimodal).
 *
 * The `slowDisk` fault multiplies the latency of fsyncs issued during its window.
 */
import type { EventHandler, HostId, Kernel } from "./kernel.ts";
import type { DelayDistribution } from "./network.ts";
import { RandomStream } from "./random.ts";

/** fdatasync on a cloud SSD (IBM Cloud, 2019; see the header): min 0.534 ms, mean 1.273 ms. */
export const DEFAULT_FSYNC: DelayDistribution = { kind: "exponential", min: 0.534, mean: 1.273 };

/** Every broker's fsync latency, with per-broker overrides by broker number. */
export interface StorageSpec {
  readonly fsync?: DelayDistribution;
  readonly hosts?: Readonly<Record<number, { readonly fsync?: DelayDistribution }>>;
}

/** The fsync latency of each of `hostCount` hosts (brokers from the spec, every other host the default). */
export function fsyncLatencies(spec: StorageSpec | undefined, hostCount: number): DelayDistribution[] {
  const out: DelayDistribution[] = [];
  for (let h = 0; h < hostCount; h++) out.push(spec?.hosts?.[h]?.fsync ?? spec?.fsync ?? DEFAULT_FSYNC);
  return out;
}

/** Told when a host's fsync completes. */
export interface PersistListener {
  persisted(host: HostId, tag: number): void;
}

export class HostStorage implements EventHandler {
  private readonly kind: number;
  /** True time at which each host's last requested fsync completes (FIFO). */
  private readonly lastDone: Float64Array;
  private readonly slowFactor: Float64Array;
  private readonly slowUntil: Float64Array;
  /** One stream per host, made on its first fsync (runs without fsyncs draw nothing). */
  private readonly streams: (RandomStream | undefined)[];
  /** fsyncs requested, per host. */
  readonly fsyncs: Float64Array;

  constructor(
    private readonly kernel: Kernel,
    private readonly seed: number,
    private readonly fsync: readonly DelayDistribution[],
    private readonly listener: PersistListener,
  ) {
    const n = fsync.length;
    this.lastDone = new Float64Array(n);
    this.slowFactor = new Float64Array(n).fill(1);
    this.slowUntil = new Float64Array(n);
    this.fsyncs = new Float64Array(n);
    this.streams = new Array(n).fill(undefined);
    this.kind = kernel.registerKind("persisted", this, true);
  }

  /** Requests an fsync of everything the host wrote so far; `listener.persisted(host, tag)` follows. */
  persist(host: HostId, tag: number): void {
    const now = this.kernel.now;
    let latency = this.draw(host);
    if (now < this.slowUntil[host]) latency *= this.slowFactor[host];
    const done = Math.max(now + latency, this.lastDone[host]);
    this.lastDone[host] = done;
    this.fsyncs[host]++;
    this.kernel.post(done, this.kind, host, tag, 0, undefined);
  }

  /** fsyncs the host issues in the next `forMs` take `factor` times as long; a later slowDisk replaces an earlier one. */
  slow(host: HostId, factor: number, forMs: number): void {
    this.slowFactor[host] = factor;
    this.slowUntil[host] = this.kernel.now + forMs;
  }

  handle(host: number, tag: number): void {
    this.listener.persisted(host, tag);
  }

  private draw(host: HostId): number {
    const d = this.fsync[host];
    if (d.kind === "constant") return d.ms;
    let r = this.streams[host];
    if (r === undefined) r = this.streams[host] = new RandomStream(this.seed, `disk:${host}`);
    if (d.kind === "uniform") return d.min === d.max ? d.min : r.uniform(d.min, d.max);
    return d.min + r.exponential(d.mean - d.min);
  }
}
