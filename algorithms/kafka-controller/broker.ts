/**
 * One Kafka broker (KafkaServer) as an elector instance: its ZooKeeper session, the controller's
 * event queue every broker runs (controller-event-manager.ts), registration and the /controller race
 * (controller-election.ts), the active controller when it wins (controller.ts), its partitions
 * (replica-manager.ts), and the broker's side of a controlled shutdown.
 *
 * ZooKeeper session (KafkaZkClient, 2.x): the broker opens a session (zookeeper.session.timeout.ms).
 * On Expired it opens a new session; like Kafka 2.x it queues Expire (clearing the queue, resigning if
 * active) and re-registers and re-elects once connected, while the event in progress carries on over
 * the new session (the reason for KAFKA-6082's epoch check).
 *
 * Controlled shutdown (KafkaServer.controlledShutdown): ask the controller, retry
 * controlled.shutdown.max.retries times with controlled.shutdown.retry.backoff.ms between, then
 * close the ZooKeeper session (its ephemerals go at once) and stop.
 */
import type { ElectorInstance, HostContext, HostId, Message, PartitionId, ZkEvent, ZkResult } from "../../src/elector/api.ts";
import { ControllerElection } from "./controller-election.ts";
import { ControllerEventManager, type ControllerEvent } from "./controller-event-manager.ts";
import { ControllerRole } from "./controller.ts";
import {
  CONTROLLED_SHUTDOWN_BYTES,
  controlledShutdownResponseBytes,
  controlResponseBytes,
  type ControlRequest,
  type ControlResponse,
  type ControlledShutdownRequest,
  type ControlledShutdownResponse,
  type KafkaMessage,
} from "./messages.ts";
import type { KafkaControllerOptions } from "./options.ts";
import { ReplicaManager } from "./replica-manager.ts";
import type { KafkaSettled } from "./settled.ts";
import {
  TIMER_CHANNEL,
  TIMER_FETCH_HOLD,
  TIMER_FETCH_TIMEOUT,
  TIMER_ISR,
  TIMER_ISR_PROPAGATE,
  TIMER_PROMOTE,
  TIMER_REBALANCE,
  TIMER_SHUTDOWN_RETRY,
  TIMER_SHUTDOWN_TIMEOUT,
  TIMER_SPACE,
} from "./timers.ts";
import { TAG_ISR, ZkPipelines } from "./zk-pipeline.ts";
import { BROKER_IDS, brokerPath, CONTROLLER, ISR_CHANGE } from "./zk-paths.ts";
import { KRULE } from "./rules.ts";

export class KafkaBroker implements ElectorInstance {
  readonly rm: ReplicaManager;
  readonly pipes = new ZkPipelines();
  controller: ControllerRole | undefined;
  activeControllerId = -1;
  private session = 0;
  private controllerGeneration = 0;
  private readonly events = new ControllerEventManager((e, done) => this.handle(e, done));
  private readonly election: ControllerElection;

  // controlled shutdown (broker side)
  private shutdownAttempt = 0;
  private shutdownTimer = -1;
  private shuttingDown = false;

  // counters for tests and benchmarks
  /** Watch notifications received, by path kind and event type ("controller.deleted", "brokers.childrenChanged", ...). */
  readonly watchEvents = new Map<string, number>();
  resignations = 0;
  shutdownStartedAt = -1;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: KafkaControllerOptions,
  ) {
    this.rm = new ReplicaManager(ctx, o);
    this.election = new ControllerElection(ctx, o, this.pipes, {
      learnController: (id) => this.learnController(id),
      noController: () => {
        if (this.controller !== undefined) this.learnController(-1);
      },
      becomeController: (epoch, epochZkVersion, done) => this.becomeController(epoch, epochZkVersion, done),
      controllerMoved: () => {
        this.activeControllerId = -1;
      },
      registerFirst: () => this.events.putFirst({ kind: "register" }),
    });
  }

  /** /controller create attempts this broker made. */
  get campaigns(): number {
    return this.election.campaigns;
  }

  start(): void {
    this.rm.start();
    this.ctx.zk.connect(this.o.sessionTimeoutMs);
  }

  /** Settled start (lab addition, settled.ts): registered, connected, the controller's requests applied. */
  startSettled(settled: unknown): void {
    const s = settled as KafkaSettled;
    this.rm.start();
    this.session = this.ctx.zk.sessionId;
    this.pipes.onConnected();
    this.election.registered = true;
    this.activeControllerId = s.controller;
    if (s.controller === this.ctx.host) {
      const generation = ++this.controllerGeneration;
      const role = new ControllerRole(this.ctx, this.o, this.pipes, generation, s.controllerEpoch, s.epochZkVersion, () => this.onFenced(role));
      this.controller = role;
      this.ctx.observer.controller(s.controllerEpoch);
      role.settled(s.leaders, s.isrs, s.brokerEpochs);
      if (this.o.autoLeaderRebalanceEnable) this.ctx.setTimer(5000, TIMER_REBALANCE + TIMER_SPACE * generation);
    }
    this.rm.settled(s.controller, s.controllerEpoch, s.leadersByHost[this.ctx.host], s.isrsByHost[this.ctx.host]);
  }

  // ---- messages ----

  onMessage(from: HostId, message: Message): void {
    const m = message as KafkaMessage;
    switch (m.type) {
      case "kafka.Fetch":
        this.rm.onFetch(from, m);
        return;
      case "kafka.FetchResponse":
        this.rm.onFetchResponse(from, m);
        return;
      case "kafka.LeaderAndIsr":
        this.answer(from, m, "kafka.LeaderAndIsrResponse", m.partitions.length);
        this.rm.onLeaderAndIsr(m);
        return;
      case "kafka.UpdateMetadata":
        this.answer(from, m, "kafka.UpdateMetadataResponse", 0);
        this.rm.onUpdateMetadata(m);
        return;
      case "kafka.StopReplica":
        this.answer(from, m, "kafka.StopReplicaResponse", m.partitions.length);
        this.rm.onStopReplica(m);
        return;
      case "kafka.LeaderAndIsrResponse":
      case "kafka.UpdateMetadataResponse":
      case "kafka.StopReplicaResponse":
        if (this.controller !== undefined && m.controllerEpoch === this.controller.epoch) this.controller.channel.onResponse(from, m);
        return;
      case "kafka.ControlledShutdown":
        this.enqueue({ kind: "shutdown", from: m.brokerId, attempt: m.attempt });
        return;
      case "kafka.ControlledShutdownResponse":
        this.onControlledShutdownResponse(m);
        return;
    }
  }

  /** Every control request is answered (STALE_CONTROLLER_EPOCH if it comes from an older controller). */
  private answer(to: HostId, m: ControlRequest, type: ControlResponse["type"], partitions: number): void {
    const r: ControlResponse = {
      type,
      correlationId: m.correlationId,
      controllerEpoch: m.controllerEpoch,
      stale: m.controllerEpoch < this.rm.controllerEpoch,
    };
    this.ctx.sendStream(to, r, controlResponseBytes(partitions));
  }

  onWrite(partition: PartitionId, writeId: number): void {
    this.rm.onWrite(partition, writeId);
  }

  onTimer(tag: number): void {
    const kind = tag % TIMER_SPACE;
    const arg = (tag - kind) / TIMER_SPACE;
    switch (kind) {
      case TIMER_ISR:
        this.rm.onIsrTimer();
        return;
      case TIMER_ISR_PROPAGATE:
        this.rm.onIsrPropagationTimer();
        return;
      case TIMER_PROMOTE:
        this.rm.onPromotionTimer();
        return;
      case TIMER_FETCH_HOLD:
        this.rm.onHoldTimer();
        return;
      case TIMER_FETCH_TIMEOUT:
        this.rm.onFetchTimer(arg);
        return;
      case TIMER_REBALANCE:
        if (arg === this.controllerGeneration && this.controller !== undefined) this.enqueue({ kind: "rebalance", generation: arg });
        return;
      case TIMER_SHUTDOWN_RETRY:
        this.tryControlledShutdown();
        return;
      case TIMER_SHUTDOWN_TIMEOUT:
        if (arg === this.shutdownAttempt) this.controlledShutdownFailed();
        return;
      case TIMER_CHANNEL:
        this.controller?.channel.onTimeout(arg);
        return;
    }
  }

  // ---- ZooKeeper ----

  onZk(event: ZkEvent): void {
    if (event.kind === "result") {
      this.onResult(event);
      return;
    }
    if (event.kind === "session") {
      if (event.state === "connected") {
        const fresh = event.sessionId !== this.session;
        this.session = event.sessionId;
        this.pipes.onConnected();
        if (fresh) this.enqueue({ kind: "register" });
      } else if (event.state === "expired") {
        this.pipes.sessionUsable = false;
        this.election.registered = false;
        // KafkaController's session-expiration handler: clearAndPut(Expire); then a new session.
        this.events.clearAndPut({ kind: "expire" });
        this.ctx.zk.connect(this.o.sessionTimeoutMs);
      }
      return;
    }
    // Watches.
    const where = event.path === CONTROLLER ? "controller" : event.path === BROKER_IDS ? "brokers" : event.path === ISR_CHANGE ? "isrChange" : "broker";
    const key = `${where}.${event.type}`;
    this.watchEvents.set(key, (this.watchEvents.get(key) ?? 0) + 1);
    if (event.path === CONTROLLER) this.enqueue({ kind: "elect" });
    else if (event.path === BROKER_IDS) {
      if (event.type === "childrenChanged") this.enqueue({ kind: "brokerChange" });
    } else if (event.path === ISR_CHANGE) {
      if (event.type === "childrenChanged") this.enqueue({ kind: "isrChange" });
    } else if (event.path === brokerPath(this.ctx.host) && event.type === "deleted" && !this.election.registered) {
      this.enqueue({ kind: "register" });
    }
  }

  private onResult(r: ZkResult): void {
    if (this.pipes.onResult(r)) return;
    const kind = r.tag % TIMER_SPACE;
    if (kind === TAG_ISR) this.rm.onIsrWriteResult(r);
    // TAG_IGNORE: fire-and-forget requests.
  }

  // ---- the controller event queue ----

  private enqueue(e: ControllerEvent): void {
    this.events.put(e);
  }

  private handle(e: ControllerEvent, done: () => void): void {
    const c = this.controller;
    switch (e.kind) {
      case "register":
        this.election.register(done);
        return;
      case "elect":
        this.election.elect(done);
        return;
      case "expire":
        this.activeControllerId = -1;
        if (c !== undefined) this.resign();
        done();
        return;
      case "brokerChange":
        if (c === undefined) done();
        else c.onBrokerChange(done);
        return;
      case "isrChange":
        if (c === undefined) done();
        else c.onIsrChangeNotification(done);
        return;
      case "rebalance":
        if (c === undefined || e.generation !== this.controllerGeneration || !this.o.autoLeaderRebalanceEnable) {
          done();
          return;
        }
        c.autoRebalance(() => {
          if (this.controller === c) {
            this.ctx.setTimer(this.o.leaderImbalanceCheckIntervalSeconds * 1000, TIMER_REBALANCE + TIMER_SPACE * this.controllerGeneration);
          }
          done();
        });
        return;
      case "shutdown": {
        const from = e.from as HostId;
        const attempt = e.attempt as number;
        const reply = (ok: boolean, remaining: number): void => {
          const m: ControlledShutdownResponse = { type: "kafka.ControlledShutdownResponse", attempt, ok, remaining };
          this.ctx.sendStream(from, m, controlledShutdownResponseBytes(remaining));
        };
        if (c === undefined) {
          reply(false, 0); // NOT_CONTROLLER
          done();
          return;
        }
        c.controlledShutdown(from, (ok, remaining) => {
          reply(ok, remaining);
          done();
        });
        return;
      }
    }
  }

  /** maybeResign: someone else is (or nobody is) the controller now. */
  private learnController(id: HostId): void {
    this.activeControllerId = id;
    if (id !== this.ctx.host) this.ctx.observer.rule?.(KRULE.controllerMoved);
    if (id !== this.ctx.host && this.controller !== undefined) this.resign();
  }

  private becomeController(epoch: number, epochZkVersion: number, done: () => void): void {
    const generation = ++this.controllerGeneration;
    this.activeControllerId = this.ctx.host;
    const role = new ControllerRole(this.ctx, this.o, this.pipes, generation, epoch, epochZkVersion, () => this.onFenced(role));
    this.controller = role;
    this.ctx.observer.rule?.(KRULE.becomeController);
    this.ctx.observer.controller(epoch);
    role.failover(() => {
      if (this.controller === role && this.o.autoLeaderRebalanceEnable) {
        this.ctx.setTimer(5000, TIMER_REBALANCE + TIMER_SPACE * generation);
      }
      done();
    });
  }

  /** A write's epoch check failed: another controller was elected. Resign and re-read /controller. */
  private onFenced(role: ControllerRole): void {
    if (this.controller !== role) return;
    this.ctx.observer.rule?.(KRULE.controllerFenced);
    this.resign();
    this.events.abandonCurrent();
    this.enqueue({ kind: "elect" });
  }

  private resign(): void {
    const c = this.controller;
    if (c === undefined) return;
    this.pipes.abortOwner(c.owner);
    c.shutdown();
    this.controller = undefined;
    this.controllerGeneration++;
    if (this.activeControllerId === this.ctx.host) this.activeControllerId = -1;
    this.resignations++;
    this.ctx.observer.controllerResigned();
  }

  // ---- controlled shutdown ----

  onShutdownRequest(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.shutdownStartedAt = this.ctx.now();
    this.shutdownAttempt = 0;
    this.tryControlledShutdown();
  }

  private tryControlledShutdown(): void {
    this.shutdownAttempt++;
    // The controller as the metadata cache knows it (UpdateMetadata / LeaderAndIsr).
    const controllerId = this.rm.controllerId >= 0 ? this.rm.controllerId : this.activeControllerId;
    if (controllerId < 0) {
      this.controlledShutdownFailed();
      return;
    }
    const m: ControlledShutdownRequest = { type: "kafka.ControlledShutdown", brokerId: this.ctx.host, attempt: this.shutdownAttempt };
    this.ctx.sendStream(controllerId, m, CONTROLLED_SHUTDOWN_BYTES);
    this.shutdownTimer = this.ctx.setTimer(this.o.requestTimeoutMs, TIMER_SHUTDOWN_TIMEOUT + TIMER_SPACE * this.shutdownAttempt);
  }

  private onControlledShutdownResponse(m: ControlledShutdownResponse): void {
    if (!this.shuttingDown || m.attempt !== this.shutdownAttempt) return;
    if (this.shutdownTimer >= 0) this.ctx.cancelTimer(this.shutdownTimer);
    this.shutdownTimer = -1;
    if (m.ok && m.remaining === 0) this.finishShutdown();
    else this.controlledShutdownFailed();
  }

  private controlledShutdownFailed(): void {
    this.shutdownTimer = -1;
    if (this.shutdownAttempt >= this.o.controlledShutdownMaxRetries) {
      this.finishShutdown(); // "Proceeding to do an unclean shutdown as all the controlled shutdown attempts failed"
      return;
    }
    this.ctx.setTimer(this.o.controlledShutdownRetryBackoffMs, TIMER_SHUTDOWN_RETRY);
  }

  private finishShutdown(): void {
    if (this.controller !== undefined) this.resign();
    this.ctx.zk.close();
    this.ctx.shutdownComplete();
  }
}
