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
  /**
   * The hosts whose relCount is not 0, ascending, in peers[0 .. peerCount - 1] (zeros after it):
   * the ones the tick visits. Kept as relations come and go rather than found at boot by a scan of
   * every group's replica list (a pass over 9 ids a group at RF 3 on every host): the tick skipped
   * every other host sharing a group, so it visits the same hosts in the same order. A function of
   * relCount alone, so the state (and the explorer's digest of it) is what it was.
   */
  private readonly peers: Int32Array;
  private peerCount = 0;

  constructor(
    cluster: ClusterView,
    private readonly t: GroupTable,
    private readonly core: ZabCore,
    private readonly outbox: Outbox,
    private readonly syncLimitMs: number,
  ) {
    const n = cluster.brokers;
    this.relCount = new Int32Array(n);
    this.lastHeard = new Float64Array(n);
    this.inConn = new Float64Array(n).fill(-1);
    this.inSeq = new Float64Array(n);
    this.peers = new Int32Array(n);
  }

  /** Boot: every peer counts as just heard from. */
  start(now: number): void {
    this.lastHeard.fill(now);
  }

  relationUp(h: HostId, now: number): void {
    const before = this.relCount[h]++;
    if (before === 0) {
      if (this.lastHeard[h] < now) this.lastHeard[h] = now;
      this.addPeer(h);
    } else if (before === -1) this.removePeer(h);
  }

  /** h joins the peers, in order (its relCount left 0). */
  private addPeer(h: HostId): void {
    let k = this.peerCount++;
    for (; k > 0 && this.peers[k - 1] > h; k--) this.peers[k] = this.peers[k - 1];
    this.peers[k] = h;
  }

  /** h leaves the peers (its relCount came back to 0). */
  private removePeer(h: HostId): void {
    let k = 0;
    while (this.peers[k] !== h) k++;
    for (const end = --this.peerCount; k < end; k++) this.peers[k] = this.peers[k + 1];
    this.peers[this.peerCount] = 0;
  }

  /**
   * Settled boot (settled.ts), right after start(now): `counts[h]` relations with each host h, as
   * that many relationUp(h, now) calls (every lastHeard is `now` already).
   */
  relationsUp(counts: Int32Array): void {
    for (let h = 0; h < counts.length; h++) {
      if (counts[h] === 0) continue;
      if (this.relCount[h] === 0) this.addPeer(h);
      this.relCount[h] += counts[h];
    }
  }

  relationDown(h: HostId): void {
    const before = this.relCount[h]--;
    if (before === 1) this.removePeer(h);
    else if (before === 0) this.addPeer(h);
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
    for (let k = 0; k < this.peerCount; k++) {
      const h = this.peers[k];
      if (now - this.lastHeard[h] > this.syncLimitMs) {
        this.lost(h, true, now);
        // lost() ends relations (peers leave) and may start some (peers join): go on after h, at
        // the peers above it as they are now, as a walk over every host sharing a group would.
        k = Math.min(k, this.peerCount - 1);
        while (k >= 0 && this.peers[k] > h) k--;
        while (k + 1 < this.peerCount && this.peers[k + 1] <= h) k++;
      }
      if (this.relCount[h] > 0) this.outbox.emit0(h, T.Ping);
    }
  }

  /** The connection to `h` is gone: every relation through it ends. */
  private lost(h: HostId, tearDown: boolean, now: number): void {
    if (tearDown) this.outbox.newConnection(h);
    this.lastHeard[h] = now;
    // Every group shared with h, in group order. Found by a scan (a loss is rare; a table of them
    // per peer cost 10 bytes a group on every host at build, most never read).
    const t = this.t;
    for (let g = 0; g < t.groups; g++) {
      const j = t.slotOf(g, h);
      if (j >= 0) this.core.peerLost(g, j);
    }
  }
}
