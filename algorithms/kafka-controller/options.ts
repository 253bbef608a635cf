/**
 * The kafka-controller elector's options: Kafka broker and producer configs (named in each
 * description) plus the version switches that matter to leader election, and two lab additions
 * (off by default). Defaults are Kafka 2.6's — the last release whose leaders write their ISR to
 * ZooKeeper themselves (2.7 moved that to the controller: KIP-497 AlterIsr) — unless stated.
 */
import { Schema } from "effect";
import { flag, num, oneOf, type OptionUnit } from "../../src/elector/option-schema.ts";

/** A whole number of `unit` with a lower bound. */
const whole = (value: number, unit: OptionUnit, atLeast: number, description: string) =>
  num({ default: value, unit, atLeast, integer: true, description });

export const KafkaControllerOptions = Schema.Struct({
  sessionTimeoutMs: whole(
    18_000,
    "ms",
    1,
    "zookeeper.session.timeout.ms: the broker's ZooKeeper session timeout (18000 since Kafka 2.5, 6000 before).",
  ),
  controllerEpochCheck: flag({
    default: true,
    description:
      "KAFKA-6082 (Kafka 2.1): the controller creates /controller and bumps /controller_epoch in one multi, and every " +
      "controller write is a multi with a check op on /controller_epoch's zkVersion. false = pre-2.1: create /controller, " +
      "then a separate conditional setData of /controller_epoch; state writes carry no epoch check.",
  }),
  stateWrites: oneOf(["sequential", "pipelined", "multi"], {
    default: "pipelined",
    description:
      "How the controller reads and writes partition state znodes: sequential = Kafka 1.0 (one synchronous request at a " +
      "time, and a controlled shutdown moves one partition per request batch); pipelined = Kafka 1.1+ async client " +
      "(KAFKA-5642) with at most zkMaxInFlightRequests outstanding; multi = batched into ZooKeeper multi requests (not a " +
      "Kafka release: the batching the seeds propose).",
  }),
  zkMaxInFlightRequests: whole(
    10,
    "count",
    1,
    "zookeeper.max.in.flight.requests (Kafka 1.1+): requests the broker's ZooKeeper client keeps outstanding.",
  ),
  multiBatchSize: whole(
    1000,
    "count",
    1,
    "Partition state writes per multi request in stateWrites=multi (a guess bounded by ZooKeeper's 1 MB jute.maxbuffer).",
  ),
  uncleanLeaderElectionEnable: flag({
    default: false,
    description:
      "unclean.leader.election.enable: elect a live replica outside the ISR when no ISR member is live (false since 0.11).",
  }),
  acks: oneOf(["1", "all"], {
    default: "1",
    description:
      "Producer acks: 1 = the leader acknowledges on append (the producer default up to Kafka 2.8, so 2.6's; 3.0 made " +
      "it all, KIP-679); all = after every ISR member has fetched the write (the high watermark passed it).",
  }),
  minInsyncReplicas: whole(
    1,
    "count",
    1,
    "min.insync.replicas: with acks=all the leader refuses writes while its ISR is smaller than this (default 1).",
  ),
  replicaLagTimeMaxMs: whole(
    30_000,
    "ms",
    1,
    "replica.lag.time.max.ms: the leader drops a follower from the ISR after it has not fetched, or not caught up, for " +
      "this long (30000 since Kafka 2.5, 10000 before).",
  ),
  replicaFetchWaitMaxMs: whole(
    500,
    "ms",
    0,
    "replica.fetch.wait.max.ms: the leader holds a follower's fetch this long when it has no new data.",
  ),
  ackLeaseMs: whole(
    0,
    "ms",
    0,
    "Lab addition, not in Kafka (default 0 = off = Kafka; used only with acks=all): the leader acknowledges only on " +
      "fetches that answer a fetch response it sent less than this long ago, and a follower takes over leadership of a " +
      "partition only this long after its last fetch response from the old leader. Without it a leader can acknowledge a " +
      "write (safely replicated) after a newer leader was elected, from a fetch that was on the wire.",
  ),
  replicaSocketTimeoutMs: whole(
    30_000,
    "ms",
    1,
    "replica.socket.timeout.ms: a follower re-sends a fetch that got no answer for this long.",
  ),
  controllerSocketTimeoutMs: whole(
    30_000,
    "ms",
    1,
    "controller.socket.timeout.ms: the controller re-sends a request to a broker that has not answered it for this long.",
  ),
  controlledShutdownMaxRetries: whole(
    3,
    "count",
    0,
    "controlled.shutdown.max.retries: attempts at a controlled shutdown before the broker stops anyway.",
  ),
  controlledShutdownRetryBackoffMs: whole(
    5000,
    "ms",
    0,
    "controlled.shutdown.retry.backoff.ms: wait between attempts."),
  requestTimeoutMs: whole(
    30_000,
    "ms",
    1,
    "request.timeout.ms (broker): how long a broker waits for the controller's ControlledShutdown response.",
  ),
  autoLeaderRebalanceEnable: flag({
    default: true,
    description:
      "auto.leader.rebalance.enable: the controller moves leadership back to preferred replicas when a broker is imbalanced.",
  }),
  leaderImbalanceCheckIntervalSeconds: whole(
    300,
    "s",
    1,
    "leader.imbalance.check.interval.seconds: period of the rebalance check (the first runs 5 s after failover).",
  ),
  leaderImbalancePerBrokerPercentage: whole(
    10,
    "percent",
    0,
    "leader.imbalance.per.broker.percentage: a broker whose preferred partitions are led elsewhere above this share gets " +
      "preferred-replica elections.",
  ),
  isrConflict: oneOf(["keep-leading", "step-down"], {
    default: "keep-leading",
    description:
      "What a leader does when its ISR update hits a zkVersion conflict: keep-leading (default) = Kafka 2.x's " +
      "Partition.updateIsr, which only logs 'Cached zkVersion not equal to that in zookeeper, skip updating ISR' and " +
      "keeps the old ISR; step-down = lab addition, not in Kafka: stop leading until the controller says otherwise.",
  }),
});

export type KafkaControllerOptions = Schema.Schema.Type<typeof KafkaControllerOptions>;

/** Defaults, decoded from an empty object (for tests and benchmarks). */
export const defaultKafkaControllerOptions: KafkaControllerOptions = Schema.decodeUnknownSync(KafkaControllerOptions)({});

/** Decodes option input (unnamed fields take their defaults). */
export function decodeOptions(input: Partial<KafkaControllerOptions> = {}): KafkaControllerOptions {
  return Schema.decodeUnknownSync(KafkaControllerOptions)(input);
}
