/**
 * The simulation kernel: virtual time in milliseconds, one event queue ordered by (time,
 * insertion sequence), hosts that can crash, restart and pause, and a running hash of the
 * event trace.
 *
 * Events are plain numbers in typed arrays (kind, target, a, b) plus an optional payload object;
 * each kind has one handler object registered up front, so dispatch allocates nothing and
 * creates no closure per event. A run is a pure function of its inputs and seed: nothing here
 * reads the wall clock or Math.random, and equal times resolve in insertion order.
 */
import { EventQueue, QueueSizes } from "./event-queue.ts";

export type HostId = number;

/** Receives the events of one kind. `target` is a host id for host-bound kinds. */
export interface EventHandler {
  handle(target: number, a: number, b: number, obj: unknown): void;
}

export const HostStatus = { Up: 0, Crashed: 1, Paused: 2 } as const;
export type HostStatus = (typeof HostStatus)[keyof typeof HostStatus];

/** Told when a host changes state, so the owner can rebuild its volatile state on restart. */
export interface HostLifecycleListener {
  hostCrashed(host: HostId): void;
  hostRestarted(host: HostId): void;
  hostPaused?(host: HostId): void;
  hostResumed?(host: HostId): void;
}

const CANCELLED = 0;

/** Stands in for a direct kind's handler until one is named (never called: its kind is -1). */
const NO_HANDLER: EventHandler = { handle: () => {} };

/**
 * What the kernel needs of its event queue. `EventQueue` is the only one in normal runs; the
 * systematic explorer (src/explore/) passes its own, whose `pop` returns the event the search
 * chose. Only one class ever reaches these call sites in a normal run, so they stay monomorphic.
 */
export type KernelQueue = Pick<
  EventQueue,
  "size" | "push" | "handleOf" | "cancel" | "pop" | "popUntil" | "peekTime" | "timeOf" | "kindOf" | "targetOf" | "incarnationOf" | "aOf" | "bOf" | "takeObjOf"
>;

/**
 * Called every `KERNEL_POLL_EVENTS` events of `runUntil` while set: the runner's watchdog (event
 * budget, memory, a clock that stopped advancing) and its stop flag (Ctrl-C) throw from here to
 * end a run cleanly between two events. It only ever stops a run, so it cannot change one. One
 * per thread: a cell or a property hunt sets it around its runs (src/runner/watchdog.ts).
 */
export const kernelWatch: { poll: ((kernel: Kernel) => void) | undefined } = { poll: undefined };
export const KERNEL_POLL_EVENTS = 1 << 14;

/**
 * The sizes the event queues of kernels with this many hosts grew to, per host count: a world's
 * queue starts at the size the previous world of its shape reached (a bench cell repeated, a
 * property hunt's runs) instead of doubling up again. Speed only (event-queue.ts, `QueueSizes`).
 */
const queueSizes = new Map<number, QueueSizes>();

function queueSizesFor(hostCount: number): QueueSizes {
  let sizes = queueSizes.get(hostCount);
  if (sizes === undefined) {
    sizes = new QueueSizes();
    queueSizes.set(hostCount, sizes);
  }
  return sizes;
}

/** Events held for a paused host, replayed in their original order when it resumes. */
interface Deferred {
  kinds: number[];
  as: number[];
  bs: number[];
  objs: unknown[];
}

export class Kernel {
  /** Current virtual time (ms). */
  now = 0;
  /** Events dispatched to a handler. */
  eventsProcessed = 0;
  /** Host-bound events dropped because their host crashed (or restarted) since scheduling. */
  eventsDropped = 0;

  readonly queue: KernelQueue;
  private readonly handlers: (EventHandler | undefined)[] = [undefined];
  private readonly kindNames: string[] = ["cancelled"];
  private readonly hostBound: boolean[] = [false];
  /**
   * Two kinds that carry most events (deliveries, host timers) and their handlers, dispatched
   * through call sites of their own: the shared `handlers[kind].handle` call sees every handler
   * class (network, world, disks, workload, coordinator, faults) and is megamorphic, these see one
   * class each, so V8 can inline them. Only which call site runs a handler changes, not the order.
   */
  private directKindA = -1;
  private directHandlerA: EventHandler = NO_HANDLER;
  private directKindB = -1;
  private directHandlerB: EventHandler = NO_HANDLER;

  private readonly status: Uint8Array;
  private readonly incarnations: Int32Array;
  private readonly deferred: (Deferred | undefined)[];
  private lifecycle: HostLifecycleListener | undefined;

  // Two 32-bit lanes of a running trace hash.
  private h1 = 0x9e3779b9 | 0;
  private h2 = 0x85ebca6b | 0;
  private readonly scratch = new Float64Array(1);
  private readonly scratchWords = new Uint32Array(this.scratch.buffer);

  /** `queue`: the explorer's scheduler (src/explore/); absent, the kernel's own time-ordered EventQueue. */
  constructor(
    readonly hostCount: number,
    queue?: KernelQueue,
  ) {
    this.queue = queue ?? new EventQueue(1024, queueSizesFor(hostCount));
    this.status = new Uint8Array(hostCount);
    this.incarnations = new Int32Array(hostCount);
    this.deferred = new Array(hostCount).fill(undefined);
  }

  /**
   * Registers an event kind. Host-bound kinds target a host: they are dropped if the host crashed
   * since they were scheduled and held while it is paused.
   */
  registerKind(name: string, handler: EventHandler, hostBound: boolean): number {
    const kind = this.handlers.length;
    if (kind > 0xffff) throw new Error("kernel: too many event kinds");
    this.handlers.push(handler);
    this.kindNames.push(name);
    this.hostBound.push(hostBound);
    return kind;
  }

  /**
   * Gives `kind` (registered, one of the run's most frequent) its own dispatch call site; at most
   * two kinds, later calls are ignored. Changes nothing but speed.
   */
  dispatchDirectly(kind: number): void {
    const handler = this.handlers[kind];
    if (handler === undefined || kind === this.directKindA || kind === this.directKindB) return;
    if (this.directKindA < 0) {
      this.directKindA = kind;
      this.directHandlerA = handler;
    } else if (this.directKindB < 0) {
      this.directKindB = kind;
      this.directHandlerB = handler;
    }
  }

  /** Whether events of `kind` target a host (dropped when it crashed since, held while it is paused). */
  isHostBound(kind: number): boolean {
    return this.hostBound[kind] === true;
  }

  kindName(kind: number): string {
    return this.kindNames[kind] ?? `kind#${kind}`;
  }

  setLifecycleListener(listener: HostLifecycleListener): void {
    this.lifecycle = listener;
  }

  /**
   * Schedules an event at absolute time `time` (clamped to now; Infinity runs after everything
   * else). Returns a handle for `cancel`.
   */
  schedule(time: number, kind: number, target: number, a: number, b: number, obj: unknown): number {
    if (time !== time) throw new Error(`kernel: event time is NaN (${this.kindName(kind)})`);
    const t = time < this.now ? this.now : time;
    const inc = this.hostBound[kind] ? this.incarnations[target] : 0;
    const q = this.queue;
    return q.handleOf(q.push(t, kind, target, inc, a, b, obj));
  }

  /**
   * Schedules an event that will never be cancelled (a delivery, an fsync completion): as
   * `schedule`, without composing a handle (a double that a call not inlined returns boxed).
   */
  post(time: number, kind: number, target: number, a: number, b: number, obj: unknown): void {
    if (time !== time) throw new Error(`kernel: event time is NaN (${this.kindName(kind)})`);
    const t = time < this.now ? this.now : time;
    const inc = this.hostBound[kind] ? this.incarnations[target] : 0;
    this.queue.push(t, kind, target, inc, a, b, obj);
  }

  /** Schedules an event `delay` ms from now. */
  after(delay: number, kind: number, target: number, a: number, b: number, obj: unknown): number {
    return this.schedule(this.now + delay, kind, target, a, b, obj);
  }

  /** Cancels a scheduled event; a handle whose event already ran is ignored. */
  cancel(handle: number): void {
    this.queue.cancel(handle);
  }

  /** Runs every event with time <= `until`, then sets the clock to `until`. */
  runUntil(until: number): void {
    this.dispatchUntil(until);
    if (until > this.now) this.now = until;
  }

  /**
   * runUntil's loop, apart: V8 compiles a long loop on the stack (OSR), and code after the loop
   * that had never run yet deoptimized that compiled code at every loop exit (once per run, ~240
   * deoptimizations in 200 property runs); here nothing follows the loop.
   */
  private dispatchUntil(until: number): void {
    const watch = kernelWatch.poll;
    if (watch === undefined) {
      for (let slot = this.popUntil(until); slot >= 0; slot = this.popUntil(until)) this.dispatch(slot);
    } else {
      let budget = KERNEL_POLL_EVENTS;
      for (let slot = this.popUntil(until); slot >= 0; slot = this.popUntil(until)) {
        this.dispatch(slot);
        if (--budget === 0) {
          budget = KERNEL_POLL_EVENTS;
          watch(this);
        }
      }
    }
  }

  /** Runs events until the queue is empty or `maxEvents` ran. Returns whether the queue drained. */
  runToQuiescence(maxEvents = Number.MAX_SAFE_INTEGER): boolean {
    for (let i = 0; i < maxEvents; i++) if (!this.step()) return true;
    return false;
  }

  /** The next event's slot if it is due at or before `until`, else -1. */
  private popUntil(until: number): number {
    return this.queue.popUntil(until);
  }

  /** Dispatches the next event. Returns false when the queue is empty. */
  step(): boolean {
    const slot = this.queue.pop();
    if (slot < 0) return false;
    this.dispatch(slot);
    return true;
  }

  /** Dispatches the event of a slot just popped. */
  private dispatch(slot: number): void {
    const q = this.queue;
    // Read everything before any handler runs: a push may reuse the slot.
    const obj = q.takeObjOf(slot);
    const kind = q.kindOf(slot);
    if (kind === CANCELLED) return;
    const time = q.timeOf(slot);
    const target = q.targetOf(slot);
    const a = q.aOf(slot);
    const b = q.bOf(slot);
    const inc = q.incarnationOf(slot);
    this.now = time;
    if (this.hostBound[kind]) {
      if (this.status[target] === HostStatus.Crashed || this.incarnations[target] !== inc) {
        this.eventsDropped++;
        return;
      }
      if (this.status[target] === HostStatus.Paused) {
        this.defer(target, kind, a, b, obj);
        return;
      }
    }
    this.eventsProcessed++;
    this.mixEvent(time, kind, target, a);
    if (kind === this.directKindA) this.directHandlerA.handle(target, a, b, obj);
    else if (kind === this.directKindB) this.directHandlerB.handle(target, a, b, obj);
    else (this.handlers[kind] as EventHandler).handle(target, a, b, obj);
  }

  // ---- hosts ----

  hostStatus(host: HostId): HostStatus {
    return this.status[host] as HostStatus;
  }

  isUp(host: HostId): boolean {
    return this.status[host] === HostStatus.Up;
  }

  incarnation(host: HostId): number {
    return this.incarnations[host];
  }

  /** Crash: pending timers and deliveries die with the incarnation; volatile state is lost. */
  crash(host: HostId): void {
    if (this.status[host] === HostStatus.Crashed) return;
    this.status[host] = HostStatus.Crashed;
    this.incarnations[host]++;
    const held = this.deferred[host];
    if (held !== undefined) this.eventsDropped += held.kinds.length;
    this.deferred[host] = undefined;
    this.mix(0x10000 + host);
    this.lifecycle?.hostCrashed(host);
  }

  /** Restart a crashed host: the listener rebuilds it from durable state. */
  restart(host: HostId): void {
    if (this.status[host] !== HostStatus.Crashed) return;
    this.status[host] = HostStatus.Up;
    this.mix(0x20000 + host);
    this.lifecycle?.hostRestarted(host);
  }

  /** Pause (stop-the-world GC, frozen VM): events for the host wait until it resumes. */
  pause(host: HostId): void {
    if (this.status[host] !== HostStatus.Up) return;
    this.status[host] = HostStatus.Paused;
    this.mix(0x30000 + host);
    this.lifecycle?.hostPaused?.(host);
  }

  /** Resume: everything that queued during the pause is handled now, in its original order. */
  resume(host: HostId): void {
    if (this.status[host] !== HostStatus.Paused) return;
    this.status[host] = HostStatus.Up;
    this.mix(0x40000 + host);
    const held = this.deferred[host];
    this.deferred[host] = undefined;
    this.lifecycle?.hostResumed?.(host);
    if (held !== undefined) this.replay(host, held);
  }

  /**
   * Dispatches a resumed host's held events at once, in their original order. Re-scheduling them
   * at `now` would let events due at this very instant but queued earlier overtake them (a stream
   * message arriving at the resume time would pass older ones). A replayed handler may pause or
   * crash the host again: the rest are then held again or dropped.
   */
  private replay(host: HostId, held: Deferred): void {
    const inc = this.incarnations[host];
    for (let i = 0; i < held.kinds.length; i++) {
      if (this.status[host] === HostStatus.Crashed || this.incarnations[host] !== inc) {
        this.eventsDropped += held.kinds.length - i;
        return;
      }
      if (this.status[host] === HostStatus.Paused) {
        for (let j = i; j < held.kinds.length; j++) this.defer(host, held.kinds[j], held.as[j], held.bs[j], held.objs[j]);
        return;
      }
      const kind = held.kinds[i];
      this.eventsProcessed++;
      this.mixEvent(this.now, kind, host, held.as[i]);
      (this.handlers[kind] as EventHandler).handle(host, held.as[i], held.bs[i], held.objs[i]);
    }
  }

  private defer(host: HostId, kind: number, a: number, b: number, obj: unknown): void {
    let held = this.deferred[host];
    if (held === undefined) {
      held = { kinds: [], as: [], bs: [], objs: [] };
      this.deferred[host] = held;
    }
    held.kinds.push(kind);
    held.as.push(a);
    held.bs.push(b);
    held.objs.push(obj);
  }

  // ---- trace hash ----

  /** Feeds a number into the trace hash (other modules add what they observe). */
  mix(value: number): void {
    this.scratch[0] = value;
    this.mixWord(this.scratchWords[0]);
    this.mixWord(this.scratchWords[1]);
  }

  /** Mixes one dispatched event: its time and kind, its target, and its first argument, as three words. */
  private mixEvent(time: number, kind: number, target: number, a: number): void {
    const scratch = this.scratch;
    const words = this.scratchWords;
    scratch[0] = time;
    const w0 = words[0] ^ (kind << 20);
    const w1 = words[1] ^ target;
    scratch[0] = a;
    const w2 = words[0] ^ words[1];
    this.mixWord(w0);
    this.mixWord(w1);
    this.mixWord(w2);
  }

  private mixWord(w: number): void {
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h = this.h1 ^ k;
    h = (h << 13) | (h >>> 19);
    this.h1 = (Math.imul(h, 5) + 0xe6546b64) | 0;
    this.h2 = (Math.imul(this.h2 ^ w, 0x2c1b3c6d) + (this.h1 >>> 7)) | 0;
  }

  /** The running hash of every dispatched event and mixed observation, as 16 hex digits. */
  traceHash(): string {
    const f = (h: number): number => {
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      return h >>> 0;
    };
    return f(this.h1).toString(16).padStart(8, "0") + f(this.h2 ^ this.h1).toString(16).padStart(8, "0");
  }
}
