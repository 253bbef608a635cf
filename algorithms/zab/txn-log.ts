/**
 * Each group's transaction log (ZooKeeper's txnlog): the proposals this replica logged, in zxid
 * order, at dense positions 0, 1, 2 ... (ZooKeeper logs no entry for NEWLEADER: a new epoch's
 * first proposal is (epoch, 1)). Durable: stored once in the host's durable store and mutated in
 * place. A group's arrays exist only once it logged something, so a million idle groups cost two
 * empty slots each. Every change is declared through the Observer (append, truncate, commit), so
 * the lab knows what each replica holds.
 */
import type { Observer } from "../../src/elector/api.ts";
import { epochOfZxid } from "./fle.ts";

export class TxnLog {
  /** Entries per group. */
  readonly length: Int32Array;
  /** The highest commit count declared per group (kept across restarts, so declarations never go back). */
  readonly committed: Int32Array;
  private readonly zxids: (Float64Array | undefined)[];
  private readonly writes: (Float64Array | undefined)[];

  constructor(groups: number) {
    this.length = new Int32Array(groups);
    this.committed = new Int32Array(groups);
    this.zxids = new Array<Float64Array | undefined>(groups).fill(undefined);
    this.writes = new Array<Float64Array | undefined>(groups).fill(undefined);
  }

  zxidAt(g: number, i: number): number {
    return (this.zxids[g] as Float64Array)[i];
  }

  writeAt(g: number, i: number): number {
    return (this.writes[g] as Float64Array)[i];
  }

  /** How many entries have a zxid at or below `zxid` (the position just after it, if logged). */
  countUpTo(g: number, zxid: number): number {
    const z = this.zxids[g];
    let lo = 0;
    let hi = this.length[g];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((z as Float64Array)[mid] <= zxid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Logs proposal `zxid` (above every logged zxid) carrying producer write `writeId`; declares it. */
  append(g: number, zxid: number, writeId: number, partition: number, observer: Observer): void {
    const n = this.length[g];
    let z = this.zxids[g];
    let w = this.writes[g];
    if (z === undefined || n === z.length) {
      const cap = z === undefined ? 8 : z.length * 2;
      const z2 = new Float64Array(cap);
      const w2 = new Float64Array(cap);
      if (z !== undefined) {
        z2.set(z);
        w2.set(w as Float64Array);
      }
      this.zxids[g] = z = z2;
      this.writes[g] = w = w2;
    }
    z[n] = zxid;
    (w as Float64Array)[n] = writeId;
    this.length[g] = n + 1;
    observer.append(partition, writeId, n, epochOfZxid(zxid));
  }

  /** TRUNC: drops every entry above `zxid`; declares the truncation if anything went. */
  truncateAbove(g: number, zxid: number, partition: number, observer: Observer): void {
    const keep = this.countUpTo(g, zxid);
    if (keep >= this.length[g]) return;
    this.length[g] = keep;
    observer.truncate(partition, keep);
  }

  /** The first `count` entries are committed: declared when it is news. */
  commit(g: number, count: number, partition: number, observer: Observer): void {
    if (count <= this.committed[g]) return;
    this.committed[g] = count;
    observer.commit(partition, count);
  }
}
