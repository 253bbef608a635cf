/**
 * The Kafka controller design's named rules, for the explorer's coverage (ElectorDefinition.rules):
 * each transition with the Kafka 2.x (ZooKeeper mode) class or KIP it follows.
 */
import { defineRules } from "../../src/elector/rules.ts";

export const KAFKA_RULES = defineRules([
  ["controllerCampaign", "no /controller: race to create it (KafkaController.elect)"],
  ["becomeController", "won the race: controller of epoch+1, load state, elect offline partitions (onControllerFailover)"],
  ["controllerMoved", "lost the race, or another broker is controller now: resign if I was (maybeResign)"],
  ["controllerFenced", "a write failed its controller-epoch check: resign (ControllerMovedException, KAFKA-6082)"],
  ["cleanElection", "a partition's leader is gone: the first live replica in the ISR leads (OfflinePartitionLeaderElection)"],
  ["uncleanElection", "no live replica in the ISR: a live replica outside it leads (unclean.leader.election.enable)"],
  ["noLeader", "no eligible live replica: the partition stays offline (NoReplicaOnlineException)"],
  ["stateWriteConflict", "a partition state write lost its zkVersion check: retried (BadVersion)"],
  ["staleController", "a request from an older controller epoch ignored (ReplicaManager, StaleControllerEpoch)"],
  ["staleLeaderEpoch", "LeaderAndIsr of a leader epoch not newer than mine ignored (Partition.makeLeader / makeFollower)"],
  ["makeLeader", "LeaderAndIsr names me: lead the partition in the new leader epoch (Partition.makeLeader)"],
  ["makeFollower", "LeaderAndIsr names another: truncate by leader epoch and fetch from it (Partition.makeFollower, KIP-101)"],
  ["shrinkIsr", "a follower lagged replica.lag.time.max.ms: the leader removes it from the ISR (Partition.maybeShrinkIsr)"],
  ["expandIsr", "a follower caught up: the leader adds it to the ISR (Partition.maybeExpandIsr)"],
  ["isrWriteConflict", "the leader's ISR write lost its zkVersion check: the controller changed the state (Partition.updateIsr)"],
]);
export const KRULE = KAFKA_RULES.id;
