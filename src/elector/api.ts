/**
 * The public elector API: everything an elector in algorithms/ may import from the lab.
 *
 * An elector is a definition (name, description, options schema, claims, factory). The factory
 * builds one instance per host; that instance serves every partition the host replicates. The
 * instance is a plain state machine driven by `start`, `onMessage`, `onTimer`, `onZk` and
 * `onWrite`; it acts only through its HostContext and declares what it believes through the
 * Observer. The lab judges those declarations, the messages and the coordinator's operations —
 * never an elector's private state.
 */
import type { Schema } from "effect";
import type { ZkClient, ZkEvent } from "./zookeeper-client.ts";

export type * from "./zookeeper-client.ts";

export type HostId = number;
export type PartitionId = number;
/** A handle returned by setTimer, for cancelTimer. */
export type TimerHandle = number;

/** Anything an elector sends. `type` names the message in the lab's message counts. */
export interface Message {
  readonly type: string;
}

/** The replica layout, read-only. Replica j of partition p is assignment[p * replicationFactor + j]. */
export interface ClusterView {
  readonly brokers: number;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Flat replica lists in assignment order; the first replica of each is the preferred leader. */
  readonly assignment: Int32Array;
  replica(partition: PartitionId, index: number): HostId;
  preferredLeader(partition: PartitionId): HostId;
  /** Every partition's preferred leader, as a fresh table (a settled start's usual leaders). */
  preferredLeaders(): Int32Array;
  /** Partitions that `host` replicates, ascending. */
  partitionsOf(host: HostId): Int32Array;
  /** `host`'s position in the replica list of each partition of `partitionsOf(host)`, in that order (replicaIndex, read sequentially). */
  replicaIndexesOf(host: HostId): Uint8Array;
  /**
   * Per host, `values[p]` for each partition p of `partitionsOf(host)`, in that order: a
   * per-partition table (a settled start's leaders, say) as each host reads it. Made in one pass
   * over the partitions; read host by host, the table's entries lie ~brokers / rf apart, and at a
   * million partitions each read misses the caches.
   */
  valuesByHost(values: Int32Array): Int32Array[];
  /** Position of `partition` in `partitionsOf(host)` (an elector's local index), or -1. */
  localIndex(host: HostId, partition: PartitionId): number;
  /** Position of `host` in the partition's replica list, or -1. */
  replicaIndex(partition: PartitionId, host: HostId): number;
  /** ZooKeeper-style name of the partition, e.g. "t0-17": topic t0, partition 17. */
  topicOf(partition: PartitionId): string;
  indexInTopic(partition: PartitionId): number;
}

/**
 * Where an elector declares what it believes. Every call is recorded with the host and the time.
 * Epochs are whatever the design uses to order leaders: Kafka's leader epoch, Raft's term, Zab's
 * epoch, the naive race's znode creation zxid.
 */
export interface Observer {
  /** I lead `partition` in `epoch`. */
  lead(partition: PartitionId, epoch: number): void;
  /** I follow `leader` for `partition` (-1: I know of no leader), which leads in `epoch` (-1: unknown). */
  follow(partition: PartitionId, leader: HostId, epoch: number): void;
  /** I no longer lead `partition` (and know of no leader). */
  stepDown(partition: PartitionId): void;
  /** I acknowledged producer write `writeId` on `partition` as leader in `epoch`. */
  acknowledged(partition: PartitionId, writeId: number, epoch: number): void;
  /** I refused write `writeId` (not the leader, or not enough in-sync replicas). */
  rejected(partition: PartitionId, writeId: number): void;
  /** I made a competing attempt to lead `partition` (a create race, a vote request round). */
  campaign(partition: PartitionId): void;
  /** I am the cluster's controller in `epoch` (cluster-wide roles, e.g. Kafka's controller). */
  controller(epoch: number): void;
  /** I am no longer the controller. */
  controllerResigned(): void;

  // ---- Replica state: what this host's replica of a partition holds (judged at the end) ----
  // Positions are 0-based and dense: every entry of the replica's log is declared, in order, whatever
  // it carries. Entries that are not producer writes (Raft's empty entry of a new leader, a Zab
  // NEWLEADER marker) use writeId -1. A crash keeps what was declared (logs are durable); an elector
  // that loses unflushed entries at a crash declares the truncation when it restarts.

  /** My replica of `partition` appended write `writeId` (-1: not a producer write) at `position`, written by a leader in `epoch`. */
  append(partition: PartitionId, writeId: number, position: number, epoch: number): void;
  /** My replica of `partition` dropped every entry at `fromPosition` and after (a follower truncating to its leader). */
  truncate(partition: PartitionId, fromPosition: number): void;
  /**
   * The first `count` entries of my replica of `partition` are committed (Kafka's high watermark,
   * Raft's commit index, Zab's last committed zxid as a count of entries). Never decreases for a
   * design that claims noDivergence; an elector declares what it believes, the judge decides.
   */
  commit(partition: PartitionId, count: number): void;

  /**
   * I applied my design's named rule number `rule` (an index into `ElectorDefinition.rules`): a
   * state transition as the design's source names it ("vote refused: log not up to date, §5.4.1").
   * For coverage only — the explorer reports which rules a search visited and which it never
   * reached; it decides nothing and is not part of the trace. Optional, so observers written
   * before it still compile.
   */
  rule?(rule: number): void;
}

/** Durable storage: values put here survive a crash and are handed to the rebuilt instance. */
export interface DurableStore {
  get<T>(key: string): T | undefined;
  /** Values are kept by reference: a typed array stored once and mutated in place stays durable. */
  set(key: string, value: unknown): void;
}

export interface HostRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
}

/** All an elector instance may touch. */
export interface HostContext {
  readonly host: HostId;
  readonly cluster: ClusterView;
  /**
   * This host's clock in ms. It may be offset from other hosts' clocks, drift, and jump (clock
   * faults); timers run on it too. The lab judges on true time, which no elector can read.
   */
  now(): number;
  /** Sends a datagram to another broker: subject to the link's loss, duplication and delay. */
  send(to: HostId, message: Message, bytes: number): void;
  /** Sends over a TCP-like connection: FIFO, no loss or duplication; partitions still drop it. */
  sendStream(to: HostId, message: Message, bytes: number): void;
  /** Calls the instance's onTimer(tag) after `delayMs` of this host's clock (unless cancelled or the host crashed). */
  setTimer(delayMs: number, tag: number): TimerHandle;
  cancelTimer(handle: TimerHandle): void;
  readonly random: HostRandom;
  readonly durable: DurableStore;
  /**
   * Makes what this host wrote to `durable` so far durable (an fsync), then calls the instance's
   * `onPersisted(tag)` after the host's fsync latency. Completions come in request order (FIFO
   * per host). A crash before then loses the completion (onPersisted never comes, so a reply
   * waiting for it is never sent); `durable` itself is not rolled back (the disk may have
   * written it). Persist before replying, as Raft (term, vote, log) and Zab (epoch, proposals) do.
   * Always present in the lab's worlds; optional only so that hand-made test contexts written
   * before it still compile.
   */
  persist?(tag: number): void;
  /** This host's ZooKeeper client (coordinator-backed designs). */
  readonly zk: ZkClient;
  readonly observer: Observer;
  /** Ends a controlled shutdown: the lab stops the host now. */
  shutdownComplete(): void;
}

/** One elector running on one host. */
export interface ElectorInstance {
  /** Called once after construction, at boot or after a restart. */
  start(): void;
  onMessage(from: HostId, message: Message): void;
  onTimer(tag: number): void;
  /** ZooKeeper results, watch notifications and session state changes. */
  onZk(event: ZkEvent): void;
  /** A producer's write for `partition` arrived: acknowledge or reject it through the observer. */
  onWrite(partition: PartitionId, writeId: number): void;
  /** The fsync asked for by `ctx.persist(tag)` completed. Required by electors that call persist. */
  onPersisted?(tag: number): void;
  /** An operator asked for a controlled shutdown; call ctx.shutdownComplete() when done. Absent: the host stops at once. */
  onShutdownRequest?(): void;
  /**
   * Optional, for the systematic explorer (docs/explore.md): a canonical text of everything in this
   * instance that decides its future behaviour (volatile and durable state, pending work), equal for
   * two instances that behave alike. Write every host id through `hostName`, so the explorer can
   * recognise states that differ only by a renaming of interchangeable brokers (symmetry reduction).
   * Absent: the lab walks the instance's own fields (what that covers and misses: src/explore/digest.ts).
   */
  digest?(hostName: (host: HostId) => number): string;
  /**
   * Settled start (lab addition, issue 15), called instead of `start` at time 0 when the scenario
   * asks for `start: settled`: take this host's part of `settled` (what the definition's `settle`
   * returned) as the state a quiet cold start would have reached, declare it through the observer
   * (lead / follow / append / commit) and arm the timers a running host has. The host's ZooKeeper
   * session is already open (ctx.zk is "connected") with the znodes and watches `settle` restored.
   * Absent: the elector only starts cold.
   */
  startSettled?(settled: unknown): void;
}

/**
 * Settled start (lab addition, issue 15): what a quiet start elected, when a test copies a
 * simulated cold start's outcome (where that outcome is random: who won a race, a split vote).
 * Designs that derive an epoch themselves (a znode's czxid, a controller-assigned leader epoch)
 * ignore `epochs`.
 */
export interface SettledChoice {
  /** Per partition: the host that leads it. */
  readonly leaders: Int32Array;
  /** Per partition: the epoch its leader was elected in, where the design elects one (Raft's term, Zab's epoch). */
  readonly epochs: Int32Array;
  /** The cluster-wide controller, for designs that have one. */
  readonly controller: HostId;
}

/**
 * The coordinator as a quiet start leaves it, restored directly (as a ZooKeeper server restores its
 * snapshot): sessions, znodes and the watches each broker's session holds, on the server and in
 * the broker's client. Nothing here is counted as coordinator load.
 */
export interface SettledCoordinator {
  /** Every broker opens its session now, asking for this timeout (negotiated as a connect would be). */
  openSessions(sessionTimeoutMs: number): void;
  /**
   * A znode the quiet start created, in creation order (its zxid is the next one; returned).
   * `owner`: the broker whose session owns it if ephemeral, -1 for a persistent node. Parents first.
   */
  create(path: string, data: unknown, owner: HostId): number;
  /**
   * Persistent znodes `parent`/0, `parent`/1, ... (decimal, one per value of `data`, holding it),
   * each with, if `child` is given, one persistent child `child.name` holding `child.data[k]`:
   * the same as create() of member 0, its child, member 1, its child, ... in that order (returns
   * the first zxid), for a parent that exists and has no children yet. Optional to use (lab): the
   * coordinator may keep such a family as arrays until the run touches a member (a restored
   * snapshot need not turn a million znodes into objects before the run); nothing a client
   * observes differs from the creates. The values are kept by reference, as create's.
   */
  createNumbered(parent: string, data: readonly unknown[], child?: { readonly name: string; readonly data: readonly unknown[] }): number;
  /**
   * Ephemeral znodes `parent`/0, `parent`/1, ... (decimal, one per owner), member k holding
   * data[k] (or, given `{ byOwner }`, byOwner[owners[k]]: a value per broker, as a leader znode
   * holds its leader), owned by broker `owners[k]`'s session and, with `watchers`, data-watched by the
   * brokers `watchers.hosts[k * perMember .. (k + 1) * perMember)` in that order (each at most
   * once per member): the same as create(parent/k, its value, owners[k]) followed by watch(h,
   * parent/k, "data") for each of those h, for k = 0, 1, ... in that order (returns the first
   * zxid), for a parent that exists and has no children yet, before any other data watch is
   * restored. Optional to use (lab), as createNumbered: the coordinator may keep the members, their
   * owners and their watches (server and clients) as arrays until the run touches a member; nothing
   * a client observes differs from the creates and watches. Data values are kept by reference,
   * as is `watchers.hosts` when an Int32Array (a ClusterView's assignment: it must not change);
   * owners are copied.
   */
  createEphemeralNumbered(parent: string, data: readonly unknown[] | { readonly byOwner: readonly unknown[] }, owners: ArrayLike<HostId>, watchers?: { readonly perMember: number; readonly hosts: ArrayLike<HostId> }): number;
  /** A setData the quiet start made on an existing znode (its version goes up by one); returns the zxid. */
  setData(path: string, data: unknown): number;
  /**
   * `host`'s session holds a one-shot watch on `path`: "data" (getData, or exists on an existing
   * node), "exists" (exists on a missing node), "children" (getChildren).
   */
  watch(host: HostId, path: string, kind: "data" | "exists" | "children"): void;
  /**
   * Optional sizing hint (lab), after openSessions and before the creates and watches: about
   * `znodes` znodes will be created, and per broker `dataWatches(host)` data watches restored.
   * Tables and lists are allocated at that size once instead of grown; a wrong hint costs memory
   * or growth, never behaviour.
   */
  reserve(znodes: number, dataWatches: (host: HostId) => number): void;
}

/**
 * What a design promises with given options; the property suite holds each variant to its own
 * claims and, for a claim it does not make, shows the violation can be found.
 */
export interface ElectorClaims {
  /** Every write acknowledged to a client (ok) is in the partition's final committed log. */
  readonly noLostAcknowledgedWrites: boolean;
  /** No two replicas of a partition hold different entries at a position both have committed. */
  readonly noDivergence: boolean;
  /** Never two distinct leaders of one partition with the same epoch. */
  readonly noSameEpochLeaders: boolean;
  /** After every fault heals and the quiet period passes, each partition has one leader its live replicas agree on. */
  readonly liveness: boolean;
  /**
   * With a majority of a partition's replicas up and connected (the others crashed or cut off), the
   * partition has a leader among that majority, which it follows, within the quiet period. Judged
   * by the systematic explorer's core judgment (src/explore, docs/explore.md; TigerBeetle VOPR's
   * liveness mode), not by the property suite. Absent: not claimed.
   */
  readonly coreLiveness?: boolean;
}

/**
 * A named option set with the real system's name ("raft:etcd", "kafka-controller:all-minisr2").
 * Wherever an elector name is accepted, "elector:variant" is too.
 */
export interface ElectorVariant {
  /** Kebab-case, unique within the elector: "etcd", "all-minisr2". */
  readonly name: string;
  /** One line: which real configuration this is, with the version. */
  readonly description: string;
  /** Options input (decoded through the elector's options schema, so unnamed fields take their defaults). */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * Set on a bug-zoo variant: a known election bug reproduced on purpose (an option of the elector
   * that breaks one named rule, or a real release before the bug's fix). Bug variants keep the
   * correct design's claims (the bug breaks them), are left out of the default property suite and
   * comparisons, and are scored by `npm run bench:zoo` (benchmarks/zoo.bench.ts).
   */
  readonly bug?: VariantBug;
}

/** Where a bug-zoo variant's bug comes from. */
export interface VariantBug {
  /** A link or ID of the real bug report, paper section or fix: "etcd-io/etcd#9586", "KAFKA-6082". */
  readonly source: string;
  /** One sentence on the real bug. */
  readonly summary: string;
}

export interface ElectorDefinition<Options = any> {
  /** Short, kebab-case: "raft", "naive-race". */
  readonly name: string;
  readonly description: string;
  /** Decodes options from scenario input, filling defaults; each field carries a description. */
  readonly options: Schema.Codec<Options, any>;
  /** Claims may depend on the options (e.g. a fencing option). */
  claims(options: Options): ElectorClaims;
  /** Named option sets; the first one, if any, is what the plain name means in comparisons' variant lists. */
  readonly variants?: readonly ElectorVariant[];
  /**
   * How long after the last fault heals (all hosts up, network whole) every partition must have
   * settled on exactly one leader that all replicas agree on (ms).
   */
  quietPeriodMs(options: Options): number;
  /** Whether the design talks to the ZooKeeper coordinator (others get no coordinator traffic). */
  readonly usesCoordinator: boolean;
  /**
   * Optional: the design's named transitions (rules), each with its source ("§5.4.1", "FLE", a
   * Kafka class), numbered by position. An instance reports applying one with
   * `observer.rule?.(index)`; the explorer's coverage lists which were visited and which never
   * were (docs/explore.md, "Coverage").
   */
  readonly rules?: readonly string[];
  create(ctx: HostContext, options: Options): ElectorInstance;
  /**
   * Settled start (lab addition, issue 15): builds, directly, the state a quiet cold start reaches
   * — the coordinator's znodes, sessions and watches through `zk`, and a shared description every
   * host's instance reads in `startSettled`. Returns that description. Who leads is the design's
   * own quiet-start outcome where that is determined (Zab's FLE: the highest server id), else a
   * stated convention (the preferred replica); `choice`, when given, names it instead (a test
   * copying a cold start). An elector without it starts cold (the lab says so). A test proves the
   * built state equals what a simulated cold start reaches (src/world/settled-start.test.ts).
   */
  settle?(cluster: ClusterView, options: Options, zk: SettledCoordinator, choice: SettledChoice | undefined): unknown;
}

/** Identity helper that keeps an elector definition's option type. */
export function defineElector<Options>(definition: ElectorDefinition<Options>): ElectorDefinition<Options> {
  return definition;
}
