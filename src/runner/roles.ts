/**
 * Resolves role host names in a fault schedule ("controller", "leader-of-most") to broker
 * numbers. Who leads what depends on the elector and the seed, so each role is found by a probe:
 * the same world (same seed, the faults before it already resolved) run up to just before the
 * first fault that names the role, then read the beliefs the brokers declared. Runs are pure
 * functions of their config, so the probe sees exactly what the real run will see at that
 * instant. A role names one broker for the whole run (a flapping link or a crash followed by a
 * restart hits the same broker each time).
 *
 * - "leader-of-most": the broker that believes it leads the most partitions (ties: lowest id);
 * - "controller": the live broker that declared itself controller most recently (highest
 *   epoch); designs without a controller fall back to "leader-of-most", so a "controller crash"
 *   row still crashes the busiest leader.
 * With no leader at all, broker 0. A settled start (src/world/settled-start.ts) with no earlier
 * fault reads the roles from the settled state itself, without a probe run.
 */
import { faultHosts, type Fault, type HostRef } from "../sim/faults.ts";
import { HostStatus } from "../sim/kernel.ts";
import { Obs } from "../record/observation-log.ts";
import { World } from "../world/world.ts";
import type { WorldConfig } from "../world/world-config.ts";
import type { FaultSpec, HostRole, ScenarioHostRef, TimedFaultSpec } from "../scenario/schema.ts";

/** Just before the fault: the probe stops here so the fault's own instant is not half-run. */
const PROBE_GAP_MS = 1e-6;

export function hasRoles(faults: readonly FaultSpec[]): boolean {
  // faultHosts reads only the host fields, so a ranged time does not matter here.
  return faults.some((f) => faultHosts<ScenarioHostRef>(f as unknown as Fault<ScenarioHostRef>).some((r) => typeof r === "string" && r !== "zk"));
}

export interface RoleResolution {
  readonly faults: Fault[];
  /**
   * A settled start whose roles were read from the settled state: that world, begun and without
   * faults, for the run to reuse (World.scheduleFaults) instead of building the settled state again.
   */
  readonly world?: World;
  /** Simulated events spent in probes. */
  readonly probeEvents: number;
  /** What each role became: "controller = broker 3 (at 10000 ms, before faults[0])". */
  readonly notes: string[];
}

/** Resolves every role in `faults` (in schedule order); plain schedules pass through unchanged. */
export function resolveRoles(base: Omit<WorldConfig<unknown>, "faults">, faults: readonly TimedFaultSpec[]): RoleResolution {
  const notes: string[] = [];
  let probeEvents = 0;
  // Faults apply in time order (ties in schedule order). A role names one broker for the whole
  // run, chosen just before the first fault that uses it; the probe needs only earlier faults.
  const order = faults.map((_, i) => i).sort((a, b) => faults[a].at - faults[b].at || a - b);
  const resolved: (Fault | undefined)[] = new Array(faults.length).fill(undefined);
  const chosen = new Map<HostRole, number>();
  let reusable: World | undefined;
  for (const i of order) {
    const f = faults[i];
    const roles = faultHosts<ScenarioHostRef>(f).filter((r): r is HostRole => r === "controller" || r === "leader-of-most");
    const missing = [...new Set(roles)].filter((r) => !chosen.has(r));
    if (missing.length > 0) {
      const before = order.filter((j) => resolved[j] !== undefined).map((j) => resolved[j]!);
      // A settled start with no earlier fault: the roles are the settled state's (it stays settled
      // until a fault), read at 0 ms without running; the run then reuses that world.
      const settledProbe = base.start === "settled" && before.length === 0;
      const probe = new World({ ...base, faults: before, durationMs: settledProbe ? base.durationMs : Math.max(0, f.at - PROBE_GAP_MS) });
      if (settledProbe) probe.begin();
      else probe.start();
      const fromSettled = settledProbe && probe.startedAs === "settled";
      if (fromSettled) reusable = probe;
      else if (settledProbe) probe.kernel.runUntil(Math.max(0, f.at - PROBE_GAP_MS)); // started cold after all
      else probe.run();
      probeEvents += probe.kernel.eventsProcessed;
      for (const r of missing) {
        const h = r === "controller" ? (currentController(probe) ?? leaderOfMost(probe)) : leaderOfMost(probe);
        chosen.set(r, h);
        notes.push(`${r} = broker ${h} (${fromSettled ? "from the settled state" : `at ${f.at} ms`}, before faults[${i}])`);
      }
    }
    const map = (r: ScenarioHostRef): HostRef => (r === "controller" || r === "leader-of-most" ? chosen.get(r)! : r);
    resolved[i] = mapHosts(f, map);
  }
  return { faults: resolved.map((f) => f!), probeEvents, notes, ...(reusable !== undefined ? { world: reusable } : {}) };
}

function mapHosts(f: TimedFaultSpec, map: (r: ScenarioHostRef) => HostRef): Fault {
  switch (f.type) {
    case "crash":
    case "restart":
    case "isolate":
    case "shutdown":
    case "expireSession":
    case "closeSession":
      return { ...f, host: map(f.host) };
    case "clockJump":
    case "clockDrift":
    case "slowDisk":
      return { ...f, host: map(f.host) };
    case "pause":
      return { ...f, host: map(f.host) };
    case "cut":
      return { ...f, from: map(f.from), to: map(f.to) };
    case "clog":
      return { ...f, from: map(f.from), to: map(f.to) };
    case "link": {
      const { from, to, ...rest } = f;
      return {
        ...rest,
        ...(from !== undefined ? { from: map(from) } : {}),
        ...(to !== undefined ? { to: map(to) } : {}),
      };
    }
    case "partition":
      return { ...f, groups: f.groups.map((g) => g.map(map)) };
    case "heal":
      return f;
  }
}

/** The broker believing it leads the most partitions (ties: lowest id); 0 if nobody leads. */
export function leaderOfMost(world: World): number {
  const { cluster, beliefs } = world;
  const rf = cluster.replicationFactor;
  const counts = new Int32Array(cluster.brokers);
  for (let slot = 0; slot < cluster.assignment.length; slot++) {
    const h = cluster.assignment[slot];
    if (beliefs.leader[slot] === h) counts[h]++;
  }
  void rf;
  let best = 0;
  for (let h = 1; h < counts.length; h++) if (counts[h] > counts[best]) best = h;
  return best;
}

/** The live broker that most recently declared itself controller (highest epoch), if any. */
export function currentController(world: World): number | undefined {
  const log = world.log;
  const epoch = new Map<number, number>();
  for (let i = 0; i < log.length; i++) {
    const k = log.kind[i];
    const h = log.host[i];
    if (k === Obs.Controller) epoch.set(h, log.a[i]);
    else if (k === Obs.ControllerResigned || k === Obs.Crash || k === Obs.ShutdownComplete) epoch.delete(h);
  }
  let best: number | undefined;
  for (const [h, e] of epoch) {
    if (h >= world.cluster.brokers || world.kernel.hostStatus(h) === HostStatus.Crashed) continue;
    if (best === undefined || e > epoch.get(best)! || (e === epoch.get(best)! && h < best)) best = h;
  }
  return best;
}
