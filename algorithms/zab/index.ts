/**
 * zab — ZooKeeper's Zab applied per partition: each partition's replicas form one ensemble that
 * elects with Fast Leader Election and establishes a new epoch through discovery and
 * synchronisation before its leader serves (the multi-group shape: one instance per host serves
 * all of the host's groups).
 *
 * Sources (rules are named next to the code; see SOURCES.md):
 *  - Apache ZooKeeper, FastLeaderElection.java (lookForLeader, totalOrderPredicate, checkLeader,
 *    WorkerReceiver), Leader.java (lead, getEpochToPropose, waitForEpochAck, waitForNewLeaderAck,
 *    processAck/tryToCommit), LearnerHandler.java, Learner.java (registerWithLeader,
 *    syncWithLeader), Follower.java, QuorumPeer.java (acceptedEpoch / currentEpoch files).
 *  - F. Junqueira, B. Reed, M. Serafini, "Zab: High-performance broadcast for primary-backup
 *    systems", DSN 2011 (phases: election, discovery, synchronisation, broadcast).
 *  - A. Medeiros, "ZooKeeper's atomic broadcast protocol: Theory and practice", 2012.
 */
import { defineElector } from "../../src/elector/api.ts";
import { ZabOptions, quietPeriodOf } from "./options.ts";
import { ZabHost } from "./zab-host.ts";

export { totalOrderPredicate } from "./fle.ts";
export { ZabOptions } from "./options.ts";

export const zab = defineElector<ZabOptions>({
  name: "zab",
  description:
    "ZooKeeper's Zab per partition: Fast Leader Election by (epoch, zxid, id), then discovery and synchronisation establish a new epoch before the leader serves quorum-acknowledged writes.",
  options: ZabOptions,
  claims: () => ({ noStaleAcknowledgements: true, noSameEpochLeaders: true, noLostAcknowledgedWrites: true, noDivergence: true, liveness: true }),
  quietPeriodMs: quietPeriodOf,
  usesCoordinator: false,
  create: (ctx, options) => new ZabHost(ctx, options),
});
