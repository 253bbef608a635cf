/**
 * Zab's named rules, for the explorer's coverage (ElectorDefinition.rules): each transition of the
 * core with the rule it follows. "FLE" is ZooKeeper 3.8's FastLeaderElection, "phase 1/2/3" the Zab
 * paper's discovery, synchronisation and broadcast (Junqueira, Reed, Serafini 2011), class names
 * ZooKeeper's (Leader, Learner, LearnerHandler).
 */
import { defineRules } from "../../src/elector/rules.ts";

export const ZAB_RULES = defineRules([
  ["startLooking", "go LOOKING: a new FLE round, vote for myself (QuorumPeer, FLE.lookForLeader)"],
  ["newerRound", "notification of a newer round: adopt it, forget the old votes, vote afresh (FLE)"],
  ["betterVote", "a better vote in my round (epoch, zxid, id: totalOrderPredicate): adopt it (FLE)"],
  ["staleRound", "notification of an older round: answered, not counted (FLE)"],
  ["finalizeWait", "a quorum agrees with my vote: wait finalizeWait for a better one (FLE)"],
  ["joinInRound", "peers of my round that LEAD / FOLLOW form a quorum with the leader: join (FLE recvset)"],
  ["joinOutOfElection", "a quorum follows an established leader: join it (FLE outofelection)"],
  ["electedLeader", "FLE ends with my own vote: LEADING, discovery begins (phase 1)"],
  ["electedFollower", "FLE ends with another's vote: FOLLOWING, register with the leader (phase 1)"],
  ["proposeEpoch", "a quorum connected: propose epoch max(acceptedEpoch) + 1 (phase 1, getEpochToPropose)"],
  ["acceptEpoch", "LEADERINFO of a newer epoch: accept it, ACKEPOCH (phase 1)"],
  ["refuseOlderEpoch", "LEADERINFO of an epoch below the accepted one: back to LOOKING (phase 1)"],
  ["epochQuorum", "a quorum of ACKEPOCH: currentEpoch set, sync learners, NEWLEADER (phase 2)"],
  ["truncate", "TRUNC: drop entries above the leader's zxid (phase 2, syncFollower)"],
  ["diff", "DIFF: log the leader's entry (phase 2, syncFollower)"],
  ["ackNewLeader", "NEWLEADER of the accepted epoch: currentEpoch set, ACK (phase 2)"],
  ["refuseNewLeader", "NEWLEADER of another epoch than the accepted one: back to LOOKING (phase 2)"],
  ["established", "a quorum ACKed NEWLEADER: the leader leads, UPTODATE (end of phase 2)"],
  ["upToDate", "UPTODATE: the follower follows (phase 3)"],
  ["logProposal", "PROPOSAL of the current epoch logged and ACKed (phase 3)"],
  ["commitQuorum", "a quorum ACKed a proposal and its predecessors committed: COMMIT (phase 3, tryToCommit)"],
  ["limitPassed", "initLimit passed without progress: back to LOOKING"],
  ["leaderLost", "the connection to my leader is gone (syncLimit, or closed): back to LOOKING (Follower)"],
  ["quorumLost", "an established leader keeps fewer than a quorum of followers: back to LOOKING (Leader.lead)"],
]);
export const ZRULE = ZAB_RULES.id;
