/**
 * Fast Leader Election's pure rules (ZooKeeper's FastLeaderElection.java), kept free of state so
 * they can be tested on their own.
 */

/** Server states as FastLeaderElection's notifications carry them (QuorumPeer.ServerState ordinals). */
export const LOOKING = 0;
export const FOLLOWING = 1;
export const LEADING = 2;

/** 2^32: a zxid is epoch << 32 | counter (ZxidUtils.makeZxid); kept as an exact double here. */
export const ZXID_EPOCH = 4294967296;

export function makeZxid(epoch: number, counter: number): number {
  return epoch * ZXID_EPOCH + counter;
}

export function epochOfZxid(zxid: number): number {
  return Math.floor(zxid / ZXID_EPOCH);
}

export function counterOfZxid(zxid: number): number {
  return zxid - Math.floor(zxid / ZXID_EPOCH) * ZXID_EPOCH;
}

/**
 * FastLeaderElection.totalOrderPredicate, same argument order and meaning: true when the new vote
 * (newId, newZxid, newEpoch) beats the current one. Votes are ordered by the proposed leader's
 * epoch, then its last zxid, then its server id:
 *  1. the new epoch is higher, or
 *  2. the epochs are equal and the new zxid is higher, or
 *  3. epochs and zxids are equal and the new server id is higher.
 * (ZooKeeper also returns false for a server of weight 0; every replica here has weight 1.)
 */
export function totalOrderPredicate(
  newId: number,
  newZxid: number,
  newEpoch: number,
  curId: number,
  curZxid: number,
  curEpoch: number,
): boolean {
  return newEpoch > curEpoch || (newEpoch === curEpoch && (newZxid > curZxid || (newZxid === curZxid && newId > curId)));
}

/**
 * FastLeaderElection's notification timeout after `timeouts` consecutive timeouts without a
 * notification: it starts at minNotificationInterval (finalizeWait, 200 ms) and doubles on each
 * timeout up to maxNotificationInterval (60 s).
 */
export function notificationTimeout(timeouts: number, minMs: number, maxMs: number): number {
  let t = minMs;
  for (let i = 0; i < timeouts && t < maxMs; i++) t *= 2;
  return t < maxMs ? t : maxMs;
}

/** StateSummary.isMoreRecentThan: (currentEpoch, lastZxid) ordered lexicographically. */
export function isMoreRecentThan(epoch: number, zxid: number, otherEpoch: number, otherZxid: number): boolean {
  return epoch > otherEpoch || (epoch === otherEpoch && zxid > otherZxid);
}
