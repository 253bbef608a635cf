/**
 * One broker in live mode: the same HostContext an elector gets in the simulator, on real time.
 * Timers are setTimeout, broker-to-broker messages are delivered in process (FIFO, after the
 * current callback, like a loopback link with no loss), the ZooKeeper client is a real one
 * (real-zk-client.ts), and declarations are recorded in an ObservationLog with real times, so the
 * simulator's measures read it unchanged. The elector code is the registry's, untouched.
 */
import type {
  ClusterView,
  DurableStore,
  ElectorDefinition,
  ElectorInstance,
  HostContext,
  HostId,
  Message,
  Observer,
  PartitionId,
  TimerHandle,
  ZkEvent,
} from "../elector/api.ts";
import { Obs, type ObsKind, type ObservationLog } from "../record/observation-log.ts";
import type { RandomStream } from "../sim/random.ts";
import { RealZkClient, type SessionIds } from "./real-zk-client.ts";

/** What every live host shares: the clock, the in-process message bus, the log. */
export interface LiveBus {
  now(): number;
  readonly log: ObservationLog;
  /** Queues a message for `to` (delivered after the current callback, in order). */
  post(from: HostId, to: HostId, message: Message): void;
  /** A host finished a controlled shutdown. */
  stop(host: HostId): void;
}

class MapStore implements DurableStore {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  set(key: string, value: unknown): void {
    this.values.set(key, value);
  }
}

/** Records declarations into the shared log at real time (no producers in live mode). */
class LiveObserver implements Observer {
  constructor(
    private readonly host: HostId,
    private readonly bus: LiveBus,
  ) {}
  private record(kind: ObsKind, partition: number, a: number, b: number, c = 0): void {
    this.bus.log.record(this.bus.now(), this.host, kind, partition, a, b, c);
  }
  lead(p: PartitionId, epoch: number): void {
    this.record(Obs.Lead, p, epoch, 0);
  }
  follow(p: PartitionId, leader: HostId, epoch: number): void {
    this.record(Obs.Follow, p, leader, epoch);
  }
  stepDown(p: PartitionId): void {
    this.record(Obs.StepDown, p, 0, 0);
  }
  acknowledged(p: PartitionId, writeId: number, epoch: number): void {
    this.record(Obs.Ack, p, epoch, writeId);
  }
  rejected(p: PartitionId, writeId: number): void {
    this.record(Obs.Reject, p, 0, writeId);
  }
  campaign(p: PartitionId): void {
    this.record(Obs.Campaign, p, 0, 0);
  }
  controller(epoch: number): void {
    this.record(Obs.Controller, -1, epoch, 0);
  }
  controllerResigned(): void {
    this.record(Obs.ControllerResigned, -1, 0, 0);
  }
  append(p: PartitionId, writeId: number, position: number, epoch: number): void {
    this.record(Obs.Append, p, position, writeId, epoch);
  }
  truncate(p: PartitionId, fromPosition: number): void {
    this.record(Obs.Truncate, p, fromPosition, 0);
  }
  commit(p: PartitionId, count: number): void {
    this.record(Obs.Commit, p, count, 0);
  }
}

export class LiveHost implements HostContext {
  readonly durable: DurableStore = new MapStore();
  readonly observer: Observer;
  readonly zk: RealZkClient;
  instance: ElectorInstance | undefined;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  private nextTimer = 1;

  constructor(
    readonly host: HostId,
    readonly cluster: ClusterView,
    readonly random: RandomStream,
    private readonly bus: LiveBus,
    connectString: string,
    ids: SessionIds,
    private readonly definition: ElectorDefinition<unknown>,
    private readonly options: unknown,
  ) {
    this.observer = new LiveObserver(host, bus);
    this.zk = new RealZkClient(connectString, ids, (e) => this.onZk(e));
  }

  now(): number {
    return this.bus.now();
  }

  send(to: HostId, message: Message): void {
    this.bus.post(this.host, to, message);
  }

  sendStream(to: HostId, message: Message): void {
    this.bus.post(this.host, to, message);
  }

  setTimer(delayMs: number, tag: number): TimerHandle {
    const id = this.nextTimer++;
    const instance = this.instance;
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        if (this.instance === instance) instance?.onTimer(tag);
      }, Math.max(0, delayMs)),
    );
    return id;
  }

  cancelTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(handle);
  }

  shutdownComplete(): void {
    this.bus.stop(this.host);
  }

  boot(): void {
    this.instance = this.definition.create(this, this.options);
    this.instance.start();
  }

  /** A crash: the instance and its timers are gone; the ZooKeeper connection dies without a close. */
  crash(): void {
    this.bus.log.record(this.bus.now(), this.host, Obs.Crash, -1, 0, 0);
    this.instance = undefined;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.zk.abandon();
  }

  /** End of the run: stop everything, closing the session. */
  stop(): void {
    this.instance = undefined;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.zk.close();
  }

  deliver(from: HostId, message: Message): void {
    this.instance?.onMessage(from, message);
  }

  private onZk(e: ZkEvent): void {
    if (e.kind === "watch") this.bus.log.record(this.bus.now(), this.host, Obs.WatchFired, -1, 0, 0);
    this.instance?.onZk(e);
  }
}
