/**
 * What a Zab peer keeps across a crash (QuorumPeer's acceptedEpoch and currentEpoch files, and
 * its transaction log). Typed arrays are stored once in
 * the host's durable store and mutated in place: a write to them is the persistence request,
 * done before the message that depends on it is sent, as ZooKeeper writes its epoch files
 * before it answers.
 */
import type { DurableStore } from "../../src/elector/api.ts";
import { PageChunks } from "./page-chunks.ts";
import { TxnLog } from "./txn-log.ts";

export interface ZabDurable {
  /** Zab's acceptedEpoch per group: the last epoch this peer accepted in LEADERINFO (or proposed). */
  readonly acceptedEpoch: Int32Array;
  /** Zab's currentEpoch per group: the last epoch whose NEWLEADER this peer acknowledged. */
  readonly currentEpoch: Int32Array;
  /**
   * Last zxid in the group's log (lastLoggedZxid: what FLE votes and ACKEPOCH report), 0 until
   * written; in page chunks made on the first nonzero write (page-chunks.ts: FLE reads it for every
   * group that elects).
   */
  readonly lastZxid: PageChunks;
  /** The proposals logged per group. */
  readonly log: TxnLog;
  /** [0]: boot count (names connections). */
  readonly incarnation: Int32Array;
  /** [0]: time of this host's last proposal ACK in any group (the stale-ack guard's boot guard). */
  readonly lastAckAny: Float64Array;
}

/** The durable arrays of a host with `groups` groups: found in the store, or created there. */
export function loadDurable(store: DurableStore, groups: number): ZabDurable {
  // A first boot makes the per-group arrays as views of one ArrayBuffer (one allocation per host,
  // not three: see group-table.ts); a restart finds them stored. Layout: acceptedEpoch,
  // currentEpoch, the log's slot.
  let arena: ArrayBuffer | undefined;
  const buffer = (): ArrayBuffer => (arena ??= new ArrayBuffer(groups * 12));
  const durableArray = <A>(key: string, make: () => A): A => {
    let a = store.get<A>(key);
    if (a === undefined) {
      a = make();
      store.set(key, a);
    }
    return a;
  };
  return {
    acceptedEpoch: durableArray("zab.acceptedEpoch", () => new Int32Array(buffer(), 0, groups)),
    currentEpoch: durableArray("zab.currentEpoch", () => new Int32Array(buffer(), groups * 4, groups)),
    lastZxid: durableArray("zab.lastZxid", () => new PageChunks(groups)),
    log: durableArray("zab.log", () => new TxnLog(groups, new Int32Array(buffer(), groups * 8, groups))),
    incarnation: durableArray("zab.incarnation", () => new Int32Array(1)),
    lastAckAny: durableArray("zab.lastAckAny", () => new Float64Array(1).fill(-Infinity)),
  };
}
