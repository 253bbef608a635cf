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
import { settleZab } from "./settled.ts";
import { ZAB_RULES } from "./rules.ts";

export { totalOrderPredicate } from "./fle.ts";
export { ZabOptions } from "./options.ts";

export const zab = defineElector<ZabOptions>({
  name: "zab",
  description:
    "ZooKeeper's Zab per partition: Fast Leader Election by (epoch, zxid, id), then discovery and synchronisation establish a new epoch before the leader serves quorum-acknowledged writes.",
  options: ZabOptions,
  // The Zab paper's guarantees (primary order, integrity, agreement) whatever the options: no write
  // acknowledged by a quorum is lost, committed histories never diverge, one leader per epoch.
  claims: () => ({ noLostAcknowledgedWrites: true, noDivergence: true, noSameEpochLeaders: true, liveness: true }),
  variants: [
    {
      name: "zookeeper",
      description: "ZooKeeper 3.8 as shipped (release-3.8.6): tickTime 2000, initLimit 10, syncLimit 5, FLE finalizeWait 200 ms, notifications 200 ms .. 60 s; no lab additions.",
      options: {
        tickTimeMs: 2000,
        initLimit: 10,
        syncLimit: 5,
        finalizeWaitMs: 200,
        minNotificationIntervalMs: 200,
        maxNotificationIntervalMs: 60000,
        staleAckGuardMs: 0,
        answerLosingVotes: false,
      },
    },
  ],
  quietPeriodMs: quietPeriodOf,
  usesCoordinator: false,
  rules: ZAB_RULES.names,
  create: (ctx, options) => new ZabHost(ctx, options),
  settle: (cluster, _options, _zk, choice) => settleZab(cluster, choice),
});
