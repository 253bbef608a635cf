/**
 * The naive race's named rules, for the explorer's coverage (ElectorDefinition.rules): each
 * transition with the ZooKeeper recipe step or client event it follows (ZooKeeper 3.8 programmer's
 * guide; Curator's LeaderLatch / Kafka's ZooKeeperClient for the client side).
 */
import { defineRules } from "../../src/elector/rules.ts";

export const NAIVE_RULES = defineRules([
  ["race", "no leader znode: create it, ephemeral (the race)"],
  ["wonRace", "my create succeeded: lead, epoch = the znode's czxid"],
  ["lostRace", "my create failed (NodeExists): read who leads and watch"],
  ["learnLeader", "getData: the znode names another host: follow it"],
  ["learnOwnZnode", "getData: the znode names me and my current session: lead (re-asserted)"],
  ["ownOldZnode", "getData: the znode names me but an earlier session owns it: follow nobody until it expires"],
  ["leaderGone", "watch: the leader znode was deleted: in-sync replicas race, others re-read"],
  ["notInSync", "the znode is gone but I lagged the leader: do not race (candidates = in-sync)"],
  ["connectionLost", "ConnectionLoss: re-issue the read once reconnected"],
  ["disconnectedStepDown", "Disconnected: stop leading until reconnected (option onDisconnected = step-down)"],
  ["sessionExpired", "session expired: stop leading, open a new session, read everything again"],
]);
export const NRULE = NAIVE_RULES.id;
