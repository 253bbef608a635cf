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

export const raft = defineElector<RaftOptions>({
  name: "raft",
  description:
    "Raft per partition group: terms, randomized election timeouts, RequestVote with the log up-to-date check, heartbeats; optional pre-vote, check-quorum and coalesced heartbeats.",
  options: RaftOptions,
  claims: (o) => ({
    // §5.2 election safety: one leader per term, whatever the options.
    noSameEpochLeaders: true,
    // Raft acknowledges a committed write even if a newer leader was elected meanwhile (safe by
    // Leader Completeness, §5.4.3, but "stale" by the lab's timing-based definition). With
    // check-quorum the leader acknowledges only under a lease, which rules that out. README.md.
    noStaleAcknowledgements: o.checkQuorum,
    // Leader Completeness (§5.4) and commitment by quorum in the leader's term (§5.4.2).
    noLostAcknowledgedWrites: true,
    noDivergence: true,
    liveness: true,
  }),
  quietPeriodMs: (o) => {
    // Ten election rounds (split votes retry with fresh random timeouts; ten in a row is
    // vanishingly rare even over a million groups), each preceded by a pre-vote round when
    // enabled; plus one lease (§4.2.3) a follower may still hold for a deposed leader, and a
    // few heartbeats for every replica to hear of the winner (and, coalesced, its generation).
    const round = o.electionTimeoutMax + o.tickMs;
    return 10 * round * (o.preVote ? 2 : 1) + o.electionTimeoutMin + 3 * o.heartbeatInterval;
  },
  usesCoordinator: false,
  create: (ctx, options) => new RaftHost(ctx, options),
});
