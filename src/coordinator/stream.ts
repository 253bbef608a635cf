/**
 * One direction of a TCP connection between a ZooKeeper client and the server.
 *
 * The network's streams are FIFO and lossless, but a partition drops what is sent across it. Real
 * TCP does not lose those bytes: it retransmits until the path heals or the application gives up
 * (ZooKeeper's client gives up after 2/3 of the session timeout). So a message that cannot get
 * through now waits here, with everything sent after it, and is retried after a retransmission
 * timeout that doubles per attempt (Linux: 200 ms minimum). A short blip therefore only delays
 * traffic, as in life; a long one ends in the application closing the connection (`close`).
 *
 * Whether the path is open is read from `Network.canReach` at send time: a message already in
 * flight when a partition starts still arrives, as the network delivers it.
 *
 * No closures: the retransmit timer is a kernel event of the owner's kind, addressed by
 * (target host, key) and stamped with the connection number, so a stale timer is ignored.
 */
import type { HostId, Kernel } from "../sim/kernel.ts";
import type { Message, Network } from "../sim/network.ts";
import { Fifo } from "./fifo.ts";

export class Stream {
  private readonly held = new Fifo<Message>();
  private readonly heldBytes = new Fifo<number>();
  private rto: number;
  private armed = false;
  private closed = false;

  constructor(
    private readonly kernel: Kernel,
    private readonly network: Network,
    readonly from: HostId,
    readonly to: HostId,
    /** The connection number: stamps retransmit timers. */
    readonly conn: number,
    private readonly retransmitKind: number,
    /** Host whose kernel events carry the timer (the sending side). */
    private readonly timerTarget: HostId,
    /** Extra routing key for the owner (e.g. the session id at the server). */
    private readonly timerKey: number,
    private readonly rtoMin: number,
    private readonly rtoMax: number,
  ) {
    this.rto = rtoMin;
  }

  /** Messages waiting for the path to open. */
  get backlog(): number {
    return this.held.length;
  }

  send(message: Message, bytes: number): void {
    if (this.closed) return;
    if (this.held.length === 0 && this.network.canReach(this.from, this.to)) {
      this.network.sendStream(this.from, this.to, message, bytes);
      return;
    }
    this.held.push(message);
    this.heldBytes.push(bytes);
    if (!this.armed) this.arm();
  }

  /** The retransmit timer fired (the owner routes it here after checking `conn`). */
  retransmit(): void {
    this.armed = false;
    if (this.closed || this.held.length === 0) return;
    if (this.network.canReach(this.from, this.to)) {
      while (this.held.length > 0) {
        this.network.sendStream(this.from, this.to, this.held.shift() as Message, this.heldBytes.shift() as number);
      }
      this.rto = this.rtoMin;
      return;
    }
    this.rto = Math.min(this.rto * 2, this.rtoMax);
    this.arm();
  }

  /** The application closed the connection: whatever was not yet through is lost. */
  close(): void {
    this.closed = true;
    this.held.clear();
    this.heldBytes.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private arm(): void {
    this.armed = true;
    this.kernel.after(this.rto, this.retransmitKind, this.timerTarget, this.timerKey, this.conn, undefined);
  }
}
