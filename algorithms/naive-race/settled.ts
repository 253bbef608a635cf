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
import type { ClusterView, HostId, SettledChoice, SettledCoordinator } from "../../src/elector/api.ts";
import type { NaiveRaceOptions } from "./options.ts";

export interface NaiveRaceSettled {
  /** Per partition: its leader and the czxid of its leader znode (the epoch). */
  readonly leaders: Int32Array;
  readonly epochs: Float64Array;
  /**
   * The same regrouped by host: host h's partitions' leaders and epochs in the order of
   * partitionsOf(h), for the host to keep as its own arrays (undefined once taken: takeShare).
   */
  readonly shares: (HostShare | undefined)[];
}

export interface HostShare {
  readonly leaders: Int32Array;
  readonly epochs: Float64Array;
}

export function settleNaiveRace(cluster: ClusterView, o: NaiveRaceOptions, zk: SettledCoordinator, choice: SettledChoice | undefined, root: string): NaiveRaceSettled {
  const leaders = choice?.leaders ?? preferredLeaders(cluster);
  zk.openSessions(o.sessionTimeoutMs);
  zk.create(root, null, -1);
  const n = cluster.partitions;
  const epochs = new Float64Array(n);
  // One data value per leader: a znode's data stands for its bytes and is never changed in place
  // (tree.ts), so the million leader znodes share their brokers' hundred `{ leader }` values,
  // given by owner (no array of a million references).
  const byOwner = Array.from({ length: cluster.brokers }, (_, leader) => ({ leader }));
  // /leaders/<p> for every p in order, each followed by its replicas' data watches in replica
  // order: as a family (createEphemeralNumbered), which the coordinator keeps as arrays until the
  // run touches a partition's znode (at 1M partitions: 1M znodes and 3M + 3M watch entries,
  // docs/performance.md, stop 32). Replica j of p is assignment[p * rf + j] (ClusterView).
  const first = zk.createEphemeralNumbered(root, { byOwner }, leaders, { perMember: cluster.replicationFactor, hosts: cluster.assignment });
  for (let p = 0; p < n; p++) epochs[p] = first + p;
  return settledState(cluster, leaders, epochs);
}

/**
 * A settled state with its per-host shares. Why regrouped here: a host reading leaders[p] and
 * epochs[p] for its own partitions strides over both (12 MiB at 1M partitions) once per host, a
 * cache miss a read (6M at 1M; docs/performance.md, stop 32), where one pass in partition order,
 * replica by replica (the order ClusterModel lists each host's partitions in), writes every host's
 * share front to back.
 */
export function settledState(cluster: ClusterView, leaders: Int32Array, epochs: Float64Array): NaiveRaceSettled {
  const rf = cluster.replicationFactor;
  const assignment = cluster.assignment;
  const shares: HostShare[] = [];
  for (let h = 0; h < cluster.brokers; h++) {
    const count = cluster.partitionsOf(h).length;
    shares.push({ leaders: new Int32Array(count), epochs: new Float64Array(count) });
  }
  const next = new Int32Array(cluster.brokers);
  for (let p = 0; p < cluster.partitions; p++) {
    const l = leaders[p];
    const e = epochs[p];
    for (let j = 0; j < rf; j++) {
      const h = assignment[p * rf + j];
      const k = next[h]++;
      shares[h].leaders[k] = l;
      shares[h].epochs[k] = e;
    }
  }
  return { leaders, epochs, shares };
}

/**
 * Host `host`'s share, handed out once: the host keeps and changes these arrays. An instance given
 * the same settled state again (a test) gets a gathered copy of its own.
 */
export function takeShare(s: NaiveRaceSettled, cluster: ClusterView, host: HostId): HostShare {
  const share = s.shares[host];
  if (share !== undefined) {
    s.shares[host] = undefined;
    return share;
  }
  const partitions = cluster.partitionsOf(host);
  const own = { leaders: new Int32Array(partitions.length), epochs: new Float64Array(partitions.length) };
  for (let i = 0; i < partitions.length; i++) {
    own.leaders[i] = s.leaders[partitions[i]];
    own.epochs[i] = s.epochs[partitions[i]];
  }
  return own;
}

/** Each partition's preferred replica (the first in its assignment), in a plain loop (Int32Array.from with a callback costs a call per partition). */
function preferredLeaders(cluster: ClusterView): Int32Array {
  const leaders = new Int32Array(cluster.partitions);
  const rf = cluster.replicationFactor;
  const assignment = cluster.assignment;
  for (let p = 0; p < leaders.length; p++) leaders[p] = assignment[p * rf];
  return leaders;
}
