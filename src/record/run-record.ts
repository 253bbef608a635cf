/**
 * The run record: everything the checker may judge, and nothing more. The world (src/world/)
 * produces it; the checker (src/checker/) reads it without importing the world or the runner.
 *  - the observation log: declared beliefs, acknowledgements, replica state (append, truncate,
 *    commit), host lifecycle and faults, in time order;
 *  - the client history (invoke / ok / fail / info per producer write);
 *  - counter snapshots of the network and the ZooKeeper model;
 *  - each broker's status at the end.
 */
import type { ClusterView } from "../elector/api.ts";
import type { WindowSeries } from "../sim/window-series.ts";
import type { History } from "./history.ts";
import type { ObservationLog } from "./observation-log.ts";

/** A broker's status at the end of the run. */
export const FinalStatus = { Up: 0, Crashed: 1, Paused: 2 } as const;
export type FinalStatus = (typeof FinalStatus)[keyof typeof FinalStatus];

export interface CoordinatorCounters {
  readonly reads: number;
  readonly writes: number;
  readonly losingCreates: number;
  readonly watchesRegistered: number;
  readonly notifications: number;
  readonly sessionsExpired: number;
  readonly maxQueueLength: number;
  /** Per 1 ms. */
  readonly requestSeries: WindowSeries;
  readonly readSeries: WindowSeries;
  readonly writeSeries: WindowSeries;
}

export interface MessageCounters {
  readonly sent: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly bytes: number;
  readonly byType: Readonly<Record<string, { readonly count: number; readonly bytes: number }>>;
  /** Every message, per 1 ms. */
  readonly all: WindowSeries;
  /** Inbound messages per broker, per 1 ms. */
  readonly inboundPerBroker: readonly WindowSeries[];
}

export interface WorkloadCounters {
  readonly sent: number;
  readonly acknowledged: number;
  readonly rejected: number;
  readonly timedOut: number;
  /** Writes in flight to a broker whose connection was reset (its process crashed). */
  readonly connectionReset: number;
  readonly unsent: number;
}

export interface CounterSnapshot {
  readonly coordinator: CoordinatorCounters;
  readonly messages: MessageCounters;
  readonly workload: WorkloadCounters;
}

/** What the safety grades need: declarations, the client history, the layout and who is up at the end. */
export interface SafetyRecord {
  readonly cluster: ClusterView;
  readonly durationMs: number;
  readonly log: ObservationLog;
  readonly history: History;
  /** FinalStatus per broker. */
  readonly finalStatus: Uint8Array;
}

export interface RunRecord extends SafetyRecord {
  readonly counters: CounterSnapshot;
  /** The coordinator's host id (for naming it in timelines). */
  readonly coordinatorHost: number;
  /** One line per fault of the schedule, by its index (Obs.Fault's a). */
  readonly faultDescriptions: readonly string[];
  /** Hash of every dispatched event and declared belief. */
  readonly traceHash: string;
}
