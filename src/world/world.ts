/**
 * The world: one simulated cluster built from a WorldConfig. It wires the kernel, the network,
 * the ZooKeeper coordinator, the brokers' elector instances, the producers and the fault
 * schedule, routes every delivered message to whoever should handle it, and records what the
 * checker needs in the observation log. Nothing here judges; src/checker/ does.
 */
import type { ElectorDefinition, HostId, Message, ZkEvent } from "../elector/api.ts";
import { ClusterModel } from "../cluster/cluster-model.ts";
import { ZkClients } from "../coordinator/client.ts";
import { ZkServer } from "../coordinator/server.ts";
import { applyClockSpec, HostClocks } from "../sim/clocks.ts";
import { FaultInjector, type Fault, type FaultListener, type HostFaultTarget } from "../sim/faults.ts";
import { HostStatus, Kernel, type EventHandler, type HostLifecycleListener } from "../sim/kernel.ts";
import { MessageTrace } from "../sim/message-trace.ts";
import { DEFAULT_LINK, Network, type MessageSink } from "../sim/network.ts";
import { RandomStreams, type RandomStream } from "../sim/random.ts";
import { fsyncLatencies, HostStorage, type PersistListener } from "../sim/storage.ts";
import { BeliefTable, HostObserver, type WriteOutcomeSink } from "./beliefs.ts";
import { HostRuntime } from "./host-runtime.ts";
import { RestoredCoordinator } from "./settled-coordinator.ts";
import { coldBecause, type StartMode } from "./settled-start.ts";
import { History } from "../record/history.ts";
import { Obs, ObservationLog } from "../record/observation-log.ts";
import { Workload, type MetadataRequest, type MetadataResponse, type ProduceRequest, type ProduceResponse } from "./workload.ts";
import { DEFAULT_WORKLOAD, coordinatorHost, producerHost, type WorldConfig } from "./world-config.ts";

const RESPONSE_BYTES = 60;

export class World
  implements MessageSink, HostLifecycleListener, FaultListener, HostFaultTarget, PersistListener, WriteOutcomeSink, EventHandler
{
  readonly kernel: Kernel;
  readonly network: Network;
  readonly cluster: ClusterModel;
  readonly log = new ObservationLog();
  /** Visits per named rule of the elector (ElectorDefinition.rules; coverage, not part of the trace). */
  readonly ruleVisits: Float64Array;
  /** Every producer operation (invoke, ok, fail, info): the client's side of the run. */
  readonly history = new History();
  readonly beliefs: BeliefTable;
  readonly coordinator: ZkServer;
  readonly zkClients: ZkClients;
  readonly workload: Workload;
  readonly hosts: HostRuntime[] = [];
  readonly coordinatorHost: HostId;
  readonly firstProducer: HostId;
  /** Each host's clock; the kernel (and the checker) keep true time. */
  readonly clocks: HostClocks;
  /** Each host's fsync latency. */
  readonly storage: HostStorage;
  private readonly faults: FaultInjector;
  private readonly timerKind: number;

  /** The config; its faults are filled in by scheduleFaults when roles were resolved on this world. */
  config: WorldConfig<unknown>;

  constructor(config: WorldConfig<unknown>) {
    this.config = config;
    const streams = new RandomStreams(config.seed);
    const spec = config.cluster;
    this.cluster = new ClusterModel(spec, streams.stream("cluster"));
    const workloadSpec = { ...DEFAULT_WORKLOAD, ...config.workload };
    this.coordinatorHost = coordinatorHost(spec);
    this.firstProducer = producerHost(spec, 0);
    const hostCount = spec.brokers + 1 + workloadSpec.producers;

    this.kernel = new Kernel(hostCount, config.eventQueue?.());
    this.kernel.setLifecycleListener(this);
    this.clocks = new HostClocks(this.kernel, hostCount);
    // Its own stream: drawing clocks reshuffles nothing else.
    if (config.clocks !== undefined) applyClockSpec(this.clocks, config.clocks, spec.brokers, streams.stream("clocks"));
    this.network = new Network(this.kernel, streams.stream("network"), this, { ...DEFAULT_LINK, ...config.network });
    if (config.traceMessages !== undefined && config.traceMessages > 0) this.network.trace = new MessageTrace(config.traceMessages);
    this.beliefs = new BeliefTable(this.cluster);
    this.log.releasesWith = this.beliefs; // its arrays serve the next world's table (beliefs.ts)
    // The reconnect back-off jitter follows the run seed unless the scenario fixes it.
    const zkConfig = { jitterSeed: config.seed, ...config.coordinator };
    this.coordinator = new ZkServer(this.kernel, this.network, this.coordinatorHost, zkConfig);
    this.zkClients = new ZkClients(this.kernel, this.network, this.coordinatorHost, this, zkConfig);
    this.timerKind = this.kernel.registerKind("timer", this, true);
    this.kernel.dispatchDirectly(this.timerKind);
    this.faults = new FaultInjector(this.kernel, this.network, this.coordinatorHost, this, this);
    this.workload = new Workload(
      this.kernel,
      this.network,
      this.cluster,
      this.log,
      this.history,
      workloadSpec,
      this.firstProducer,
      streams.stream("workload"),
    );

    // Registered after every other event kind, so the kinds of older runs keep their numbers (trace hashes).
    this.storage = new HostStorage(this.kernel, config.seed, fsyncLatencies(config.storage, hostCount), this);
    const services = {
      kernel: this.kernel,
      clocks: this.clocks,
      storage: this.storage,
      network: this.network,
      cluster: this.cluster,
      timerKind: this.timerKind,
      shutdownComplete: (host: HostId) => this.shutdownComplete(host),
    };
    const definition = config.elector as ElectorDefinition<unknown>;
    this.ruleVisits = new Float64Array(definition.rules?.length ?? 0);
    for (let h = 0; h < spec.brokers; h++) {
      const observer = new HostObserver(h, this.kernel, this.log, this.beliefs, this, this.ruleVisits);
      const options = config.hostOptions?.[h] ?? config.options;
      this.hosts.push(
        new HostRuntime(h, services, this.hostStream(streams, h), observer, () => this.zkClients.client(h), definition, options),
      );
    }
  }

  /** Host h's random stream: its own (`host:h`), unless the explorer ties them (WorldConfig.hostRandom). */
  private hostStream(streams: RandomStreams, h: HostId): RandomStream {
    const own = streams.stream(`host:${h}`);
    return this.config.hostRandom?.(h, own) ?? own;
  }

  /**
   * How the world began: "settled" (built directly) or "cold"; with a note when a settled start
   * was asked for and could not be given (set by start()).
   */
  startedAs: StartMode = "cold";
  startNote: string | undefined;

  /** Boots every broker (or restores a settled cluster), starts the producers and schedules the faults. */
  start(): void {
    this.begin();
    this.faults.schedule(this.config.faults);
  }

  /** Boots (or restores) the cluster and starts the producers; faults come after (start, scheduleFaults). */
  begin(): void {
    if (this.config.start === "settled") this.startNote = coldBecause(this.config);
    if (this.config.start === "settled" && this.startNote === undefined) this.startSettled();
    else for (const host of this.hosts) host.boot();
    this.workload.start();
  }

  /**
   * After begin(), on a world built without faults: the schedule (roles resolved on this very world,
   * src/runner/roles.ts) joins the config and is scheduled — the same events, in the same order,
   * as start() on a world built with it.
   */
  scheduleFaults(faults: readonly Fault[], durationMs: number): void {
    this.config = { ...this.config, faults, durationMs };
    this.faults.schedule(faults);
  }

  /** Settled start: the elector's `settle` restores the coordinator and describes every host's state. */
  private startSettled(): void {
    const definition = this.config.elector as ElectorDefinition<unknown>;
    const zk = new RestoredCoordinator(this.coordinator, this.zkClients, this.cluster.brokers);
    const settled = definition.settle!(this.cluster, this.config.options, zk, this.config.settledChoice);
    zk.finish();
    // Each host declares its partitions' beliefs in its own list's order: staged so, the belief
    // table and the log are written in one pass in partition order instead of a cache miss per
    // declaration at 1M in the table (and in the checker's walk of the log).
    this.beliefs.beginHostOrder(this.log);
    // The log is reserved once, after the first host booted (observation-log.ts: reserve): every
    // replica declares its belief, and the first host's rows per replica tell what all will log
    // where a host logs more than its declarations (raft's hosts append each leader's first entry;
    // declarations are then logged as made, and counted in that rate). Reserved for one row per
    // replica before the boots, raft's log then doubled its columns halfway through the hosts, and
    // reserved at that rate on top of it, the first, smaller columns were allocated for nothing: a
    // fresh 172 MiB at 1M, which started a full collection of the settled heap as the columns of
    // the right size were taken (0.3-1 s of a 1M raft build, stop 36).
    const before = this.log.length;
    for (const [i, host] of this.hosts.entries()) {
      host.bootSettled(settled);
      if (i !== 0) continue;
      const replicas = this.cluster.partitionsOf(0).length;
      const perReplica = replicas > 0 ? Math.max(1, (this.log.length - before) / replicas) : 1;
      this.log.reserve(before + Math.ceil(perReplica * this.cluster.assignment.length));
    }
    this.beliefs.endHostOrder();
    this.startedAs = "settled";
  }

  /** Runs the world until `durationMs`. */
  run(): void {
    this.kernel.runUntil(this.config.durationMs);
  }

  // ---- timers ----

  handle(host: number, tag: number): void {
    this.hosts[host].instance?.onTimer(tag);
  }

  // ---- disks ----

  persisted(host: HostId, tag: number): void {
    this.hosts[host].instance?.onPersisted?.(tag);
  }

  // ---- message routing ----

  deliver(to: HostId, from: HostId, message: Message): void {
    if (to === this.coordinatorHost) {
      this.coordinator.deliver(from, message);
      return;
    }
    if (to >= this.firstProducer) {
      this.workload.deliver(to, from, message);
      return;
    }
    const type = message.type;
    if (type.charCodeAt(0) === 122 /* z */ && type.startsWith("zk.")) {
      this.zkClients.deliver(to, message);
      return;
    }
    const instance = this.hosts[to].instance;
    if (instance === undefined) return;
    if (type === "produce") {
      const request = message as ProduceRequest;
      instance.onWrite(request.partition, request.writeId);
    } else if (type === "metadata") {
      const request = message as MetadataRequest;
      const response: MetadataResponse = {
        type: "metadata.response",
        partition: request.partition,
        leader: this.beliefs.leaderSeenBy(to, request.partition),
      };
      this.network.sendStream(to, from, response, RESPONSE_BYTES);
    } else {
      instance.onMessage(from, message);
    }
  }

  zkEvent(host: HostId, event: ZkEvent): void {
    if (event.kind === "watch") this.log.record(this.kernel.now, host, Obs.WatchFired, -1, 0, 0);
    this.hosts[host].instance?.onZk(event);
  }

  writeAnswered(host: HostId, partition: number, writeId: number, accepted: boolean): void {
    const response: ProduceResponse = { type: "produce.response", partition, writeId, ok: accepted };
    this.network.sendStream(host, this.workload.producerOf(writeId), response, RESPONSE_BYTES);
  }

  // ---- host lifecycle ----

  hostCrashed(host: HostId): void {
    this.log.record(this.kernel.now, host, Obs.Crash, -1, 0, 0);
    if (host < this.hosts.length) {
      this.hosts[host].drop();
      this.beliefs.forget(host);
      this.zkClients.hostCrashed(host);
    } else if (host === this.coordinatorHost) {
      this.coordinator.hostCrashed();
    }
  }

  hostRestarted(host: HostId): void {
    this.log.record(this.kernel.now, host, Obs.Restart, -1, 0, 0);
    if (host < this.hosts.length) this.hosts[host].boot();
    else if (host === this.coordinatorHost) this.coordinator.hostRestarted();
  }

  hostPaused(host: HostId): void {
    this.log.record(this.kernel.now, host, Obs.Pause, -1, 0, 0);
  }

  hostResumed(host: HostId): void {
    this.log.record(this.kernel.now, host, Obs.Resume, -1, 0, 0);
  }

  // ---- faults ----

  faultApplied(_fault: Fault, index: number): void {
    this.log.record(this.kernel.now, -1, Obs.Fault, -1, index, 0);
  }

  clockJump(host: HostId, byMs: number): void {
    this.clocks.jump(host, byMs);
  }

  clockDrift(host: HostId, ppm: number, forMs: number): void {
    this.clocks.drift(host, ppm, forMs);
  }

  slowDisk(host: HostId, factor: number, forMs: number): void {
    this.storage.slow(host, factor, forMs);
  }

  processCrashed(host: HostId): void {
    if (host < this.hosts.length) this.workload.connectionsReset(host);
  }

  sessionFault(host: HostId, how: "expire" | "close"): void {
    if (host >= this.hosts.length) return;
    if (how === "expire") this.coordinator.expireSessionOf(host);
    else if (this.kernel.hostStatus(host) === HostStatus.Up) this.zkClients.client(host).close();
  }

  shutdownRequested(host: HostId): void {
    const instance = host < this.hosts.length ? this.hosts[host].instance : undefined;
    if (instance?.onShutdownRequest !== undefined) instance.onShutdownRequest();
    else this.kernel.crash(host);
  }

  private shutdownComplete(host: HostId): void {
    this.log.record(this.kernel.now, host, Obs.ShutdownComplete, -1, 0, 0);
    this.kernel.crash(host);
  }
}
