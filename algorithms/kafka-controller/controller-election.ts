/**
 * Broker registration and the /controller race (Kafka 2.x KafkaController.elect,
 * KafkaZkClient.registerBroker and registerControllerAndIncrementControllerEpoch). The race is per
 * cluster, not per partition.
 *
 *  - register: createTopLevelPaths, then the ephemeral /brokers/ids/N; if an earlier incarnation's
 *    registration is still there, wait (exists watch) for it to expire, then register again.
 *  - elect: read /controller (with an exists watch) and /controller_epoch; if there is no
 *    controller, make one attempt (`campaign(-1)`): in 2.1+ mode a multi [create /controller
 *    (ephemeral), setData /controller_epoch epoch+1 @version] (KAFKA-6082); before 2.1 a create of
 *    /controller, then a read and a conditional setData of /controller_epoch (a failed setData gives
 *    /controller up: ControllerMovedException). The loser reads who won.
 */
import type { HostContext, HostId, ZkResult } from "../../src/elector/api.ts";
import type { KafkaControllerOptions } from "./options.ts";
import { runSteps } from "./steps.ts";
import { TAG_IGNORE, type ZkPipelines } from "./zk-pipeline.ts";
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
import { KRULE } from "./rules.ts";

/** Pipelines of the broker itself (registration, election) vs. those of a controller incarnation. */
export const OWNER_BROKER = 0;

/** What the election needs from its broker. */
export interface ElectionHost {
  /** maybeResign: `id` is the controller now (-1: nobody). */
  learnController(id: HostId): void;
  /** /controller is empty: resign if this broker still thinks it is the controller. */
  noController(): void;
  /** Won the race: onControllerFailover, then `done`. */
  becomeController(epoch: number, epochZkVersion: number, done: () => void): void;
  /** Gave /controller up (before 2.1: the epoch bump failed). */
  controllerMoved(): void;
  /** Queue a registration attempt ahead of other events (the old registration is gone). */
  registerFirst(): void;
}

export class ControllerElection {
  registered = false;
  campaigns = 0;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: KafkaControllerOptions,
    private readonly pipes: ZkPipelines,
    private readonly host: ElectionHost,
  ) {}

  /** One ZooKeeper request on the broker's own pipeline; `result` gets its answer. */
  private request(issue: (tag: number) => void, result: (r: ZkResult) => void, done: () => void): void {
    this.pipes.start(OWNER_BROKER, { count: 1, maxInFlight: 1, issue: (_i, tag) => issue(tag), result: (_i, r) => result(r), done });
  }

  /** createTopLevelPaths + registerBroker (then elect). */
  register(done: () => void): void {
    const zk = this.ctx.zk;
    const paths = [BROKERS, BROKER_IDS, TOPICS, ISR_CHANGE];
    let err = "";
    runSteps(
      [
        (next) =>
          this.pipes.start(OWNER_BROKER, {
            count: paths.length,
            maxInFlight: 1,
            issue: (i, tag) => zk.create(paths[i], null, "persistent", tag),
            result: () => {},
            done: next,
          }),
        (next) =>
          this.request(
            (tag) => zk.create(brokerPath(this.ctx.host), { host: this.ctx.host }, "ephemeral", tag),
            (r) => {
              err = r.err;
            },
            next,
          ),
      ],
      () => {
        if (err === "ok") {
          this.registered = true;
          this.elect(done);
          return;
        }
        // The registration of an earlier incarnation is still there: wait for it to expire.
        this.request(
          (tag) => zk.exists(brokerPath(this.ctx.host), true, tag),
          (r) => {
            if (r.err === "NoNode" || (r.err === "ok" && r.stat === undefined)) this.host.registerFirst();
          },
          done,
        );
      },
    );
  }

  /** Reelect: read /controller and /controller_epoch; maybeResign; race if there is no controller. */
  elect(done: () => void): void {
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
          this.host.learnController(controllerId);
          done();
          return;
        }
        this.host.noController();
        if (epoch < 0) this.createControllerEpoch(done);
        else this.tryBecomeController(epoch, epochVersion, done);
      },
    });
  }

  /** maybeCreateControllerEpochZNode. */
  private createControllerEpoch(done: () => void): void {
    const data: ControllerEpochData = { epoch: INITIAL_CONTROLLER_EPOCH };
    let err = "";
    this.request(
      (tag) => this.ctx.zk.create(CONTROLLER_EPOCH, data, "persistent", tag),
      (r) => {
        err = r.err;
      },
      () => {
        if (err === "ok") this.tryBecomeController(INITIAL_CONTROLLER_EPOCH, 0, done);
        else this.elect(done); // created by another broker: read it
      },
    );
  }

  private tryBecomeController(epoch: number, epochVersion: number, done: () => void): void {
    const zk = this.ctx.zk;
    const me: ControllerData = { brokerid: this.ctx.host };
    this.campaigns++;
    this.ctx.observer.rule?.(KRULE.controllerCampaign);
    this.ctx.observer.campaign(-1);
    if (this.o.controllerEpochCheck) {
      // 2.1+: create /controller and bump /controller_epoch atomically.
      let err = "";
      this.request(
        (tag) =>
          zk.multi(
            [
              { op: "create", path: CONTROLLER, data: me, mode: "ephemeral" },
              { op: "setData", path: CONTROLLER_EPOCH, data: { epoch: epoch + 1 } satisfies ControllerEpochData, version: epochVersion },
            ],
            tag,
          ),
        (r) => {
          err = r.err;
        },
        () => {
          if (err === "ok") this.host.becomeController(epoch + 1, epochVersion + 1, done);
          else this.readControllerAfterLoss(done);
        },
      );
      return;
    }
    // Before 2.1: create /controller, then read and conditionally bump /controller_epoch.
    const s = { createErr: "", current: -1, version: -1, setErr: "" };
    runSteps(
      [
        (next) =>
          this.request(
            (tag) => zk.create(CONTROLLER, me, "ephemeral", tag),
            (r) => {
              s.createErr = r.err;
            },
            () => (s.createErr === "ok" ? next() : this.readControllerAfterLoss(done)),
          ),
        (next) =>
          this.request(
            (tag) => zk.getData(CONTROLLER_EPOCH, false, tag),
            (r) => {
              if (r.err === "ok" && r.stat !== undefined) {
                s.current = (r.data as ControllerEpochData).epoch;
                s.version = r.stat.version;
              }
            },
            next,
          ),
        (next) =>
          this.request(
            (tag) => zk.setData(CONTROLLER_EPOCH, { epoch: s.current + 1 } satisfies ControllerEpochData, s.version, tag),
            (r) => {
              s.setErr = r.err;
            },
            next,
          ),
      ],
      () => {
        if (s.setErr === "ok") {
          this.host.becomeController(s.current + 1, s.version + 1, done);
          return;
        }
        // ControllerMovedException: give /controller up (triggerControllerMove).
        zk.delete(CONTROLLER, -1, TAG_IGNORE);
        this.host.controllerMoved();
        done();
      },
    );
  }

  /** Lost the race (NodeExists / BadVersion): learn who won; the exists watch is already set. */
  private readControllerAfterLoss(done: () => void): void {
    let id = -1;
    this.request(
      (tag) => this.ctx.zk.getData(CONTROLLER, false, tag),
      (r) => {
        if (r.err === "ok") id = (r.data as ControllerData).brokerid;
      },
      () => {
        this.host.learnController(id);
        done();
      },
    );
  }
}
