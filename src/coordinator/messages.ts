/**
 * Wire messages between ZooKeeper clients and the server. Every type name starts with "zk." so the
 * network counts them by type and the world routes them to the coordinator.
 *
 * Each message carries `conn`, the number of the TCP connection it travels on (unique across all
 * clients, like a socket 4-tuple): an endpoint drops whatever arrives on a connection it has closed.
 * Client messages also carry the session id, which in ZooKeeper is implied by the connection.
 *
 * Sizes are estimates: `headerBytes` (~40: length prefix, request/reply header, TCP/IP) plus the
 * path's length plus an estimate of the data's serialized size (see `dataBytes`).
 */
import type { CreateMode, ZkErrorCode, ZkOp, ZkStat, ZkWatchType } from "../elector/zookeeper-client.ts";

// ---- client -> server ----

/** ConnectRequest: sessionId 0 asks for a new session; otherwise the client re-attaches to one. */
export interface ZkConnectMessage {
  readonly type: "zk.connect";
  readonly conn: number;
  readonly sessionId: number;
  readonly timeoutMs: number;
  readonly lastZxid: number;
}

/** SetWatches, sent first on a re-established connection: the watches the client still holds. */
export interface ZkSetWatchesMessage {
  readonly type: "zk.setWatches";
  readonly conn: number;
  readonly sessionId: number;
  readonly relativeZxid: number;
  readonly dataWatches: readonly string[];
  readonly existWatches: readonly string[];
  readonly childWatches: readonly string[];
}

export type ZkRequestType =
  | "zk.create"
  | "zk.delete"
  | "zk.setData"
  | "zk.getData"
  | "zk.exists"
  | "zk.getChildren"
  | "zk.multi"
  | "zk.closeSession";

/**
 * One client request. `tag` is the elector's tag: it stays with the client's bookkeeping (the
 * server never reads it and it is not counted in the size); `xid` is what ZooKeeper puts on the wire.
 */
export interface ZkRequestMessage {
  readonly type: ZkRequestType;
  readonly conn: number;
  readonly sessionId: number;
  readonly xid: number;
  readonly tag: number;
  readonly path: string;
  readonly data: unknown;
  readonly version: number;
  readonly mode: CreateMode | undefined;
  readonly watch: boolean;
  readonly ops: readonly ZkOp[] | undefined;
}

export interface ZkPingMessage {
  readonly type: "zk.ping";
  readonly conn: number;
  readonly sessionId: number;
}

/** The connection is closed by this end (TCP FIN; also the answer to traffic on a dead connection, as RST). */
export interface ZkFinMessage {
  readonly type: "zk.fin";
  readonly conn: number;
  readonly sessionId: number;
}

// ---- server -> client ----

/** ConnectResponse. timeoutMs 0 means the session is expired (or unknown): the client learns Expired. */
export interface ZkConnectedMessage {
  readonly type: "zk.connected";
  readonly conn: number;
  readonly sessionId: number;
  readonly timeoutMs: number;
}

export interface ZkReplyMessage {
  readonly type: "zk.reply";
  readonly conn: number;
  readonly xid: number;
  readonly err: ZkErrorCode;
  /** The write's zxid, or the last zxid the server had applied (reads). */
  readonly zxid: number;
  readonly stat: ZkStat | undefined;
  readonly data: unknown;
  readonly children: readonly string[] | undefined;
  readonly createdPath: string | undefined;
  readonly results: readonly ZkErrorCode[] | undefined;
}

export interface ZkPingReplyMessage {
  readonly type: "zk.pingReply";
  readonly conn: number;
  readonly zxid: number;
}

/** A watch notification (ZooKeeper sends it with xid -1 and no zxid). */
export interface ZkWatchMessage {
  readonly type: "zk.watch";
  readonly conn: number;
  readonly event: ZkWatchType;
  readonly path: string;
}

export type ZkClientToServer = ZkConnectMessage | ZkSetWatchesMessage | ZkRequestMessage | ZkPingMessage | ZkFinMessage;
export type ZkServerToClient = ZkConnectedMessage | ZkReplyMessage | ZkPingReplyMessage | ZkWatchMessage | ZkFinMessage;

// ---- size estimates ----

/**
 * Estimated serialized size of a JSON-able value: strings by length, numbers 8 bytes, booleans and
 * null 1, arrays and objects the sum of their parts plus a little framing. Depth-limited.
 */
export function dataBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case "undefined":
      return 0;
    case "string":
      return value.length;
    case "number":
    case "bigint":
      return 8;
    case "boolean":
      return 1;
    case "object": {
      if (value === null) return 1;
      if (depth > 8) return 16;
      let n = 2;
      if (Array.isArray(value)) {
        for (const v of value) n += 1 + dataBytes(v, depth + 1);
        return n;
      }
      for (const k in value as Record<string, unknown>) {
        n += k.length + 3 + dataBytes((value as Record<string, unknown>)[k], depth + 1);
      }
      return n;
    }
    default:
      return 8;
  }
}

export function opsBytes(ops: readonly ZkOp[]): number {
  let n = 0;
  for (const op of ops) {
    n += 8 + op.path.length;
    if (op.op === "create" || op.op === "setData") n += dataBytes(op.data);
  }
  return n;
}

export function requestBytes(header: number, m: ZkRequestMessage): number {
  let n = header + m.path.length + dataBytes(m.data);
  if (m.ops !== undefined) n += opsBytes(m.ops);
  return n;
}

/** Stat is 68 bytes on ZooKeeper's wire. */
export const STAT_BYTES = 68;

export function replyBytes(header: number, m: ZkReplyMessage): number {
  let n = header;
  if (m.stat !== undefined) n += STAT_BYTES;
  if (m.data !== undefined) n += dataBytes(m.data);
  if (m.createdPath !== undefined) n += m.createdPath.length;
  if (m.children !== undefined) for (const c of m.children) n += 4 + c.length;
  if (m.results !== undefined) n += 8 * m.results.length;
  return n;
}

export function setWatchesBytes(header: number, m: ZkSetWatchesMessage): number {
  let n = header + 8;
  for (const p of m.dataWatches) n += 4 + p.length;
  for (const p of m.existWatches) n += 4 + p.length;
  for (const p of m.childWatches) n += 4 + p.length;
  return n;
}
