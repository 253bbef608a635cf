/**
 * A whole property-test scenario: the world's seed, a small cluster, the network's normal
 * settings and a fault schedule fitted to the cluster (without the recovery phase, which the
 * property appends — see schedule.ts). The parts are generated independently and combined by a
 * plain map, so each one shrinks on its own: fewer brokers and partitions, fewer and shorter faults.
 */
import fc from "fast-check";
import type { ClusterSpec } from "../../src/cluster/cluster-model.ts";
import type { Fault } from "../../src/sim/faults.ts";
import type { LinkSettings } from "../../src/sim/network.ts";
import { clusterSpec, DEFAULT_CLUSTER, type ClusterArbitraryOptions } from "./cluster.ts";
import { faultOptions, hostFaultSchedule, recoveryTime, rawFaultSchedule, sessionFaultSchedule, sortByTime, type FaultArbitraryInput } from "./faults.ts";
import { networkSettings, type NetworkArbitraryOptions } from "./network.ts";
import { fitSchedule } from "./schedule.ts";

export interface PropertyScenario {
  /** The world's seed (network delays, replica placement, host random streams). */
  readonly seed: number;
  readonly cluster: ClusterSpec;
  /** Every link's normal settings; undefined for the lab's default link. */
  readonly network?: Partial<LinkSettings>;
  /** Sorted by time, hosts within the cluster; the recovery phase is not included. */
  readonly faults: readonly Fault[];
  /** The recovery phase runs at this time, or once the last pause or clog is over if later. */
  readonly recoveryAtMs: number;
}

export interface ScenarioArbitraryOptions {
  readonly cluster?: Partial<ClusterArbitraryOptions>;
  /** false: always the lab's default link. */
  readonly network?: Partial<NetworkArbitraryOptions> | false;
  /** maxBrokers is taken from the cluster options. */
  readonly faults?: Omit<FaultArbitraryInput, "maxBrokers">;
}

/** The world's seed: any 31-bit integer, never shrunk (a different seed is a different world, not a simpler one). */
export function worldSeed(): fc.Arbitrary<number> {
  return fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff }));
}

export function scenario(options: ScenarioArbitraryOptions = {}): fc.Arbitrary<PropertyScenario> {
  const clusterOptions = { ...DEFAULT_CLUSTER, ...options.cluster };
  const faultInput = { ...options.faults, maxBrokers: clusterOptions.maxBrokers };
  const network: fc.Arbitrary<Partial<LinkSettings> | undefined> =
    options.network === false ? fc.constant(undefined) : networkSettings(options.network);
  return fc
    .record({
      seed: worldSeed(),
      cluster: clusterSpec(clusterOptions),
      network,
      faults: rawFaultSchedule(faultInput),
      recoveryAtMs: recoveryTime(faultOptions(faultInput)),
      // Last: drawn after everything else, so the values above are what they were before clock
      // and disk faults existed.
      hostFaults: hostFaultSchedule(faultInput),
      // After those, for the same reason: session faults came later still.
      sessionFaults: sessionFaultSchedule(faultInput),
    })
    .map(({ seed, cluster, network, faults, recoveryAtMs, hostFaults, sessionFaults }): PropertyScenario => {
      const extra = [...hostFaults, ...sessionFaults];
      return {
        seed,
        cluster,
        ...(network !== undefined ? { network } : {}),
        faults: fitSchedule(extra.length === 0 ? faults : sortByTime([...faults, ...extra]), cluster.brokers),
        recoveryAtMs,
      };
    });
}
