/**
 * Host-pair connections and liveness. ZooKeeper runs one TCP connection per learner; here a host
 * pair carries every group the two hosts share, so a connection's failure ends every relation
 * through it. Incoming frames carry (conn, seq): a new conn (the peer restarted or tore the
 * connection down) or a gap in seq (a frame was dropped: the connection broke) is a lost
 * connection. Every tickTime / 2 (Leader.lead's loop) one ping goes to each peer host this host
 * leads or follows a group with; a peer not heard from for syncLimit ticks is disconnected (the
 * follower's socket timeout, the leader's synced() check).
 */
import type { ClusterView, HostId } from "../../src/elector/api.ts";
import type { ZabCore } from "./core.ts";
import type { GroupTable } from "./group-table.ts";
import { T, type ZabFrame } from "./messages.ts";
import type { Outbox } from "./outbox.ts";

export class Connections {
  /** Groups this host leads or follows with each peer host (ping it while > 0). */
  private readonly relCount: Int32Array;
  private readonly lastHeard: Float64Array;
  /** The peer's side of each connection and the last sequence number received. */
  private readonly inConn: Float64Array;
  private readonly inSeq: Float64Array;
  /** Groups shared with each peer host (CSR): sharedGroup[sharedStart[h] .. sharedStart[h+1]), with the peer's slot. */
  private readonly sharedStart: Int32Array;
  private readonly sharedGroup: Int32Array;
  private readonly sharedSlot: Uint8Array;
  /** Hosts sharing at least one group with this one, ascending. */
  private readonly peers: Int32Array;

  constructor(
    cluster: ClusterView,
    me: HostId,
    t: GroupTable,
    private readonly core: ZabCore,
    private readonly outbox: Outbox,
    private readonly syncLimitMs: number,
  ) {
    const n = cluster.brokers;
    const rf = t.rf;
    this.relCount = new Int32Array(n);
    this.lastHeard = new Float64Array(n);
    this.inConn = new Float64Array(n).fill(-1);
    this.inSeq = new Float64Array(n);
    const counts = new Int32Array(n + 1);
    for (let g = 0; g < t.groups; g++) {
      for (let j = 0; j < rf; j++) {
        const h = t.hostOf(g, j);
        if (h !== me) counts[h + 1]++;
      }
    }
    for (let h = 0; h < n; h++) counts[h + 1] += counts[h];
    this.sharedStart = counts;
    this.sharedGroup = new Int32Array(counts[n]);
    this.sharedSlot = new Uint8Array(counts[n]);
    const fill = counts.slice(0, n);
    let peerCount = 0;
    for (let h = 0; h < n; h++) if (counts[h + 1] > counts[h]) peerCount++;
    this.peers = new Int32Array(peerCount);
    for (let h = 0, k = 0; h < n; h++) if (counts[h + 1] > counts[h]) this.peers[k++] = h;
    for (let g = 0; g < t.groups; g++) {
      for (let j = 0; j < rf; j++) {
        const h = t.hostOf(g, j);
        if (h === me) continue;
        const k = fill[h]++;
        this.sharedGroup[k] = g;
        this.sharedSlot[k] = j;
      }
    }
  }

  /** Boot: every peer counts as just heard from. */
  start(now: number): void {
    this.lastHeard.fill(now);
  }

  relationUp(h: HostId, now: number): void {
    if (this.relCount[h]++ === 0) {
      if (this.lastHeard[h] < now) this.lastHeard[h] = now;
    }
  }

  relationDown(h: HostId): void {
    this.relCount[h]--;
  }

  /** Checks an incoming frame's connection and sequence number. */
  receive(from: HostId, frame: ZabFrame, now: number): void {
    const known = this.inConn[from];
    if (frame.conn !== known) {
      // A new connection from the peer (it restarted or tore the old one down).
      if (known !== -1) this.lost(from, false, now);
      this.inConn[from] = frame.conn;
    } else if (frame.seq !== this.inSeq[from] + 1) {
      // A frame went missing: the connection broke. Tear ours down too.
      this.lost(from, true, now);
    }
    this.inSeq[from] = frame.seq;
    this.lastHeard[from] = now;
  }

  /** The ping tick: liveness per host pair, then one ping to each peer we still relate to. */
  tick(now: number): void {
    for (let k = 0; k < this.peers.length; k++) {
      const h = this.peers[k];
      if (this.relCount[h] === 0) continue;
      if (now - this.lastHeard[h] > this.syncLimitMs) this.lost(h, true, now);
      if (this.relCount[h] > 0) this.outbox.emit0(h, T.Ping);
    }
  }

  /** The connection to `h` is gone: every relation through it ends. */
  private lost(h: HostId, tearDown: boolean, now: number): void {
    if (tearDown) this.outbox.newConnection(h);
    this.lastHeard[h] = now;
    for (let k = this.sharedStart[h]; k < this.sharedStart[h + 1]; k++) this.core.peerLost(this.sharedGroup[k], this.sharedSlot[k]);
  }
}
