/**
 * Fault schedules in the lab's Fault type (src/sim/faults.ts), built from small named pieces.
 *
 * Each piece generates an *episode*: one fault, sometimes with the fault that ends it (a crash and
 * its restart, a partition and its heal). A schedule is an array of episodes, flattened and sorted
 * by time. Everything that can shrink is a small integer or an option:
 *  - fc.array drops whole episodes (fewer faults);
 *  - times and durations are grid steps shrinking toward the window's start and the shortest
 *    duration (shorter schedules);
 *  - the ending fault of an episode is an fc.option that shrinks to "none" (the recovery phase
 *    heals and restarts anyway);
 *  - hosts are integers shrinking toward broker 0, partition groups are arrays shrinking toward
 *    one host (fewer hosts named).
 * Hosts are drawn from 0..maxBrokers-1 and fitted to the generated cluster by fitSchedule
 * (schedule.ts), so the cluster and the schedule shrink independently.
 */
import fc from "fast-check";
import type { Fault, HostRef } from "../../src/sim/faults.ts";
import { delayDistribution } from "./network.ts";
import { DEFAULT_STEP_MS, millis, perMille } from "./time.ts";

export type Episode = readonly Fault[];

/** Kafka's zookeeper.session.timeout.ms since 2.5 (KIP-537). */
export const KAFKA_SESSION_TIMEOUT_MS = 18_000;

export type EpisodeKind =
  | "crash"
  | "shutdown"
  | "pause"
  | "partition"
  | "isolate"
  | "minority"
  | "cut"
  | "zkCut"
  | "zkOutage"
  | "zkCrash"
  | "loss"
  | "duplicate"
  | "delay"
  | "clog"
  | "heal";

/** Episodes that touch one host's clock or disk, generated as a list of their own (hostFaultSchedule). */
export type HostEpisodeKind = "clockJump" | "clockDrift" | "slowDisk";

/** Episodes that end one broker's ZooKeeper session, generated as a list of their own (sessionFaultSchedule). */
export type SessionEpisodeKind = "expireSession" | "closeSession";

type AnyEpisodeKind = EpisodeKind | HostEpisodeKind | SessionEpisodeKind;

export interface FaultArbitraryOptions {
  /** Broker ids are drawn from 0..maxBrokers-1, then fitted to the cluster (fitSchedule). */
  readonly maxBrokers: number;
  /** Faults start in [fromMs, fromMs + windowMs]. */
  readonly fromMs: number;
  readonly windowMs: number;
  readonly stepMs: number;
  /** The elector's ZooKeeper session timeout: long pauses, outages and clogs straddle it. */
  readonly sessionTimeoutMs: number;
  /** Longest time from a crash or shutdown to its restart. */
  readonly maxDowntimeMs: number;
  /** At most this many episodes (each one or two faults). */
  readonly maxEpisodes: number;
  /** Relative frequency of each kind of episode (0 leaves a kind out). */
  readonly weights: Readonly<Record<AnyEpisodeKind, number>>;
  /** At most this many clock and disk episodes (besides maxEpisodes). */
  readonly maxHostEpisodes: number;
  /** Largest clock step, either way (ms). */
  readonly maxJumpMs: number;
  /** Whether clocks may step backward (an NTP step); forward steps are always generated. */
  readonly backwardJumps: boolean;
  /** Largest drift a clockDrift episode sets, either way (ppm). */
  readonly maxDriftPpm: number;
  /** Largest slow-down factor of a slowDisk episode. */
  readonly maxDiskFactor: number;
  /** At most this many session episodes (expireSession, closeSession; besides the others). */
  readonly maxSessionEpisodes: number;
}

export const DEFAULT_WEIGHTS: Readonly<Record<AnyEpisodeKind, number>> = {
  crash: 3,
  shutdown: 1,
  pause: 3,
  partition: 2,
  isolate: 1,
  minority: 1,
  cut: 1,
  zkCut: 3,
  zkOutage: 1,
  zkCrash: 1,
  loss: 1,
  duplicate: 1,
  delay: 1,
  clog: 1,
  heal: 1,
  clockJump: 1,
  clockDrift: 1,
  slowDisk: 1,
  expireSession: 1,
  closeSession: 1,
};

export const DEFAULT_FAULTS: FaultArbitraryOptions = {
  maxBrokers: 5,
  fromMs: 2_000,
  windowMs: 20_000,
  stepMs: DEFAULT_STEP_MS,
  sessionTimeoutMs: KAFKA_SESSION_TIMEOUT_MS,
  maxDowntimeMs: 25_000,
  maxEpisodes: 5,
  weights: DEFAULT_WEIGHTS,
  maxHostEpisodes: 2,
  maxJumpMs: 2_000,
  backwardJumps: true,
  maxDriftPpm: 500,
  maxDiskFactor: 100,
  // On (docs/properties.md: they were off while two zero-time livelocks in the models hid behind
  // them); scenario({ faults: { maxSessionEpisodes: 0 } }) turns them off.
  maxSessionEpisodes: 2,
};

/** Options as callers give them: any subset, weights merged with the defaults. */
export type FaultArbitraryInput = Partial<Omit<FaultArbitraryOptions, "weights">> & {
  readonly weights?: Partial<Record<AnyEpisodeKind, number>>;
};

export function faultOptions(options: FaultArbitraryInput = {}): FaultArbitraryOptions {
  return { ...DEFAULT_FAULTS, ...options, weights: { ...DEFAULT_WEIGHTS, ...options.weights } };
}

// ---- small pieces ----

/** When a fault starts: a grid step in the fault window, shrinking toward its start. */
export function faultTime(o: FaultArbitraryOptions): fc.Arbitrary<number> {
  return millis(o.fromMs, o.fromMs + o.windowMs, o.stepMs);
}

/** A broker (raw id, fitted to the cluster later), shrinking toward broker 0. */
export function broker(o: FaultArbitraryOptions): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: o.maxBrokers - 1 });
}

/** A broker or the coordinator ("zk"). */
export function hostOrCoordinator(o: FaultArbitraryOptions): fc.Arbitrary<HostRef> {
  return fc.integer({ min: 0, max: o.maxBrokers }).map((k): HostRef => (k === o.maxBrokers ? "zk" : k));
}

/**
 * How long something lasts: either short (0.1-5 s) or around the session timeout (from two
 * thirds of it, when a ZooKeeper client first feels Disconnected, to 10 s beyond it, when the
 * session has surely expired). Shrinks toward the short range, then toward 100 ms.
 */
export function spell(o: FaultArbitraryOptions): fc.Arbitrary<number> {
  const s = o.sessionTimeoutMs;
  return fc.oneof(
    { withCrossShrink: true },
    millis(o.stepMs, 5_000, o.stepMs),
    millis(Math.floor((2 * s) / 3), s + 10_000, o.stepMs),
  );
}

/**
 * When the recovery phase runs at the earliest: after the fault window, up to 10 s past a session
 * timeout more, shrinking toward the window's end. It does not depend on the faults (only a pause
 * or clog still running pushes it later), so shrinking can drop a fault without shortening what
 * the others last: a zk cut at 2 s stays in force until recovery at 22 s on its own.
 */
export function recoveryTime(o: FaultArbitraryOptions): fc.Arbitrary<number> {
  const windowEnd = o.fromMs + o.windowMs;
  return millis(windowEnd + o.stepMs, windowEnd + o.sessionTimeoutMs + 10_000, o.stepMs);
}

/** A downtime (crash or shutdown to restart), 0.1 s up to maxDowntimeMs. */
export function downtime(o: FaultArbitraryOptions): fc.Arbitrary<number> {
  return millis(o.stepMs, o.maxDowntimeMs, o.stepMs);
}

/** An optional delay after which a fault is undone; shrinks to "not undone" (the recovery phase undoes it). */
export function undoneAfter(duration: fc.Arbitrary<number>): fc.Arbitrary<number | undefined> {
  return fc.option(duration, { nil: undefined, freq: 2 });
}

/** Which links a link fault changes: all, all from a host, all to a host, or one link. */
export function linkScope(o: FaultArbitraryOptions): fc.Arbitrary<{ from?: HostRef; to?: HostRef }> {
  const h = hostOrCoordinator(o);
  return fc.oneof(
    { withCrossShrink: true },
    fc.constant({}),
    h.map((from) => ({ from })),
    h.map((to) => ({ to })),
    fc.record({ from: h, to: h }),
  );
}

function withHeal(first: Fault, at: number, after: number | undefined): Episode {
  return after === undefined ? [first] : [first, { at: at + after, type: "heal" }];
}

// ---- episodes ----

/** A broker crashes, and perhaps restarts later. */
export function crashEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), host: broker(o), restartAfter: undoneAfter(downtime(o)) })
    .map(({ at, host, restartAfter }): Episode => {
      const crash: Fault = { at, type: "crash", host };
      return restartAfter === undefined ? [crash] : [crash, { at: at + restartAfter, type: "restart", host }];
    });
}

/** An operator's controlled shutdown of a broker, and perhaps its restart. */
export function shutdownEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), host: broker(o), restartAfter: undoneAfter(downtime(o)) })
    .map(({ at, host, restartAfter }): Episode => {
      const shutdown: Fault = { at, type: "shutdown", host };
      return restartAfter === undefined ? [shutdown] : [shutdown, { at: at + restartAfter, type: "restart", host }];
    });
}

/** A stop-the-world pause of a broker: short, or around and beyond the session timeout (the zombie leader). */
export function pauseEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), host: broker(o), for: spell(o) })
    .map(({ at, host, for: ms }): Episode => [{ at, type: "pause", host, for: ms }]);
}

/** A partition of random size: one named group (brokers, maybe zk) against everyone else. */
export function partitionEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({
      at: faultTime(o),
      group: fc.uniqueArray(hostOrCoordinator(o), { minLength: 1, maxLength: o.maxBrokers, size: "max" }),
      healAfter: undoneAfter(spell(o)),
    })
    .map(({ at, group, healAfter }) => withHeal({ at, type: "partition", groups: [group] }, at, healAfter));
}

/** One broker can reach nobody. */
export function isolateEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), host: broker(o), healAfter: undoneAfter(spell(o)) })
    .map(({ at, host, healAfter }) => withHeal({ at, type: "isolate", host }, at, healAfter));
}

/**
 * A minority of brokers (consecutive ids) split from the majority, with the coordinator on either
 * side: the minority may keep ZooKeeper while the majority loses it.
 */
export function minorityEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  const maxSize = Math.max(1, Math.floor((o.maxBrokers - 1) / 2));
  return fc
    .record({
      at: faultTime(o),
      first: broker(o),
      size: fc.integer({ min: 1, max: maxSize }),
      zkWithMinority: fc.boolean(),
      healAfter: undoneAfter(spell(o)),
    })
    .map(({ at, first, size, zkWithMinority, healAfter }) => {
      const group: HostRef[] = Array.from({ length: size }, (_, i) => first + i);
      if (zkWithMinority) group.push("zk");
      return withHeal({ at, type: "partition", groups: [group] }, at, healAfter);
    });
}

/** A one-way cut: messages from one host to another are dropped, the other way still works. */
export function oneWayCutEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), from: hostOrCoordinator(o), to: hostOrCoordinator(o), healAfter: undoneAfter(spell(o)) })
    .map(({ at, from, to, healAfter }) => withHeal({ at, type: "cut", from, to }, at, healAfter));
}

/** One broker loses ZooKeeper only; it still reaches every other broker. */
export function zkCutEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), host: broker(o), healAfter: undoneAfter(spell(o)) })
    .map(({ at, host, healAfter }) => withHeal({ at, type: "cut", from: host, to: "zk", bothWays: true }, at, healAfter));
}

/** ZooKeeper is unreachable for a while, then the network heals. */
export function zkOutageEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), for: spell(o) })
    .map(({ at, for: ms }): Episode => [
      { at, type: "isolate", host: "zk" },
      { at: at + ms, type: "heal" },
    ]);
}

/**
 * The ZooKeeper server crashes and perhaps restarts: connections drop, the tree and the logged
 * sessions survive (docs/coordinator.md); clients reconnect once it is back.
 */
export function zkCrashEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), restartAfter: undoneAfter(spell(o)) })
    .map(({ at, restartAfter }): Episode => {
      const crash: Fault = { at, type: "crash", host: "zk" };
      return restartAfter === undefined ? [crash] : [crash, { at: at + restartAfter, type: "restart", host: "zk" }];
    });
}

/** Datagram loss on some links (1-50%), until the recovery phase. Streams (ZooKeeper sessions) are not lossy. */
export function lossEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), scope: linkScope(o), loss: perMille(0.5, 0.01) })
    .map(({ at, scope, loss }): Episode => [{ at, type: "link", ...scope, loss }]);
}

/** Datagram duplication on some links (1-30%). */
export function duplicateEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), scope: linkScope(o), duplicate: perMille(0.3, 0.01) })
    .map(({ at, scope, duplicate }): Episode => [{ at, type: "link", ...scope, duplicate }]);
}

/** Slow links: delays up to half a second. */
export function delayEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), scope: linkScope(o), delay: delayDistribution(500) })
    .map(({ at, scope, delay }): Episode => [{ at, type: "link", ...scope, delay }]);
}

/** Messages on one path are held for a while, then delivered at once. */
export function clogEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), from: hostOrCoordinator(o), to: hostOrCoordinator(o), for: spell(o) })
    .map(({ at, from, to, for: ms }): Episode => [{ at, type: "clog", from, to, for: ms }]);
}

/** A stray heal in the middle of the schedule. */
export function healEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return faultTime(o).map((at): Episode => [{ at, type: "heal" }]);
}

const EPISODES: Readonly<Record<EpisodeKind, (o: FaultArbitraryOptions) => fc.Arbitrary<Episode>>> = {
  crash: crashEpisode,
  shutdown: shutdownEpisode,
  pause: pauseEpisode,
  partition: partitionEpisode,
  isolate: isolateEpisode,
  minority: minorityEpisode,
  cut: oneWayCutEpisode,
  zkCut: zkCutEpisode,
  zkOutage: zkOutageEpisode,
  zkCrash: zkCrashEpisode,
  loss: lossEpisode,
  duplicate: duplicateEpisode,
  delay: delayEpisode,
  clog: clogEpisode,
  heal: healEpisode,
};

/** One episode of any kind, by weight. */
export function episode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  const arms = (Object.keys(EPISODES) as EpisodeKind[])
    .filter((k) => o.weights[k] > 0)
    .map((k) => ({ arbitrary: EPISODES[k](o), weight: o.weights[k] }));
  if (arms.length === 0) throw new Error("every episode kind has weight 0");
  return fc.oneof(...arms);
}

/**
 * A host's clock steps, forward or (if allowed) backward, by up to maxJumpMs on the grid. Shrinks
 * toward a forward step of one grid step.
 */
export function clockJumpEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  const backward = o.backwardJumps ? fc.boolean() : fc.constant(false);
  return fc
    .record({ at: faultTime(o), host: broker(o), by: millis(o.stepMs, o.maxJumpMs, o.stepMs), backward })
    .map(({ at, host, by, backward }): Episode => [{ at, type: "clockJump", host, byMs: backward ? -by : by }]);
}

/** A host's clock runs fast or slow (whole ppm, shrinking toward 0) for a while. */
export function clockDriftEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), host: broker(o), ppm: fc.integer({ min: -o.maxDriftPpm, max: o.maxDriftPpm }), forMs: spell(o) })
    .map(({ at, host, ppm, forMs }): Episode => [{ at, type: "clockDrift", host, ppm, forMs }]);
}

/** A host's fsyncs take 2..maxDiskFactor times as long for a while (shrinking toward 2x). */
export function slowDiskEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc
    .record({ at: faultTime(o), host: broker(o), factor: fc.integer({ min: 2, max: Math.max(2, o.maxDiskFactor) }), forMs: spell(o) })
    .map(({ at, host, factor, forMs }): Episode => [{ at, type: "slowDisk", host, factor, forMs }]);
}

const HOST_EPISODES: Readonly<Record<HostEpisodeKind, (o: FaultArbitraryOptions) => fc.Arbitrary<Episode>>> = {
  clockJump: clockJumpEpisode,
  clockDrift: clockDriftEpisode,
  slowDisk: slowDiskEpisode,
};

/**
 * Clock and disk faults: 0..maxHostEpisodes episodes, sorted by time (raw host ids, like
 * rawFaultSchedule). A list of its own, drawn after everything else in a scenario, so adding these
 * kinds left every other generated value as it was; it shrinks to none on its own.
 */
export function hostFaultSchedule(options: FaultArbitraryInput = {}): fc.Arbitrary<Fault[]> {
  const o = faultOptions(options);
  const arms = (Object.keys(HOST_EPISODES) as HostEpisodeKind[])
    .filter((k) => o.weights[k] > 0)
    .map((k) => ({ arbitrary: HOST_EPISODES[k](o), weight: o.weights[k] }));
  if (arms.length === 0 || o.maxHostEpisodes <= 0) return fc.constant([]);
  return fc.array(fc.oneof(...arms), { maxLength: o.maxHostEpisodes, size: "max" }).map((episodes) => sortByTime(episodes.flat()));
}

/**
 * The server expires a broker's ZooKeeper session now (its ephemerals go, their watchers are told;
 * the broker learns Expired on its next contact and starts a new session itself).
 */
export function expireSessionEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc.record({ at: faultTime(o), host: broker(o) }).map(({ at, host }): Episode => [{ at, type: "expireSession", host }]);
}

/**
 * A broker's ZooKeeper client closes its session cleanly (as at a shutdown, but the broker keeps
 * running without one). Nothing in the broker opens a new session after its own close, so the
 * recovery phase restarts such a broker (recoveryPhase), as an operator would.
 */
export function closeSessionEpisode(o: FaultArbitraryOptions): fc.Arbitrary<Episode> {
  return fc.record({ at: faultTime(o), host: broker(o) }).map(({ at, host }): Episode => [{ at, type: "closeSession", host }]);
}

const SESSION_EPISODES: Readonly<Record<SessionEpisodeKind, (o: FaultArbitraryOptions) => fc.Arbitrary<Episode>>> = {
  expireSession: expireSessionEpisode,
  closeSession: closeSessionEpisode,
};

/**
 * Session faults: 0..maxSessionEpisodes episodes, sorted by time (raw host ids). A list of its own,
 * drawn after the clock and disk faults, so adding these kinds left every other generated value as
 * it was; it shrinks to none on its own. A world without a coordinator ignores them.
 */
export function sessionFaultSchedule(options: FaultArbitraryInput = {}): fc.Arbitrary<Fault[]> {
  const o = faultOptions(options);
  const arms = (Object.keys(SESSION_EPISODES) as SessionEpisodeKind[])
    .filter((k) => o.weights[k] > 0)
    .map((k) => ({ arbitrary: SESSION_EPISODES[k](o), weight: o.weights[k] }));
  if (arms.length === 0 || o.maxSessionEpisodes <= 0) return fc.constant([]);
  return fc.array(fc.oneof(...arms), { maxLength: o.maxSessionEpisodes, size: "max" }).map((episodes) => sortByTime(episodes.flat()));
}

/** Stable sort by time: faults at the same time keep their schedule order. */
export function sortByTime(faults: readonly Fault[]): Fault[] {
  return faults
    .map((f, i) => ({ f, i }))
    .sort((x, y) => x.f.at - y.f.at || x.i - y.i)
    .map(({ f }) => f);
}

/**
 * A raw fault schedule: 0..maxEpisodes episodes, flattened and sorted by time. Host ids are raw
 * (0..maxBrokers-1); fit them to a cluster with fitSchedule before running.
 */
export function rawFaultSchedule(options: FaultArbitraryInput = {}): fc.Arbitrary<Fault[]> {
  const o = faultOptions(options);
  return fc.array(episode(o), { maxLength: o.maxEpisodes, size: "max" }).map((episodes) => sortByTime(episodes.flat()));
}
