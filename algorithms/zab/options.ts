/**
 * Zab's options. Defaults are ZooKeeper 3.8 as shipped (release-3.8.6): tickTime 2000 ms,
 * initLimit 10 and syncLimit 5 ticks (conf/zoo_sample.cfg); FastLeaderElection.finalizeWait
 * 200 ms, minNotificationInterval = finalizeWait, maxNotificationInterval 60000 ms. The lab's
 * additions are named as such: the stale-ack guard and answerLosingVotes are off by default
 * (ZooKeeper has neither); coalescing is on (it changes message counts, not the protocol).
 */
import { Schema } from "effect";
import { flag, num } from "../../src/elector/option-schema.ts";

export const ZabOptions = Schema.Struct({
  tickTimeMs: num({
    default: 2000,
    unit: "ms",
    above: 0,
    description: "ZooKeeper tickTime (zoo_sample.cfg: 2000). The leader pings every tickTime/2; initLimit and syncLimit count in ticks.",
  }),
  initLimit: num({
    default: 10,
    unit: "count",
    above: 0,
    integer: true,
    description:
      "ZooKeeper initLimit in ticks (zoo_sample.cfg: 10): how long discovery and synchronisation may wait for a quorum or for the leader before going back to LOOKING.",
  }),
  syncLimit: num({
    default: 5,
    unit: "count",
    above: 0,
    integer: true,
    description:
      "ZooKeeper syncLimit in ticks (zoo_sample.cfg: 5): a follower that hears nothing from its leader, or a leader that hears nothing from a follower, for this long drops the connection.",
  }),
  finalizeWaitMs: num({
    default: 200,
    unit: "ms",
    above: 0,
    description: "FastLeaderElection.finalizeWait (200): once a quorum agrees on a vote, how long no better vote may arrive before the vote is settled.",
  }),
  minNotificationIntervalMs: num({
    default: 200,
    unit: "ms",
    above: 0,
    description:
      "FastLeaderElection's first notification timeout (zookeeper.fastleader.minNotificationInterval, default finalizeWait = 200): it doubles on every timeout.",
  }),
  maxNotificationIntervalMs: num({
    default: 60000,
    unit: "ms",
    above: 0,
    description: "FastLeaderElection.maxNotificationInterval (zookeeper.fastleader.maxNotificationInterval, 60000): the cap of the doubling notification timeout.",
  }),
  staleAckGuardMs: num({
    default: 0,
    unit: "ms",
    atLeast: 0,
    description:
      "Lab addition, not in ZooKeeper (0, the default, is off): a leader answers a write only if a quorum ACKed its proposal within this many ms of proposing it (a later quorum leaves the client unanswered), and a peer acknowledges NEWLEADER (a leader counts itself) only this long after its last proposal ACK in that group, or after boot. Together these order every acknowledgement before any newer leader's election in time: no late acknowledgements.",
  }),
  answerLosingVotes: flag({
    default: false,
    description:
      "Lab addition, not in ZooKeeper (default off): a LOOKING peer also answers a LOOKING notification of its own round whose vote loses to its own, when its own vote went out at least minNotificationInterval ago (FastLeaderElection's WorkerReceiver answers only a lagging round). Off, the peer that holds the better vote may stay silent until its own backed-off timeout, up to maxNotificationInterval.",
  }),
  persistBeforeAck: flag({
    default: true,
    description:
      "ZooKeeper 3.8 logs a proposal and fsyncs it before it ACKs (SyncRequestProcessor, then SendAckRequestProcessor; zookeeper.forceSync=yes by default), and writes acceptedEpoch/currentEpoch files before acting on them (Learner.registerWithLeader, Leader.lead): every frame an event sends after changing an epoch or the log waits for the host's fsync (ctx.persist). false is a lab addition: state changes take no time on disk.",
  }),
  coalesce: flag({
    default: true,
    description:
      "Lab addition (it changes message counts, not the protocol): the group messages a host sends to one peer host while handling one event travel in one stream frame per message type (ZooKeeper runs one group per connection; here a host pair carries thousands). Off, every group message is its own frame.",
  }),
});

export type ZabOptions = Schema.Schema.Type<typeof ZabOptions>;

/**
 * How long after the last fault healed every group has settled (ms):
 *  - a stale relation is detected within syncLimit ticks plus one ping period (tickTime/2);
 *  - a peer waiting in discovery or synchronisation gives up within initLimit ticks, possibly
 *    twice (once as a follower of a leader that no longer leads it, once as a leader whose
 *    quorum went elsewhere);
 *  - a LOOKING peer backed off to maxNotificationInterval sends again within it, and an exchange
 *    of notifications then settles within a few finalizeWaits (twice over if a better vote
 *    arrives during the first), plus the stale-ack guard once when it is on.
 * Without answerLosingVotes (ZooKeeper), the holder of the best vote answers no same-round
 * notification: the others may settle on it while it is silent, wait initLimit for it, and look
 * again, or wait for its own backed-off timeout; one more maxNotificationInterval and initLimit
 * are allowed for that (a margin checked by the tests, not a proof).
 */
export function quietPeriodOf(o: ZabOptions): number {
  const tick = o.tickTimeMs;
  const base =
    o.syncLimit * tick + tick / 2 + 2 * o.initLimit * tick + o.maxNotificationIntervalMs + 6 * o.finalizeWaitMs + o.staleAckGuardMs + tick;
  return o.answerLosingVotes ? base : base + o.maxNotificationIntervalMs + o.initLimit * tick;
}
