import { describe, expect, it } from "vitest";
import { lcg } from "../testing/lcg.ts";
import type { ZkOp } from "../elector/zookeeper-client.ts";
import { Harness } from "../testing/coordinator-harness.ts";
import { RestoredCoordinator } from "../world/settled-coordinator.ts";
import { nameOf, type Znode } from "./tree.ts";

const BROKERS = 3;
/** Members of /t/p (each with a `state` child) and of /u (no child); /one holds one member. */
const P = 10;
const U = 4;

/**
 * One restored coordinator: the same settled state built by creates one by one (`family` false)
 * or with createNumbered, with watches restored before the family (an exists watch on a member's
 * future child) and after it (data watches on a member's child, a child watch on the parent).
 */
function restored(family: boolean): { h: Harness; zxids: number[] } {
  const h = new Harness(BROKERS);
  const zk = new RestoredCoordinator(h.server, h.clients, BROKERS);
  zk.openSessions(6000);
  zk.create("/t", null, -1);
  zk.create("/t/p", { topic: "t" }, -1);
  zk.create("/u", null, -1);
  zk.create("/one", null, -1);
  zk.watch(1, "/t/p/2/state", "exists");
  const members = Array.from({ length: P }, (_, k) => (k % 3 === 0 ? null : { n: k }));
  const states = Array.from({ length: P }, (_, k) => ({ leader: k % BROKERS, isr: [k % BROKERS, (k + 1) % BROKERS] }));
  const plain = Array.from({ length: U }, (_, k) => `u${k}`);
  const zxids: number[] = [];
  if (family) {
    zxids.push(zk.createNumbered("/t/p", members, { name: "state", data: states }));
    zxids.push(zk.createNumbered("/u", plain));
    zxids.push(zk.createNumbered("/one", ["only"], { name: "state", data: ["s"] }));
  } else {
    for (let k = 0; k < P; k++) {
      const z = zk.create(`/t/p/${k}`, members[k], -1);
      if (k === 0) zxids.push(z);
      zk.create(`/t/p/${k}/state`, states[k], -1);
    }
    for (let k = 0; k < U; k++) {
      const z = zk.create(`/u/${k}`, plain[k], -1);
      if (k === 0) zxids.push(z);
    }
    zxids.push(zk.create("/one/0", "only", -1));
    zk.create("/one/0/state", "s", -1);
  }
  zxids.push(zk.create("/after", 1, -1));
  zk.watch(0, "/t/p/3/state", "data");
  zk.watch(2, "/t/p/3/state", "data");
  zk.watch(0, "/t/p", "children");
  zk.finish();
  return { h, zxids };
}

/** Everything the server holds, from every znode's stat and data to the watch tables; looks nothing up. */
function digest(h: Harness): string[] {
  const { tree, watches } = h.server;
  const out: string[] = [`zxid ${h.server.zxid} size ${tree.size}`];
  const nodes = tree.everyNode().sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [path, n] of nodes) {
    const s = tree.stat(n);
    out.push(`${path} ${JSON.stringify(n.data)} ${s.czxid} ${s.mzxid} ${s.pzxid} v${s.version} c${s.cversion} o${s.ephemeralOwner} n${s.numChildren} [${tree.childrenOf(n).join(",")}]`);
  }
  for (const child of [false, true]) {
    for (const [path, list] of [...watches.table(child)].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out.push(`watch ${child ? "child" : "data"} ${path} ${list.map((s) => s.host).join(",")}`);
  }
  out.push(`watches ${watches.size}`);
  for (let b = 0; b < BROKERS; b++) out.push(`ephemerals ${b} ${tree.ephemeralsOf(h.clients.client(b).sessionId).join(",")}`);
  return out;
}

/**
 * The tree's own invariant: a listed child's `at` is its index; one not yet in the table has the
 * `at` it will enter with (a member its number, a member's child 0).
 */
function checkListed(h: Harness): void {
  const table = h.server.tree.nodes;
  for (const [, node] of table) {
    const c = node.children;
    if (!Array.isArray(c)) continue;
    c.forEach((path, i) => {
      const child = table.get(path) as Znode | undefined;
      if (child !== undefined) expect(child.at).toBe(i);
      else expect(nameOf(path) === "state" ? "0" : nameOf(path)).toBe(String(i));
    });
  }
}

/** Both sides after the same step: the same events at the same times on every client, the same server state. */
function same(eager: Harness, lazy: Harness): void {
  expect(lazy.events).toEqual(eager.events);
  expect(digest(lazy)).toEqual(digest(eager));
  checkListed(lazy);
}

describe("a restored numbered family (numbered-family.ts) answers as the eager creates", () => {
  it("restores the same znodes, stats and watches, and keeps the members out of the table until looked up", () => {
    const e = restored(false);
    const l = restored(true);
    expect(l.zxids).toEqual(e.zxids);
    const [eager, lazy] = [e.h, l.h];
    expect(digest(lazy)).toEqual(digest(eager));
    // /t/p/3/state (data watches) is in the table; the other members and children are not.
    expect(lazy.server.tree.size).toBe(eager.server.tree.size);
    expect(lazy.server.tree.nodes.size).toBe(eager.server.tree.nodes.size - (2 * P + U + 2) + 1);
  });

  it("scripted operations: reads, versioned writes, deletes up to the parent, creates under members, a failed multi, watches, session close", () => {
    const eager = restored(false).h;
    const lazy = restored(true).h;
    let tag = 0;
    const step = (host: number, f: (c: ReturnType<Harness["client"]>, tag: number) => void): void => {
      tag++;
      for (const h of [eager, lazy]) {
        f(h.client(host), tag);
        h.advance(10);
      }
      same(eager, lazy);
    };
    step(0, (c, t) => c.getData("/t/p/4/state", true, t));
    step(1, (c, t) => c.exists("/t/p/4", true, t));
    step(1, (c, t) => c.exists("/t/p/99", true, t));
    step(1, (c, t) => c.exists("/t/p/04", true, t));
    step(2, (c, t) => c.exists("/t/p", false, t));
    step(2, (c, t) => c.getChildren("/t/p", true, t));
    step(2, (c, t) => c.getChildren("/t/p/6", true, t));
    step(2, (c, t) => c.getData("/t/p/6", true, t));
    step(0, (c, t) => c.setData("/t/p/3/state", "x", 0, t)); // restored data watches fire
    step(0, (c, t) => c.setData("/t/p/3/state", "y", 0, t)); // BadVersion
    step(0, (c, t) => c.setData("/t/p/3/state", "y", 1, t));
    step(1, (c, t) => c.setData("/t/p/2/state", "z", -1, t)); // the exists watch restored before the family
    step(0, (c, t) => c.delete("/t/p/5", -1, t)); // NotEmpty
    step(0, (c, t) => c.delete("/t/p/5/state", 1, t)); // BadVersion
    step(0, (c, t) => c.delete("/t/p/5/state", 0, t));
    step(0, (c, t) => c.delete("/t/p/5", 0, t)); // the parent's children listed; the last member moves
    step(0, (c, t) => c.exists("/t/p/5", true, t));
    step(0, (c, t) => c.getChildren("/t/p", true, t));
    step(1, (c, t) => c.create("/t/p/6/extra", "e", "persistent", t));
    step(1, (c, t) => c.create("/t/p/7/state", "dup", "persistent", t)); // NodeExists
    step(1, (c, t) => c.create("/t/p/5", "back", "persistent", t));
    step(1, (c, t) => c.create("/t/p/" + P, "new", "persistent", t));
    step(2, (c, t) => c.create("/t/p/8/e-", "eph", "ephemeral-sequential", t));
    step(2, (c, t) => c.create("/t/p/e", "eph", "ephemeral", t));
    const failing: ZkOp[] = [
      { op: "setData", path: "/t/p/1/state", data: "m", version: 0 },
      { op: "delete", path: "/t/p/9/state", version: 0 },
      { op: "delete", path: "/t/p/9", version: 0 },
      { op: "create", path: "/t/p/0/state", data: "dup", mode: "persistent" }, // NodeExists: all rolled back
      { op: "check", path: "/t/p/2", version: 0 },
    ];
    step(0, (c, t) => c.multi(failing, t));
    step(0, (c, t) => c.getChildren("/t/p", false, t));
    step(0, (c, t) => c.getData("/t/p/9/state", false, t));
    step(0, (c, t) => c.multi(failing.slice(0, 3).concat([{ op: "check", path: "/t/p/2", version: 1 }]), t));
    step(0, (c, t) => c.exists("/t/p/9", true, t));
    // /u: members without a child, deleted down to the parent, then made again.
    step(1, (c, t) => c.getChildren("/u", true, t));
    for (const k of [2, 0, 3, 1]) step(1, (c, t) => c.delete(`/u/${k}`, 0, t));
    step(1, (c, t) => c.delete("/u", 0, t));
    step(1, (c, t) => c.exists("/u/1", true, t));
    step(1, (c, t) => c.create("/u", null, "persistent", t));
    step(1, (c, t) => c.getData("/u/1", false, t)); // NoNode: a deleted member does not come back
    step(1, (c, t) => c.create("/u/1", "again", "persistent", t));
    // /one: a single member, listed as a lone path.
    step(0, (c, t) => c.delete("/one/0/state", 0, t));
    step(0, (c, t) => c.create("/one/x", 1, "persistent", t));
    step(0, (c, t) => c.getChildren("/one", false, t));
    // Sessions close: client 2's ephemerals under the family go, client 1's watches go.
    step(2, (c) => c.close());
    step(1, (c) => c.close());
    step(0, (c, t) => c.getChildren("/t/p/8", false, t));
    step(0, (c, t) => c.setData("/t/p/4/state", "last", 0, t));
    // Only what was looked up entered the table.
    expect(lazy.server.tree.nodes.size).toBeLessThan(eager.server.tree.nodes.size);
  });

  it("random operations on members, children and paths beside them give the same answers and state", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const rnd = lcg(seed);
      const eager = restored(false).h;
      const lazy = restored(true).h;
      const paths = (): string => {
        const r = rnd(10);
        const k = rnd(P + 2);
        if (r < 3) return `/t/p/${k}`;
        if (r < 7) return `/t/p/${k}/state`;
        if (r < 8) return `/u/${rnd(U + 1)}`;
        return r < 9 ? "/t/p" : "/one/0/state";
      };
      for (let tag = 1; tag <= 120; tag++) {
        const host = rnd(BROKERS);
        const path = paths();
        const other = paths();
        const op = rnd(9);
        const version = rnd(3) - 1;
        const flag = rnd(2) === 0;
        for (const h of [eager, lazy]) {
          const c = h.client(host);
          if (op === 0) c.getData(path, flag, tag);
          else if (op === 1) c.exists(path, flag, tag);
          else if (op === 2) c.getChildren(path, flag, tag);
          else if (op === 3) c.setData(path, tag, version, tag);
          else if (op === 4) c.delete(path, version, tag);
          else if (op === 5) c.create(path, tag, flag ? "persistent" : "ephemeral", tag);
          else if (op === 6) c.multi([{ op: "delete", path, version }, { op: "create", path: other, data: tag, mode: "persistent" }], tag);
          else if (op === 7) c.multi([{ op: "setData", path, data: tag, version }, { op: "check", path: other, version }], tag);
          else c.getData(other, true, tag);
        }
        eager.advance(10);
        lazy.advance(10);
        same(eager, lazy);
      }
    }
  });
});
