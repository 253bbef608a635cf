/**
 * The yardstick for the kernel benchmark: a bare binary min-heap over parallel typed arrays
 * (Float64Array time and seq, Int32Array payload), ordered by (time, insertion sequence) like the
 * kernel's queue. No objects, no handlers, no trace hash: the least a discrete-event loop can do.
 */
export class BareHeap {
  time: Float64Array;
  seq: Float64Array;
  payload: Int32Array;
  size = 0;
  private nextSeq = 0;
  /** Time of the last popped entry. */
  lastTime = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.payload = new Int32Array(capacity);
  }

  private grow(): void {
    const n = this.time.length * 2;
    const time = new Float64Array(n);
    const seq = new Float64Array(n);
    const payload = new Int32Array(n);
    time.set(this.time);
    seq.set(this.seq);
    payload.set(this.payload);
    this.time = time;
    this.seq = seq;
    this.payload = payload;
  }

  push(t: number, value: number): void {
    if (this.size === this.time.length) this.grow();
    const time = this.time;
    const seq = this.seq;
    const payload = this.payload;
    const s = this.nextSeq++;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = time[parent];
      if (pt < t || (pt === t && seq[parent] < s)) break;
      time[i] = pt;
      seq[i] = seq[parent];
      payload[i] = payload[parent];
      i = parent;
    }
    time[i] = t;
    seq[i] = s;
    payload[i] = value;
  }

  /** Removes the earliest entry and returns its payload (-1 when empty); its time is `lastTime`. */
  pop(): number {
    if (this.size === 0) return -1;
    const time = this.time;
    const seq = this.seq;
    const payload = this.payload;
    const top = payload[0];
    this.lastTime = time[0];
    const n = --this.size;
    if (n > 0) {
      const t = time[n];
      const s = seq[n];
      const p = payload[n];
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        const right = child + 1;
        if (right < n && (time[right] < time[child] || (time[right] === time[child] && seq[right] < seq[child]))) {
          child = right;
        }
        const ct = time[child];
        if (t < ct || (t === ct && s < seq[child])) break;
        time[i] = ct;
        seq[i] = seq[child];
        payload[i] = payload[child];
        i = child;
      }
      time[i] = t;
      seq[i] = s;
      payload[i] = p;
    }
    return top;
  }
}
