/**
 * Coordinator cost profiles: how long each kind of work holds the ZooKeeper server. A scenario
 * names one (`coordinator: { profile: "zookeeper-paper" }` or a calibrated profile file written by
 * `electorate calibrate zookeeper`), and may override single figures by name next to it.
 *
 * The server (server.ts) charges, one request at a time:
 *   create / setData / delete         createMs / setDataMs / deleteMs when it succeeds,
 *                                     failedWriteMs when it fails (NodeExists, BadVersion, NoNode:
 *                                     ZooKeeper still proposes and logs an error txn);
 *   getData / exists / getChildren    readMs (setWatches too);
 *   multi                             setDataMs + multiSubOpMs for each further sub-op;
 *   createSession (a new connect)     sessionConnectMs;
 *   closeSession (close or expiry)    sessionCloseMs + ephemeralDeleteMs per ephemeral it deletes;
 *   each watch notification sent      notificationMs, after the request that fired it;
 *   ping                              pingMs.
 * A write's reply then waits logWriteMs (the txn log's fsync) + quorumRoundMs (proposal and acks)
 * before it leaves; that wait does not hold the server (ZooKeeper pipelines and group-commits).
 */

export interface ZkCostProfile {
  readonly createMs: number;
  readonly setDataMs: number;
  readonly deleteMs: number;
  readonly readMs: number;
  /** A write that fails its precondition (NodeExists, BadVersion, NoNode, NotEmpty). */
  readonly failedWriteMs: number;
  /** Each sub-op of a multi after the first. */
  readonly multiSubOpMs: number;
  /** Each watch notification the server sends. */
  readonly notificationMs: number;
  /** Each ephemeral a closeSession (client close or expiry) deletes. */
  readonly ephemeralDeleteMs: number;
  /** The closeSession txn itself. */
  readonly sessionCloseMs: number;
  /** The createSession txn of a new session. */
  readonly sessionConnectMs: number;
  readonly pingMs: number;
  /** The txn log's write and fsync before a write commits (ZooKeeper's SyncRequestProcessor). */
  readonly logWriteMs: number;
  /** The quorum round after the log write (0 for a standalone server). */
  readonly quorumRoundMs: number;
}

export interface ZkProfile {
  readonly name: string;
  /** Where the figures come from. */
  readonly source: string;
  readonly costs: ZkCostProfile;
}

export const COST_FIELDS: readonly (keyof ZkCostProfile)[] = [
  "createMs",
  "setDataMs",
  "deleteMs",
  "readMs",
  "failedWriteMs",
  "multiSubOpMs",
  "notificationMs",
  "ephemeralDeleteMs",
  "sessionCloseMs",
  "sessionConnectMs",
  "pingMs",
  "logWriteMs",
  "quorumRoundMs",
];

/** 1/21000 s: the saturated write throughput of a 3-server ensemble in the ZooKeeper paper. */
const PAPER_WRITE_MS = 1000 / 21000;

/**
 * The ZooKeeper paper's figures (Hunt et al., "ZooKeeper: Wait-free coordination for
 * Internet-scale systems", USENIX ATC 2010): ~21k writes/s saturated (3 servers, all writes) and
 * ~1.2 ms average write latency in the server. Where the paper gives no figure the value is a
 * guess, marked so here and in docs/coordinator.md; calibrate against a real server to replace it.
 */
export const ZOOKEEPER_PAPER_PROFILE: ZkProfile = {
  name: "zookeeper-paper",
  source: "Hunt et al., USENIX ATC 2010 (21k writes/s saturated, 1.2 ms per write); the rest are guesses",
  costs: {
    createMs: PAPER_WRITE_MS,
    setDataMs: PAPER_WRITE_MS,
    deleteMs: PAPER_WRITE_MS,
    /** Guess: ~83k reads/s from one server. */
    readMs: 0.012,
    /** An error txn is proposed and logged like any write. */
    failedWriteMs: PAPER_WRITE_MS,
    /** Guess. */
    multiSubOpMs: 0.012,
    /** Guess: serialising one ~50-byte event onto a connection. */
    notificationMs: 0.005,
    /** Guess: one DataTree delete inside the closeSession txn. */
    ephemeralDeleteMs: 0.012,
    sessionCloseMs: PAPER_WRITE_MS,
    sessionConnectMs: PAPER_WRITE_MS,
    /** Guess: pings pass through the pipeline but touch no data. */
    pingMs: 0,
    /** Guess (an SSD's fsync); with quorumRoundMs a write spends the paper's ~1.2 ms in the server. */
    logWriteMs: 0.5,
    /** Guess: the rest of the paper's 1.2 ms after service and log write. */
    quorumRoundMs: 0.65,
  },
};

/** Profiles a scenario can name without a file. */
export const BUILTIN_PROFILES: readonly ZkProfile[] = [ZOOKEEPER_PAPER_PROFILE];

export function builtinProfile(name: string): ZkProfile | undefined {
  return BUILTIN_PROFILES.find((p) => p.name === name);
}

/** Problems with a profile read from a file, as (field, expected) pairs; empty when valid. */
export function profileProblems(value: unknown): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [{ path: "", message: "expected a profile object { name, source, costs }" }];
  }
  const v = value as Record<string, unknown>;
  if (typeof v.name !== "string" || v.name === "") out.push({ path: "name", message: "expected a non-empty string" });
  if (typeof v.source !== "string") out.push({ path: "source", message: "expected a string" });
  const costs = v.costs;
  if (typeof costs !== "object" || costs === null || Array.isArray(costs)) {
    out.push({ path: "costs", message: `expected an object with ${COST_FIELDS.join(", ")}` });
    return out;
  }
  const c = costs as Record<string, unknown>;
  for (const f of COST_FIELDS) {
    const x = c[f];
    if (typeof x !== "number" || !Number.isFinite(x) || x < 0) out.push({ path: `costs.${f}`, message: `expected a time in ms >= 0, got ${JSON.stringify(x)}` });
  }
  for (const k of Object.keys(c)) {
    if (!(COST_FIELDS as readonly string[]).includes(k)) out.push({ path: `costs.${k}`, message: `expected one of ${COST_FIELDS.join(", ")}` });
  }
  return out;
}
