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
   * Hosts this incarnation ever related to (relCount went above 0), ascending, in peers[0 ..
   * peerCount - 1]: the tick visits them, and only those with relations now count. Kept as
   * relations come up rather than found at boot by a scan of every group's replica list (a pass
   * over 9 ids a group at RF 3 on every host); a host with relations shares a group, so the tick
   * pings the same hosts in the same order as over all hosts sharing a group.
   */
  private readonly peers: Int32Array;
  private peerCount = 0;
  private readonly isPeer: Uint8Array;

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
    this.isPeer = new Uint8Array(n);
  }

  /** Boot: every peer counts as just heard from. */
  start(now: number): void {
    this.lastHeard.fill(now);
  }

  relationUp(h: HostId, now: number): void {
    if (this.relCount[h]++ === 0) {
      if (this.lastHeard[h] < now) this.lastHeard[h] = now;
      if (this.isPeer[h] === 0) this.addPeer(h);
    }
  }

  /** h joins the peers, in order (at most once per host and incarnation). */
  private addPeer(h: HostId): void {
    this.isPeer[h] = 1;
    let k = this.peerCount++;
    for (; k > 0 && this.peers[k - 1] > h; k--) this.peers[k] = this.peers[k - 1];
    this.peers[k] = h;
  }

  /**
   * Settled boot (settled.ts), right after start(now): `counts[h]` relations with each host h, as
   * that many relationUp(h, now) calls (every lastHeard is `now` already).
   */
  relationsUp(counts: Int32Array): void {
    for (let h = 0; h < counts.length; h++) {
      if (counts[h] === 0) continue;
      this.relCount[h] += counts[h];
      if (this.isPeer[h] === 0) this.addPeer(h);
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
    for (let k = 0; k < this.peerCount; k++) {
      const h = this.peers[k];
      if (this.relCount[h] === 0) continue;
      if (now - this.lastHeard[h] > this.syncLimitMs) {
        this.lost(h, true, now);
        // Should a relation to a new peer come up inside lost(), it joins in order: one below h was
        // passed with no relation (skipped, as it would have been), one above h is still ahead.
        while (this.peers[k] !== h) k++;
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
