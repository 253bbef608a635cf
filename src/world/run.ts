/**
 * Runs one world to its end. A pure function of the config (and its seed): the same config gives
 * the same observation log and trace hash, whatever ran before in the process.
 */
import type { ClusterModel } from "../cluster/cluster-model.ts";
import type { Kernel } from "../sim/kernel.ts";
import type { Network } from "../sim/network.ts";
import type { ObservationLog } from "../record/observation-log.ts";
import { World } from "./world.ts";
import type { WorldConfig } from "./world-config.ts";

export interface WorldOutcome {
  readonly world: World;
  readonly config: WorldConfig<unknown>;
  readonly log: ObservationLog;
  readonly kernel: Kernel;
  readonly network: Network;
  readonly cluster: ClusterModel;
  /** Hash of every dispatched event and declared belief. */
  readonly traceHash: string;
}

export function runWorld<Options>(config: WorldConfig<Options>): WorldOutcome {
  const world = new World(config as WorldConfig<unknown>);
  world.start();
  world.run();
  return {
    world,
    config: config as WorldConfig<unknown>,
    log: world.log,
    kernel: world.kernel,
    network: world.network,
    cluster: world.cluster,
    traceHash: world.kernel.traceHash(),
  };
}
