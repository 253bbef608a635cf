/** The naive race's options (effect Schema: decoded, validated, documented in `electorate list`). */
import { Effect, Schema } from "effect";

export const Options = Schema.Struct({
  candidates: Schema.Literals(["in-sync", "all"])
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed("in-sync" as const)))
    .annotate({ description: "Which live replicas race to create the leader znode: the in-sync ones (the seeds' rule) or all." }),
  onDisconnected: Schema.Literals(["keep-leading", "step-down"])
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed("keep-leading" as const)))
    .annotate({
      description:
        "On a Disconnected session: keep leading until Expired (what naive code does) or step down at once (Curator LeaderLatch).",
    }),
  fencing: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(false))).annotate({
    description:
      "Before acknowledging, prove with a versioned ZooKeeper write (multi with a check of the leader znode, from the leader's own session) that the session still owns it.",
  }),
  acks: Schema.Literals(["1", "all"])
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed("1" as const)))
    .annotate({
      description:
        "When the leader acknowledges: once the write is in its own log (acks=1, Kafka's producer default before 3.0) or once its high watermark passed it (acks=all, min.insync.replicas=1).",
    }),
  sessionTimeoutMs: Schema.Number.pipe(Schema.withDecodingDefaultKey(Effect.succeed(18_000))).annotate({
    description: "ZooKeeper session timeout asked for, ms (Kafka zookeeper.session.timeout.ms: 18000 since 2.5).",
  }),
  replicaLagTimeMaxMs: Schema.Number.pipe(Schema.withDecodingDefaultKey(Effect.succeed(30_000))).annotate({
    description: "A follower that has not caught up with its leader for this long is out of sync, ms (Kafka replica.lag.time.max.ms).",
  }),
  fetchIntervalMs: Schema.Number.pipe(Schema.withDecodingDefaultKey(Effect.succeed(500))).annotate({
    description: "How often a follower fetches from each leader it follows, ms (Kafka replica.fetch.wait.max.ms 500).",
  }),
});
export type NaiveRaceOptions = Schema.Schema.Type<typeof Options>;
