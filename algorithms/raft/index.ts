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

export type { RaftOptions } from "./options.ts";

/** etcd v3.5's server settings (the defaults): CheckQuorum on, --pre-vote true, 100 ms / 1000 ms. */
const ETCD = { electionTimeoutMin: 1000, electionTimeoutMax: 2000, heartbeatInterval: 100, tickMs: 100, preVote: true, checkQuorum: true };
/** The Raft paper: §9.3's 150-300 ms, heartbeats well below, neither pre-vote nor check-quorum. */
const PAPER = { electionTimeoutMin: 150, electionTimeoutMax: 300, heartbeatInterval: 50, tickMs: 10, preVote: false, checkQuorum: false };

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
      description: "The Raft paper (Ongaro & Ousterhout 2014, §9.3): election timeouts 150-300 ms, heartbeats every 50 ms, no pre-vote, no check-quorum.",
      options: PAPER,
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
  }),
  quietPeriodMs: (o) => {
    // Five election rounds (a split vote needs two candidates timing out in the same tick while
    // the third replica is down; five in a row is rare even over the property suite's thousands
    // of partitions), one more when a pre-vote round can fail first (a voter still in a lease);
    // plus one lease (§4.2.3) a follower may still hold for a deposed leader, and a few heartbeats
    // for every replica to hear of the winner (and, coalesced, its generation).
    const round = o.electionTimeoutMax + o.tickMs;
    return (o.preVote ? 6 : 5) * round + o.electionTimeoutMin + 3 * o.heartbeatInterval;
  },
  usesCoordinator: false,
  create: (ctx, options) => new RaftHost(ctx, options),
});
