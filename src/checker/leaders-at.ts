/**
 * Who believes it leads what at a given instant, replayed from the declarations in the
 * observation log (a crash ends every belief of the host; a pause does not). For tests, probes
 * and timelines that ask "who led partition p at time t?".
 */
import { Obs, type ObservationLog } from "../record/observation-log.ts";

/** Partition -> host that believed it led it at time t (the latest such declaration). */
export function leadersAt(log: ObservationLog, t: number): Map<number, number> {
  const leader = new Map<number, number>();
  for (let i = 0; i < log.length && log.time[i] <= t; i++) {
    const k = log.kind[i];
    const p = log.partition[i];
    const h = log.host[i];
    if (k === Obs.Lead) leader.set(p, h);
    else if ((k === Obs.StepDown || k === Obs.Follow) && leader.get(p) === h) leader.delete(p);
    else if (k === Obs.Crash) for (const [q, owner] of leader) if (owner === h) leader.delete(q);
  }
  return leader;
}

/** The host leading the most partitions at time t (ties: lowest id), with those partitions. */
export function busiestLeader(log: ObservationLog, t: number): { host: number; partitions: number[] } {
  const byHost = new Map<number, number[]>();
  for (const [p, h] of leadersAt(log, t)) byHost.set(h, [...(byHost.get(h) ?? []), p]);
  const ranked = [...byHost.entries()].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]);
  if (ranked.length === 0) return { host: -1, partitions: [] };
  return { host: ranked[0][0], partitions: ranked[0][1].sort((x, y) => x - y) };
}
