/**
 * Each group's transaction log (ZooKeeper's txnlog): the proposals this replica logged, in zxid
 * order, at dense positions 0, 1, 2 ... (ZooKeeper logs no entry for NEWLEADER: a new epoch's
 * first proposal is (epoch, 1)). Durable: stored once in the host's durable store and mutated in
 * place. A group's arrays exist only once it logged something: an idle group costs a zero in
 * `slot` (a typed array a first boot carves from the durable buffer, never written while the group
 * is idle) and its length and commit count, zeros in page chunks (page-chunks.ts) that are made
 * only for groups that logged: a million idle groups touch no memory, and an election that reads
 * them touches none either. Every change is declared through the Observer (append, truncate,
 * commit), so the lab knows what each replica holds.
 */
import type { Observer } from "../../src/elector/api.ts";
import { epochOfZxid } from "./fle.ts";
import { PageChunks } from "./page-chunks.ts";

export class TxnLog {
  /** Entries per group. */
  private readonly length: PageChunks;
  /** The highest commit count declared per group (kept across restarts, so declarations never go back). */
  private readonly committed: PageChunks;
  /** Per group: 0 while it never logged, else 1 + its index in `zxids` and `writes`. */
  private readonly slot: Int32Array;
  private readonly zxids: Float64Array[] = [];
  private readonly writes: Float64Array[] = [];

  constructor(groups: number, slot = new Int32Array(groups)) {
    this.length = new PageChunks(groups);
    this.committed = new PageChunks(groups);
    this.slot = slot;
  }

  /** Entries of group g. */
  lengthOf(g: number): number {
    return this.length.get(g);
  }

  /** The highest commit count declared for group g. */
  committedOf(g: number): number {
    return this.committed.get(g);
  }

  zxidAt(g: number, i: number): number {
    return this.zxids[this.slot[g] - 1][i];
  }

  writeAt(g: number, i: number): number {
    return this.writes[this.slot[g] - 1][i];
  }

  /** How many entries have a zxid at or below `zxid` (the position just after it, if logged). */
  countUpTo(g: number, zxid: number): number {
    // The length first: an empty log (nearly every group that elects) answers without reading
    // `slot`, whose pages a failover would otherwise touch at random on every host.
    let hi = this.length.get(g);
    if (hi === 0) return 0;
    const z = this.zxids[this.slot[g] - 1];
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (z[mid] <= zxid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Logs proposal `zxid` (above every logged zxid) carrying producer write `writeId`; declares it. */
  append(g: number, zxid: number, writeId: number, partition: number, observer: Observer): void {
    const n = this.length.get(g);
    let s = this.slot[g];
    if (s === 0) {
      this.zxids.push(new Float64Array(8));
      this.writes.push(new Float64Array(8));
      this.slot[g] = s = this.zxids.length;
    }
    let z = this.zxids[s - 1];
    let w = this.writes[s - 1];
    if (n === z.length) {
      const z2 = new Float64Array(n * 2);
      const w2 = new Float64Array(n * 2);
      z2.set(z);
      w2.set(w);
      this.zxids[s - 1] = z = z2;
      this.writes[s - 1] = w = w2;
    }
    z[n] = zxid;
    w[n] = writeId;
    this.length.set(g, n + 1);
    observer.append(partition, writeId, n, epochOfZxid(zxid));
  }

  /** TRUNC: drops every entry above `zxid`; declares the truncation if anything went. */
  truncateAbove(g: number, zxid: number, partition: number, observer: Observer): void {
    const keep = this.countUpTo(g, zxid);
    if (keep >= this.length.get(g)) return;
    this.length.set(g, keep);
    observer.truncate(partition, keep);
  }

  /** The first `count` entries are committed: declared when it is news. */
  commit(g: number, count: number, partition: number, observer: Observer): void {
    if (count <= this.committed.get(g)) return;
    this.committed.set(g, count);
    observer.commit(partition, count);
  }
}
