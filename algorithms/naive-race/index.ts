/**
 * naive-race — the all-follower ZooKeeper znode race the seeds start from.
 *
 * Sources:
 *  - The seed posts (shared/seeds): "the leader creates an ephemeral node in ZooKeeper, every
 *    follower registers a watch on it; when the leader dies every in-sync follower tries to create
 *    it, and the one that succeeds (ZooKeeper guarantees one) is the new leader".
 *  - ZooKeeper recipes, "Leader Election" and the Programmer's Guide (ephemeral nodes, one-shot
 *    watches, session states: Disconnected vs Expired).
 *  - Apache Curator's LeaderLatch documentation: on a SUSPENDED connection the latch gives up
 *    leadership until RECONNECTED (the `onDisconnected: "step-down"` variant); naive code keeps
 *    leading until the session is Expired (the default variant here).
 *  - Kafka's replica.lag.time.max.ms (30000 since 2.5) for "in-sync": a follower is in sync while
 *    it has fetched from its leader within that bound (its own local view, see README.md beside this file).
 *
 * Per partition p (numbered across the cluster) the leader znode is /leaders/<p>, holding {leader: host}. Epoch = the
 * znode's creation zxid (czxid): unique per successful create, so two leaders never share one.
 */
import { Effect, Schema } from "effect";
import {
  defineElector,
  type ElectorInstance,
  type HostContext,
  type HostId,
  type Message,
  type PartitionId,
  type ZkEvent,
  type ZkResult,
} from "../../src/elector/api.ts";

const Options = Schema.Struct({
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
    description: "Before acknowledging, check with ZooKeeper that the leader znode is still ours (same czxid and session).",
  }),
  sessionTimeoutMs: Schema.Number.pipe(Schema.withDecodingDefaultKey(Effect.succeed(18_000))).annotate({
    description: "ZooKeeper session timeout asked for (Kafka zookeeper.session.timeout.ms: 18000 since 2.5).",
  }),
  replicaLagTimeMaxMs: Schema.Number.pipe(Schema.withDecodingDefaultKey(Effect.succeed(30_000))).annotate({
    description: "A follower that has not fetched from its leader for this long is out of sync (Kafka replica.lag.time.max.ms).",
  }),
  fetchIntervalMs: Schema.Number.pipe(Schema.withDecodingDefaultKey(Effect.succeed(500))).annotate({
    description: "How often a follower fetches from each leader it follows (Kafka replica.fetch.wait.max.ms 500).",
  }),
});
export type NaiveRaceOptions = Schema.Schema.Type<typeof Options>;

// Request tags: partition * 8 + operation (ROOT uses partition -1 -> negative tags).
const OP_READ = 0; // getData(watch) of the leader znode
const OP_EXISTS = 1; // exists(watch) when the znode is missing
const OP_CREATE = 2; // the race
const OP_FENCE = 3; // exists() before acknowledging, with fencing
const ROOT_TAG = -1;
const TIMER_FETCH = 1;

interface Fetch extends Message {
  readonly type: "naive.Fetch";
}
interface FetchResponse extends Message {
  readonly type: "naive.FetchResponse";
}
const FETCH: Fetch = { type: "naive.Fetch" };
const FETCH_RESPONSE: FetchResponse = { type: "naive.FetchResponse" };

const ROOT = "/leaders";

class NaiveRaceHost implements ElectorInstance {
  private readonly partitions: Int32Array;
  /** Per local partition: the leader we believe in (-1 none), its epoch, whether we lead. */
  private readonly leader: Int32Array;
  private readonly epoch: Float64Array;
  private readonly leading: Uint8Array;
  /** Leading but stood down while Disconnected (step-down variant). */
  private readonly suspended: Uint8Array;
  /** Writes waiting for the fencing check, per local partition. */
  private readonly fencePending = new Map<number, number[]>();
  /** Last fetch response heard from each leader host, and how many of our partitions each one leads. */
  private readonly lastHeardFrom: Float64Array;
  private readonly followCount: Int32Array;
  private session = 0;

  constructor(
    private readonly ctx: HostContext,
    private readonly o: NaiveRaceOptions,
  ) {
    this.partitions = ctx.cluster.partitionsOf(ctx.host);
    const n = this.partitions.length;
    this.leader = new Int32Array(n).fill(-1);
    this.epoch = new Float64Array(n).fill(-1);
    this.leading = new Uint8Array(n);
    this.suspended = new Uint8Array(n);
    this.lastHeardFrom = new Float64Array(ctx.cluster.brokers).fill(-Infinity);
    this.followCount = new Int32Array(ctx.cluster.brokers);
  }

  start(): void {
    this.ctx.zk.connect(this.o.sessionTimeoutMs);
    this.ctx.setTimer(this.o.fetchIntervalMs, TIMER_FETCH);
  }

  private local(p: PartitionId): number {
    return this.ctx.cluster.localIndex(this.ctx.host, p);
  }

  // ---- ZooKeeper ----

  onZk(event: ZkEvent): void {
    if (event.kind === "session") {
      if (event.state === "connected") this.onConnected(event.sessionId);
      else if (event.state === "disconnected") this.onDisconnected();
      else this.onExpired();
      return;
    }
    if (event.kind === "watch") {
      const i = this.localOfPath(event.path);
      if (i < 0) return;
      if (event.type === "deleted") this.onLeaderGone(i);
      else this.read(i);
      return;
    }
    this.onResult(event);
  }

  private onConnected(sessionId: number): void {
    if (sessionId === this.session) {
      // Reconnected within the session: our znodes survived, and so did the watches the client held
      // (SetWatches); reads lost to ConnectionLoss were re-issued when they failed. Re-assert what we lead.
      for (let i = 0; i < this.partitions.length; i++) if (this.suspended[i] === 1) this.read(i);
      return;
    }
    this.session = sessionId;
    this.ctx.zk.create(ROOT, null, "persistent", ROOT_TAG);
    for (let i = 0; i < this.partitions.length; i++) this.read(i);
  }

  private onDisconnected(): void {
    if (this.o.onDisconnected !== "step-down") return; // naive code carries on until Expired
    for (let i = 0; i < this.partitions.length; i++) {
      if (this.leading[i] === 1) {
        this.leading[i] = 0;
        this.suspended[i] = 1;
        this.setLeader(i, -1, -1);
        this.ctx.observer.stepDown(this.partitions[i]);
      }
    }
  }

  private onExpired(): void {
    // The session and its ephemerals are gone for good: whatever we led, we no longer lead.
    for (let i = 0; i < this.partitions.length; i++) {
      this.suspended[i] = 0;
      if (this.leading[i] === 1) {
        this.leading[i] = 0;
        this.setLeader(i, -1, -1);
        this.ctx.observer.stepDown(this.partitions[i]);
      }
    }
    this.ctx.zk.connect(this.o.sessionTimeoutMs);
  }

  private read(i: number): void {
    this.ctx.zk.getData(this.path(i), true, this.partitions[i] * 8 + OP_READ);
  }

  private isCandidate(i: number): boolean {
    if (this.o.candidates === "all") return true;
    const l = this.leader[i];
    // A replica with no leader to lag behind (start-up) counts as in sync, as every new replica does.
    return l < 0 || l === this.ctx.host || this.ctx.now() - this.lastHeardFrom[l] <= this.o.replicaLagTimeMaxMs;
  }

  /** The leader znode was deleted: in-sync replicas race to create it. */
  private onLeaderGone(i: number): void {
    const wasInSync = this.isCandidate(i);
    if (this.leading[i] === 1) {
      this.leading[i] = 0;
      this.ctx.observer.stepDown(this.partitions[i]);
    }
    this.setLeader(i, -1, -1);
    this.ctx.observer.follow(this.partitions[i], -1, -1);
    if (wasInSync) this.race(i);
    else this.read(i);
  }

  private race(i: number): void {
    this.ctx.observer.campaign(this.partitions[i]);
    this.ctx.zk.create(this.path(i), { leader: this.ctx.host }, "ephemeral", this.partitions[i] * 8 + OP_CREATE);
  }

  private onResult(r: ZkResult): void {
    if (r.tag === ROOT_TAG) return; // NodeExists is fine: another broker made it
    const p = Math.floor(r.tag / 8);
    const op = r.tag - p * 8;
    const i = this.local(p);
    if (i < 0) return;
    if (r.err === "ConnectionLoss") {
      // The request may or may not have run, and a watch it asked for is not held (the client
      // registers a watch only on a reply; the server drops the old connection's watches). Re-issue
      // at once: ClientCnxn holds a request made while disconnected and sends it after SetWatches
      // once reconnected, which is re-syncing on Reconnected as Curator's recipes do (Kafka's
      // ZooKeeperClient likewise retries ConnectionLoss requests until connected). A lost create
      // is re-read, not re-sent: getData tells whether our create landed (the znode names us and
      // our session) and re-arms the watch either way.
      if (op === OP_FENCE) this.ctx.zk.exists(this.path(i), false, p * 8 + OP_FENCE);
      else this.read(i);
      return;
    }
    if (r.err === "SessionExpired" && op !== OP_FENCE) return; // onExpired starts a new session and re-reads all
    switch (op) {
      case OP_CREATE:
        if (r.err === "ok") this.becomeLeader(i, r.zxid);
        else this.read(i); // lost the race (NodeExists) or the parent vanished: learn who won, re-watch
        return;
      case OP_READ:
        if (r.err === "NoNode") {
          // getData sets no watch on a missing node; exists does.
          this.ctx.zk.exists(this.path(i), true, p * 8 + OP_EXISTS);
        } else if (r.err === "ok" && r.stat !== undefined) {
          this.learn(i, r);
        }
        return;
      case OP_EXISTS:
        if (r.err === "ok" && r.stat === undefined) {
          if (this.isCandidate(i)) this.race(i);
        } else if (r.err === "ok") {
          this.read(i); // created meanwhile: read who leads
        } else if (r.err === "NoNode") {
          if (this.isCandidate(i)) this.race(i);
        }
        return;
      case OP_FENCE:
        this.fenceChecked(i, r);
        return;
    }
  }

  /** getData answered: the znode names the leader. */
  private learn(i: number, r: ZkResult): void {
    const stat = r.stat!;
    const owner = (r.data as { leader: number } | null)?.leader ?? -1;
    if (owner === this.ctx.host && stat.ephemeralOwner === this.session) {
      if (this.leading[i] === 0 || this.epoch[i] !== stat.czxid) this.becomeLeader(i, stat.czxid);
      return;
    }
    if (this.leading[i] === 1) {
      this.leading[i] = 0;
      this.ctx.observer.stepDown(this.partitions[i]);
    }
    this.suspended[i] = 0;
    // A znode left by our own previous incarnation names us but is not ours: follow nobody until it expires.
    const leader = owner === this.ctx.host ? -1 : owner;
    this.setLeader(i, leader, stat.czxid);
    this.ctx.observer.follow(this.partitions[i], leader, stat.czxid);
  }

  private becomeLeader(i: number, czxid: number): void {
    this.leading[i] = 1;
    this.suspended[i] = 0;
    this.setLeader(i, this.ctx.host, czxid);
    this.ctx.observer.lead(this.partitions[i], czxid);
  }

  private setLeader(i: number, leader: HostId, epoch: number): void {
    const old = this.leader[i];
    if (old >= 0 && old !== this.ctx.host) this.followCount[old]--;
    if (leader >= 0 && leader !== this.ctx.host) {
      this.followCount[leader]++;
      // A new leader to fetch from: count as caught up from now (Kafka adds a new follower to the ISR once it fetches).
      if (old !== leader) this.lastHeardFrom[leader] = Math.max(this.lastHeardFrom[leader], this.ctx.now());
    }
    this.leader[i] = leader;
    this.epoch[i] = epoch;
  }

  private path(i: number): string {
    return `${ROOT}/${this.partitions[i]}`;
  }

  private localOfPath(path: string): number {
    return this.local(Number(path.slice(ROOT.length + 1)));
  }

  // ---- writes ----

  onWrite(partition: PartitionId, writeId: number): void {
    const i = this.local(partition);
    if (i < 0 || this.leading[i] === 0) {
      this.ctx.observer.rejected(partition, writeId);
      return;
    }
    if (!this.o.fencing) {
      this.ctx.observer.acknowledged(partition, writeId, this.epoch[i]); // acks=1: at once
      return;
    }
    const pending = this.fencePending.get(i);
    if (pending !== undefined) {
      pending.push(writeId);
      return;
    }
    this.fencePending.set(i, [writeId]);
    this.ctx.zk.exists(this.path(i), false, partition * 8 + OP_FENCE);
  }

  private fenceChecked(i: number, r: ZkResult): void {
    const pending = this.fencePending.get(i) ?? [];
    this.fencePending.delete(i);
    const ours = r.err === "ok" && r.stat !== undefined && r.stat.czxid === this.epoch[i] && r.stat.ephemeralOwner === this.session;
    const p = this.partitions[i];
    for (const w of pending) {
      if (ours && this.leading[i] === 1) this.ctx.observer.acknowledged(p, w, this.epoch[i]);
      else this.ctx.observer.rejected(p, w);
    }
  }

  // ---- replication heartbeat (only to know who is in sync) ----

  onTimer(tag: number): void {
    if (tag !== TIMER_FETCH) return;
    for (let h = 0; h < this.followCount.length; h++) {
      if (this.followCount[h] > 0) this.ctx.sendStream(h, FETCH, 64);
    }
    this.ctx.setTimer(this.o.fetchIntervalMs, TIMER_FETCH);
  }

  onMessage(from: HostId, message: Message): void {
    if (message.type === "naive.Fetch") this.ctx.sendStream(from, FETCH_RESPONSE, 64);
    else if (message.type === "naive.FetchResponse") this.lastHeardFrom[from] = this.ctx.now();
  }
}

export const naiveRace = defineElector({
  name: "naive-race",
  description: "Every replica watches the partition's ephemeral leader znode and races to create it when it disappears.",
  options: Options,
  claims: () => ({
    // Check-then-act against ZooKeeper is not atomic with the acknowledgement: not even the
    // fencing variant can promise it, and the default variant is the seeds' split-brain.
    noStaleAcknowledgements: false,
    // Epoch = czxid: one create, one zxid.
    noSameEpochLeaders: true,
    // Two hosts can both believe they lead and acknowledge: nothing reconciles their logs.
    noLostAcknowledgedWrites: false,
    noDivergence: false,
    liveness: true,
  }),
  // A lost leader is noticed when its session expires; the race then takes a few round trips.
  quietPeriodMs: (o) => Math.ceil(o.sessionTimeoutMs / 2000) * 2000 + 2000 + 3 * o.fetchIntervalMs,
  usesCoordinator: true,
  create: (ctx, options) => new NaiveRaceHost(ctx, options),
});
