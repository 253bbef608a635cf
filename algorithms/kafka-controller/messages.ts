/**
 * The requests brokers exchange, as plain objects of typed arrays (one message per destination
 * broker, however many partitions it carries), with size estimates that grow with the partitions.
 *
 * Sizes follow the shape of Kafka's wire format (request header, a topic name and partition index
 * per partition, int32 fields, replica lists); the per-field numbers are estimates, not measured.
 */
import type { HostId, Message } from "../../src/elector/api.ts";

const HEADER = 40; // request header: api key, version, correlation id, client id, length prefix

/** Controller -> broker: the partitions' leader, leader epoch, ISR and state znode version. */
/** What every controller-to-broker request carries (ControllerChannelManager). */
export interface ControlRequest extends Message {
  readonly controllerId: HostId;
  readonly controllerEpoch: number;
  /** Per destination broker, increasing: matches the response to the request. */
  readonly correlationId: number;
}

/** Broker -> controller: the answer to a LeaderAndIsr, UpdateMetadata or StopReplica. */
export interface ControlResponse extends Message {
  readonly type: "kafka.LeaderAndIsrResponse" | "kafka.UpdateMetadataResponse" | "kafka.StopReplicaResponse";
  readonly correlationId: number;
  readonly controllerEpoch: number;
  /** STALE_CONTROLLER_EPOCH. */
  readonly stale: boolean;
}

export interface LeaderAndIsrRequest extends ControlRequest {
  readonly type: "kafka.LeaderAndIsr";
  readonly partitions: Int32Array;
  readonly leaders: Int32Array;
  readonly leaderEpochs: Int32Array;
  /** ISR as a bit mask over the partition's replica indices (assignment order). */
  readonly isrs: Int32Array;
  readonly zkVersions: Int32Array;
  /** Controller epoch recorded in each state znode (kept by the leader for its own ISR writes). */
  readonly stateControllerEpochs: Int32Array;
}

/** Controller -> every live broker: live brokers and the partitions whose metadata changed. */
export interface UpdateMetadataRequest extends ControlRequest {
  readonly type: "kafka.UpdateMetadata";
  readonly liveBrokers: Uint8Array;
  readonly partitionCount: number;
}

/** Controller -> a broker: stop fetching these partitions (deletePartition = false). */
export interface StopReplicaRequest extends ControlRequest {
  readonly type: "kafka.StopReplica";
  readonly partitions: Int32Array;
}

export interface ControlledShutdownRequest extends Message {
  readonly type: "kafka.ControlledShutdown";
  readonly brokerId: HostId;
  readonly attempt: number;
}

export interface ControlledShutdownResponse extends Message {
  readonly type: "kafka.ControlledShutdownResponse";
  readonly attempt: number;
  /** false: this broker is not the controller (NOT_CONTROLLER) or the broker is unknown. */
  readonly ok: boolean;
  /** Partitions the shutting-down broker still leads. */
  readonly remaining: number;
}

/**
 * Follower -> leader, one per (follower, leader) host pair per round. Incremental (KIP-227, Kafka
 * 1.1): only partitions whose fetch offset changed are listed; `forget` lists partitions the
 * follower no longer fetches from this leader. `answering` echoes the `sentAt` of the response this
 * fetch follows (-1 for the first fetch).
 *
 * A follower that has just changed leader does not know where its log diverges from the new
 * leader's: it lists the partition with offset -1 and its last entry's epoch (KIP-101's
 * OffsetsForLeaderEpoch request, riding on the fetch here), and truncates on the answer.
 *
 * The listing columns hold int32 values (partition ids, offsets counting writes, leader epochs): plain
 * arrays below LARGE_RESPONSE entries, Int32Arrays from there, as a response's entries and for the same
 * reason: a settled start's first fetches list every partition a follower replicates (~200 per fetch,
 * ~2M entries at 1M partitions, all sent during the build), and as plain columns (8 bytes a number)
 * they were promoted with the build, ~64 MB of fresh old-space pages.
 */
export type RequestColumn = readonly number[] | Int32Array;

export interface FetchRequest extends Message {
  readonly type: "kafka.Fetch";
  readonly answering: number;
  readonly partitions: RequestColumn;
  /** Fetch offset per listed partition (-1: asking for the end offset of its last entry's epoch). */
  readonly offsets: RequestColumn;
  /** The follower's current leader epoch per listed partition (KIP-320). */
  readonly epochs: RequestColumn;
  /**
   * The epoch questions, in listing order: per entry with offset -1, the epoch of the follower's
   * last log entry (-1: empty log). Only those entries: a column per entry was -1 at every other
   * one, and at 1M partitions a settled start's first fetches list every partition.
   */
  readonly lastEpochs: RequestColumn;
  readonly forget: readonly number[];
}

/** `RESPONSE_START` of an entry that answers an epoch query (no records). */
export const EPOCH_ANSWER = -1;
/** `RESPONSE_START` of an entry telling the follower to list the partition again (no records). */
export const RELIST = -2;

/**
 * A fetch response's per-partition entries: RESPONSE_FIELDS numbers per listed partition,
 * interleaved in one array (int32 values: partition ids, leader epochs, offsets counting writes).
 * A plain array below LARGE_RESPONSE entries: most answers list nothing or the one partition a
 * record was written to, and small typed arrays cost several times more to allocate. An Int32Array
 * from there: a settled start's first answers list every partition the follower replicates
 * (KIP-227: a new fetch session's first, full response), ~200 per answer and ~2M per round at 1M
 * partitions, all in flight at once, and as seven plain columns (8 bytes a number) they outlived
 * the young generation, were copied and promoted (docs/performance.md, stop 30). An Int32Array's
 * 20 bytes an entry live outside the heap; V8 collects the whole heap when such memory grows by
 * 64 MiB, which is why the epoch answers (16 bytes an entry, in one round only) stay apart.
 */
export type ResponseEntries = readonly number[] | Int32Array;

/** From this many entries a response's entries are an Int32Array. */
export const LARGE_RESPONSE = 32;

export const RESPONSE_PARTITION = 0;
/** The leader's log end offset: the follower fetches up to it. */
export const RESPONSE_LOG_END = 1;
/** The leader's epoch for the partition (KIP-320). */
export const RESPONSE_EPOCH = 2;
/** The leader's high watermark. */
export const RESPONSE_HW = 3;
/** Position of the first record sent (records run to the log end), or EPOCH_ANSWER / RELIST. */
export const RESPONSE_START = 4;
export const RESPONSE_FIELDS = 5;

export interface FetchResponse extends Message {
  readonly type: "kafka.FetchResponse";
  readonly sentAt: number;
  /** RESPONSE_FIELDS numbers per listed partition (RESPONSE_PARTITION ... RESPONSE_START). */
  readonly entries: ResponseEntries;
  /**
   * The epoch answers, in listing order, two numbers per EPOCH_ANSWER entry (only those): the
   * largest epoch <= the one asked about in the leader's log, and its end offset (KIP-279).
   */
  readonly epochAnswers: readonly number[];
  /** The records of every listed partition, concatenated in listing order: write id and leader epoch. */
  readonly recordWrites: readonly number[];
  readonly recordEpochs: readonly number[];
}

export type KafkaMessage =
  | ControlResponse
  | LeaderAndIsrRequest
  | UpdateMetadataRequest
  | StopReplicaRequest
  | ControlledShutdownRequest
  | ControlledShutdownResponse
  | FetchRequest
  | FetchResponse;

/** Per partition: topic-partition (~20), controller epoch, leader, leader epoch, zkVersion, ISR and replica lists. */
export function leaderAndIsrBytes(partitions: number, rf: number): number {
  return HEADER + 12 + partitions * (36 + 8 * (rf + 1));
}

/** Live broker endpoints (~40 each) plus one partition state per changed partition. */
export function updateMetadataBytes(brokers: number, partitions: number, rf: number): number {
  return HEADER + 12 + 40 * brokers + partitions * (28 + 8 * (rf + 1));
}

/** Error code per partition (LeaderAndIsr, StopReplica) or none (UpdateMetadata). */
export function controlResponseBytes(partitions: number): number {
  return HEADER + 8 + 24 * partitions;
}

export function stopReplicaBytes(partitions: number): number {
  return HEADER + 12 + 20 * partitions;
}

export const CONTROLLED_SHUTDOWN_BYTES = HEADER + 12;

export function controlledShutdownResponseBytes(remaining: number): number {
  return HEADER + 8 + 20 * remaining;
}

/** Per listed partition: topic-partition, fetch offset, log start offset, max bytes, current leader epoch. */
export function fetchBytes(entries: number, forgotten: number): number {
  return HEADER + 24 + 36 * entries + 20 * forgotten;
}

/** Per listed partition: header fields (~40) plus the records fetched (~100 bytes each, like a produce of one record). */
export function fetchResponseBytes(entries: number, records: number): number {
  return HEADER + 16 + 40 * entries + 100 * records;
}
