/**
 * raft — one Raft consensus group per partition among its replicas (the multi-raft shape).
 *
 * Sources (rules are named next to the code that applies them; see SOURCES.md):
 *  - D. Ongaro, J. Ousterhout, "In Search of an Understandable Consensus Algorithm (Extended
 *    Version)", 2014: Figure 2, §5.1 terms, §5.2 leader election, §5.3 log replication, §5.4.1
 *    election restriction, §5.4.2 committing entries from previous terms, §9.3 timeouts.
 *  - D. Ongaro, "Consensus: Bridging Theory and Practice" (PhD thesis), 2014: §4.2.3 disruptive
 *    servers (leader stickiness; check-quorum), §9.6 pre-vote.
 *  - etcd-io/raft raft.go: the pure state-machine shape (Step, tick, become*), CheckQuorum and
 *    the "lease is not expired" vote rule, PreVote terms, rejection hints, ErrProposalDropped.
 *  - CockroachDB's coalesced heartbeats (one heartbeat per store pair for all ranges).
 */
import { defineElector } from "../../src/elector/api.ts";
import { RaftOptions } from "./options.ts";
import { RaftHost } from "./raft-host.ts";
import { settleRaft } from "./settled.ts";
import { RAFT_RULES } from "./rules.ts";

export type { RaftOptions } from "./options.ts";

/** etcd v3.5's server settings (the defaults): CheckQuorum on, --pre-vote true, 100 ms / 1000 ms. */
const ETCD = { electionTimeoutMin: 1000, electionTimeoutMax: 2000, heartbeatInterval: 100, tickMs: 100, preVote: true, checkQuorum: true };
/**
 * The Raft paper: §9.3's 150-300 ms with "its heartbeat interval, which was half of the minimum
 * election timeout" (75 ms; LogCabin's default HEARTBEAT_PERIOD is also ELECTION_TIMEOUT / 2),
 * neither pre-vote nor check-quorum; §5.1's RPC retries (RequestVote re-sent each heartbeat interval).
 * The 10 ms tick is the lab's timer granularity: the coalesced heartbeat keeps its 75 ms schedule
 * (sent on the first tick at or after each beat: 80, 70, 80, ... ms apart).
 */
const PAPER = { electionTimeoutMin: 150, electionTimeoutMax: 300, heartbeatInterval: 75, tickMs: 10, preVote: false, checkQuorum: false, retryRequestVote: true };

export const raft = defineElector<RaftOptions>({
  name: "raft",
  description:
    "Raft per partition group: terms, randomized election timeouts, RequestVote with the log up-to-date check, log replication and commitment; pre-vote and check-quorum as etcd's server runs them, coalesced heartbeats.",
  options: RaftOptions,
  variants: [
    {
      name: "etcd",
      description: "etcd v3.5 server (the defaults): CheckQuorum on, --pre-vote=true, --heartbeat-interval=100, --election-timeout=1000 (randomized 1000-2000 ms).",
      options: ETCD,
    },
    {
      name: "paper",
      description: "The Raft paper (Ongaro & Ousterhout 2014, §9.3): election timeouts 150-300 ms, heartbeats every 75 ms (half the minimum election timeout, as in §9.3), no pre-vote, no check-quorum; RequestVote retried every heartbeat interval until answered (§5.1).",
      options: PAPER,
    },
    // ---- Bug zoo (npm run bench:zoo): known bugs on purpose, never in the default suite or comparison ----
    {
      name: "bug-vote-without-log-check",
      description: "BUG ZOO: the paper's timing, but (pre-)votes are granted without §5.4.1's log up-to-date check.",
      options: { ...PAPER, zooBug: "vote-without-log-check" },
      bug: {
        source: "Raft paper §5.4.1 (Ongaro & Ousterhout 2014), Figure 8",
        summary:
          "Without the election restriction a candidate missing committed entries can win a term and overwrite them on its followers, losing acknowledged writes (the paper's reason for §5.4.1).",
      },
    },
    {
      name: "bug-forget-vote-on-restart",
      description: "BUG ZOO: the paper's timing, but votedFor is not persisted, so a restarted host may vote twice in one term.",
      options: { ...PAPER, zooBug: "forget-vote-on-restart" },
      bug: {
        source: "Raft paper Figure 2 (votedFor is persistent state); reported in wenweihu86/raft-java#57 (votedFor and currentTerm changed without being persisted)",
        summary:
          "A server that keeps votedFor only in memory votes again in the same term after a restart, so two candidates can each collect a majority: two leaders in one term.",
      },
    },
    {
      name: "bug-pre-candidate-keeps-leader",
      description:
        "BUG ZOO: etcd defaults (pre-vote, check-quorum), but a pre-candidate keeps the leader it knew and its randomized timeout, as etcd's raft did before the fix for etcd-io/etcd#9586.",
      options: { ...ETCD, zooBug: "pre-candidate-keeps-leader" },
      bug: {
        source: "etcd-io/etcd#9586 (also #10355); fixed by etcd-io/raft a0f9a7b 'raft: set lead to none when becomePreCandidate' (2018)",
        summary:
          "With pre-vote and check-quorum, followers of an isolated leader that time out at nearly the same time each count their own campaign as leader contact and refuse each other's pre-votes, so no leader is elected while the old leader is away.",
      },
    },
  ],
  claims: () => ({
    // §5.2 election safety: one leader per term, whatever the options.
    noSameEpochLeaders: true,
    // Leader Completeness (§5.4.3) with commitment by quorum in the leader's term (§5.4.2); a
    // write is acknowledged only once committed. A late acknowledgement (after a newer leader was
    // elected) may happen without the lab's ackLease addition: an observation, not a loss.
    noLostAcknowledgedWrites: true,
    // Log Matching (§5.3) and State Machine Safety (§5.4.3): committed prefixes never disagree.
    noDivergence: true,
    // After faults heal, some group member's randomized timeout fires first and wins (§5.2);
    // pre-vote and check-quorum only delay elections while a leader is alive.
    liveness: true,
    // §2 of the paper: consensus algorithms "are fully functional (available) as long as any
    // majority of the servers are operational and can communicate with each other and with
    // clients"; §5.6: a steady leader is elected while broadcastTime << electionTimeout << MTBF.
    // With pre-vote and check-quorum this needs a pre-candidate to forget its leader (etcd-io/raft
    // a0f9a7b, the fix of etcd-io/etcd#9586): the bug zoo's pre-candidate-keeps-leader breaks it.
    coreLiveness: true,
  }),
  quietPeriodMs: (o) => {
    // Election rounds: with pre-vote, six (a split vote needs two candidates timing out in the
    // same tick while the third replica is down; five in a row is rare even over the property
    // suite's thousands of partitions; one more when a pre-vote round can fail first, a voter
    // still in a lease). Without pre-vote, twenty: a replica whose log is stale (say, just healed
    // from isolation with a high term) campaigns and cannot win, and every RequestVote of its
    // resets the eligible replica's timer (etcd's becomeFollower resets on a higher term), so a
    // round succeeds only when the eligible one's fresh timeout beats the stale one's: about one
    // round in two. Twenty rounds leave about 1e-5 per partition and recovery (the property hunt
    // found nine failed rounds, 2.1 s at the paper's timing, with persistence on). Plus one lease
    // (§4.2.3) a follower may still hold for a deposed leader, and a few heartbeats for every
    // replica to hear of the winner (and, coalesced, its generation).
    const round = o.electionTimeoutMax + o.tickMs;
    return (o.preVote ? 6 : 20) * round + o.electionTimeoutMin + 3 * o.heartbeatInterval;
  },
  usesCoordinator: false,
  rules: RAFT_RULES.names,
  create: (ctx, options) => new RaftHost(ctx, options),
  settle: (cluster, _options, _zk, choice) => settleRaft(cluster, choice),
});
