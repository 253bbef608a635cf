/**
 * Resolves role host names in a fault schedule ("controller", "leader-of-most") to broker
 * numbers. Who leads what depends on the elector and the seed, so each role is found by a probe:
 * the same world (same seed, the faults before it already resolved) run up to just before the
 * fault's time, then read the beliefs the brokers declared. Runs are pure functions of their
 * config, so the probe sees exactly what the real run will see at that instant.
 *
 * - "leader-of-most": the broker that believes it leads the most partitions (ties: lowest id);
 * - "controller": the live broker that declared itself controller most recently (highest
 *   epoch); designs without a controller fall back to "leader-of-most", so a "controller crash"
 *   row still crashes the busiest leader.
 * With no leader at all, broker 0.
 */
import type { Fault, HostRef } from "../sim/faults.ts";
import { HostStatus } from "../sim/kernel.ts";
import { Obs } from "../world/observation-log.ts";
import { World } from "../world/world.ts";
import type { WorldConfig } from "../world/world-config.ts";
import type { FaultSpec, HostRole, ScenarioHostRef } from "../scenario/schema.ts";

/** Just before the fault: the probe stops here so the fault's own instant is not half-run. */
const PROBE_GAP_MS = 1e-6;

export function hasRoles(faults: readonly FaultSpec[]): boolean {
  return faults.some((f) => faultRefs(f).some((r) => typeof r === "string" && r !== "zk"));
}

function faultRefs(f: FaultSpec): (ScenarioHostRef | undefined)[] {
  switch (f.type) {
    case "crash":
    case "restart":
    case "pause":
    case "isolate":
    case "shutdown":
      return [f.host];
    case "cut":
    case "clog":
    case "link":
      return [f.from, f.to];
    case "partition":
      return f.groups.flat();
    case "heal":
      return [];
  }
}

export interface RoleResolution {
  readonly faults: Fault[];
  /** Simulated events spent in probes. */
  readonly probeEvents: number;
  /** What each role became: "faults[2].host: controller -> 3". */
  readonly notes: string[];
}

/** Resolves every role in `faults` (in schedule order); plain schedules pass through unchanged. */
export function resolveRoles(base: Omit<WorldConfig<unknown>, "faults">, faults: readonly FaultSpec[]): RoleResolution {
  const out: Fault[] = [];
  const notes: string[] = [];
  let probeEvents = 0;
  // Faults apply in time order (ties in schedule order); resolve in that order so a probe only
  // needs the faults before it.
  const order = faults.map((_, i) => i).sort((a, b) => faults[a].at - faults[b].at || a - b);
  const resolved: (Fault | undefined)[] = new Array(faults.length).fill(undefined);
  for (const i of order) {
    const f = faults[i];
    const refs = faultRefs(f);
    if (!refs.some((r) => typeof r === "string" && r !== "zk")) {
      resolved[i] = f as Fault;
      continue;
    }
    const before = order.filter((j) => resolved[j] !== undefined).map((j) => resolved[j]!);
    const probe = new World({ ...base, faults: before, durationMs: Math.max(0, f.at - PROBE_GAP_MS) });
    probe.start();
    probe.run();
    probeEvents += probe.kernel.eventsProcessed;
    const cache = new Map<HostRole, number>();
    const role = (r: HostRole): number => {
      let h = cache.get(r);
      if (h === undefined) {
        h = r === "controller" ? currentController(probe) ?? leaderOfMost(probe) : leaderOfMost(probe);
        cache.set(r, h);
        notes.push(`faults[${i}]: ${r} at ${f.at} ms -> broker ${h}`);
      }
      return h;
    };
    const map = (r: ScenarioHostRef): HostRef => (r === "controller" || r === "leader-of-most" ? role(r) : r);
    resolved[i] = mapHosts(f, map);
  }
  for (const f of resolved) out.push(f!);
  return { faults: out, probeEvents, notes };
}

function mapHosts(f: FaultSpec, map: (r: ScenarioHostRef) => HostRef): Fault {
  switch (f.type) {
    case "crash":
    case "restart":
    case "isolate":
    case "shutdown":
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
