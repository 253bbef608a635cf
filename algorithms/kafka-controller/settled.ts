/**
 * Settled start (lab addition, issue 15): a ZooKeeper-era Kafka cluster as a quiet start leaves it,
 * built directly — what a cluster restored from a ZooKeeper snapshot holds, with every broker back.
 *
 * ZooKeeper: the top-level paths (createTopLevelPaths), every broker's ephemeral registration
 * /brokers/ids/N (its czxid is the broker epoch), /controller_epoch created at 0 and bumped to 1 by
 * the winner's multi (KAFKA-6082), /controller naming the controller, and every partition's state
 * znode written once by the controller's first election (leader epoch 0, ISR = every replica in
 * assignment order, controller epoch 1). Watches: every broker's exists watch on /controller; the
 * controller's child watches on /brokers/ids and /isr_change_notification.
 * Brokers: each applied the controller's UpdateMetadata and LeaderAndIsr (the broker's own
 * handlers run on them here, without the network): leaders lead in epoch 0, followers fetch.
 * Controller: its context holds every live broker and every partition online as written.
 *
 * Who won the /controller race is network timing: without a given choice the broker with the
 * highest id is taken to have won (not broker 0, which leads the most partitions when leadership is
 * even and ties go to the lowest id: a crash of the busiest leader and a crash of the controller stay
 * two faults, as they are in most cold starts). The controller elects the first live replica of the
 * assignment (the preferred replica), every partition's leader once every broker registered first.
 */
import { reserveBrokerTables } from "./broker-tables.ts";
import type { ClusterView, HostId, SettledChoice, SettledCoordinator } from "../../src/elector/api.ts";
import type { KafkaControllerOptions } from "./options.ts";
import {
  BROKER_IDS,
  BROKERS,
  brokerPath,
  CONTROLLER,
  CONTROLLER_EPOCH,
  INITIAL_CONTROLLER_EPOCH,
  isrIds,
  ISR_CHANGE,
  partitionsPath,
  stateUnder,
  topicPath,
  TOPICS,
  type PartitionStateData,
} from "./zk-paths.ts";

/** The state znode's name under its partition's znode ("state"). */
const STATE_NAME = stateUnder("").substring(1);

export interface KafkaSettled {
  readonly controller: HostId;
  /** The controller epoch (1: the first controller) and /controller_epoch's version after its bump. */
  readonly controllerEpoch: number;
  readonly epochZkVersion: number;
  /** Per partition: leader, and the ISR as a mask over replica indices (all of them). */
  readonly leaders: Int32Array;
  readonly isrs: Int32Array;
  /** The same per broker, in the order of its partitions (ClusterView.valuesByHost): what each broker's start reads. */
  readonly leadersByHost: readonly Int32Array[];
  readonly isrsByHost: readonly Int32Array[];
  /** Per broker: the czxid of its registration (Kafka's broker epoch). */
  readonly brokerEpochs: Float64Array;
}

export function settleKafka(cluster: ClusterView, o: KafkaControllerOptions, zk: SettledCoordinator, choice: SettledChoice | undefined): KafkaSettled {
  const { partitions: P, brokers: B, replicationFactor: rf, assignment } = cluster;
  const controller = choice?.controller ?? cluster.brokers - 1;
  const leaders = choice?.leaders ?? cluster.preferredLeaders();
  const all = (1 << rf) - 1;
  const isrs = new Int32Array(P).fill(all);
  reserveBrokerTables(cluster); // before the tree: one buffer while the heap is small (broker-tables.ts)
  zk.openSessions(o.sessionTimeoutMs);
  // A topic's partitions are numbered from 0 in a row (ClusterModel): each topic starts where indexInTopic is 0.
  const topicStarts: number[] = [];
  for (let p = 0; p < P; p++) if (p === 0 || cluster.indexInTopic(p) === 0) topicStarts.push(p);
  // Room for the znodes created one by one (the table built once): one per broker, six more, two per
  // topic. The partitions and their state znodes are restored as one numbered family per topic
  // (createNumbered): the coordinator keeps them as arrays until the run touches one. One data watch per broker.
  zk.reserve(B + 6 + 2 * topicStarts.length, () => 1);
  for (const path of [BROKERS, BROKER_IDS, TOPICS, ISR_CHANGE]) zk.create(path, null, -1);
  const brokerEpochs = new Float64Array(B);
  for (let h = 0; h < B; h++) brokerEpochs[h] = zk.create(brokerPath(h), { host: h }, h);
  zk.create(CONTROLLER_EPOCH, { epoch: INITIAL_CONTROLLER_EPOCH }, -1);
  zk.setData(CONTROLLER_EPOCH, { epoch: INITIAL_CONTROLLER_EPOCH + 1 });
  zk.create(CONTROLLER, { brokerid: controller }, controller);
  const states = new SharedStates(B, rf);
  for (let t = 0; t < topicStarts.length; t++) {
    const first = topicStarts[t];
    const end = t + 1 < topicStarts.length ? topicStarts[t + 1] : P;
    const topic = cluster.topicOf(first);
    zk.create(topicPath(topic), null, -1);
    const parent = partitionsPath(topic);
    zk.create(parent, null, -1);
    // /brokers/topics/T/partitions/N (no data) then its state, for N = 0, 1, ...: the creates'
    // order, zxids and stats; the values kept by reference (`leaders` and `isrs` are the
    // controller's own arrays, which a run changes: each state is made now).
    const n = end - first;
    const partitionData = new Array<null>(n).fill(null);
    const stateData = new Array<PartitionStateData>(n);
    for (let k = 0; k < n; k++) {
      const p = first + k;
      stateData[k] = states.get(leaders[p], assignment, p * rf, rf, isrs[p]);
    }
    zk.createNumbered(parent, partitionData, { name: STATE_NAME, data: stateData });
  }
  for (let h = 0; h < B; h++) zk.watch(h, CONTROLLER, "data");
  zk.watch(controller, BROKER_IDS, "children");
  zk.watch(controller, ISR_CHANGE, "children");
  const leadersByHost = cluster.valuesByHost(leaders);
  const isrsByHost = cluster.valuesByHost(isrs);
  return { controller, controllerEpoch: 1, epochZkVersion: 1, leaders, isrs, leadersByHost, isrsByHost, brokerEpochs };
}

/**
 * The settled state znodes' values, one object per distinct (leader, ISR): a znode's value stands
 * for its JSON bytes, so znodes holding equal values are indistinguishable, and values are never
 * changed in place (tree.ts; PartitionStateData is readonly). 1M partitions over 100 brokers hold
 * ~10k distinct values: a million objects and ISR arrays fewer to build and keep. Keyed by the
 * leader and ISR ids as digits base B + 1 after a leading 1 (exact while (B + 1)^(rf + 2) is a safe
 * integer; beyond that each partition gets its own object).
 */
class SharedStates {
  private readonly byKey = new Map<number, PartitionStateData>();
  private readonly exact: boolean;

  constructor(
    private readonly brokers: number,
    rf: number,
  ) {
    this.exact = (brokers + 1) ** (rf + 2) <= Number.MAX_SAFE_INTEGER;
  }

  get(leader: HostId, assignment: Int32Array, base: number, rf: number, mask: number): PartitionStateData {
    if (!this.exact) return stateData(leader, isrIds(assignment, base, rf, mask));
    const digit = this.brokers + 1;
    let key = digit + leader + 1;
    for (let j = 0; j < rf; j++) if ((mask & (1 << j)) !== 0) key = key * digit + assignment[base + j] + 1;
    let data = this.byKey.get(key);
    if (data === undefined) this.byKey.set(key, (data = stateData(leader, isrIds(assignment, base, rf, mask))));
    return data;
  }
}

/** The first election's state: leader epoch 0, written by controller epoch 1. */
function stateData(leader: HostId, isr: HostId[]): PartitionStateData {
  return { leader, leader_epoch: 0, isr, controller_epoch: 1 };
}
