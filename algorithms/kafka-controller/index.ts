/**
 * kafka-controller — Kafka's ZooKeeper-era controller, modelled on Kafka 2.6 (the last release whose
 * leaders write their ISR to ZooKeeper themselves; 2.7 moved that to the controller, KIP-497):
 * brokers race once per cluster for /controller; the controller elects partition leaders from the
 * ISR and tells brokers with batched LeaderAndIsr requests; leaders keep their ISR in ZooKeeper with
 * zkVersion checks; followers truncate by leader epoch (KIP-101/279) and fetch.
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
 *    updateIsr with the cached zkVersion, maybeIncrementLeaderHW), KIP-227 (incremental fetch, 1.1),
 *    KIP-320 (leader epoch in fetches, 2.1), KafkaServer.controlledShutdown.
 *  - KIP-101 (0.11: truncation by leader epoch instead of the high watermark, OffsetsForLeaderEpoch)
 *    and KIP-279 (2.0: the leader answers with the largest epoch <= the follower's).
 *  - Jepsen, "Kafka" (Kyle Kingsbury, 2013): with the ISR shrunk to the leader, acks=all
 *    acknowledges on the leader alone; losing that leader and electing an out-of-sync replica
 *    (unclean election, then the default) loses acknowledged writes. Kafka's answer:
 *    min.insync.replicas (0.8.2) and unclean.leader.election.enable=false by default (0.11, KIP-106).
 *  - Broker configs (Kafka docs): zookeeper.session.timeout.ms 18000 (2.5+), replica.lag.time.max.ms
 *    30000 (2.5+), replica.fetch.wait.max.ms 500, unclean.leader.election.enable false,
 *    min.insync.replicas 1, controlled.shutdown.max.retries 3, controlled.shutdown.retry.backoff.ms 5000,
 *    auto.leader.rebalance.enable true, leader.imbalance.check.interval.seconds 300,
 *    leader.imbalance.per.broker.percentage 10; producer acks default 1 (up to 2.8; all since 3.0, KIP-679).
 * See README.md for the design, the defaults and what is simplified.
 */
import { defineElector } from "../../src/elector/api.ts";
import { KafkaBroker } from "./broker.ts";
import { KafkaControllerOptions } from "./options.ts";
import { settleKafka } from "./settled.ts";
import { KAFKA_RULES } from "./rules.ts";

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
     * No acknowledged write lost needs all of (Kafka's documented durability setting):
     *  - acks=all: a write is acknowledged only once every member of the leader's ISR has fetched it
     *    (the high watermark passed it);
     *  - min.insync.replicas >= 2: the leader never acknowledges alone. With 1, an ISR shrunk to the
     *    leader acknowledges on the leader's word only, and losing that leader loses the writes
     *    (Jepsen 2013) — or, with unclean election off, the partition is offline until it returns;
     *  - unclean election off: a new leader comes from the ISR in ZooKeeper, which is contained in the
     *    old leader's ISR (the controller only removes members; a leader's own changes are
     *    conditional on the znode version, and a failed one keeps its larger ISR), so it holds every
     *    acknowledged write; followers then truncate by leader epoch (KIP-101/279) only what the new
     *    leader does not have.
     * Late acknowledgements (a fetch on the wire when its sender is elected) are safe: the new leader
     * has the write. They are a timing observation, not a claim (ackLeaseMs removes them).
     */
    noLostAcknowledgedWrites: o.acks === "all" && o.minInsyncReplicas >= 2 && !o.uncleanLeaderElectionEnable,
    // Committed = below the high watermark, held by every ISR member: only an unclean leader lacks them.
    noDivergence: !o.uncleanLeaderElectionEnable,
    // Leader epochs come only from the controller's conditional writes (+1 on the version read).
    noSameEpochLeaders: true,
    // Once every broker is back and ZooKeeper reachable, the controller elects a leader for every partition.
    liveness: true,
  }),
  variants: [
    {
      name: "acks1",
      description: "Kafka 2.6 defaults: producer acks=1 (the default before 3.0), min.insync.replicas=1, unclean.leader.election.enable=false",
      options: { acks: "1" },
    },
    {
      name: "all-minisr1",
      description: "producer acks=all with min.insync.replicas=1 (Kafka 3.0+'s producer default on a default broker)",
      options: { acks: "all", minInsyncReplicas: 1 },
    },
    {
      name: "all-minisr2",
      description: "producer acks=all, min.insync.replicas=2, unclean.leader.election.enable=false: Kafka's documented durable setting",
      options: { acks: "all", minInsyncReplicas: 2 },
    },
    {
      name: "pre-2.1",
      description: "controller writes not fenced by /controller_epoch's zkVersion: Kafka before 2.1 (KAFKA-6082), otherwise 2.6 defaults",
      options: { controllerEpochCheck: false },
      // Bug zoo: left out of the default property suite, scored by npm run bench:zoo.
      bug: {
        source: "KAFKA-6082, fixed in Kafka 2.1 by apache/kafka#5101",
        summary:
          "A controller that lost its ZooKeeper session keeps writing partition state (leader, ISR, leader epoch) after a new controller was elected, because its writes are not conditional on /controller_epoch's zkVersion; its own broker applies the result and a replica disagrees with the leader for good (liveness).",
      },
    },
  ],
  // A stale session expires (session timeout), its broker reconnects and re-registers, a new
  // controller loads the state and elects; the margin covers reconnect back-off and leases.
  quietPeriodMs: (o) => 2 * o.sessionTimeoutMs + 15_000,
  usesCoordinator: true,
  rules: KAFKA_RULES.names,
  create: (ctx, o) => new KafkaBroker(ctx, o),
  settle: (cluster, o, zk, choice) => settleKafka(cluster, o, zk, choice),
});
