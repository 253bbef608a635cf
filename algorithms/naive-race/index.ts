/**
 * naive-race — the all-follower ZooKeeper znode race the seeds start from, with Kafka-style
 * replication under the ZooKeeper-elected leader. The design, its options, variants and claims:
 * README.md beside this file. Files: race-host.ts (the znode race on one broker), replication.ts
 * (fetch, leader-epoch truncation, high watermark, acks), replica-log.ts (compact durable logs),
 * fence.ts (the fencing check), options.ts.
 *
 * Sources:
 *  - The seed posts (shared/seeds): "the leader creates an ephemeral node in ZooKeeper, every
 *    follower registers a watch on it; when the leader dies every in-sync follower tries to create
 *    it, and the one that succeeds (ZooKeeper guarantees one) is the new leader".
 *  - ZooKeeper recipes, "Leader Election" and the Programmer's Guide (ephemeral nodes, one-shot
 *    watches, session states: Disconnected vs Expired, ConnectionLoss, multi).
 *  - Apache Curator's LeaderLatch documentation: on a SUSPENDED connection the latch gives up
 *    leadership until RECONNECTED (the `step-down` variant); naive code keeps leading until the
 *    session is Expired (the default, `keep-leading`).
 *  - Kafka's replication (ReplicaManager, Partition, ReplicaFetcherThread; KIP-101/279 leader-epoch
 *    truncation, KIP-227 incremental fetch), replica.lag.time.max.ms (30000 since 2.5),
 *    zookeeper.session.timeout.ms (18000 since 2.5), producer acks (1 by default before 3.0).
 */
import { defineElector } from "../../src/elector/api.ts";
import { Options, type NaiveRaceOptions } from "./options.ts";
import { NaiveRaceHost, ROOT } from "./race-host.ts";
import { settleNaiveRace } from "./settled.ts";
import { NAIVE_RULES } from "./rules.ts";

export type { NaiveRaceOptions } from "./options.ts";

export const naiveRace = defineElector({
  name: "naive-race",
  description: "Every replica watches the partition's ephemeral leader znode and races to create it when it disappears.",
  options: Options,
  variants: [
    {
      name: "keep-leading",
      description:
        "The seeds' naive race (the defaults): a leader cut from ZooKeeper keeps leading and acknowledging (acks=1) until it learns its session expired.",
      options: {},
    },
    {
      name: "step-down",
      description: "Gives up leadership on Disconnected and re-asserts it on Reconnected, as Curator's LeaderLatch does on SUSPENDED.",
      options: { onDisconnected: "step-down" },
    },
    {
      name: "fenced",
      description:
        "Every acknowledgement waits for a multi([check(leader znode)]) from the leader's own session, the fencing advised for ZooKeeper leader recipes (Curator).",
      options: { fencing: true },
    },
  ],
  claims: () => ({
    // Epoch = czxid: one create, one zxid.
    noSameEpochLeaders: true,
    // No variant promises these (README.md, "Claims"): a zombie leader acknowledges and commits
    // alone (keep-leading; step-down until Disconnected is noticed); with acks=1 a write acknowledged
    // before any follower fetched it dies with its leader, fenced or not; and a fence is a
    // check-then-act. The in-sync set is each replica's local view, not a shared ISR.
    noLostAcknowledgedWrites: false,
    noDivergence: false,
    liveness: true,
  }),
  // A lost leader is noticed when its session expires; the race then takes a few round trips.
  quietPeriodMs: (o: NaiveRaceOptions) => Math.ceil(o.sessionTimeoutMs / 2000) * 2000 + 2000 + 3 * o.fetchIntervalMs,
  usesCoordinator: true,
  rules: NAIVE_RULES.names,
  create: (ctx, options) => new NaiveRaceHost(ctx, options),
  settle: (cluster, options, zk, choice) => settleNaiveRace(cluster, options, zk, choice, ROOT),
});
