/**
 * The active controller (Kafka 2.x KafkaController's event handlers), on the one broker that won
 * /controller. Each handler is an explicit sequence of steps (steps.ts); the state changes they
 * make live in the partition and replica state machines, the requests they send in request-batch.ts.
 *
 *  - onControllerFailover: live brokers, the topics and partitions in ZooKeeper, every partition's
 *    state (reads grow with partitions), UpdateMetadata to all, LeaderAndIsr for every replica
 *    (ReplicaStateMachine.startup), then elections for new and offline partitions
 *    (PartitionStateMachine.startup).
 *  - BrokerChange: onBrokerFailure / onBrokerStartup.
 *  - ControlledShutdown (controlled-shutdown.ts), auto leader rebalance
 *    (preferred-replica-election.ts), IsrChangeNotification (isr-change-notification.ts).
 *
 * Simplified: no reassignment, topic deletion or log-dir events.
 */
import type { HostContext, HostId } from "../../src/elector/api.ts";
import { ChannelManager } from "./channel.ts";
import { ControllerContext, NEW, NO_STATE, OFFLINE, ONLINE, type ControllerCounters } from "./controller-context.ts";
import { doControlledShutdown } from "./controlled-shutdown.ts";
import { drainIsrChanges, onIsrChangeNotification } from "./isr-change-notification.ts";
import type { KafkaControllerOptions } from "./options.ts";
import { PartitionStateMachine } from "./partition-state-machine.ts";
import { imbalancedPartitions, preferredReplicaElection } from "./preferred-replica-election.ts";
import { ReplicaStateMachine } from "./replica-state-machine.ts";
import { ControllerRequests, RequestBatch } from "./request-batch.ts";
import { runSteps } from "./steps.ts";
import type { ZkPipelines } from "./zk-pipeline.ts";
import { BROKER_IDS, partitionsPath, TOPICS } from "./zk-paths.ts";

export type { ControllerCounters } from "./controller-context.ts";

export class ControllerRole {
  private readonly cc: ControllerContext;
  readonly channel: ChannelManager;
  private readonly requests: ControllerRequests;
  private readonly psm: PartitionStateMachine;
  private readonly rsm: ReplicaStateMachine;

  constructor(
    ctx: HostContext,
    o: KafkaControllerOptions,
    pipes: ZkPipelines,
    /** Pipeline owner id: the broker aborts this controller's pipelines on resignation. */
    readonly owner: number,
    readonly epoch: number,
    epochZkVersion: number,
    /** Called when a write's epoch check failed: another controller exists. */
    onFenced: () => void,
  ) {
    this.cc = new ControllerContext(ctx, o, pipes, owner, epoch, epochZkVersion, onFenced);
    this.channel = new ChannelManager(ctx, o.controllerSocketTimeoutMs);
    this.requests = new ControllerRequests(this.cc, this.channel);
    this.psm = new PartitionStateMachine(this.cc, this.requests);
    this.rsm = new ReplicaStateMachine(this.cc);
  }

  get counters(): ControllerCounters {
    return this.cc.counters;
  }

  /**
   * Settled start (lab addition, settled.ts): the context as the first failover leaves it — every
   * broker live with its epoch, every partition online with leader epoch 0 at state version 0.
   */
  settled(leaders: Int32Array, isrs: Int32Array, brokerEpochs: Float64Array): void {
    const cc = this.cc;
    for (let b = 0; b < cc.B; b++) {
      cc.live[b] = 1;
      cc.brokerEpoch[b] = brokerEpochs[b];
      this.channel.addBroker(b);
    }
    for (let p = 0; p < cc.P; p++) {
      cc.cState[p] = ONLINE;
      cc.cLeader[p] = cc.nLeader[p] = leaders[p];
      cc.cIsr[p] = cc.nIsr[p] = isrs[p];
      cc.cEpoch[p] = 0;
      cc.cVersion[p] = 0;
      cc.cCtrlEpoch[p] = this.epoch;
    }
  }

  /** onControllerResignation: the request queues go. */
  shutdown(): void {
    this.channel.shutdown();
  }

  /** Partitions the broker leads in the controller's view. */
  leadersOn(id: HostId): number {
    let k = 0;
    for (let p = 0; p < this.cc.P; p++) if (this.cc.cLeader[p] === id) k++;
    return k;
  }

  // ---- onControllerFailover ----

  failover(done: () => void): void {
    const cc = this.cc;
    const found = { ids: [] as number[], epochs: [] as number[], existing: [] as number[] };
    runSteps(
      [
        // 1. Live brokers (initializeControllerContext): children of /brokers/ids and their czxids.
        (next) =>
          this.readBrokers((ids, epochs) => {
            found.ids = ids;
            found.epochs = epochs;
            next();
          }),
        (next) => {
          found.ids.forEach((b, i) => {
            cc.live[b] = 1;
            cc.brokerEpoch[b] = found.epochs[i];
            this.channel.addBroker(b);
          });
          next();
        },
        // 2. The topics and partitions in ZooKeeper.
        (next) =>
          this.existingPartitions((existing) => {
            found.existing = existing;
            next();
          }),
        // 3. Every existing partition's state (the IsrChangeNotification handler runs alongside:
        //    older notifications are superseded by the full read).
        (next) => {
          drainIsrChanges(cc, () => {});
          this.psm.readStates(found.existing, next);
        },
        // 4. UpdateMetadata to all; ReplicaStateMachine.startup.
        (next) => {
          for (let p = 0; p < cc.P; p++) {
            if (cc.cState[p] === NO_STATE) cc.cState[p] = NEW;
            else cc.cState[p] = cc.cLeader[p] >= 0 && cc.live[cc.cLeader[p]] === 1 ? ONLINE : OFFLINE;
          }
          this.requests.sendUpdateMetadata(cc.liveIds(), cc.countWithState());
          const batch = new RequestBatch();
          this.rsm.startup(batch);
          this.requests.sendLeaderAndIsr(batch);
          next();
        },
        // 5. PartitionStateMachine.startup: new partitions created, offline ones elected.
        (next) => this.psm.triggerOnlinePartitionStateChange([], next),
      ],
      done,
    );
  }

  /** KafkaZkClient.getAllBrokerAndEpochsInCluster: children of /brokers/ids (watched), then each one's czxid. */
  private readBrokers(done: (ids: number[], epochs: number[]) => void): void {
    const cc = this.cc;
    const zk = cc.ctx.zk;
    let ids: number[] = [];
    let epochs: number[] = [];
    runSteps(
      [
        (next) =>
          cc.pipe(
            1,
            1,
            (_i, tag) => zk.getChildren(BROKER_IDS, true, tag),
            (_i, r) => {
              if (r.err === "ok" && r.children !== undefined) {
                ids = r.children.map(Number).filter((b) => Number.isInteger(b) && b >= 0 && b < cc.B).sort((a, b) => a - b);
              }
            },
            next,
          ),
        (next) => {
          epochs = new Array<number>(ids.length).fill(-1);
          cc.pipe(
            ids.length,
            cc.readInFlight,
            (i, tag) => zk.getData(`${BROKER_IDS}/${ids[i]}`, false, tag),
            (i, r) => {
              if (r.err === "ok" && r.stat !== undefined) epochs[i] = r.stat.czxid;
            },
            next,
          );
        },
      ],
      () => {
        // A registration gone between the two reads is not live.
        const okIds: number[] = [];
        const okEpochs: number[] = [];
        ids.forEach((b, i) => {
          if (epochs[i] >= 0) {
            okIds.push(b);
            okEpochs.push(epochs[i]);
          }
        });
        done(okIds, okEpochs);
      },
    );
  }

  /**
   * initializeControllerContext: the topics under /brokers/topics, then each topic's partitions;
   * only those have state to read (a partition not there yet is new).
   */
  private existingPartitions(done: (parts: number[]) => void): void {
    const cc = this.cc;
    const c = cc.ctx.cluster;
    const topics = new Map<string, number[]>();
    for (let p = 0; p < cc.P; p++) {
      const t = c.topicOf(p);
      let list = topics.get(t);
      if (list === undefined) topics.set(t, (list = []));
      list.push(p);
    }
    let names: string[] = [];
    const existing: number[] = [];
    runSteps(
      [
        (next) =>
          cc.pipe(
            1,
            1,
            (_i, tag) => cc.ctx.zk.getChildren(TOPICS, false, tag),
            (_i, r) => {
              if (r.err === "ok" && r.children !== undefined) names = r.children.filter((t) => topics.has(t)).sort();
            },
            next,
          ),
        (next) =>
          cc.pipe(
            names.length,
            cc.readInFlight,
            (i, tag) => cc.ctx.zk.getChildren(partitionsPath(names[i]), false, tag),
            (i, r) => {
              if (r.err !== "ok" || r.children === undefined) return;
              const have = new Set(r.children);
              for (const p of topics.get(names[i]) as number[]) if (have.has(String(c.indexInTopic(p)))) existing.push(p);
            },
            next,
          ),
      ],
      () => done(existing.sort((a, b) => a - b)),
    );
  }

  // ---- BrokerChange ----

  /** BrokerChange: compares /brokers/ids (and each broker's czxid) with the live set. */
  onBrokerChange(done: () => void): void {
    const cc = this.cc;
    const dead: number[] = [];
    const born: number[] = [];
    const epochs = new Map<number, number>();
    runSteps(
      [
        (next) =>
          this.readBrokers((ids, brokerEpochs) => {
            ids.forEach((b, i) => epochs.set(b, brokerEpochs[i]));
            for (let b = 0; b < cc.B; b++) {
              const e = epochs.get(b);
              if (cc.live[b] === 1 && e === undefined) dead.push(b);
              else if (cc.live[b] === 0 && e !== undefined) born.push(b);
              else if (cc.live[b] === 1 && e !== undefined && e !== cc.brokerEpoch[b]) {
                dead.push(b); // bounced: a new registration of the same id
                born.push(b);
              }
            }
            next();
          }),
        (next) => (dead.length === 0 ? next() : this.onBrokerFailure(dead, next)),
        (next) => (born.length === 0 ? next() : this.onBrokerStartup(born, epochs, next)),
      ],
      done,
    );
  }

  /**
   * onBrokerFailure -> onReplicasBecomeOffline: partitions led by a dead broker go offline and get
   * an offline election; the dead replicas leave every ISR. Kafka does this in two passes (the
   * partition state machine, then the replica state machine), each sending its own batch; here
   * both changes of a partition go into one conditional write and one batch per broker.
   */
  private onBrokerFailure(dead: readonly number[], done: () => void): void {
    const cc = this.cc;
    const affected = new Set<number>();
    for (const d of dead) {
      cc.live[d] = 0;
      cc.shuttingDown[d] = 0;
      cc.brokerEpoch[d] = -1;
      this.channel.removeBroker(d);
      for (const p of cc.ctx.cluster.partitionsOf(d)) affected.add(p);
    }
    for (const p of affected) {
      if (cc.cState[p] === ONLINE && (cc.cLeader[p] < 0 || cc.live[cc.cLeader[p]] === 0)) cc.cState[p] = OFFLINE;
    }
    const extra = Array.from(affected).filter((p) => cc.hasState(p));
    this.psm.triggerOnlinePartitionStateChange(
      dead,
      () => {
        if (extra.length === 0) this.requests.sendUpdateMetadata(cc.liveIds(), 0);
        done();
      },
      extra,
    );
  }

  /** onBrokerStartup: metadata to everyone, the new brokers' replicas online, elections for new/offline partitions. */
  private onBrokerStartup(born: readonly number[], epochs: ReadonlyMap<number, number>, done: () => void): void {
    const cc = this.cc;
    const existing = cc.liveIds();
    for (const b of born) {
      cc.live[b] = 1;
      cc.shuttingDown[b] = 0;
      cc.brokerEpoch[b] = epochs.get(b) ?? -1;
      this.channel.addBroker(b);
    }
    this.requests.sendUpdateMetadata(existing, 0);
    this.requests.sendUpdateMetadata(born, cc.countWithState());
    const batch = new RequestBatch();
    this.rsm.brokersOnline(born, batch);
    this.requests.sendLeaderAndIsr(batch);
    this.psm.triggerOnlinePartitionStateChange([], done);
  }

  // ---- the other events ----

  onIsrChangeNotification(done: () => void): void {
    onIsrChangeNotification(this.cc, this.psm, this.requests, done);
  }

  controlledShutdown(id: number, done: (ok: boolean, remaining: number) => void): void {
    doControlledShutdown(this.cc, this.psm, this.rsm, this.requests, id, done);
  }

  /** checkAndTriggerAutoLeaderRebalance. */
  autoRebalance(done: () => void): void {
    preferredReplicaElection(this.cc, this.psm, this.requests, imbalancedPartitions(this.cc), done);
  }
}
