/**
 * The host layer around the Zab core: one instance per broker serves all its groups. It owns
 * what the protocol core (core.ts) does not: the two host timers (the deadline wheel's and the
 * ping tick), the deadline wheel itself (one deadline per electing group), frames in and out (outbox.ts)
 * and host-pair connections with their liveness (connections.ts). It unpacks every incoming
 * frame into group messages for the core and delivers the core's outputs through the HostContext.
 */
import { FsyncOutbox } from "../../src/elector/fsync-outbox.ts";
import type { ElectorInstance, HostContext, HostId, Message, Observer, PartitionId, ZkEvent } from "../../src/elector/api.ts";
import { DeadlineWheel } from "../../src/elector/deadline-wheel.ts";
import { Connections } from "./connections.ts";
import { ZabCore } from "./core.ts";
import type { CorePort } from "./core-port.ts";
import { loadDurable } from "./durable-state.ts";
import { GroupTable } from "./group-table.ts";
import { TYPE_OF, WIDTH, type ZabFrame } from "./messages.ts";
import type { ZabOptions } from "./options.ts";
import { Outbox } from "./outbox.ts";
import { settleGroups, type ZabSettled } from "./settled.ts";

// ---- host timers ----
const TAG_WHEEL = 1;
const TAG_PING = 2;

// ---- fsync tags (ctx.persist), bits: one fsync per event covers both ----
/** Frames held since this fsync was asked for wait for it (an epoch, or a learner's log, changed). */
const SYNC_FRAMES = 1;
/** The leader's own log flush: its ACKs of its proposals wait for it, its frames do not. */
const SYNC_LEADER_LOG = 2;

/** Deadline wheel resolution: deadlines fire on the first 10 ms boundary at or after them. */
export const WHEEL_RESOLUTION_MS = 10;

export class ZabHost implements ElectorInstance, CorePort {
  readonly observer: Observer;
  private readonly table: GroupTable;
  private readonly core: ZabCore;
  private readonly outbox: Outbox;
  private readonly connections: Connections;
  /**
   * Group deadlines, indexed by the group's row (group-table.ts), not the group: only a group in an
   * election or a synchronisation has one, and those have rows. Sized per group, the wheel's three
   * arrays were 36 MiB of pages a 1M-partition settled build wrote (NOWHERE), or else a failover
   * touched at random; by row it grows with the groups that elect.
   */
  private readonly wheel: DeadlineWheel;
  private readonly incarnation: Int32Array;
  private readonly pingIntervalMs: number;
  private wheelTimer = -1;

  // ---- persist before acknowledging (ZooKeeper logs, then ACKs; ctx.persist) ----
  private readonly persisting: boolean;
  /** An epoch or a learner's log changed in the current event. */
  private dirty = false;
  /** This host appended proposals as a leader in the current event. */
  private leaderAppended = false;
  /** Frames waiting for an fsync, in send order. */
  private readonly held: FsyncOutbox;
  private wheelTimerTick = -1;

  constructor(
    private readonly ctx: HostContext,
    o: ZabOptions,
  ) {
    this.observer = ctx.observer;
    this.held = new FsyncOutbox(ctx, true);
    this.table = new GroupTable(ctx.cluster, ctx.host);
    const durable = loadDurable(ctx.durable, this.table.groups);
    this.incarnation = durable.incarnation;
    this.pingIntervalMs = o.tickTimeMs / 2;
    this.wheel = new DeadlineWheel({
      entries: 0,
      resolutionMs: WHEEL_RESOLUTION_MS,
      slots: 4096,
      firstTick: Math.floor(ctx.now() / WHEEL_RESOLUTION_MS) + 1,
    });
    this.persisting = o.persistBeforeAck && ctx.persist !== undefined;
    this.outbox = new Outbox(this.persisting ? { sendStream: (to, m, bytes) => this.hold(to, m, bytes) } : ctx, ctx.cluster.brokers, o.coalesce);
    this.core = new ZabCore(this.table, durable, this, o);
    this.connections = new Connections(ctx.cluster, this.table, this.core, this.outbox, o.syncLimit * o.tickTimeMs);
  }

  // ---- ElectorInstance ----

  start(): void {
    this.incarnation[0]++;
    this.outbox.startIncarnation(this.incarnation[0]);
    this.connections.start(this.ctx.now());
    this.core.start();
    this.ctx.setTimer(this.pingIntervalMs, TAG_PING);
    this.endOfEvent();
  }

  /** Settled start (lab addition, settled.ts): booted, every group established as a quiet start leaves it. */
  startSettled(settled: unknown): void {
    this.incarnation[0]++;
    this.outbox.startIncarnation(this.incarnation[0]);
    this.connections.start(this.ctx.now());
    const relations = new Int32Array(this.ctx.cluster.brokers);
    settleGroups(this.table, this.core.durable, this.observer, settled as ZabSettled, relations);
    this.connections.relationsUp(relations);
    this.ctx.setTimer(this.pingIntervalMs, TAG_PING);
    this.endOfEvent();
  }

  onMessage(from: HostId, message: Message): void {
    const type = TYPE_OF.get(message.type);
    if (type === undefined) return;
    const frame = message as ZabFrame;
    this.connections.receive(from, frame, this.ctx.now());
    const items = frame.items;
    const w = WIDTH[type];
    const t = this.table;
    for (let i = 0; i < items.length; i += w) {
      const g = t.localIndex(items[i]);
      if (g < 0) continue;
      const j = t.slotOf(g, from);
      if (j < 0) continue;
      this.core.step(type, g, j, items, i);
    }
    this.endOfEvent();
  }

  onTimer(tag: number): void {
    if (tag === TAG_WHEEL) {
      this.wheelTimer = -1;
      this.wheelTimerTick = -1;
      const { entries, count } = this.wheel.advance(this.ctx.now());
      // rowGroup is read each time: a deadline may give another group a row (the arrays grow).
      for (let k = 0; k < count; k++) this.core.onDeadline(this.table.rowGroup[entries[k]]);
    } else if (tag === TAG_PING) {
      this.connections.tick(this.ctx.now());
      this.core.expireLateWrites();
      this.ctx.setTimer(this.pingIntervalMs, TAG_PING);
    }
    this.endOfEvent();
  }

  onZk(_event: ZkEvent): void {}

  onWrite(partition: PartitionId, writeId: number): void {
    this.core.onWrite(this.table.localIndex(partition), partition, writeId);
    this.endOfEvent();
  }

  // ---- CorePort ----

  now(): number {
    return this.ctx.now();
  }

  durableChanged(): void {
    this.dirty = true;
  }

  leaderLogged(): boolean {
    if (!this.persisting) return false;
    this.leaderAppended = true;
    return true;
  }

  /** The outbox's frames while persisting: held until the step's fsync (and every earlier one) completed. */
  private hold(to: HostId, m: Message, bytes: number): void {
    this.held.hold(to, m, bytes);
  }

  /**
   * An fsync completed (FIFO per host): send the frames it covered (all, if it was the last
   * holding any), then let the leader ACK the proposals it flushed.
   */
  onPersisted(tag: number): void {
    if ((tag & SYNC_FRAMES) !== 0) this.held.synced();
    if ((tag & SYNC_LEADER_LOG) !== 0) {
      this.core.leaderLogFlushed();
      this.endOfEvent();
    }
  }

  emit2(to: HostId, type: number, p: number, a: number): void {
    this.outbox.emit2(to, type, p, a);
  }

  emit3(to: HostId, type: number, p: number, a: number, b: number): void {
    this.outbox.emit3(to, type, p, a, b);
  }

  emit4(to: HostId, type: number, p: number, a: number, b: number, c: number): void {
    this.outbox.emit4(to, type, p, a, b, c);
  }

  emit6(to: HostId, type: number, p: number, a: number, b: number, c: number, d: number, e: number): void {
    this.outbox.emit6(to, type, p, a, b, c, d, e);
  }

  schedule(g: number, atMs: number): void {
    const r = this.table.row(g);
    if (r >= this.wheel.entries) this.wheel.grow(this.table.rowCapacity);
    this.wheel.schedule(r, atMs);
  }

  cancel(g: number): void {
    // A group without a row, or with one the wheel has no room for yet, has no deadline.
    const r = this.table.rowIfAny(g);
    if (r >= 0 && r < this.wheel.entries) this.wheel.cancel(r);
  }

  relationUp(h: HostId): void {
    this.connections.relationUp(h, this.ctx.now());
  }

  relationDown(h: HostId): void {
    this.connections.relationDown(h);
  }

  // ---- end of every entry point ----

  /** Sends the open frames, and re-arms the wheel timer if it must fire sooner. */
  private endOfEvent(): void {
    this.outbox.flush();
    if (this.persisting) {
      // ZooKeeper's SyncRequestProcessor: log (fsync), then ACK. Frames of an event that changed
      // an epoch or the log wait for one fsync; later frames never overtake earlier held ones.
      let tag = 0;
      if (this.held.endOfStep(this.dirty)) tag |= SYNC_FRAMES;
      this.dirty = false;
      if (this.leaderAppended) {
        this.leaderAppended = false;
        this.core.leaderFlushRequested();
        tag |= SYNC_LEADER_LOG;
      }
      if (tag !== 0) this.ctx.persist!(tag);
    }
    const wheel = this.wheel;
    if (wheel.size === 0) {
      if (this.wheelTimer !== -1) {
        this.ctx.cancelTimer(this.wheelTimer);
        this.wheelTimer = -1;
        this.wheelTimerTick = -1;
      }
      return;
    }
    // Invariant: an armed wheel timer fires no later than the earliest deadline.
    let tick: number;
    if (this.wheelTimer === -1) tick = wheel.nextOccupiedTick();
    else {
      tick = wheel.earliest;
      if (this.wheelTimerTick <= tick) return;
    }
    if (this.wheelTimer !== -1) this.ctx.cancelTimer(this.wheelTimer);
    const at = tick * wheel.resolutionMs;
    const now = this.ctx.now();
    this.wheelTimer = this.ctx.setTimer(at > now ? at - now : 0, TAG_WHEEL);
    this.wheelTimerTick = tick;
  }

  // ---- introspection for tests (never read by the lab) ----

  /** Local group index of a partition, or -1. */
  localIndex(p: PartitionId): number {
    return this.table.localIndex(p);
  }

  /** The group's phase name. */
  phaseOf(p: PartitionId): string {
    return this.core.phaseOf(this.table.localIndex(p));
  }

  /** The notification timeout of the partition's group now. */
  notificationTimeoutOf(partition: PartitionId): number {
    return this.core.notificationTimeoutOf(this.table.localIndex(partition));
  }
}
