/**
 * Zab's options: ZooKeeper's defaults (tickTime 2000 ms, initLimit 10 and syncLimit 5 ticks as
 * in the sample zoo.cfg; FastLeaderElection's finalizeWait 200 ms and notification interval
 * 200 ms .. 60 s), plus the lab's three additions, each named as such.
 */
import { Effect, Schema } from "effect";

const positive = Schema.isGreaterThan(0);

export const ZabOptions = Schema.Struct({
  tickTimeMs: Schema.Number.check(positive)
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed(2000)))
    .annotate({
      description:
        "ZooKeeper tickTime in ms (default 2000). The leader pings every tickTime/2; initLimit and syncLimit count in ticks.",
    }),
  initLimit: Schema.Int.check(positive)
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed(10)))
    .annotate({
      description:
        "ZooKeeper initLimit in ticks (zoo.cfg sample: 10): how long discovery and synchronisation may wait for a quorum or for the leader before going back to LOOKING.",
    }),
  syncLimit: Schema.Int.check(positive)
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed(5)))
    .annotate({
      description:
        "ZooKeeper syncLimit in ticks (zoo.cfg sample: 5): a follower that hears nothing from its leader, or a leader that hears nothing from a follower, for this long drops the connection.",
    }),
  finalizeWaitMs: Schema.Number.check(positive)
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed(200)))
    .annotate({
      description:
        "FastLeaderElection.finalizeWait in ms (200): once a quorum agrees on a vote, how long no better vote may arrive before the vote is settled.",
    }),
  minNotificationIntervalMs: Schema.Number.check(positive)
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed(200)))
    .annotate({
      description:
        "FastLeaderElection's first notification timeout in ms (zookeeper.fastleader.minNotificationInterval, default finalizeWait = 200): it doubles on every timeout.",
    }),
  maxNotificationIntervalMs: Schema.Number.check(positive)
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed(60000)))
    .annotate({
      description:
        "FastLeaderElection.maxNotificationInterval in ms (zookeeper.fastleader.maxNotificationInterval, 60000): the cap of the doubling notification timeout.",
    }),
  staleAckGuardMs: Schema.Number.check(positive)
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed(200)))
    .annotate({
      description:
        "Lab addition (not in ZooKeeper): a leader acknowledges a write only if a quorum ACKed its proposal within this many ms of proposing it, and a peer acknowledges NEWLEADER (a leader counts itself) only this long after its last proposal ACK in that group, or after boot. Together these order every acknowledgement before any newer leader's election in time, which the lab's stale-acknowledgement check judges.",
    }),
  answerLosingVotes: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(true))).annotate({
    description:
      "Lab deviation (on by default): a LOOKING peer also answers a LOOKING notification of its own round whose vote loses to its own (ZooKeeper answers only a lagging round). Off, the peer that holds the better vote may stay silent until its own backed-off timeout, up to maxNotificationInterval and more after a long partition.",
  }),
  coalesce: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(true))).annotate({
    description:
      "Lab addition: the group messages a host sends to one peer host while handling one event travel in one stream frame per message type (ZooKeeper runs one group per connection; here a host pair carries thousands). Off, every group message is its own frame.",
  }),
});

export type ZabOptions = Schema.Schema.Type<typeof ZabOptions>;

/**
 * A sound bound on how long after the last fault healed every group has settled (ms):
 *  - a stale relation is detected within syncLimit ticks plus one ping period (tickTime/2);
 *  - a peer waiting in discovery or synchronisation gives up within initLimit ticks, possibly
 *    twice (once as a follower of a leader that no longer leads it, once as a leader whose
 *    quorum went elsewhere);
 *  - a LOOKING peer backed off to maxNotificationInterval sends again within it, and with
 *    answerLosingVotes an exchange of notifications then settles within a few finalizeWaits
 *    (twice over if a better vote arrives during the first), plus the stale-ack guard once.
 * Without answerLosingVotes, FLE can wait on whichever peer holds the best vote to time out on
 * its own: four more maxNotificationIntervals are allowed for that (a margin, not a proof).
 */
export function quietPeriodOf(o: ZabOptions): number {
  const tick = o.tickTimeMs;
  const base =
    o.syncLimit * tick + tick / 2 + 2 * o.initLimit * tick + o.maxNotificationIntervalMs + 6 * o.finalizeWaitMs + o.staleAckGuardMs + tick;
  return o.answerLosingVotes ? base : base + 4 * o.maxNotificationIntervalMs;
}
