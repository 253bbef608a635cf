/**
 * "How long until every partition a faulted broker led has a new leader": the one failover
 * figure live mode and the simulator both compute, from the same observation log (a simulated
 * run's, or the one live mode records on real time), so `bench:parity` compares like with like.
 *
 * Affected partitions: those whose latest Lead/StepDown/Follow declaration by `host` before
 * `at` was Lead. A partition is handed over at the first Lead declaration by another host after
 * `at`. Watch notifications and campaigns are counted from `at` on.
 */
import { Obs, type ObservationLog } from "../record/observation-log.ts";

export interface Handover {
  /** Partitions the host led when the fault hit. */
  readonly affected: number;
  /** Of those, partitions another host declared leadership of after the fault. */
  readonly handedOver: number;
  /** Time from the fault until the last affected partition had a new leader; NaN if some never did. */
  readonly allMs: number;
  /** Median over the affected partitions that were handed over (NaN if none). */
  readonly p50Ms: number;
  /** Watch notifications that reached brokers after the fault. */
  readonly watchNotifications: number;
  /** Competing attempts (Campaign declarations) after the fault. */
  readonly campaigns: number;
  /** Per handed-over partition, the time to its new leader (ms), ascending. */
  readonly samplesMs: readonly number[];
}

export function handoverAfter(log: ObservationLog, host: number, at: number): Handover {
  const led = new Map<number, boolean>();
  let i = 0;
  for (; i < log.length && log.time[i] < at; i++) {
    if (log.host[i] !== host) continue;
    const k = log.kind[i];
    if (k === Obs.Lead) led.set(log.partition[i], true);
    else if (k === Obs.StepDown || k === Obs.Follow) led.set(log.partition[i], false);
  }
  const affected = new Set<number>();
  for (const [p, leads] of led) if (leads) affected.add(p);
  const newLeaderAt = new Map<number, number>();
  let watchNotifications = 0;
  let campaigns = 0;
  for (; i < log.length; i++) {
    const k = log.kind[i];
    if (k === Obs.WatchFired) watchNotifications++;
    else if (k === Obs.Campaign) campaigns++;
    else if (k === Obs.Lead && log.host[i] !== host) {
      const p = log.partition[i];
      if (affected.has(p) && !newLeaderAt.has(p)) newLeaderAt.set(p, log.time[i] - at);
    }
  }
  const times = [...newLeaderAt.values()].sort((a, b) => a - b);
  return {
    affected: affected.size,
    handedOver: times.length,
    allMs: affected.size > 0 && times.length === affected.size ? times[times.length - 1] : Number.NaN,
    p50Ms: times.length > 0 ? times[Math.floor((times.length - 1) / 2)] : Number.NaN,
    watchNotifications,
    campaigns,
    samplesMs: times,
  };
}
