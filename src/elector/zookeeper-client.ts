/**
 * The ZooKeeper client an elector sees (part of the public elector API).
 *
 * State-machine shaped, like everything on the hot path: a request takes a numeric `tag` chosen
 * by the elector and returns nothing; its result arrives later through the elector's `onZk` as a
 * `ZkResult` carrying that tag. Watch notifications and session state changes arrive the same way.
 * No promises and no callback per request, so a herd of a million requests allocates no closures.
 *
 * Semantics follow ZooKeeper's Programmer's Guide: see src/coordinator/ for the rules.
 */

export type CreateMode = "persistent" | "ephemeral" | "persistent-sequential" | "ephemeral-sequential";

export type ZkErrorCode =
  | "ok"
  | "NodeExists"
  | "NoNode"
  | "BadVersion"
  | "NotEmpty"
  | "NoChildrenForEphemerals"
  | "SessionExpired"
  | "ConnectionLoss";

/** Znode metadata, as ZooKeeper's Stat. */
export interface ZkStat {
  /** zxid of the create. */
  readonly czxid: number;
  /** zxid of the last change. */
  readonly mzxid: number;
  /** zxid of the last change to the children. */
  readonly pzxid: number;
  readonly version: number;
  readonly cversion: number;
  /** Session id of the owner for an ephemeral node, 0 otherwise. */
  readonly ephemeralOwner: number;
  readonly numChildren: number;
}

/** One operation of a multi (ZooKeeper's Op.create/delete/setData/check). */
export type ZkOp =
  | { readonly op: "create"; readonly path: string; readonly data: unknown; readonly mode: CreateMode }
  | { readonly op: "delete"; readonly path: string; readonly version: number }
  | { readonly op: "setData"; readonly path: string; readonly data: unknown; readonly version: number }
  | { readonly op: "check"; readonly path: string; readonly version: number };

export type ZkOpName = "create" | "delete" | "setData" | "getData" | "exists" | "getChildren" | "multi";

/** The answer to one request. Fields beyond `err` are present when the operation defines them. */
export interface ZkResult {
  readonly kind: "result";
  readonly tag: number;
  readonly op: ZkOpName;
  readonly path: string;
  readonly err: ZkErrorCode;
  readonly stat?: ZkStat;
  readonly data?: unknown;
  readonly children?: readonly string[];
  /** For create: the path created (with the sequence suffix for sequential nodes). */
  readonly createdPath?: string;
  /** For multi: one code per op; on failure the first failing op has its error, the rest "ok" or not run. */
  readonly results?: readonly ZkErrorCode[];
  /** The zxid the server assigned (writes) or had reached (reads). */
  readonly zxid: number;
}

export type ZkWatchType = "created" | "deleted" | "dataChanged" | "childrenChanged";

/** A one-shot watch fired. */
export interface ZkWatchEvent {
  readonly kind: "watch";
  readonly type: ZkWatchType;
  readonly path: string;
}

/**
 * Session state as the client learns it: connected (first connect or reconnect), disconnected
 * (heard nothing for 2/3 of the timeout), expired (told so when it reached the server again).
 */
export type ZkSessionState = "connected" | "disconnected" | "expired";

export interface ZkSessionEvent {
  readonly kind: "session";
  readonly state: ZkSessionState;
  readonly sessionId: number;
}

export type ZkEvent = ZkResult | ZkWatchEvent | ZkSessionEvent;

export interface ZkClient {
  /** Current session id (0 before the first session is established). */
  readonly sessionId: number;
  /** Client-side view: "idle" before connect, "connecting", "connected", "disconnected", "expired", "closed". */
  readonly state: "idle" | "connecting" | "connected" | "disconnected" | "expired" | "closed";
  /** Negotiated session timeout (ms), once connected. */
  readonly sessionTimeoutMs: number;

  /** Opens a new session asking for `sessionTimeoutMs` (the server clamps it to [2, 20] ticks). */
  connect(sessionTimeoutMs: number): void;
  /** Closes the session: the server deletes its ephemerals at once. */
  close(): void;

  create(path: string, data: unknown, mode: CreateMode, tag: number): void;
  delete(path: string, version: number, tag: number): void;
  setData(path: string, data: unknown, version: number, tag: number): void;
  getData(path: string, watch: boolean, tag: number): void;
  exists(path: string, watch: boolean, tag: number): void;
  getChildren(path: string, watch: boolean, tag: number): void;
  multi(ops: readonly ZkOp[], tag: number): void;
}
