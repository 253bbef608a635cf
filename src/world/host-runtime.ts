/**
 * One broker host as an elector sees it: the HostContext (its own clock, messages, timers, random
 * stream, durable storage and its fsync, ZooKeeper client, observer) and the elector instance living on it.
 * A crash drops the instance (its volatile state); a restart builds a new one from the same
 * durable store.
 */
import type {
  DurableStore,
  ElectorDefinition,
  ElectorInstance,
  HostContext,
  HostId,
  Message,
  TimerHandle,
  ZkClient,
} from "../elector/api.ts";
import type { ClusterModel } from "../cluster/cluster-model.ts";
import type { HostClocks } from "../sim/clocks.ts";
import type { Kernel } from "../sim/kernel.ts";
import type { Network } from "../sim/network.ts";
import type { RandomStream } from "../sim/random.ts";
import type { HostStorage } from "../sim/storage.ts";
import type { HostObserver } from "./beliefs.ts";

class MapStore implements DurableStore {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  set(key: string, value: unknown): void {
    this.values.set(key, value);
  }
}

export interface HostServices {
  readonly kernel: Kernel;
  readonly network: Network;
  readonly cluster: ClusterModel;
  /** Per-host clocks: now() and timers run on the host's own clock. */
  readonly clocks: HostClocks;
  /** Per-host disks: persist() waits for the host's fsync. */
  readonly storage: HostStorage;
  /** The kernel event kind that calls `HostRuntime.timerFired` (host-bound, a = tag). */
  readonly timerKind: number;
  shutdownComplete(host: HostId): void;
}

export class HostRuntime implements HostContext {
  readonly durable: DurableStore = new MapStore();
  instance: ElectorInstance | undefined;
  readonly cluster: ClusterModel;

  constructor(
    readonly host: HostId,
    private readonly services: HostServices,
    readonly random: RandomStream,
    readonly observer: HostObserver,
    private readonly zkClient: () => ZkClient,
    private readonly definition: ElectorDefinition<unknown>,
    private readonly options: unknown,
  ) {
    this.cluster = services.cluster;
  }

  get zk(): ZkClient {
    return this.zkClient();
  }

  /** The host's own clock (true time unless the scenario or a fault skews it). */
  now(): number {
    return this.services.clocks.now(this.host);
  }

  send(to: HostId, message: Message, bytes: number): void {
    this.services.network.send(this.host, to, message, bytes);
  }

  sendStream(to: HostId, message: Message, bytes: number): void {
    this.services.network.sendStream(this.host, to, message, bytes);
  }

  /** `delayMs` of the host's clock: as many true ms as its clock takes to advance that much. */
  setTimer(delayMs: number, tag: number): TimerHandle {
    const s = this.services;
    return s.kernel.after(s.clocks.trueDelay(this.host, delayMs), s.timerKind, this.host, tag, 0, undefined);
  }

  persist(tag: number): void {
    this.services.storage.persist(this.host, tag);
  }

  cancelTimer(handle: TimerHandle): void {
    this.services.kernel.cancel(handle);
  }

  shutdownComplete(): void {
    this.services.shutdownComplete(this.host);
  }

  /** Builds a fresh instance (boot or restart) and starts it. */
  boot(): void {
    this.instance = this.definition.create(this, this.options);
    this.instance.start();
  }

  /** Settled start (issue 15): a fresh instance takes its part of the settled state instead of starting cold. */
  bootSettled(settled: unknown): void {
    const instance = this.definition.create(this, this.options);
    if (instance.startSettled === undefined) throw new Error(`${this.definition.name}: settle is defined but its instance has no startSettled`);
    this.instance = instance;
    instance.startSettled(settled);
  }

  /** Volatile state is gone. */
  drop(): void {
    this.instance = undefined;
  }
}
