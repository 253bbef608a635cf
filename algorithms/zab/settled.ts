/**
 * Settled start (lab addition, issue 15): a Zab group as a quiet start leaves it, built directly.
 *
 * After a quiet start every peer of a group ran one Fast Leader Election round (logicalclock 1),
 * voting for the leader with (zxid 0, epoch 0); the leader proposed epoch max(acceptedEpoch) + 1 = 1
 * (getEpochToPropose), every learner accepted it (acceptedEpoch = currentEpoch = 1), got NEWLEADER
 * with an empty history and ACKed it, and the leader is established (LEADING: every learner
 * connected, synced and acked) and the learners are FOLLOWING. Each leader-follower relation keeps
 * the host pair pinged. Election scratch (recvset, out-of-election votes) is cleared, no group
 * deadline is pending. Only a first election's epoch (1) can be settled: a quiet start has no other.
 * Who leads is determined: FLE orders equal (epoch, zxid) votes by server id, so the replica with
 * the highest id wins (a given choice may name others, but only a cold start's own is tested).
 */
import type { ClusterView, Observer, SettledChoice } from "../../src/elector/api.ts";
import type { ZabDurable } from "./durable-state.ts";
import { F_DECLARED_FOLLOW, F_DECLARED_LEAD, S_F_BROADCAST, S_L_BROADCAST, type GroupTable } from "./group-table.ts";

export interface ZabSettled {
  /**
   * Per partition: its leader (epoch 1 for all); undefined for a quiet start's own outcome, each
   * group's highest replica id, which every host reads from its own replica lists (layout.ts) in
   * group order. Why: a per-partition table read host by host jumps ~33 partitions a group, a cache
   * miss per group once the table outgrows the caches (4 MiB at 1M partitions, read by 100 hosts).
   */
  readonly leaders: Int32Array | undefined;
}

export function settleZab(cluster: ClusterView, choice: SettledChoice | undefined): ZabSettled {
  if (choice === undefined) return { leaders: undefined };
  for (let p = 0; p < cluster.partitions; p++) {
    if (cluster.replicaIndex(p, choice.leaders[p]) < 0) throw new Error(`zab settled start: host ${choice.leaders[p]} does not replicate partition ${p}`);
    if (choice.epochs[p] !== 1) throw new Error(`zab settled start: partition ${p}: epoch ${choice.epochs[p]} (a quiet start's first election sets epoch 1)`);
  }
  return { leaders: choice.leaders };
}

/**
 * Every group of one host, as the quiet start leaves it (the host has started its incarnation).
 * The table is fresh (built by this incarnation's constructor): fields whose settled value is the
 * fresh one are not written. `relations[h]` counts the groups this host leads or follows with host
 * h (Connections.relationsUp: the same as one relationUp per relation, at the boot's one instant).
 */
export function settleGroups(t: GroupTable, d: ZabDurable, observer: Observer, s: ZabSettled, relations: Int32Array): void {
  const all = (1 << t.rf) - 1;
  const leaders = s.leaders;
  // What every group holds settled, written array by array; a follower's phase and flag too, the
  // leaders' overwritten below (a third of the groups at RF 3).
  t.round.fill(1);
  d.acceptedEpoch.fill(1);
  d.currentEpoch.fill(1);
  t.st.fill(S_F_BROADCAST);
  t.flags.fill(F_DECLARED_FOLLOW);
  for (let g = 0; g < t.groups; g++) {
    const p = t.parts[g];
    const leaderSlot = leaders === undefined ? t.highestSlot(g) : t.slotOf(g, leaders[p]);
    const me = t.mySlot[g];
    t.pLeader[g] = leaderSlot;
    // The vote's zxid and epoch stay 0 as the fresh table has them: not written, so a million
    // groups' pages of them are not touched.
    if (leaderSlot === me) {
      t.st[g] = S_L_BROADCAST;
      t.flags[g] = F_DECLARED_LEAD;
      t.mConn[g] = all;
      t.mEpochReplied[g] = all;
      t.mEpochCounted[g] = all;
      t.mSynced[g] = all & ~(1 << me);
      t.mAcked[g] = all;
      t.maxAccepted[g] = 0;
      for (let j = 0; j < t.rf; j++) if (j !== me) relations[t.hostOf(g, j)]++;
      observer.lead(p, 1);
    } else {
      const leader = t.hostOf(g, leaderSlot);
      relations[leader]++; // maxAccepted stays -1 (fresh)
      observer.follow(p, leader, 1);
    }
  }
}
