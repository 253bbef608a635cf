/**
 * ISR change notifications (Kafka 2.x): leaders change their partitions' ISR in ZooKeeper
 * themselves; they tell the controller through sequential znodes under /isr_change_notification,
 * and the controller re-reads those partitions and sends UpdateMetadata.
 *  - Broker side, IsrChangePropagation (ReplicaManager.maybePropagateIsrChanges): checked every
 *    2.5 s; written when there was no ISR change in the last 5 s or the last write is 60 s old.
 *  - Controller side (IsrChangeNotificationHandler, processIsrChangeNotification): read and watch
 *    the children, read each, delete them (with the epoch check in 2.1+), refresh, UpdateMetadata.
 * The preferred-replica rebalance relies on it to see a returned broker back in the ISR.
 */
import type { HostContext } from "../../src/elector/api.ts";
import type { ControllerContext } from "./controller-context.ts";
import type { PartitionStateMachine } from "./partition-state-machine.ts";
import type { ControllerRequests } from "./request-batch.ts";
import { runSteps } from "./steps.ts";
import { TIMER_ISR_PROPAGATE } from "./timers.ts";
import { TAG_IGNORE } from "./zk-pipeline.ts";
import { ISR_CHANGE, ISR_CHANGE_PREFIX, type IsrChangeData } from "./zk-paths.ts";

/** ReplicaManager.IsrChangePropagationBlackOut / IsrChangePropagationInterval (Kafka 2.x). */
const ISR_PROPAGATION_BLACKOUT_MS = 5000;
const ISR_PROPAGATION_INTERVAL_MS = 60_000;
const ISR_PROPAGATION_CHECK_MS = 2500;

/** The broker's side: ISR changes this leader made, written for the controller now and then. */
export class IsrChangePropagation {
  private readonly changed = new Set<number>();
  private lastChangeAt = -Infinity;
  private lastPropagationAt = 0;

  constructor(private readonly ctx: HostContext) {}

  start(): void {
    this.ctx.setTimer(ISR_PROPAGATION_CHECK_MS, TIMER_ISR_PROPAGATE);
    this.lastPropagationAt = this.ctx.now();
  }

  /** recordIsrChange. */
  record(p: number): void {
    this.changed.add(p);
    this.lastChangeAt = this.ctx.now();
  }

  /** maybePropagateIsrChanges: one sequential znode listing the changed partitions. */
  onTimer(): void {
    this.ctx.setTimer(ISR_PROPAGATION_CHECK_MS, TIMER_ISR_PROPAGATE);
    const now = this.ctx.now();
    if (this.changed.size === 0) return;
    if (this.lastChangeAt + ISR_PROPAGATION_BLACKOUT_MS >= now && this.lastPropagationAt + ISR_PROPAGATION_INTERVAL_MS >= now) return;
    const data: IsrChangeData = { partitions: Array.from(this.changed).sort((a, b) => a - b) };
    this.changed.clear();
    this.lastPropagationAt = now;
    this.ctx.zk.create(ISR_CHANGE_PREFIX, data, "persistent-sequential", TAG_IGNORE);
  }
}

/**
 * The controller's side: reads (and watches) /isr_change_notification, deletes the notifications
 * and returns the partitions they name.
 */
export function drainIsrChanges(cc: ControllerContext, done: (partitions: number[]) => void): void {
  const zk = cc.ctx.zk;
  let names: readonly string[] = [];
  const changed = new Set<number>();
  runSteps(
    [
      // 1. The notifications (and a new watch).
      (next) =>
        cc.pipe(
          1,
          1,
          (_i, tag) => zk.getChildren(ISR_CHANGE, true, tag),
          (_i, r) => {
            if (r.err === "ok" && r.children !== undefined) names = r.children.slice().sort();
          },
          next,
        ),
      // 2. The partitions each one names.
      (next) =>
        cc.pipe(
          names.length,
          cc.readInFlight,
          (i, tag) => zk.getData(`${ISR_CHANGE}/${names[i]}`, false, tag),
          (_i, r) => {
            if (r.err === "ok") for (const p of (r.data as IsrChangeData).partitions) if (p >= 0 && p < cc.P) changed.add(p);
          },
          next,
        ),
      // 3. Delete them; with the epoch check in 2.1+ (deleteIsrChangeNotifications(epochZkVersion)).
      (next) =>
        cc.pipe(
          names.length,
          cc.readInFlight,
          (i, tag) => {
            const path = `${ISR_CHANGE}/${names[i]}`;
            if (cc.o.controllerEpochCheck) zk.multi([cc.checkOp(), { op: "delete", path, version: -1 }], tag);
            else zk.delete(path, -1, tag);
          },
          () => {},
          next,
        ),
    ],
    () => done(Array.from(changed).sort((a, b) => a - b)),
  );
}

/** processIsrChangeNotification: refresh those partitions' cached state, UpdateMetadata to all. */
export function onIsrChangeNotification(cc: ControllerContext, psm: PartitionStateMachine, requests: ControllerRequests, done: () => void): void {
  drainIsrChanges(cc, (partitions) => {
    if (partitions.length === 0) {
      done();
      return;
    }
    psm.readStates(partitions, () => {
      requests.sendUpdateMetadata(cc.liveIds(), partitions.length);
      done();
    });
  });
}
