/**
 * Raft's options. Defaults are etcd v3.5's server (etcd runs etcd-io/raft with CheckQuorum
 * always on; --pre-vote defaults to true since v3.5, false in v3.4; --heartbeat-interval 100 ms,
 * --election-timeout 1000 ms, which etcd-io/raft randomizes in [election, 2 x election)). The
 * Raft paper's timing (§9.3: 150-300 ms, no pre-vote, no check-quorum) is the `paper` variant
 * (index.ts). Options marked "lab addition" are not in etcd or the paper.
 */
import { Schema } from "effect";
import { flag, num, oneOf } from "../../src/elector/option-schema.ts";

/**
 * Bug zoo (lab addition): known election bugs, each breaking one named rule of the core, turned on
 * only by the `bug-*` variants (index.ts) for `npm run bench:zoo`. Sources: SOURCES.md, "Bug zoo".
 */
export const RAFT_ZOO_BUGS = ["none", "vote-without-log-check", "forget-vote-on-restart", "pre-candidate-keeps-leader"] as const;
export type RaftZooBug = (typeof RAFT_ZOO_BUGS)[number];

export const RaftOptions = Schema.Struct({
  electionTimeoutMin: num({
    default: 1000,
    unit: "ms",
    above: 0,
    description:
      "Lower bound of the randomized election timeout (etcd --election-timeout, default 1000; the Raft paper §9.3 uses 150). Also the check-quorum window and the vote lease of thesis §4.2.3.",
  }),
  electionTimeoutMax: num({
    default: 2000,
    unit: "ms",
    above: 0,
    description:
      "Upper bound (exclusive) of the randomized election timeout, drawn anew at every reset (etcd-io/raft: 2 x election timeout; the paper: 300).",
  }),
  heartbeatInterval: num({
    default: 100,
    unit: "ms",
    above: 0,
    description: "How often a leader heartbeats each group's followers (etcd --heartbeat-interval, default 100); well below the election timeout (§5.2).",
  }),
  tickMs: num({
    default: 100,
    unit: "ms",
    above: 0,
    description:
      "Period of the one host-level timer that drives all of a host's groups (etcd's tick: etcd-io/raft's Config.ElectionTick and HeartbeatTick count it, and etcd's server ticks every --heartbeat-interval, 100 ms); deadlines fire on the first tick at or after them.",
  }),
  preVote: flag({
    default: true,
    description:
      "Pre-vote (thesis §9.6, etcd --pre-vote: default true since v3.5, false in v3.4): ask whether an election could be won before raising the term; voters that heard from a leader within the minimum election timeout refuse.",
  }),
  checkQuorum: flag({
    default: true,
    description:
      "Check-quorum and leader stickiness (thesis §6.2 / §4.2.3; etcd's server always sets CheckQuorum): a leader that has not heard from a majority for an election timeout steps down; a voter that knows a leader and heard from it within the minimum election timeout ignores RequestVote for a higher term (etcd's 'lease is not expired').",
  }),
  retryRequestVote: flag({
    default: false,
    description:
      "A candidate re-sends RequestVote every heartbeatInterval to each replica that has not answered it in this round, until the round ends (Raft paper §5.1: 'Servers retry RPCs if they do not receive a response in a timely manner'; raft.tla's RequestVote is enabled for any server not in votesResponded; LogCabin's peer thread calls requestVote until requestVoteDone, backing off RPC_FAILURE_BACKOFF = electionTimeout/2, its default heartbeat period, after a failed RPC). On in the `paper` variant; off by default: etcd-io/raft sends MsgVote once per campaign (a lost one waits for the next election timeout). Pre-votes are never re-sent.",
  }),
  persistBeforeReply: flag({
    default: true,
    description:
      "Figure 2: term, vote and log are 'updated on stable storage before responding to RPCs': every message a step sends after changing them waits for the host's fsync (ctx.persist). etcd v3.4/v3.5 does (etcdserver/raft.go raftNode.start: storage.Save, a WAL fsync, before transport.Send of a follower's or candidate's messages), as does LogCabin (RaftConsensus::updateLogMetadata before replying). false is a lab addition: state changes take no time on disk.",
  }),
  // On by default: the lab runs Raft per partition (multi-raft), and multi-raft systems coalesce
  // (CockroachDB). etcd's single-group behaviour is `false`: one heartbeat per group and follower.
  coalescedHeartbeats: flag({
    default: true,
    description:
      "One heartbeat message per pair of hosts per interval for all groups (CockroachDB's coalesced heartbeats); false: one per group and follower, as a single etcd raft group sends.",
  }),
  quiesce: flag({
    default: false,
    description:
      "Quiesced groups (CockroachDB's quiesced ranges, pkg/kv/kvserver/replica_raft_quiesce.go; TiKV's hibernate regions): a leader with no proposal for 6 ticks (quiesceAfterTicks), everything committed and every follower on a live host caught up sends one heartbeat marked quiesce and stops heartbeating; a follower whose term, leader and commit index match stops its election timer. Woken by a proposal, by any message of the group, when the leader's host goes silent (its followers campaign: CockroachDB's maybeCampaignOnWake on node liveness) or a lagging follower's host answers again. Host liveness comes from a host-level ping per host pair each heartbeatInterval (standing in for CockroachDB's node liveness heartbeats). Not in etcd (default off); needs per-group heartbeats (coalesced heartbeats already send nothing for an idle group).",
  }),
  ackLease: flag({
    default: false,
    description:
      "Lab addition (not etcd, not the paper; needs checkQuorum): acknowledge a committed write only while the leader holds a lease (thesis §6.4.1: a majority answered messages it sent less than electionTimeoutMin ago), and a restarted host refuses votes for electionTimeoutMin. Rules out late acknowledgements while clocks do not drift; without it a write may be acknowledged after a newer leader was elected (safe: that leader holds it).",
  }),
  zooBug: oneOf(RAFT_ZOO_BUGS, {
    default: "none",
    description:
      "Bug zoo, lab addition (never a real configuration): reproduce a known election bug. vote-without-log-check: grant (pre-)votes without §5.4.1's up-to-date check; " +
      "forget-vote-on-restart: votedFor kept in memory only (Figure 2 says persistent), so a restarted host votes twice in a term; " +
      "pre-candidate-keeps-leader: a pre-candidate keeps the leader it knew (and, as etcd's does, the randomized timeout of its last reset), so its own campaign counts as leader contact and it refuses pre-votes (etcd-io/etcd#9586, fixed by etcd-io/raft a0f9a7b).",
  }),
}).check(
  Schema.makeFilter((o) => {
    const issues: Schema.FilterIssue[] = [];
    if (o.electionTimeoutMax < o.electionTimeoutMin)
      issues.push({ path: ["electionTimeoutMax"], issue: "electionTimeoutMax must be at least electionTimeoutMin" });
    if (o.heartbeatInterval >= o.electionTimeoutMin)
      issues.push({ path: ["heartbeatInterval"], issue: "heartbeatInterval must be below electionTimeoutMin" });
    if (o.ackLease && !o.checkQuorum) issues.push({ path: ["ackLease"], issue: "ackLease needs checkQuorum (its followers' vote lease)" });
    if (o.quiesce && o.coalescedHeartbeats)
      issues.push({ path: ["quiesce"], issue: "quiesce needs coalescedHeartbeats: false (coalesced heartbeats already send nothing for an idle group)" });
    return issues;
  }),
);

export type RaftOptions = Schema.Schema.Type<typeof RaftOptions>;
