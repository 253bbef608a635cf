/**
 * Kafka's ZooKeeper layout (kafka.zk.ZkData, 2.x) as far as leader election uses it, and the
 * partition state znode's content.
 */
import type { ClusterView, HostId, PartitionId } from "../../src/elector/api.ts";

export const BROKERS = "/brokers";
export const BROKER_IDS = "/brokers/ids";
export const TOPICS = "/brokers/topics";
export const CONTROLLER = "/controller";
export const CONTROLLER_EPOCH = "/controller_epoch";
/** IsrChangeNotificationZNode: leaders tell the controller about ISR changes they made. */
export const ISR_CHANGE = "/isr_change_notification";
export const ISR_CHANGE_PREFIX = "/isr_change_notification/isr_change_";

export interface IsrChangeData {
  readonly partitions: readonly PartitionId[];
}

/** KafkaController.InitialControllerEpoch: the value /controller_epoch is created with. */
export const INITIAL_CONTROLLER_EPOCH = 0;

export function brokerPath(id: HostId): string {
  return `${BROKER_IDS}/${id}`;
}

export function topicPath(topic: string): string {
  return `${TOPICS}/${topic}`;
}

export function partitionsPath(topic: string): string {
  return `${TOPICS}/${topic}/partitions`;
}

export function partitionPath(c: ClusterView, p: PartitionId): string {
  return `${TOPICS}/${c.topicOf(p)}/partitions/${c.indexInTopic(p)}`;
}

/** TopicPartitionStateZNode: /brokers/topics/T/partitions/P/state. */
export function statePath(c: ClusterView, p: PartitionId): string {
  return stateUnder(partitionPath(c, p));
}

/** The state znode under a partition's znode (statePath, when the partition's path is at hand). */
export function stateUnder(partitionZnode: string): string {
  return `${partitionZnode}/state`;
}

/** The length of what stateUnder appends ("/state"). */
export const STATE_SUFFIX = 6;

/** The state znode's JSON ({"controller_epoch", "leader", "leader_epoch", "isr"}), kept as an object. */
export interface PartitionStateData {
  readonly leader: HostId;
  readonly leader_epoch: number;
  readonly isr: readonly HostId[];
  readonly controller_epoch: number;
}

/** /controller's content ({"version":1,"brokerid":N,"timestamp":...}). */
export interface ControllerData {
  readonly brokerid: HostId;
}

export interface ControllerEpochData {
  readonly epoch: number;
}

/** ISR broker ids, in assignment order, from a bit mask over replica indices. */
export function isrIds(assignment: Int32Array, base: number, rf: number, mask: number): HostId[] {
  // Sized exactly (counted first): an array grown by push reserves 16 slots, and every state znode keeps its ISR.
  let n = 0;
  for (let j = 0; j < rf; j++) if ((mask & (1 << j)) !== 0) n++;
  const out = new Array<HostId>(n);
  let k = 0;
  for (let j = 0; j < rf; j++) if ((mask & (1 << j)) !== 0) out[k++] = assignment[base + j];
  return out;
}

/** Bit mask over replica indices of the brokers in `ids` (ids outside the assignment are dropped). */
export function isrMask(assignment: Int32Array, base: number, rf: number, ids: readonly HostId[]): number {
  let mask = 0;
  for (let j = 0; j < rf; j++) if (ids.includes(assignment[base + j])) mask |= 1 << j;
  return mask;
}
