/**
 * kafka-controller — Kafka's ZooKeeper-era controller (Kafka 1.x / 2.x): brokers race once per
 * cluster for /controller; the controller elects partition leaders from the ISR and tells brokers
 * with batched LeaderAndIsr requests; leaders keep their ISR in ZooKeeper with zkVersion checks.
 *
 * Sources (rules taken, code written here):
 *  - Apache Kafka 2.x, core/src/main/scala/kafka/controller/: KafkaController.scala (elect,
 *    onControllerFailover, onBrokerFailure, onReplicasBecomeOffline, onBrokerStartup,
 *    doControlledShutdown, checkAndTriggerAutoLeaderRebalance), PartitionStateMachine.scala
 *    (PartitionLeaderElectionAlgorithms, doElectLeaderForPartitions, initializeLeaderAndIsrForPartitions),
 *    Election.scala (new ISR per election), ReplicaStateMachine.scala (OfflineReplica:
 *    removeReplicasFromIsr), ControllerChannelManager.scala (ControllerBrokerRequestBatch).
 *  - kafka/zk/KafkaZkClient.scala: registerControllerAndIncrementControllerEpoch (multi create +
 *    setData), updateLeaderAndIsr / setTopicPartitionStatesRaw (conditional on the zkVersion, wrapped
 *    with a check op on /controller_epoch's zkVersion), registerBroker, getAllBrokerAndEpochsInCluster.
 *  - KAFKA-6082 / apache/kafka#5101 (Kafka 2.1): fence ZooKeeper updates with the controller epoch zkVersion.
 *  - KAFKA-5642 (Kafka 1.1): asynchronous ZooKeeper client in the controller, pipelined with
 *    zookeeper.max.in.flight.requests (10); Jun Rao, "Apache Kafka Supports 200K Partitions Per
 *    Cluster" (Confluent blog, 2018): controlled shutdown of a broker with 10k partitions went from
 *    6.5 minutes (1.0) to 3 seconds (1.1): serial ZooKeeper writes and unbatched LeaderAndIsr before.
 *  - kafka/server/ReplicaManager.scala (becomeLeaderOrFollower: stale controller epoch, leader epoch
 *    check), kafka/cluster/Partition.scala (makeLeader/makeFollower, maybeShrinkIsr/maybeExpandIsr,
 *    updateIsr with the cached zkVersion), KIP-227 (incremental fetch, 1.1), KIP-320 (leader epoch in
 *    fetches, 2.1), KafkaServer.controlledShutdown.
 *  - Broker configs (Kafka docs): zookeeper.session.timeout.ms 18000 (2.5+), replica.lag.time.max.ms
 *    30000 (2.5+), replica.fetch.wait.max.ms 500, unclean.leader.election.enable false,
 *    min.insync.replicas 1, controlled.shutdown.max.retries 3, controlled.shutdown.retry.backoff.ms 5000,
 *    auto.leader.rebalance.enable true, leader.imbalance.check.interval.seconds 300,
 *    leader.imbalance.per.broker.percentage 10; producer acks default 1 (Kafka 2.x; all since 3.0).
 * See README.md for the design, the defaults and what is simplified.
 */
import { defineElector } from "../../src/elector/api.ts";
import { KafkaBroker } from "./broker.ts";
import { KafkaControllerOptions } from "./options.ts";

export { KafkaBroker } from "./broker.ts";
export { KafkaControllerOptions, defaultKafkaControllerOptions } from "./options.ts";
export * from "./election.ts";

export const kafkaController = defineElector<KafkaControllerOptions>({
  name: "kafka-controller",
  description:
    "Kafka's ZooKeeper-era controller: one /controller race per cluster; the controller elects leaders from the ISR " +
    "and pushes batched LeaderAndIsr requests; epochs and zkVersions fence stale controllers and leaders.",
  options: KafkaControllerOptions,
  claims: (o) => ({
    /*
     * No stale acknowledgement needs all of:
     *  - acks=all: a write is acknowledged only once every member of the leader's ISR has fetched it;
     *  - unclean election off: a new leader comes from the ISR in ZooKeeper. The old leader's ISR
     *    contains it: ISR changes are conditional on the znode version, the controller only removes
     *    members, and the leader knows its own additions; once the controller has written a newer
     *    state, the old leader can no longer shrink its ISR (BadVersion), so it cannot go on
     *    acknowledging without the new leader's fetches;
     *  - min.insync.replicas >= 2: the leader never acknowledges alone (Kafka's documented
     *    durability setting; with an ISR of one the controller finds no other clean leader anyway);
     *  - the acknowledgement lease (ackLeaseMs > 0, the lab's addition): without it a fetch already on
     *    the wire when the follower becomes leader lets the old leader acknowledge after the new
     *    leader's election — the write is on the new leader, but the lab's grade is timing-based.
     * Leader epochs come only from the controller's conditional writes (+1 on the version it read),
     * so two leaders never share an epoch.
     */
    noStaleAcknowledgements:
      o.acks === "all" && o.minInsyncReplicas >= 2 && !o.uncleanLeaderElectionEnable && o.ackLeaseMs > 0,
    noSameEpochLeaders: true,
    // Jepsen (2013) and KIP-101: acks=all with min.insync.replicas >= 2 and no unclean election keeps acknowledged writes.
    noLostAcknowledgedWrites: o.acks === "all" && o.minInsyncReplicas >= 2 && !o.uncleanLeaderElectionEnable,
    noDivergence: !o.uncleanLeaderElectionEnable,
    liveness: true,
  }),
  // A stale session expires (session timeout), its broker reconnects and re-registers, a new
  // controller loads the state and elects; the margin covers reconnect back-off and leases.
  quietPeriodMs: (o) => 2 * o.sessionTimeoutMs + 15_000,
  usesCoordinator: true,
  create: (ctx, o) => new KafkaBroker(ctx, o),
});
