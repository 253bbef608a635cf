/**
 * ControllerBrokerRequestBatch (Kafka 2.x ControllerChannelManager.scala): the requests of one
 * state change, batched per destination broker — one LeaderAndIsr per broker carrying all of its
 * changed partitions, an UpdateMetadata to every live broker, StopReplica to a broker shutting down —
 * and handed to the ControllerChannelManager's per-broker queues.
 */
import {
  leaderAndIsrBytes,
  stopReplicaBytes,
  updateMetadataBytes,
  type LeaderAndIsrRequest,
  type StopReplicaRequest,
  type UpdateMetadataRequest,
} from "./messages.ts";
import type { ChannelManager } from "./channel.ts";
import type { ControllerContext } from "./controller-context.ts";

/** The LeaderAndIsr part of a batch: partitions per destination broker. */
export class RequestBatch {
  readonly byBroker = new Map<number, number[]>();
  add(broker: number, p: number): void {
    let list = this.byBroker.get(broker);
    if (list === undefined) this.byBroker.set(broker, (list = []));
    list.push(p);
  }
}

export class ControllerRequests {
  constructor(
    private readonly cc: ControllerContext,
    readonly channel: ChannelManager,
  ) {}

  /**
   * Tells the brokers about partitions whose state the controller just wrote: LeaderAndIsr to
   * their live replicas (but `except`), batched per broker, and UpdateMetadata to every live broker.
   */
  announce(written: readonly number[], except = -1): void {
    const cc = this.cc;
    const batch = new RequestBatch();
    for (const p of written) {
      const a = cc.assignmentOf(p);
      for (let j = 0; j < a.length; j++) if (cc.live[a[j]] === 1 && a[j] !== except) batch.add(a[j], p);
    }
    this.sendLeaderAndIsr(batch);
    this.sendUpdateMetadata(cc.liveIds(), written.length);
  }

  sendLeaderAndIsr(batch: RequestBatch): void {
    const cc = this.cc;
    for (const [broker, parts] of batch.byBroker) {
      const m = parts.length;
      const req: LeaderAndIsrRequest = {
        type: "kafka.LeaderAndIsr",
        controllerId: cc.ctx.host,
        controllerEpoch: cc.epoch,
        correlationId: this.channel.nextCorrelationId(broker),
        partitions: Int32Array.from(parts),
        leaders: new Int32Array(m),
        leaderEpochs: new Int32Array(m),
        isrs: new Int32Array(m),
        zkVersions: new Int32Array(m),
        stateControllerEpochs: new Int32Array(m),
      };
      for (let k = 0; k < m; k++) {
        const p = parts[k];
        req.leaders[k] = cc.cLeader[p];
        req.leaderEpochs[k] = cc.cEpoch[p];
        req.isrs[k] = cc.cIsr[p];
        req.zkVersions[k] = cc.cVersion[p];
        req.stateControllerEpochs[k] = cc.cCtrlEpoch[p];
      }
      cc.counters.leaderAndIsrRequests++;
      this.channel.send(broker, req, leaderAndIsrBytes(m, cc.rf));
    }
  }

  sendUpdateMetadata(brokers: readonly number[], partitions: number): void {
    const cc = this.cc;
    const liveBrokers = cc.live.slice();
    for (const b of brokers) {
      const req: UpdateMetadataRequest = {
        type: "kafka.UpdateMetadata",
        controllerId: cc.ctx.host,
        controllerEpoch: cc.epoch,
        correlationId: this.channel.nextCorrelationId(b),
        liveBrokers,
        partitionCount: partitions,
      };
      cc.counters.updateMetadataRequests++;
      this.channel.send(b, req, updateMetadataBytes(cc.B, partitions, cc.rf));
    }
  }

  /** StopReplica (deletePartition = false) for the partitions a shutting-down broker follows. */
  sendStopReplica(broker: number, parts: readonly number[]): void {
    if (parts.length === 0) return;
    const m: StopReplicaRequest = {
      type: "kafka.StopReplica",
      controllerId: this.cc.ctx.host,
      controllerEpoch: this.cc.epoch,
      correlationId: this.channel.nextCorrelationId(broker),
      partitions: Int32Array.from(parts),
    };
    this.channel.send(broker, m, stopReplicaBytes(parts.length));
  }
}
