/**
 * Raft's options: the paper's timing (§5.2, §9.3: election timeouts of 150-300 ms with
 * heartbeats well below) and the thesis' election extensions, each off by default as in etcd.
 */
import { Schema } from "effect";
import { flag, num } from "../../src/elector/option-schema.ts";

export const RaftOptions = Schema.Struct({
  electionTimeoutMin: num({
    default: 150,
    unit: "ms",
    above: 0,
    description:
      "Lower bound of the randomized election timeout (Raft paper §5.2/§9.3: 150-300 ms). Also the check-quorum window and the lease of §4.2.3.",
  }),
  electionTimeoutMax: num({
    default: 300,
    unit: "ms",
    above: 0,
    description: "Upper bound (exclusive) of the randomized election timeout; each timeout is drawn anew at every reset.",
  }),
  heartbeatInterval: num({
    default: 50,
    unit: "ms",
    above: 0,
    description: "How often a leader heartbeats each group's followers; well below the election timeout (§5.2).",
  }),
  tickMs: num({
    default: 10,
    unit: "ms",
    above: 0,
    description:
      "Period of the one host-level timer that drives all of a host's groups (etcd's tick); deadlines fire on the first tick at or after them.",
  }),
  preVote: flag({
    default: false,
    description:
      "Pre-vote (thesis §9.6): ask whether an election could be won before raising the term; voters that heard from a leader within the minimum election timeout refuse.",
  }),
  checkQuorum: flag({
    default: false,
    description:
      "Check-quorum and leader stickiness (thesis §4.2.3, etcd CheckQuorum): a leader that has not heard from a majority for an election timeout steps down; a voter that heard from a leader within the minimum election timeout ignores RequestVote.",
  }),
  // On by default: the lab runs Raft per partition (multi-raft), and multi-raft systems coalesce
  // (CockroachDB). etcd's single-group behaviour is `false`: one heartbeat per group and follower.
  coalescedHeartbeats: flag({
    default: true,
    description:
      "One heartbeat message per pair of hosts per interval for all groups (CockroachDB's coalesced heartbeats); false: one per group and follower, as a single etcd raft group sends.",
  }),
}).check(
  Schema.makeFilter((o) => {
    const issues: Schema.FilterIssue[] = [];
    if (o.electionTimeoutMax < o.electionTimeoutMin)
      issues.push({ path: ["electionTimeoutMax"], issue: "electionTimeoutMax must be at least electionTimeoutMin" });
    if (o.heartbeatInterval >= o.electionTimeoutMin)
      issues.push({ path: ["heartbeatInterval"], issue: "heartbeatInterval must be below electionTimeoutMin" });
    return issues;
  }),
);

export type RaftOptions = Schema.Schema.Type<typeof RaftOptions>;
