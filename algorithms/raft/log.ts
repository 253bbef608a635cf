/**
 * Every Raft log of one host (Figure 2 "log[]", durable), in typed arrays. Entries carry no
 * payload, only the term they were created in and the producer's write id (-1 for entries that
 * are not producer writes: a new leader's empty entry). Index i is 1-based, as in the paper.
 *
 * A million groups each hold at least a new leader's empty entry, so a log is not an object per
 * group: the first INLINE entries of each group sit in shared typed arrays; a group whose log
 * grows beyond that moves to a pair of growable arrays of its own (and stays there).
 * The store lives in ctx.durable: a crash keeps it.
 */
const INLINE = 2;

export class LogStore {
  /** Entries per group (the last index). */
  readonly length: Int32Array;
  private readonly inlineTerms: Int32Array;
  private readonly inlineWrites: Int32Array;
  /** Groups whose log outgrew the inline slots: all their entries. */
  private readonly spilled = new Map<number, { terms: number[]; writeIds: number[] }>();

  constructor(groups: number) {
    this.length = new Int32Array(groups);
    this.inlineTerms = new Int32Array(groups * INLINE);
    this.inlineWrites = new Int32Array(groups * INLINE);
  }

  lastIndex(g: number): number {
    return this.length[g];
  }

  /** Term of the entry at `index` (0 for index 0, the empty prefix). */
  termAt(g: number, index: number): number {
    if (index === 0) return 0;
    const s = this.spilled.get(g);
    return s !== undefined ? s.terms[index - 1] : this.inlineTerms[g * INLINE + index - 1];
  }

  writeIdAt(g: number, index: number): number {
    const s = this.spilled.get(g);
    return s !== undefined ? s.writeIds[index - 1] : this.inlineWrites[g * INLINE + index - 1];
  }

  lastTerm(g: number): number {
    return this.termAt(g, this.length[g]);
  }

  /** Appends one entry; returns its index. */
  append(g: number, term: number, writeId: number): number {
    const n = this.length[g];
    let s = this.spilled.get(g);
    if (s === undefined && n < INLINE) {
      this.inlineTerms[g * INLINE + n] = term;
      this.inlineWrites[g * INLINE + n] = writeId;
    } else {
      if (s === undefined) {
        s = { terms: [], writeIds: [] };
        for (let i = 0; i < n; i++) {
          s.terms.push(this.inlineTerms[g * INLINE + i]);
          s.writeIds.push(this.inlineWrites[g * INLINE + i]);
        }
        this.spilled.set(g, s);
      }
      s.terms.push(term);
      s.writeIds.push(writeId);
    }
    this.length[g] = n + 1;
    return n + 1;
  }

  /** Drops every entry after `index`. */
  truncateAfter(g: number, index: number): void {
    this.length[g] = index;
    const s = this.spilled.get(g);
    if (s !== undefined) {
      s.terms.length = index;
      s.writeIds.length = index;
    }
  }

  /** Terms of entries from..from+count-1 (a message's copy). */
  terms(g: number, from: number, count: number): number[] {
    const out = new Array<number>(count);
    for (let k = 0; k < count; k++) out[k] = this.termAt(g, from + k);
    return out;
  }

  writeIds(g: number, from: number, count: number): number[] {
    const out = new Array<number>(count);
    for (let k = 0; k < count; k++) out[k] = this.writeIdAt(g, from + k);
    return out;
  }
}
