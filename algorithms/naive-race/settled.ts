/**
 * Settled start (lab addition, issue 15): the naive race as a quiet start leaves it, built directly.
 *
 * After a quiet start every broker holds a session; /leaders exists (persistent, data null); each
 * /leaders/<p> is the ephemeral znode of its leader's session holding {leader}, and its czxid is the
 * partition's epoch; every replica of p holds a data watch on it (the losers re-read after their
 * create failed; the winner re-read when its own exists watch saw the node created); the winner
 * leads in that epoch and the others follow it; logs are empty (no write yet). Zxids here follow
 * partition order, where a real race assigns them in the order the creates arrived.
 *
 * Who won each race is an outcome of network timing; without a given choice the preferred replica
 * (the first in the assignment) is taken to have won, which spreads leadership evenly as a
 * balanced race would.
 */
import type { ClusterView, SettledChoice, SettledCoordinator } from "../../src/elector/api.ts";
import type { NaiveRaceOptions } from "./options.ts";

export interface NaiveRaceSettled {
  /** Per host, in the order of its partitions: each partition's leader (ClusterView.valuesByHost). */
  readonly leadersByHost: readonly Int32Array[];
  /** Partition p's epoch, the czxid of its leader znode, is firstEpoch + p (the znodes were created in partition order). */
  readonly firstEpoch: number;
}

export function settleNaiveRace(cluster: ClusterView, o: NaiveRaceOptions, zk: SettledCoordinator, choice: SettledChoice | undefined, root: string): NaiveRaceSettled {
  const leaders = choice?.leaders ?? cluster.preferredLeaders();
  zk.openSessions(o.sessionTimeoutMs);
  zk.create(root, null, -1);
  // One data value per leader: a znode's data stands for its bytes and is never changed in place
  // (tree.ts), so the million leader znodes share their brokers' hundred `{ leader }` values,
  // given by owner (no array of a million references).
  const byOwner = Array.from({ length: cluster.brokers }, (_, leader) => ({ leader }));
  // /leaders/<p> for every p in order, each followed by its replicas' data watches in replica
  // order: as a family (createEphemeralNumbered), which the coordinator keeps as arrays until the
  // run touches a partition's znode (at 1M partitions: 1M znodes and 3M + 3M watch entries,
  // docs/performance.md, stop 32). Replica j of p is assignment[p * rf + j] (ClusterView).
  const firstEpoch = zk.createEphemeralNumbered(root, { byOwner }, leaders, { perMember: cluster.replicationFactor, hosts: cluster.assignment });
  return { leadersByHost: cluster.valuesByHost(leaders), firstEpoch };
}
