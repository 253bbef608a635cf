/**
 * Producers: hosts on the network that write to a sample of partitions at a steady rate, each
 * write to the leader they believe in. As Kafka's producer does, a producer asks a broker for
 * metadata, keeps it until a write is refused (NotLeader), times out (request.timeout.ms) or its
 * broker's connection is reset, then asks again after retry.backoff.ms. A broker's metadata answer is its own declared belief. Writes
 * carry ids so the checker can tell which leader acknowledged which write.
 */
import type { HostId, Message, PartitionId } from "../elector/api.ts";
import type { ClusterModel } from "../cluster/cluster-model.ts";
import { HostStatus, type EventHandler, type Kernel } from "../sim/kernel.ts";
import type { DelayDistribution, Network } from "../sim/network.ts";
import type { RandomStream } from "../sim/random.ts";
import { Reason, type History } from "../record/history.ts";
import { Obs, type ObservationLog } from "../record/observation-log.ts";
import type { WorkloadSpec } from "./world-config.ts";

export interface ProduceRequest extends Message {
  readonly type: "produce";
  readonly partition: PartitionId;
  readonly writeId: number;
}
export interface ProduceResponse extends Message {
  readonly type: "produce.response";
  readonly partition: PartitionId;
  readonly writeId: number;
  readonly ok: boolean;
}
export interface MetadataRequest extends Message {
  readonly type: "metadata";
  readonly partition: PartitionId;
}
export interface MetadataResponse extends Message {
  readonly type: "metadata.response";
  readonly partition: PartitionId;
  readonly leader: HostId;
}

const PRODUCE_BYTES = 120; // a one-record batch with headers; a guess
const METADATA_BYTES = 60;

/** Per-producer state: its partitions and what it believes about their leaders. */
class Producer {
  next = 0; // round-robin cursor into partitions
  readonly leader: Int32Array;
  /** Replica index to ask next for metadata, per partition. */
  readonly askNext: Int32Array;
  /** Whether a metadata request is outstanding or waiting for backoff, per partition. */
  readonly refreshing: Uint8Array;
  /** Bumped whenever a refresh is (re)started, so older retry timers know they are stale. */
  readonly refreshGeneration: Int32Array;
  constructor(readonly partitions: Int32Array) {
    this.leader = new Int32Array(partitions.length).fill(-1);
    this.askNext = new Int32Array(partitions.length);
    this.refreshing = new Uint8Array(partitions.length);
    this.refreshGeneration = new Int32Array(partitions.length);
  }
}

const TICK = 0; // event a: send the next write
const REFRESH = 1; // event a: ask for metadata again (b = local partition index)
const TIMEOUT = 2; // event a: a write may have timed out (b = writeId)
const RESET = 3; // event a: the connection to broker b was reset
const GENERATION = 2_097_152; // REFRESH's b = local index + generation * GENERATION

export class Workload implements EventHandler {
  private readonly kind: number;
  private readonly producers: Producer[] = [];
  private readonly localIndex = new Map<PartitionId, number>();
  private nextWriteId = 1;
  /** Producer host of each write id, and whether it was answered. */
  private origin = new Int32Array(1024);
  private answered = new Uint8Array(1024);
  /**
   * Kernel handle of each write's request.timeout.ms event, cancelled when the write is answered:
   * the event would only find the write answered and do nothing (in a long run nearly every write's
   * would fire so). Cancelling leaves every other event's order as it was.
   */
  private timeoutHandle = new Float64Array(1024);
  private readonly intervalMs: number;

  writesSent = 0;
  writesAcknowledged = 0;
  writesRejected = 0;
  writesTimedOut = 0;
  writesReset = 0;
  writesRefused = 0;
  writesUnsent = 0;
  metadataRequests = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly network: Network,
    private readonly cluster: ClusterModel,
    private readonly log: ObservationLog,
    private readonly history: History,
    private readonly spec: WorkloadSpec,
    private readonly firstProducerHost: HostId,
    random: RandomStream,
  ) {
    this.kind = kernel.registerKind("producer", this, true);
    const count = Math.min(spec.partitions, cluster.partitions);
    const sample = samplePartitions(cluster.partitions, count, random);
    const perProducer: number[][] = Array.from({ length: spec.producers }, () => []);
    sample.forEach((p, i) => perProducer[i % spec.producers].push(p));
    perProducer.forEach((ps, i) => {
      ps.sort((x, y) => x - y);
      ps.forEach((p, j) => this.localIndex.set(p, j));
      this.producers.push(new Producer(Int32Array.from(ps)));
      void i;
    });
    // Each producer spreads its partitions' writes evenly over time.
    const perProducerRate = spec.writesPerSecond * Math.max(1, Math.ceil(count / Math.max(1, spec.producers)));
    this.intervalMs = perProducerRate > 0 ? 1000 / perProducerRate : Infinity;
  }

  /** Starts every producer's write loop at the workload's start time. */
  start(): void {
    if (!Number.isFinite(this.intervalMs)) return;
    this.producers.forEach((p, i) => {
      if (p.partitions.length === 0) return;
      this.kernel.schedule(this.spec.startMs + (i * this.intervalMs) / this.producers.length, this.kind, this.hostOf(i), TICK, 0, undefined);
    });
  }

  sampledPartitions(): number[] {
    return this.producers.flatMap((p) => Array.from(p.partitions));
  }

  private hostOf(index: number): HostId {
    return this.firstProducerHost + index;
  }

  handle(host: number, what: number, b: number, _obj: unknown): void {
    const index = host - this.firstProducerHost;
    const producer = this.producers[index];
    if (what === TICK) {
      if (this.spec.stopMs !== undefined && this.kernel.now >= this.spec.stopMs) return; // writes stopped
      this.sendNextWrite(host, producer);
      this.kernel.post(this.kernel.now + this.intervalMs, this.kind, host, TICK, 0, undefined);
    } else if (what === REFRESH) {
      const local = b % GENERATION;
      const generation = (b - local) / GENERATION;
      if (producer.refreshing[local] === 1 && producer.refreshGeneration[local] === generation) {
        this.requestMetadata(host, producer, local);
      }
    } else if (what === TIMEOUT) {
      if (this.answered[b] === 0) {
        this.answered[b] = 2;
        this.writesTimedOut++;
        this.history.timedOut(this.kernel.now, b);
        const local = this.localIndex.get(this.partitionOfWrite.get(b) ?? -1);
        if (local !== undefined && producer.refreshing[local] === 0) this.requestMetadata(host, producer, local);
      }
      this.partitionOfWrite.delete(b);
    } else if (what === RESET) {
      this.connectionLost(host, producer, b);
    }
  }

  /**
   * A broker process died: its operating system resets its TCP connections, so each producer
   * that can still reach its machine learns of it one link delay later (the link's minimum: no
   * random draw). A silent death (power loss, or a crash behind a partition) resets nothing and
   * leaves the producer to request.timeout.ms.
   */
  connectionsReset(broker: HostId): void {
    this.producers.forEach((_, i) => {
      const host = this.hostOf(i);
      if (!this.network.canReach(broker, host)) return;
      this.kernel.after(minimumDelay(this.network.link(broker, host).delay), this.kind, host, RESET, broker, undefined);
    });
  }

  /**
   * Kafka's NetworkClient on a disconnection: requests in flight to the broker fail with a
   * NetworkException (the write may or may not be stored: unknown, as a timeout is), and the
   * metadata of the partitions it led is refreshed after retry.backoff.ms.
   */
  private connectionLost(host: HostId, producer: Producer, broker: HostId): void {
    for (const [writeId, partition] of this.partitionOfWrite) {
      if (this.origin[writeId] !== host || this.answered[writeId] !== 0) continue;
      const row = this.history.row(writeId);
      if (row < 0 || this.history.target[row] !== broker) continue;
      this.answered[writeId] = 2;
      this.kernel.cancel(this.timeoutHandle[writeId]);
      this.writesReset++;
      this.history.connectionReset(this.kernel.now, writeId);
      this.partitionOfWrite.delete(writeId);
      void partition;
    }
    for (let local = 0; local < producer.partitions.length; local++) {
      if (producer.leader[local] !== broker) continue;
      producer.leader[local] = -1;
      this.retryLater(host, producer, local, this.spec.retryBackoffMs);
    }
  }

  private readonly partitionOfWrite = new Map<number, PartitionId>();

  private sendNextWrite(host: HostId, producer: Producer): void {
    const i = producer.next;
    producer.next = (i + 1) % producer.partitions.length;
    const partition = producer.partitions[i];
    const leader = producer.leader[i];
    if (leader < 0) {
      this.writesUnsent++;
      this.history.notSent(this.kernel.now, host, partition);
      if (producer.refreshing[i] === 0) this.requestMetadata(host, producer, i);
      return;
    }
    if (this.kernel.hostStatus(leader) === HostStatus.Crashed && this.network.canReach(host, leader)) {
      // The broker's machine answers the connection attempt with a reset (no process listens):
      // Kafka's producer sends nothing to a node it cannot connect to and refreshes metadata.
      this.writesRefused++;
      this.history.notSent(this.kernel.now, host, partition, Reason.ConnectionRefused, leader);
      producer.leader[i] = -1;
      if (producer.refreshing[i] === 0) this.retryLater(host, producer, i, this.spec.retryBackoffMs);
      return;
    }
    const writeId = this.nextWriteId++;
    this.remember(writeId, host);
    this.partitionOfWrite.set(writeId, partition);
    this.writesSent++;
    this.log.record(this.kernel.now, host, Obs.WriteSent, partition, leader, writeId);
    this.history.invoke(this.kernel.now, host, partition, writeId, leader);
    const request: ProduceRequest = { type: "produce", partition, writeId };
    this.network.sendStream(host, leader, request, PRODUCE_BYTES);
    this.timeoutHandle[writeId] = this.kernel.after(this.spec.requestTimeoutMs, this.kind, host, TIMEOUT, writeId, undefined);
  }

  private remember(writeId: number, host: HostId): void {
    if (writeId >= this.origin.length) {
      const o = new Int32Array(this.origin.length * 2);
      o.set(this.origin);
      this.origin = o;
      const a = new Uint8Array(this.answered.length * 2);
      a.set(this.answered);
      this.answered = a;
      const t = new Float64Array(this.timeoutHandle.length * 2);
      t.set(this.timeoutHandle);
      this.timeoutHandle = t;
    }
    this.origin[writeId] = host;
  }

  private requestMetadata(host: HostId, producer: Producer, local: number): void {
    producer.refreshing[local] = 1;
    const partition = producer.partitions[local];
    const rf = this.cluster.replicationFactor;
    const broker = this.cluster.replica(partition, producer.askNext[local] % rf);
    producer.askNext[local]++;
    this.metadataRequests++;
    const request: MetadataRequest = { type: "metadata", partition };
    this.network.sendStream(host, broker, request, METADATA_BYTES);
    // If nobody answers (broker down, partitioned), try the next replica after a while.
    this.retryLater(host, producer, local, this.spec.retryBackoffMs * 10);
  }

  private retryLater(host: HostId, producer: Producer, local: number, delayMs: number): void {
    producer.refreshing[local] = 1;
    const generation = ++producer.refreshGeneration[local];
    this.kernel.post(this.kernel.now + delayMs, this.kind, host, REFRESH, local + generation * GENERATION, undefined);
  }

  // ---- broker side (called by the world on delivery at a broker) ----

  /** The producer for a write id (the world routes the elector's answer there). */
  producerOf(writeId: number): HostId {
    return this.origin[writeId];
  }

  // ---- producer side ----

  /** A response reached producer host `host`. */
  deliver(host: HostId, from: HostId, message: Message): void {
    const producer = this.producers[host - this.firstProducerHost];
    if (message.type === "produce.response") {
      const r = message as ProduceResponse;
      if (this.answered[r.writeId] !== 0) return; // a duplicate, or already timed out
      this.answered[r.writeId] = 1;
      this.kernel.cancel(this.timeoutHandle[r.writeId]);
      this.partitionOfWrite.delete(r.writeId);
      if (r.ok) {
        this.writesAcknowledged++;
        this.history.ok(this.kernel.now, r.writeId, from);
      } else {
        this.writesRejected++;
        this.history.fail(this.kernel.now, r.writeId, from);
        const local = this.localIndex.get(r.partition);
        if (local !== undefined && producer.leader[local] === from) {
          producer.leader[local] = -1; // NotLeader: forget and refresh after retry.backoff.ms
          this.retryLater(host, producer, local, this.spec.retryBackoffMs);
        }
      }
    } else if (message.type === "metadata.response") {
      const r = message as MetadataResponse;
      const local = this.localIndex.get(r.partition);
      if (local === undefined) return;
      producer.leader[local] = r.leader;
      if (r.leader < 0) {
        this.retryLater(host, producer, local, this.spec.retryBackoffMs);
      } else {
        producer.refreshing[local] = 0;
        producer.refreshGeneration[local]++;
      }
    }
  }
}

function minimumDelay(d: DelayDistribution): number {
  return d.kind === "constant" ? d.ms : d.min;
}

/** The first `count` partitions of a seeded partial Fisher-Yates shuffle. */
function samplePartitions(partitions: number, count: number, random: RandomStream): number[] {
  const chosen: number[] = [];
  const swapped = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const j = random.int(i, partitions - 1);
    const vi = swapped.get(i) ?? i;
    const vj = swapped.get(j) ?? j;
    swapped.set(j, vi);
    chosen.push(vj);
  }
  return chosen;
}
