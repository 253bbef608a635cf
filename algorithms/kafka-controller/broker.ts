/**
 * One Kafka broker (KafkaServer + KafkaController's event thread + ReplicaManager) as an elector
 * instance.
 *
 * ZooKeeper session (KafkaZkClient, 2.x): the broker opens a session (zookeeper.session.timeout.ms),
 * creates the top-level paths, registers the ephemeral /brokers/ids/N and watches /controller. Every
 * broker runs the controller's event queue (ControllerEventManager): events are handled one at a
 * time, each possibly many ZooKeeper round trips. On Expired the broker opens a new session; like
 * Kafka 2.x it queues Expire (clearing the queue, resigning if active) and re-registers and re-elects
 * once connected, while the event in progress carries on over the new session (the reason for
 * KAFKA-6082's epoch check).
 *
 * Controller election (KafkaController.elect / KafkaZkClient.registerControllerAndIncrementControllerEpoch):
 * read /controller (watched) and /controller_epoch; if there is no controller, try to create the
 * ephemeral /controller and bump /controller_epoch — in one multi with a version check (2.1+) or as a
 * create followed by a conditional setData (before 2.1). Every attempt is a `campaign(-1)`.
 *
 * Controlled shutdown (KafkaServer.controlledShutdown): ask the controller, retry
 * controlled.shutdown.max.retries times with controlled.shutdown.retry.backoff.ms between, then
 * close the ZooKeeper session (its ephemerals go at once) and stop.
 */
import type { ElectorInstance, HostContext, HostId, Message, PartitionId, ZkEvent, ZkResult } from "../../src/elector/api.ts";
import { TIMER_CHANNEL } from "./channel.ts";
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
import {
  ReplicaManager,
  TIMER_FETCH_HOLD,
  TIMER_FETCH_TIMEOUT,
  TIMER_ISR,
  TIMER_ISR_PROPAGATE,
  TIMER_PROMOTE,
  TIMER_SPACE,
} from "./replica-manager.ts";
import { TAG_IGNORE, TAG_ISR, ZkPipelines } from "./zk-pipeline.ts";
import {
  BROKER_IDS,
  BROKERS,
  brokerPath,
  CONTROLLER,
  CONTROLLER_EPOCH,
  INITIAL_CONTROLLER_EPOCH,
  ISR_CHANGE,
  TOPICS,
  type ControllerData,
  type ControllerEpochData,
} from "./zk-paths.ts";

const TIMER_REBALANCE = 5;
const TIMER_SHUTDOWN_RETRY = 6;
const TIMER_SHUTDOWN_TIMEOUT = 7;

/** Pipelines of the broker itself (registration, election) vs. those of a controller incarnation. */
const OWNER_BROKER = 0;

type EventKind = "register" | "elect" | "brokerChange" | "isrChange" | "shutdown" | "rebalance" | "expire";
interface ControllerEvent {
  readonly kind: EventKind;
  readonly from?: HostId;
  readonly attempt?: number;
  readonly generation?: number;
}

export class KafkaBroker implements ElectorInstance {
  readonly rm: ReplicaManager;
  readonly pipes = new ZkPipelines();
  controller: ControllerRole | undefined;
  activeControllerId = -1;
  private session = 0;
  private registered = false;
  private controllerGeneration = 0;

  private readonly queue: ControllerEvent[] = [];
  private busy = false;
  private eventSeq = 0;

  // controlled shutdown (broker side)
  private shutdownAttempt = 0;
  private shutdownTimer = -1;
  private shuttingDown = false;

  // counters for tests and benchmarks
  campaigns = 0;
  /** Watch notifications received, by path kind and event type ("controller.deleted", "brokers.childrenChanged", ...). */
  readonly watchEvents = new Map<string, number>();
  resignations = 0;
  shutdownStartedAt = -1;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: KafkaControllerOptions,
  ) {
    this.rm = new ReplicaManager(ctx, o);
  }

  start(): void {
    this.rm.start();
    this.ctx.zk.connect(this.o.sessionTimeoutMs);
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
        this.rm.onFetchTimeout(arg);
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
        this.registered = false;
        // KafkaController's session-expiration handler: clearAndPut(Expire); then a new session.
        this.queue.length = 0;
        this.enqueue({ kind: "expire" });
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
    } else if (event.path === brokerPath(this.ctx.host) && event.type === "deleted" && !this.registered) {
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
    this.queue.push(e);
    this.processNext();
  }

  private processNext(): void {
    while (!this.busy && this.queue.length > 0) {
      const e = this.queue.shift() as ControllerEvent;
      const seq = ++this.eventSeq;
      this.busy = true;
      let sync = true;
      let finished = false;
      const done = (): void => {
        if (seq !== this.eventSeq || finished) return;
        finished = true;
        this.busy = false;
        if (!sync) this.processNext();
      };
      this.handle(e, done);
      sync = false;
    }
  }

  /** Ends the event in progress without waiting for it (the controller was fenced). */
  private abandonEvent(): void {
    this.eventSeq++;
    this.busy = false;
  }

  private handle(e: ControllerEvent, done: () => void): void {
    const c = this.controller;
    switch (e.kind) {
      case "register":
        this.register(done);
        return;
      case "elect":
        this.elect(done);
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

  // ---- registration ----

  /** createTopLevelPaths + registerBroker (then elect). */
  private register(done: () => void): void {
    const zk = this.ctx.zk;
    const paths = [BROKERS, BROKER_IDS, TOPICS, ISR_CHANGE];
    this.pipes.start(OWNER_BROKER, {
      count: paths.length,
      maxInFlight: 1,
      issue: (i, tag) => zk.create(paths[i], null, "persistent", tag),
      result: () => {},
      done: () => {
        let err = "";
        this.pipes.start(OWNER_BROKER, {
          count: 1,
          maxInFlight: 1,
          issue: (_i, tag) => zk.create(brokerPath(this.ctx.host), { host: this.ctx.host }, "ephemeral", tag),
          result: (_i, r) => {
            err = r.err;
          },
          done: () => {
            if (err === "ok") {
              this.registered = true;
              this.elect(done);
              return;
            }
            // The registration of an earlier incarnation is still there: wait for it to expire.
            this.pipes.start(OWNER_BROKER, {
              count: 1,
              maxInFlight: 1,
              issue: (_i, tag) => zk.exists(brokerPath(this.ctx.host), true, tag),
              result: (_i, r) => {
                if (r.err === "NoNode" || (r.err === "ok" && r.stat === undefined)) this.queue.unshift({ kind: "register" });
              },
              done,
            });
          },
        });
      },
    });
  }

  // ---- controller election ----

  /** Reelect: maybeResign, then elect(). */
  private elect(done: () => void): void {
    if (!this.registered) {
      done();
      return;
    }
    const zk = this.ctx.zk;
    let controllerId = -1;
    let epoch = -1;
    let epochVersion = -1;
    this.pipes.start(OWNER_BROKER, {
      count: 3,
      maxInFlight: 3,
      issue: (i, tag) => {
        if (i === 0) zk.exists(CONTROLLER, true, tag);
        else if (i === 1) zk.getData(CONTROLLER, false, tag);
        else zk.getData(CONTROLLER_EPOCH, false, tag);
      },
      result: (i, r) => {
        if (i === 1 && r.err === "ok") controllerId = (r.data as ControllerData).brokerid;
        if (i === 2 && r.err === "ok" && r.stat !== undefined) {
          epoch = (r.data as ControllerEpochData).epoch;
          epochVersion = r.stat.version;
        }
      },
      done: () => {
        if (controllerId >= 0) {
          this.learnController(controllerId);
          done();
          return;
        }
        if (this.controller !== undefined) this.learnController(-1);
        if (epoch < 0) this.createControllerEpoch(done);
        else this.tryBecomeController(epoch, epochVersion, done);
      },
    });
  }

  /** maybeResign: someone else is (or nobody is) the controller now. */
  private learnController(id: HostId): void {
    this.activeControllerId = id;
    if (id !== this.ctx.host && this.controller !== undefined) this.resign();
  }

  /** maybeCreateControllerEpochZNode. */
  private createControllerEpoch(done: () => void): void {
    const data: ControllerEpochData = { epoch: INITIAL_CONTROLLER_EPOCH };
    let err = "";
    this.pipes.start(OWNER_BROKER, {
      count: 1,
      maxInFlight: 1,
      issue: (_i, tag) => this.ctx.zk.create(CONTROLLER_EPOCH, data, "persistent", tag),
      result: (_i, r) => {
        err = r.err;
      },
      done: () => {
        if (err === "ok") this.tryBecomeController(INITIAL_CONTROLLER_EPOCH, 0, done);
        else this.elect(done); // created by another broker: read it
      },
    });
  }

  private tryBecomeController(epoch: number, epochVersion: number, done: () => void): void {
    const zk = this.ctx.zk;
    const me: ControllerData = { brokerid: this.ctx.host };
    const next: ControllerEpochData = { epoch: epoch + 1 };
    this.campaigns++;
    this.ctx.observer.campaign(-1);
    if (this.o.controllerEpochCheck) {
      // 2.1+: create /controller and bump /controller_epoch atomically.
      let err = "";
      this.pipes.start(OWNER_BROKER, {
        count: 1,
        maxInFlight: 1,
        issue: (_i, tag) =>
          zk.multi(
            [
              { op: "create", path: CONTROLLER, data: me, mode: "ephemeral" },
              { op: "setData", path: CONTROLLER_EPOCH, data: next, version: epochVersion },
            ],
            tag,
          ),
        result: (_i, r) => {
          err = r.err;
        },
        done: () => {
          if (err === "ok") this.becomeController(epoch + 1, epochVersion + 1, done);
          else this.readControllerAfterLoss(done);
        },
      });
      return;
    }
    // Before 2.1: create /controller, then read and conditionally bump /controller_epoch.
    let err = "";
    this.pipes.start(OWNER_BROKER, {
      count: 1,
      maxInFlight: 1,
      issue: (_i, tag) => zk.create(CONTROLLER, me, "ephemeral", tag),
      result: (_i, r) => {
        err = r.err;
      },
      done: () => {
        if (err !== "ok") {
          this.readControllerAfterLoss(done);
          return;
        }
        let current = -1;
        let version = -1;
        this.pipes.start(OWNER_BROKER, {
          count: 1,
          maxInFlight: 1,
          issue: (_i, tag) => zk.getData(CONTROLLER_EPOCH, false, tag),
          result: (_i, r) => {
            if (r.err === "ok" && r.stat !== undefined) {
              current = (r.data as ControllerEpochData).epoch;
              version = r.stat.version;
            }
          },
          done: () => {
            let setErr = "";
            this.pipes.start(OWNER_BROKER, {
              count: 1,
              maxInFlight: 1,
              issue: (_i, tag) => zk.setData(CONTROLLER_EPOCH, { epoch: current + 1 }, version, tag),
              result: (_i, r) => {
                setErr = r.err;
              },
              done: () => {
                if (setErr === "ok") this.becomeController(current + 1, version + 1, done);
                else {
                  // ControllerMovedException: give /controller up (triggerControllerMove).
                  zk.delete(CONTROLLER, -1, TAG_IGNORE);
                  this.activeControllerId = -1;
                  done();
                }
              },
            });
          },
        });
      },
    });
  }

  /** Lost the race (NodeExists / BadVersion): learn who won; the exists watch is already set. */
  private readControllerAfterLoss(done: () => void): void {
    let id = -1;
    this.pipes.start(OWNER_BROKER, {
      count: 1,
      maxInFlight: 1,
      issue: (_i, tag) => this.ctx.zk.getData(CONTROLLER, false, tag),
      result: (_i, r) => {
        if (r.err === "ok") id = (r.data as ControllerData).brokerid;
      },
      done: () => {
        this.learnController(id);
        done();
      },
    });
  }

  private becomeController(epoch: number, epochZkVersion: number, done: () => void): void {
    const generation = ++this.controllerGeneration;
    this.activeControllerId = this.ctx.host;
    const role = new ControllerRole(this.ctx, this.o, this.pipes, generation, epoch, epochZkVersion, () => this.onFenced(role));
    this.controller = role;
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
    this.resign();
    this.abandonEvent();
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
