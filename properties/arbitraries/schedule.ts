/**
 * Turning a raw generated schedule into the one a run gets: fit host ids to the cluster, then
 * append the recovery phase (heal, restart every host that is down, links back to the run's
 * normal) after the last fault has run its course, so liveness can be judged after the elector's
 * quiet period.
 */
import type { Fault, HostRef } from "../../src/sim/faults.ts";
import { DEFAULT_LINK, type LinkSettings } from "../../src/sim/network.ts";
import { DEFAULT_STEP_MS } from "./time.ts";

function fitHost(h: HostRef, brokers: number): HostRef {
  return h === "zk" ? h : h % brokers;
}

/**
 * Maps raw broker ids (0..maxBrokers-1) onto the cluster's brokers (id mod brokers): every host
 * named is in range. Partition groups lose duplicates (a host stays in the first group naming it)
 * and empty groups; a cut or clog of a host to itself (after fitting) is dropped.
 */
export function fitSchedule(faults: readonly Fault[], brokers: number): Fault[] {
  const out: Fault[] = [];
  for (const f of faults) {
    switch (f.type) {
      case "crash":
      case "restart":
      case "isolate":
      case "shutdown":
      case "expireSession":
      case "closeSession":
        out.push({ ...f, host: fitHost(f.host, brokers) });
        break;
      case "pause":
      case "clockJump":
      case "clockDrift":
      case "slowDisk":
        out.push({ ...f, host: fitHost(f.host, brokers) });
        break;
      case "cut":
      case "clog": {
        const from = fitHost(f.from, brokers);
        const to = fitHost(f.to, brokers);
        if (from !== to) out.push({ ...f, from, to });
        break;
      }
      case "link":
        out.push({
          ...f,
          ...(f.from !== undefined ? { from: fitHost(f.from, brokers) } : {}),
          ...(f.to !== undefined ? { to: fitHost(f.to, brokers) } : {}),
        });
        break;
      case "partition": {
        const seen = new Set<HostRef>();
        const groups: HostRef[][] = [];
        for (const g of f.groups) {
          const group: HostRef[] = [];
          for (const raw of g) {
            const h = fitHost(raw, brokers);
            if (!seen.has(h)) {
              seen.add(h);
              group.push(h);
            }
          }
          if (group.length > 0) groups.push(group);
        }
        if (groups.length > 0) out.push({ ...f, groups });
        break;
      }
      case "heal":
        out.push(f);
        break;
    }
  }
  return out;
}

/** When the last fault has run its course: the latest start, pause or clog end, clock drift or slow disk end. */
export function scheduleEnd(faults: readonly Fault[]): number {
  let end = 0;
  for (const f of faults) {
    const until =
      f.type === "pause" || f.type === "clog" ? f.at + f.for : f.type === "clockDrift" || f.type === "slowDisk" ? f.at + f.forMs : f.at;
    if (until > end) end = until;
  }
  return end;
}

/** Hosts that are down (crashed, or stopped by a controlled shutdown) once the schedule has run: zk first, then brokers. */
export function hostsDownAfter(faults: readonly Fault[]): HostRef[] {
  const down = new Set<HostRef>();
  for (const f of faults) {
    if (f.type === "crash" || f.type === "shutdown") down.add(f.host);
    else if (f.type === "restart") down.delete(f.host);
  }
  const brokers = [...down].filter((h): h is number => h !== "zk").sort((a, b) => a - b);
  return down.has("zk") ? ["zk", ...brokers] : brokers;
}

/**
 * Brokers whose ZooKeeper client closed its own session (closeSession) and that have not crashed
 * or shut down since: they run on without a session, and nothing in them opens a new one.
 */
export function sessionClosedAfter(faults: readonly Fault[]): number[] {
  const closed = new Set<number>();
  for (const f of faults) {
    if (f.type === "closeSession" && f.host !== "zk") closed.add(f.host);
    else if ((f.type === "crash" || f.type === "shutdown") && f.host !== "zk") closed.delete(f.host);
  }
  return [...closed].sort((a, b) => a - b);
}

/**
 * Brokers asked for a controlled shutdown and not crashed since. A controlled shutdown is a process
 * the elector runs (kafka-controller asks the controller to move its leaderships and retries up to
 * controlled.shutdown.max.retries times, each after a request timeout), not an instant: when the
 * schedule ends such a broker may still be shutting down, may have stopped only after a restart that
 * came too early (the restart found it up and did nothing), or may be up again. The recovery phase
 * crashes and restarts each of them, as an operator would, so every one is up afterwards.
 */
export function shutdownPendingAfter(faults: readonly Fault[]): number[] {
  const pending = new Set<number>();
  for (const f of faults) {
    if (f.type === "shutdown" && f.host !== "zk") pending.add(f.host);
    else if (f.type === "crash" && f.host !== "zk") pending.delete(f.host);
  }
  return [...pending].sort((a, b) => a - b);
}

export interface Recovery {
  /** When the recovery phase runs: `earliestMs`, or one grid step after the last fault has run its course if later. */
  readonly at: number;
  readonly faults: readonly Fault[];
}

/**
 * The recovery phase, at `earliestMs` or once the last fault has run its course (faults that
 * nothing undid persist until then): heal every partition, cut and isolation; set every link back to the run's
 * normal settings; restart every host that is down (the coordinator first); crash and restart every broker
 * whose client closed its own session (an operator restarting it: sessionClosedAfter) or that was asked for a
 * controlled shutdown and not crashed since (shutdownPendingAfter). After it every host is up
 * with a session to come (pauses and clogs, clock drifts and slow disks have ended by `at`) and the network is
 * whole. A clock jump is not undone: a clock that was stepped stays stepped.
 */
export function recoveryPhase(
  faults: readonly Fault[],
  network: Partial<LinkSettings> | undefined,
  earliestMs = 0,
  stepMs: number = DEFAULT_STEP_MS,
): Recovery {
  const at = Math.max(earliestMs, (Math.ceil(scheduleEnd(faults) / stepMs) + 1) * stepMs);
  const normal = { ...DEFAULT_LINK, ...network };
  const changesLinks = faults.some((f) => f.type === "link");
  const out: Fault[] = [{ at, type: "heal" }];
  if (changesLinks) out.push({ at, type: "link", loss: normal.loss, duplicate: normal.duplicate, delay: normal.delay });
  // Crashed and restarted: brokers without a session of their own, and brokers whose controlled
  // shutdown may not have run its course (a plain restart of a broker still up does nothing).
  const hard = [...new Set([...sessionClosedAfter(faults), ...shutdownPendingAfter(faults)])].sort((a, b) => a - b);
  for (const host of hostsDownAfter(faults)) if (host === "zk" || !hard.includes(host)) out.push({ at, type: "restart", host });
  for (const host of hard) out.push({ at, type: "crash", host }, { at, type: "restart", host });
  return { at, faults: out };
}
