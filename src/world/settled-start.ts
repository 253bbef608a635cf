/**
 * Settled start (issue 15): a world that begins as a quiet cold start would have left it — every
 * partition led, every replica following, the coordinator's znodes, sessions and watches in place —
 * built directly by the elector's `settle` instead of simulated, as a real cluster restored from a
 * ZooKeeper snapshot would be. Time starts at 0 with that state; the workload and faults run as
 * in a cold start. Electors without `settle` start cold and the world says why (`startNote`).
 *
 * Who leads is the elector's to say (ElectorDefinition.settle); a test passes a cold start's own
 * outcome instead (settled-start.test.ts).
 */
import type { ElectorDefinition } from "../elector/api.ts";
import type { WorldConfig } from "./world-config.ts";

export type StartMode = "cold" | "settled";

/** Why a config asking for a settled start starts cold instead; undefined when it can start settled. */
export function coldBecause(config: WorldConfig<unknown>): string | undefined {
  const definition = config.elector as ElectorDefinition<unknown>;
  if (definition.settle === undefined) return `${definition.name} provides no settled state (ElectorDefinition.settle): started cold`;
  if (config.hostOptions !== undefined && Object.keys(config.hostOptions).length > 0) {
    return "per-host options: a settled state is built for one option set; started cold";
  }
  return undefined;
}
