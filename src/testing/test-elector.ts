/**
 * A tiny elector for the runner's and CLI's tests (not registered): the preferred replica of
 * each partition declares itself leader at start and the other replicas follow it; no failover.
 * Brokers also gossip at random intervals over the network so runs draw on the random streams
 * (a determinism test needs something to vary with the seed). Loaded with
 * `--elector-module src/testing/test-elector.ts`, it also shows that an elector plugs in without
 * touching the runner.
 */
import { Effect, Schema } from "effect";
import { defineElector, type ElectorInstance, type HostContext } from "../elector/api.ts";

const Options = Schema.Struct({
  epoch: Schema.Int.pipe(Schema.withDecodingDefaultKey(Effect.succeed(1))).annotate({ description: "Epoch every leader declares." }),
  gossipMs: Schema.Finite.pipe(Schema.withDecodingDefaultKey(Effect.succeed(200))).annotate({
    description: "Mean interval between a broker's gossip messages (ms); 0 for none.",
  }),
  throwOnGossip: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(false))).annotate({
    description: "Throw when a gossip message arrives (a bug for a property hunt to find: no-exceptions).",
  }),
});
type Options = typeof Options.Type;

class PreferredLeader implements ElectorInstance {
  constructor(
    private readonly ctx: HostContext,
    private readonly o: Options,
  ) {}

  start(): void {
    const { cluster, host, observer } = this.ctx;
    for (const p of cluster.partitionsOf(host)) {
      const preferred = cluster.preferredLeader(p);
      if (preferred === host) observer.lead(p, this.o.epoch);
      else observer.follow(p, preferred, this.o.epoch);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.o.gossipMs > 0) this.ctx.setTimer(this.ctx.random.uniform(0.5, 1.5) * this.o.gossipMs, 0);
  }

  onMessage(): void {
    if (this.o.throwOnGossip) throw new Error("test-preferred: gossip arrived (throwOnGossip)");
  }

  onTimer(): void {
    const n = this.ctx.cluster.brokers;
    if (n > 1) {
      let to = this.ctx.random.int(0, n - 2);
      if (to >= this.ctx.host) to++;
      this.ctx.send(to, { type: "test.gossip" }, 40);
    }
    this.schedule();
  }

  onZk(): void {}

  onWrite(partition: number, writeId: number): void {
    if (this.ctx.cluster.preferredLeader(partition) === this.ctx.host) this.ctx.observer.acknowledged(partition, writeId, this.o.epoch);
    else this.ctx.observer.rejected(partition, writeId);
  }
}

export const testPreferredLeader = defineElector<Options>({
  name: "test-preferred",
  description: "Test only: the preferred replica leads from the start; no failover.",
  options: Options,
  variants: [{ name: "epoch7", description: "Test only: every leader declares epoch 7.", options: { epoch: 7 } }],
  claims: () => ({ noSameEpochLeaders: true, noLostAcknowledgedWrites: false, noDivergence: false, liveness: false }),
  quietPeriodMs: () => 0,
  usesCoordinator: false,
  create: (ctx, options) => new PreferredLeader(ctx, options),
});
