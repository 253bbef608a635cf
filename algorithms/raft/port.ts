/**
 * What the Raft core needs from the host layer around it — and nothing else. The core never
 * touches the kernel, timers or the network: it emits messages and declarations here, and tells
 * the host when a group's deadline moved. The host delivers each output as it is produced, so the
 * order of messages and declarations is the order in which the rules produced them.
 *
 * Everything about coalesced heartbeats (generations, host-level liveness, parked groups) is the
 * host's; the core sees it only through the questions below.
 */
import type { HostId, HostRandom, Message, Observer } from "../../src/elector/api.ts";

export interface RaftPort {
  now(): number;
  readonly random: HostRandom;
  /** Declarations: lead / follow / step down, acknowledgements, replica state. */
  readonly observer: Observer;
  send(to: HostId, message: Message, bytes: number): void;
  /** Term, vote or log changed (Figure 2's persistent state): messages sent from now on wait for its fsync. */
  durableChanged?(): void;
  /**
   * The leader appended an entry to its own log. True: the host flushes it (fsync) without
   * holding the step's messages, and calls the core's leaderLogFlushed() when done; only then
   * does the leader count itself as storing the entry (etcd sends MsgApp in parallel with its own
   * WAL save, thesis §10.2.1). False (no disk model): it counts at once.
   */
  leaderLogged?(): boolean;

  /** Group g's deadline may have moved earlier: make sure it is visited by then (unless parked). */
  deadlineEarlier(g: number): void;
  /** Group g got a deadline: if it waits nowhere, link it (a deadline that moved later needs nothing). */
  deadlineSet(g: number): void;
  /** Group g waits in no list (a coalesced leader with nothing to send). */
  waitsNowhere(g: number): boolean;

  /** Group g's known leader changed: whatever the host knew of the old leader's assertions no longer applies. */
  leaderChanged(g: number): void;
  /** The leader of group g asserted its leadership in a message stamped with generation `gen` (coalesced). */
  leaderAsserted(g: number, gen: number): void;

  /** The leadership generation this host stamps on leader messages to host h (coalesced; 0 otherwise). */
  generationTowards(h: HostId): number;
  /** Host h has been silent for a minimum election timeout (host-level activity, check-quorum). */
  peerSilent(h: HostId): boolean;
  /** Coalesced: host l's host-level heartbeat, at the generation group g holds for it, arrived after `since`. */
  leaderHostHeardSince(g: number, l: HostId, since: number): boolean;
  /** Group g's currentTerm rose (a deposed leader of g may need to hear of it, coalesced). */
  termRaised(g: number): void;
  /** This host started (or stopped) leading group g: its peers' view of our leadership changes. */
  leadershipStarted(g: number): void;
  leadershipEnded(g: number): void;
}
