import { describe, expect, it } from "vitest";
import { lcg } from "../testing/lcg.ts";
import type { ZkOp } from "../elector/zookeeper-client.ts";
import { Harness } from "../testing/coordinator-harness.ts";
import { RestoredCoordinator } from "../world/settled-coordinator.ts";
import type { PathSet } from "./path-set.ts";
import type { WatchSet } from "./watch-set.ts";

const BROKERS = 4;
/** Members of /leaders, each owned by one broker and data-watched by three. */
const P = 14;
const RF = 3;
const TIMEOUT = 6000;

function owner(k: number): number {
  return (k * 3) % BROKERS;
}

/** Watchers of member k, in the order they set their watch (the owner among them, not always first). */
function watchers(k: number): number[] {
  return k % 2 === 0 ? [owner(k), (owner(k) + 1) % BROKERS, (owner(k) + 2) % BROKERS] : [(owner(k) + 3) % BROKERS, owner(k), (owner(k) + 1) % BROKERS];
}

/**
 * One restored coordinator: /leaders/<k> ephemeral, each followed by its watchers' data watches,
 * created one by one (`family` false) or with createEphemeralNumbered; an ephemeral of broker 1
 * restored before the family and one after it (session close deletes all of an owner's ephemerals
 * in creation order), and watches restored after the family (one duplicating a family watch, one
 * on a member by a new watcher, an exists watch on a missing member).
 */
function restored(family: false | "per member" | "by owner"): { h: Harness; zxids: number[] } {
  const h = new Harness(BROKERS);
  const zk = new RestoredCoordinator(h.server, h.clients, BROKERS);
  zk.openSessions(TIMEOUT);
  const zxids: number[] = [];
  zxids.push(zk.create("/e1", "before", 1));
  zk.create("/leaders", null, -1);
  const data = Array.from({ length: P }, (_, k) => ({ leader: owner(k) }));
  if (family) {
    const owners = Int32Array.from({ length: P }, (_, k) => owner(k));
    const hosts = Int32Array.from(Array.from({ length: P }, (_, k) => watchers(k)).flat());
    const values = family === "by owner" ? { byOwner: Array.from({ length: BROKERS }, (_, b) => ({ leader: b })) } : data;
    zxids.push(zk.createEphemeralNumbered("/leaders", values, owners, { perMember: RF, hosts }));
  } else {
    for (let k = 0; k < P; k++) {
      const z = zk.create(`/leaders/${k}`, data[k], owner(k));
      if (k === 0) zxids.push(z);
      for (const w of watchers(k)) zk.watch(w, `/leaders/${k}`, "data");
    }
  }
  zxids.push(zk.create("/e2", "after", 1));
  zk.watch(2, "/e2", "data");
  zk.watch(watchers(3)[1], "/leaders/3", "data"); // already watching: one watch
  zk.watch(3, "/leaders/5", "data"); // not among 5's watchers (owner 3? no: owner(5) = 3; a repeat then)
  zk.watch(2, "/leaders/6", "data");
  zk.watch(0, `/leaders/${P}`, "exists");
  zk.watch(1, "/leaders", "children");
  zk.finish();
  return { h, zxids };
}

interface ClientTables {
  readonly dataWatches: WatchSet;
  readonly existWatches: PathSet;
  readonly childWatches: PathSet;
  readonly state: string;
  readonly lastZxid: number;
}

/** Everything the server and the clients hold, in their orders where order is observable; looks nothing up. */
function digest(h: Harness): string[] {
  const { tree, watches } = h.server;
  const out: string[] = [`zxid ${h.server.zxid} size ${tree.size} watches ${watches.size}`];
  for (const [path, n] of tree.everyNode().sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const s = tree.stat(n);
    out.push(`${path} ${JSON.stringify(n.data)} ${s.czxid} ${s.mzxid} ${s.pzxid} v${s.version} c${s.cversion} o${s.ephemeralOwner} n${s.numChildren} [${tree.childrenOf(n).join(",")}]`);
  }
  for (const child of [false, true]) {
    // Watchers in the order they are told.
    for (const [path, list] of [...watches.table(child)].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out.push(`watch ${child ? "child" : "data"} ${path} ${list.map((s) => s.host).join(",")}`);
  }
  for (const s of [...h.server.sessions.sessions.values()].sort((a, b) => a.id - b.id)) {
    out.push(`session ${s.id} of ${s.host} closing ${s.closing} conn ${s.conn !== 0} watches ${s.dataWatchCount}/${s.childWatchCount} ephemerals ${tree.ephemeralCount(s.id)} [${tree.ephemeralsOf(s.id).join(",")}]`);
  }
  for (let b = 0; b < BROKERS; b++) {
    const c = h.clients.impl(b) as unknown as ClientTables;
    // The order SetWatches sends them in.
    out.push(`client ${b} ${c.state} zxid ${c.lastZxid} data [${c.dataWatches.toArray().join(",")}] size ${c.dataWatches.size} exists [${c.existWatches.toArray().join(",")}] child [${c.childWatches.toArray().join(",")}]`);
  }
  return out;
}

function same(eager: Harness, lazy: Harness): void {
  expect(lazy.events).toEqual(eager.events);
  expect(digest(lazy)).toEqual(digest(eager));
}

describe("a restored ephemeral family with data watches (numbered-family.ts, watch-set.ts) answers as the eager creates and watches", () => {
  it("restores the same znodes, owners, watches and client tables, keeping members and watches out of the tables", () => {
    const e = restored(false);
    const l = restored("by owner");
    expect(l.zxids).toEqual(e.zxids);
    expect(digest(l.h)).toEqual(digest(e.h));
    // Members 3, 5 and 6 were looked up by the watches restored after the family; the rest are arrays.
    expect(l.h.server.tree.nodes.size).toBe(e.h.server.tree.nodes.size - P + 3);
    const c0 = l.h.clients.impl(0) as unknown as ClientTables;
    expect(c0.dataWatches.set.size).toBe(0);
    expect(c0.dataWatches.size).toBeGreaterThan(0);
  });

  it("scripted: members deleted and made again beside new children, the parent's children named after each step", () => {
    const eager = restored(false).h;
    const lazy = restored("per member").h;
    let tag = 0;
    const step = (host: number, f: (c: ReturnType<Harness["client"]>, tag: number) => void): void => {
      tag++;
      for (const h of [eager, lazy]) {
        f(h.client(host), tag);
        h.advance(10);
        h.client(host).getChildren("/leaders", false, 1000 + tag);
        h.advance(10);
      }
      same(eager, lazy);
    };
    step(0, (c, t) => c.delete("/leaders/1", -1, t));
    step(0, (c, t) => c.delete("/leaders/2", -1, t));
    step(1, (c, t) => c.create("/leaders/1", "a", "ephemeral", t));
    step(1, (c, t) => c.create("/leaders/x", "b", "persistent", t));
    step(2, (c, t) => c.create("/leaders/2", "c", "ephemeral", t));
    step(2, (c, t) => c.delete("/leaders/1", -1, t)); // the last added child moves into its place
    step(2, (c, t) => c.delete("/leaders/2", -1, t)); // and this one, moved, leaves from there
    step(3, (c, t) => c.create("/leaders/1/c", "d", "persistent", t)); // NoNode: deleted above
    step(3, (c, t) => c.create("/leaders/3/c", "d", "persistent", t)); // NoChildrenForEphemerals
    step(3, (c, t) => c.create("/leaders/x/c", "d", "persistent", t));
    step(3, (c, t) => c.delete("/leaders/x", -1, t)); // NotEmpty
    for (let k = 0; k < P; k++) step(k % BROKERS, (c, t) => c.delete(`/leaders/${k}`, -1, t));
    step(0, (c, t) => c.delete("/leaders/x/c", -1, t));
    step(0, (c, t) => c.delete("/leaders/x", -1, t)); // no child left: the family is gone from the parent
    step(0, (c, t) => c.create("/leaders/5", "again", "ephemeral", t));
    step(1, (c) => c.close()); // broker 1's restored /e1, /e2 and its re-made members go, in creation order
    step(0, (c, t) => c.delete("/leaders", -1, t));
  });

  it("random reads, watches, writes, deletes and re-creates of members, failing multis, closes, expiries, disconnections and crashes", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const rnd = lcg(seed);
      const eager = restored(false).h;
      const lazy = restored(seed % 2 === 0 ? "per member" : "by owner").h;
      const path = (): string => {
        const r = rnd(12);
        const k = rnd(P + 2);
        if (r < 7) return `/leaders/${k}`;
        if (r < 8) return `/leaders/${k}/c`;
        if (r < 9) return "/leaders";
        if (r < 10) return "/e1";
        return r < 11 ? "/e2" : `/leaders/0${k}`;
      };
      for (let tag = 1; tag <= 160; tag++) {
        const host = rnd(BROKERS);
        const p = path();
        const other = path();
        const op = rnd(40);
        const version = rnd(3) - 1;
        const flag = rnd(2) === 0;
        let wait = 10;
        for (const h of [eager, lazy]) {
          const c = h.client(host);
          const open = c.state === "connected" || c.state === "disconnected" || c.state === "connecting";
          if (!open) {
            c.connect(TIMEOUT);
            continue;
          }
          if (op < 6) c.getData(p, flag, tag);
          else if (op < 11) c.exists(p, flag, tag);
          else if (op < 13) c.getChildren(p, flag, tag);
          else if (op < 17) c.setData(p, tag, version, tag);
          else if (op < 22) c.delete(p, version, tag);
          else if (op < 27) c.create(p, { leader: host }, flag ? "ephemeral" : "persistent", tag);
          else if (op < 29) {
            const failing: ZkOp[] = [{ op: "delete", path: p, version: -1 }, { op: "create", path: other, data: tag, mode: "ephemeral" }, { op: "create", path: "/e1", data: 0, mode: "persistent" }];
            c.multi(failing, tag);
          } else if (op < 31) c.multi([{ op: "setData", path: p, data: tag, version }, { op: "check", path: other, version }], tag);
          else if (op < 32) c.close();
          else if (op < 34) h.server.expireSessionOf(host);
          else if (op < 36) {
            // Cut off long enough to lose the connection (2/3 of the timeout), not the session: SetWatches on reconnect.
            h.network.isolate(host);
            wait = 4500;
          } else if (op < 37) {
            h.kernel.crash(host);
            wait = 1;
          } else if (op < 38 && tag % 3 === 0) {
            h.kernel.crash(h.zk);
            wait = 1;
          } else c.getData(other, true, tag);
        }
        eager.advance(wait);
        lazy.advance(wait);
        for (const h of [eager, lazy]) {
          if (wait === 4500) h.network.heal();
          if (wait === 1) {
            if (h.kernel.hostStatus(host) !== 0 || h.kernel.hostStatus(h.zk) !== 0) {
              for (const x of [host, h.zk]) if (h.kernel.hostStatus(x) !== 0) h.kernel.restart(x);
            }
          }
        }
        eager.advance(wait === 10 ? 0 : 200);
        lazy.advance(wait === 10 ? 0 : 200);
        same(eager, lazy);
      }
    }
  });
});
