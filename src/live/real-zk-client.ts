/**
 * The elector's ZkClient (src/elector/zookeeper-client.ts) backed by a real ZooKeeper through
 * node-zookeeper-client (pure JavaScript; see docs/live.md for why this client). An edge of the
 * lab: callbacks and real time live here, and the elector sees exactly the tagged results, watch
 * events and session events it sees in the simulator.
 *
 * Mapping, rule by rule:
 * - data is JSON in the znode (the simulator stores the value itself);
 * - session ids are 64-bit on a real server: each distinct id is mapped to a small integer
 *   (1, 2, ...) in order of first sight, for sessionId and for stat.ephemeralOwner alike;
 * - a create's zxid: the reply header's zxid, which the library stores as its last seen zxid
 *   just before it calls back (node-zookeeper-client ConnectionManager.onSocketData);
 * - one-shot watches: the server notifies a session once per path and change, but the library
 *   calls every watcher registered for the path in its data, existence and child tables; one
 *   watcher per path and group (data/exists vs children) is registered, and a `deleted` that
 *   reaches both groups is delivered once, as the simulated server does;
 * - after close() the handle fails requests with SessionExpired, like the simulated client;
 * - abandon() is a crash: the socket dies without a closeSession; the server keeps the session
 *   until its timeout.
 */
import zookeeper from "node-zookeeper-client";
import type {
  CreateMode,
  ZkClient,
  ZkErrorCode,
  ZkEvent,
  ZkOp,
  ZkOpName,
  ZkResult,
  ZkSessionState,
  ZkStat,
  ZkWatchType,
} from "../elector/zookeeper-client.ts";

type Lib = typeof zookeeper;
type LibClient = ReturnType<Lib["createClient"]>;
type LibStat = zookeeper.Stat;
type LibEvent = zookeeper.Event;

/** Per-client counts, as the simulated client counts them (src/coordinator/client.ts). */
export interface LiveClientCounts {
  requests: number;
  reads: number;
  /** create, delete, setData, and every sub-op of a multi. */
  writes: number;
  creates: number;
  watchEvents: number;
  connected: number;
  disconnected: number;
  expired: number;
}

export function emptyCounts(): LiveClientCounts {
  return { requests: 0, reads: 0, writes: 0, creates: 0, watchEvents: 0, connected: 0, disconnected: 0, expired: 0 };
}

/** Small integers for 64-bit session ids, shared by every client of one live run. */
export class SessionIds {
  private readonly ids = new Map<string, number>();
  of(hex: string): number {
    if (/^0+$/.test(hex)) return 0;
    let id = this.ids.get(hex);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(hex, id);
    }
    return id;
  }
}

const ERRORS: Record<number, ZkErrorCode> = {
  [-101]: "NoNode",
  [-110]: "NodeExists",
  [-103]: "BadVersion",
  [-111]: "NotEmpty",
  [-108]: "NoChildrenForEphemerals",
  [-112]: "SessionExpired",
  [-4]: "ConnectionLoss",
  [-7]: "ConnectionLoss",
};

function errorOf(e: unknown): ZkErrorCode {
  if (e === null || e === undefined) return "ok";
  const code = (e as { getCode?: () => number }).getCode?.();
  const mapped = code === undefined ? undefined : ERRORS[code];
  if (mapped === undefined) throw new Error(`live zk: unexpected error ${String(e)}`);
  return mapped;
}

const long = (b: Buffer): number => Number(b.readBigInt64BE(0));

const MODES: Record<CreateMode, number> = {
  persistent: 0,
  ephemeral: 1,
  "persistent-sequential": 2,
  "ephemeral-sequential": 3,
};

const encode = (data: unknown): Buffer => (data === null || data === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(data)));
const decode = (b: Buffer | undefined | null): unknown => (b === undefined || b === null || b.length === 0 ? null : JSON.parse(b.toString("utf8")));

/** Where a live client's events go (the host runtime hands them to the elector). */
export type LiveZkSink = (event: ZkEvent) => void;

export class RealZkClient implements ZkClient {
  state: ZkClient["state"] = "idle";
  sessionId = 0;
  sessionTimeoutMs = 0;
  readonly counts = emptyCounts();

  private lib: LibClient | undefined;
  private sessionHex = "";
  private password: Buffer | undefined;
  /** Paths with an armed data/exists watch, and with an armed child watch. */
  private readonly dataArmed = new Set<string>();
  private readonly childArmed = new Set<string>();
  private readonly onData = (e: LibEvent): void => this.watchFired(e, false);
  private readonly onChild = (e: LibEvent): void => this.watchFired(e, true);

  constructor(
    private readonly connectString: string,
    private readonly ids: SessionIds,
    private readonly sink: LiveZkSink,
  ) {}

  connect(sessionTimeoutMs: number): void {
    if (this.state === "connecting" || this.state === "connected" || this.state === "disconnected") {
      throw new Error(`zk: already has a live session (state ${this.state}); close() it first`);
    }
    this.dataArmed.clear();
    this.childArmed.clear();
    this.state = "connecting";
    const lib = zookeeper.createClient(this.connectString, { sessionTimeout: sessionTimeoutMs, retries: 0, spinDelay: 100 });
    this.lib = lib;
    lib.on("state", (s: zookeeper.State) => {
      if (this.lib !== lib || this.state === "closed") return;
      if (s === zookeeper.State.SYNC_CONNECTED) {
        this.sessionHex = lib.getSessionId().toString("hex");
        this.password = lib.getSessionPassword();
        this.sessionId = this.ids.of(this.sessionHex);
        this.sessionTimeoutMs = lib.getSessionTimeout();
        this.counts.connected++;
        this.setState("connected", "connected");
      } else if (s === zookeeper.State.DISCONNECTED) {
        if (this.state !== "connected") return;
        this.counts.disconnected++;
        this.setState("disconnected", "disconnected");
      } else if (s === zookeeper.State.EXPIRED) {
        this.counts.expired++;
        this.lib = undefined;
        this.setState("expired", "expired");
      }
    });
    lib.connect();
  }

  private setState(state: ZkClient["state"], event: ZkSessionState): void {
    this.state = state;
    this.sink({ kind: "session", state: event, sessionId: this.sessionId });
  }

  close(): void {
    if (this.state === "closed") return;
    const lib = this.lib;
    this.state = "closed";
    this.lib = undefined;
    lib?.close();
  }

  /** A crash: the connection dies without a closeSession; the server expires the session later. */
  abandon(): void {
    const lib = this.lib as unknown as { connectionManager?: { state: number; socket?: { destroy(): void } } } | undefined;
    this.state = "closed";
    this.lib = undefined;
    if (lib?.connectionManager !== undefined) {
      lib.connectionManager.state = -1; // CLOSING: no retry, and no closeSession is sent
      lib.connectionManager.socket?.destroy();
    }
  }

  /**
   * Holds this client's reconnects until `gate` resolves (expireSession: while another connection
   * takes the session over and closes it, the owner must not take it back first).
   */
  holdReconnects(gate: Promise<void>): void {
    const cm = (this.lib as unknown as { connectionManager?: { connect(): void } } | undefined)?.connectionManager;
    if (cm === undefined) return;
    const connect = cm.connect.bind(cm);
    let open = false;
    void gate.then(() => (open = true));
    cm.connect = () => {
      if (open) connect();
      else void gate.then(connect);
    };
  }

  /** Session id and password, so another connection can take the session over (expireSession). */
  credentials(): { id: Buffer; password: Buffer } | undefined {
    if (this.state !== "connected" || this.password === undefined) return undefined;
    return { id: Buffer.from(this.sessionHex, "hex"), password: this.password };
  }

  // ---- requests ----

  create(path: string, data: unknown, mode: CreateMode, tag: number): void {
    this.counts.creates++;
    this.counts.writes++;
    const lib = this.request("create", path, tag);
    if (lib === undefined) return;
    this.invoke(() =>
      lib.create(path, encode(data), MODES[mode], (e, created) => {
        const err = errorOf(e);
        const zxid = err === "ok" ? this.lastZxid(lib) : 0;
        this.result({ kind: "result", tag, op: "create", path, err, zxid, ...(err === "ok" ? { createdPath: created } : {}) });
      }),
    );
  }

  delete(path: string, version: number, tag: number): void {
    this.counts.writes++;
    const lib = this.request("delete", path, tag);
    if (lib === undefined) return;
    this.invoke(() => lib.remove(path, version, (e) => this.result({ kind: "result", tag, op: "delete", path, err: errorOf(e), zxid: this.lastZxid(lib) })));
  }

  setData(path: string, data: unknown, version: number, tag: number): void {
    this.counts.writes++;
    const lib = this.request("setData", path, tag);
    if (lib === undefined) return;
    this.invoke(() =>
      lib.setData(path, encode(data), version, (e, stat) => {
        const err = errorOf(e);
        this.result({ kind: "result", tag, op: "setData", path, err, zxid: this.lastZxid(lib), ...(err === "ok" ? { stat: this.stat(stat) } : {}) });
      }),
    );
  }

  getData(path: string, watch: boolean, tag: number): void {
    this.counts.reads++;
    const lib = this.request("getData", path, tag);
    if (lib === undefined) return;
    const cb = (e: unknown, data: Buffer, stat: LibStat): void => {
      const err = errorOf(e);
      if (err === "ok" && watch) this.dataArmed.add(path);
      this.result({ kind: "result", tag, op: "getData", path, err, zxid: this.lastZxid(lib), ...(err === "ok" ? { stat: this.stat(stat), data: decode(data) } : {}) });
    };
    if (watch && !this.dataArmed.has(path)) this.invoke(() => lib.getData(path, this.onData, cb as never));
    else this.invoke(() => lib.getData(path, cb as never));
  }

  exists(path: string, watch: boolean, tag: number): void {
    this.counts.reads++;
    const lib = this.request("exists", path, tag);
    if (lib === undefined) return;
    const cb = (e: unknown, stat: LibStat | null): void => {
      const err = errorOf(e);
      // Rule: exists sets a watch on a missing node too, to see it created.
      if ((err === "ok" || err === "NoNode") && watch) this.dataArmed.add(path);
      const found = err === "ok" && stat !== null && stat !== undefined;
      this.result({ kind: "result", tag, op: "exists", path, err: err === "ok" && !found ? "NoNode" : err, zxid: this.lastZxid(lib), ...(found ? { stat: this.stat(stat) } : {}) });
    };
    if (watch && !this.dataArmed.has(path)) this.invoke(() => lib.exists(path, this.onData, cb as never));
    else this.invoke(() => lib.exists(path, cb as never));
  }

  getChildren(path: string, watch: boolean, tag: number): void {
    this.counts.reads++;
    const lib = this.request("getChildren", path, tag);
    if (lib === undefined) return;
    const cb = (e: unknown, children: string[], stat: LibStat): void => {
      const err = errorOf(e);
      if (err === "ok" && watch) this.childArmed.add(path);
      this.result({
        kind: "result", tag, op: "getChildren", path, err, zxid: this.lastZxid(lib),
        ...(err === "ok" ? { stat: this.stat(stat), children: [...children].sort() } : {}),
      });
    };
    if (watch && !this.childArmed.has(path)) this.invoke(() => lib.getChildren(path, this.onChild, cb as never));
    else this.invoke(() => lib.getChildren(path, cb as never));
  }

  multi(ops: readonly ZkOp[], tag: number): void {
    this.counts.writes += Math.max(1, ops.length);
    for (const op of ops) if (op.op === "create") this.counts.creates++;
    const lib = this.request("multi", "", tag);
    if (lib === undefined) return;
    const t = lib.transaction();
    for (const op of ops) {
      if (op.op === "create") t.create(op.path, encode(op.data), MODES[op.mode]);
      else if (op.op === "delete") t.remove(op.path, op.version);
      else if (op.op === "setData") t.setData(op.path, encode(op.data), op.version);
      else t.check(op.path, op.version);
    }
    this.invoke(() => t.commit((e, raw) => {
      const zxid = this.lastZxid(lib);
      const first = errorOf(e);
      const results: ZkErrorCode[] = [];
      if (first === "ok") {
        for (let i = 0; i < ops.length; i++) results.push("ok");
      } else if (Array.isArray(raw)) {
        // ZooKeeper answers "ok" before the failing op, its code, then RuntimeInconsistency: stop at the failure.
        for (const r of raw as { err?: number }[]) {
          const code = r.err ?? 0;
          if (code === 0) results.push("ok");
          else {
            results.push(ERRORS[code] ?? first);
            break;
          }
        }
      }
      this.result({ kind: "result", tag, op: "multi", path: "", err: first, zxid, results });
    }));
  }

  // ---- plumbing ----

  /** The live library client for a request, or undefined after the request failed at once (no session). */
  private request(op: ZkOpName, path: string, tag: number): LibClient | undefined {
    this.counts.requests++;
    if (this.lib !== undefined && this.state !== "closed" && this.state !== "expired" && this.state !== "idle") return this.lib;
    const err: ZkErrorCode = this.state === "idle" ? "ConnectionLoss" : "SessionExpired";
    setImmediate(() => this.sink({ kind: "result", tag, op, path, err, zxid: 0 }));
    return undefined;
  }

  /** Library calls in progress: a result that arrives meanwhile was called back synchronously. */
  private inLibCall = 0;

  /**
   * Runs one library call. node-zookeeper-client answers some requests synchronously (ConnectionLoss
   * in CLOSING/CLOSED, SessionExpired once it knows the session expired: ConnectionManager.queue);
   * the elector API promises a result never arrives inside the elector's own call (the simulated
   * client defers such failures to a kernel event), so those are deferred to setImmediate here.
   * Without that, an elector that re-sends on ConnectionLoss could recurse without yielding.
   */
  private invoke(call: () => void): void {
    this.inLibCall++;
    try {
      call();
    } finally {
      this.inLibCall--;
    }
  }

  private result(r: ZkResult): void {
    if (this.inLibCall > 0) setImmediate(() => this.sink(r));
    else this.sink(r);
  }

  private lastZxid(lib: LibClient): number {
    const z = (lib as unknown as { connectionManager?: { zxid?: Buffer } }).connectionManager?.zxid;
    return z === undefined ? 0 : long(z);
  }

  private stat(s: LibStat): ZkStat {
    return {
      czxid: long(s.czxid),
      mzxid: long(s.mzxid),
      pzxid: long(s.pzxid),
      version: s.version,
      cversion: s.cversion,
      ephemeralOwner: this.ids.of(s.ephemeralOwner.toString("hex")),
      numChildren: s.numChildren,
    };
  }

  private watchFired(e: LibEvent, child: boolean): void {
    const path = e.getPath();
    const type = e.getType();
    let kind: ZkWatchType;
    if (type === zookeeper.Event.NODE_DELETED) {
      if (!this.dataArmed.has(path) && !this.childArmed.has(path)) return; // already delivered through the other group
      this.dataArmed.delete(path);
      this.childArmed.delete(path);
      kind = "deleted";
    } else if (type === zookeeper.Event.NODE_CHILDREN_CHANGED) {
      if (!child || !this.childArmed.delete(path)) return;
      kind = "childrenChanged";
    } else {
      if (child || !this.dataArmed.delete(path)) return;
      kind = type === zookeeper.Event.NODE_CREATED ? "created" : "dataChanged";
    }
    // Events the server sent before it closed the connection still reach the elector (ZooKeeper's
    // EventThread delivers what was queued before a close), as in the simulator.
    this.counts.watchEvents++;
    this.sink({ kind: "watch", type: kind, path });
  }
}
