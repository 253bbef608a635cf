/**
 * What the protocol core asks of its host: the time, queued messages, group deadlines, the
 * relations that keep a host pair's connection pinged, and the observer for declarations. The
 * core never touches timers, frames or connections itself (etcd's raft shape: the core queues,
 * the host delivers).
 */
import type { HostId, Observer } from "../../src/elector/api.ts";

export interface CorePort {
  now(): number;
  /** An epoch or the log changed (durable): messages queued from now on wait for the host's fsync. */
  durableChanged?(): void;
  /**
   * The leader appended a proposal to its log. True: the host flushes it (fsync) after this
   * event's frames leave and calls the core's leaderLogSynced() when done; the leader's own ACK
   * waits for that. False (no disk model): the append counts as logged at once.
   */
  leaderLogged?(): boolean;
  readonly observer: Observer;
  /** Queues a group message of `type` (messages.ts) to host `to`: partition first, then fields. */
  emit2(to: HostId, type: number, p: number, a: number): void;
  emit3(to: HostId, type: number, p: number, a: number, b: number): void;
  emit4(to: HostId, type: number, p: number, a: number, b: number, c: number): void;
  emit6(to: HostId, type: number, p: number, a: number, b: number, c: number, d: number, e: number): void;
  /** Sets group g's one deadline (replacing any other); the core's onDeadline(g) runs at or after it. */
  schedule(g: number, atMs: number): void;
  cancel(g: number): void;
  /** This host now leads or follows a group with host h (h is pinged and watched for liveness). */
  relationUp(h: HostId): void;
  relationDown(h: HostId): void;
}
