/**
 * Raft's named rules, for the explorer's coverage (ElectorDefinition.rules): each transition of
 * the core with the rule it follows. "§" is the Raft paper (Ongaro and Ousterhout 2014), "thesis"
 * Ongaro's dissertation (2014), "etcd" etcd-io/raft.
 */
import { defineRules } from "../../src/elector/rules.ts";

export const RAFT_RULES = defineRules([
  ["preCandidate", "election timeout: become pre-candidate, ask pre-votes for term+1 (thesis §9.6)"],
  ["candidate", "become candidate: term+1, vote for self, ask votes (§5.2)"],
  ["leader", "votes from a majority: become leader, append an empty entry (§5.2, thesis §6.4)"],
  ["higherTerm", "a higher term seen: become follower of that term (§5.1)"],
  ["leaderOfTerm", "a candidate hears from a leader of its term: become follower (§5.2)"],
  ["checkQuorumStepDown", "leader hears from no majority: step down (check-quorum, thesis §6.2)"],
  ["grantVote", "vote granted: none cast this term, candidate's log up to date (§5.2, §5.4.1)"],
  ["refuseVoteVoted", "vote refused: already voted for another in this term (§5.2)"],
  ["refuseVoteLog", "vote refused: candidate's log not up to date (§5.4.1)"],
  ["refuseVoteStale", "vote refused: candidate's term is older (§5.1)"],
  ["ignoreVoteLease", "vote request ignored: a leader was heard within the minimum timeout (thesis §4.2.3)"],
  ["grantPreVote", "pre-vote granted (thesis §9.6)"],
  ["refusePreVote", "pre-vote refused: leader heard recently, or term / log behind (thesis §9.6)"],
  ["appendStale", "AppendEntries of an older term refused (§5.1)"],
  ["appendMismatch", "AppendEntries refused: no entry at prevIndex with prevTerm (§5.3)"],
  ["appendAccepted", "AppendEntries accepted (§5.3)"],
  ["truncateConflict", "a conflicting suffix deleted (§5.3)"],
  ["commitByMajority", "leader commits an entry of its term stored by a majority (§5.3, §5.4.2)"],
  ["quiesce", "idle leader quiesces its group (option quiesce, CockroachDB)"],
  ["retryVote", "candidate re-sends RequestVote to replicas that have not answered (§5.1 RPC retry; option retryRequestVote)"],
]);
export const RULE = RAFT_RULES.id;
