/**
 * Messages held behind fsyncs, for an elector that persists before it speaks (etcd's Ready: save,
 * then send; ZooKeeper's SyncRequestProcessor: log, then ACK). A step that changed durable state
 * closes a batch that leaves when its fsync completes; a step that changed nothing sends at once
 * unless an earlier fsync is pending (nothing overtakes state that is not yet durable). Fsyncs
 * complete in order (FIFO per host), so batches are boundaries into one list.
 */
import type { HostContext, HostId, Message } from "./api.ts";

export class FsyncOutbox {
  // Held messages are entries 0..count-1 of three parallel arrays that are never shrunk: emptying
  // them is `count = 0`, not a length store (a V8 runtime call, once per step that sent anything).
  private readonly to: number[] = [];
  private readonly msg: Message[] = [];
  private readonly bytes: number[] = [];
  private count = 0;
  private head = 0;
  /** End index of each batch waiting for its fsync, entries `syncHead` .. `syncCount`-1. */
  private readonly syncEnds: number[] = [];
  private syncCount = 0;
  private syncHead = 0;

  /** `stream`: send with ctx.sendStream (ordered per link) instead of ctx.send. */
  constructor(
    private readonly ctx: HostContext,
    private readonly stream: boolean,
  ) {}

  hold(to: HostId, message: Message, bytes: number): void {
    const i = this.count++;
    this.to[i] = to;
    this.msg[i] = message;
    this.bytes[i] = bytes;
  }

  /** End of a step: `durable` closes a batch for one fsync (returns true: the caller asks for it); else what may leave, leaves. */
  endOfStep(durable: boolean): boolean {
    if (durable) {
      this.syncEnds[this.syncCount++] = this.count;
      return true;
    }
    if (this.syncHead === this.syncCount) this.release(this.count);
    return false;
  }

  /** The oldest batch's fsync completed: send it (everything, if it was the last batch pending). */
  synced(): void {
    const end = this.syncEnds[this.syncHead++];
    if (this.syncHead === this.syncCount) {
      this.syncCount = this.syncHead = 0;
      this.release(this.count);
    } else {
      this.release(end);
    }
  }

  private release(end: number): void {
    for (let i = this.head; i < end; i++) {
      if (this.stream) this.ctx.sendStream(this.to[i], this.msg[i], this.bytes[i]);
      else this.ctx.send(this.to[i], this.msg[i], this.bytes[i]);
      this.msg[i] = undefined as unknown as Message;
    }
    this.head = end;
    // Pending batches' boundaries index the list: empty it only when none is pending.
    if (end === this.count && this.syncHead === this.syncCount) this.count = this.head = 0;
  }
}
