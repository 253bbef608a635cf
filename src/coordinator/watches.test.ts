import { describe, expect, it } from "vitest";
import { Harness } from "../testing/coordinator-harness.ts";
import { Session } from "./sessions.ts";
import { ZnodeTree } from "./tree.ts";
import { WatchManager } from "./watches.ts";

function world(): Harness {
  const h = new Harness(2);
  h.connectAll([0, 1]);
  return h;
}

describe("watches", () => {
  it("watches are one-shot: two changes, one event", () => {
    const h = world();
    h.client(0).create("/a", 0, "persistent", 1);
    h.advance(10);
    h.client(1).getData("/a", true, 2);
    h.advance(10);
    h.client(0).setData("/a", 1, -1, 3);
    h.client(0).setData("/a", 2, -1, 4);
    h.advance(10);
    expect(h.watches(1).map((w) => `${w.type}:${w.path}`)).toEqual(["dataChanged:/a"]);
  });

  it("an exists watch on a missing node fires on create", () => {
    const h = world();
    h.client(1).exists("/leader", true, 1);
    h.advance(10);
    expect(h.result(1, 1).err).toBe("NoNode");
    h.client(0).create("/leader", 0, "ephemeral", 2);
    h.advance(10);
    expect(h.watches(1).map((w) => `${w.type}:${w.path}`)).toEqual(["created:/leader"]);
  });

  it("data and exists watches fire on setData and on delete", () => {
    const h = world();
    h.client(0).create("/d1", 0, "persistent", 1);
    h.client(0).create("/d2", 0, "persistent", 2);
    h.advance(10);
    h.client(1).exists("/d1", true, 3);
    h.client(1).getData("/d2", true, 4);
    h.advance(10);
    h.client(0).delete("/d1", -1, 5);
    h.client(0).setData("/d2", 1, -1, 6);
    h.advance(10);
    h.client(1).getData("/d2", true, 7);
    h.advance(10);
    h.client(0).delete("/d2", -1, 8);
    h.advance(10);
    expect(h.watches(1).map((w) => `${w.type}:${w.path}`)).toEqual(["deleted:/d1", "dataChanged:/d2", "deleted:/d2"]);
  });

  it("getData on a missing node sets no watch", () => {
    const h = world();
    h.client(1).getData("/none", true, 1);
    h.advance(10);
    h.client(0).create("/none", 0, "persistent", 2);
    h.advance(10);
    expect(h.watches(1)).toEqual([]);
    expect(h.server.watches.size).toBe(0);
  });

  it("child watches fire on a change of children and on delete of the parent", () => {
    const h = world();
    h.client(0).create("/p", 0, "persistent", 1);
    h.advance(10);
    h.client(1).getChildren("/p", true, 2);
    h.advance(10);
    h.client(0).create("/p/c", 0, "persistent", 3);
    h.advance(10);
    h.client(0).setData("/p/c", 1, -1, 4); // a child's data is not a change of children
    h.advance(10);
    h.client(1).getChildren("/p", true, 5);
    h.advance(10);
    h.client(0).delete("/p/c", -1, 6);
    h.advance(10);
    h.client(1).getChildren("/p", true, 7);
    h.advance(10);
    h.client(0).delete("/p", -1, 8);
    h.advance(10);
    expect(h.watches(1).map((w) => `${w.type}:${w.path}`)).toEqual([
      "childrenChanged:/p",
      "childrenChanged:/p",
      "deleted:/p",
    ]);
  });

  it("a delete fires once per session even with data and child watches on the node", () => {
    const h = world();
    h.client(0).create("/both", 0, "persistent", 1);
    h.advance(10);
    h.client(1).getData("/both", true, 2);
    h.client(1).getChildren("/both", true, 3);
    h.advance(10);
    h.client(0).delete("/both", -1, 4);
    h.advance(10);
    expect(h.watches(1).map((w) => `${w.type}:${w.path}`)).toEqual(["deleted:/both"]);
    expect(h.server.stats().notifications).toBe(1);
  });

  it("a client sees the watch event before the result of any later read it issued", () => {
    const h = world();
    h.client(0).create("/x", "old", "persistent", 1);
    h.advance(10);
    h.client(1).getData("/x", true, 2);
    h.advance(10);
    // Client 0's write reaches the server first; client 1's read arrives 0.1 ms later, while the
    // write is still being committed: it sees the new data, and must see the event before it.
    h.client(0).setData("/x", "new", -1, 3);
    h.advance(0.1);
    h.client(1).getData("/x", false, 4);
    h.advance(10);
    const trace = h.trace(1);
    expect(trace.slice(-2)).toEqual(["watch:dataChanged:/x", "result:4:ok"]);
    expect(h.result(1, 4).data).toBe("new");
    // The writer's own reply left after the watch events of its write (same commit).
    expect(h.watches(1)[0].t).toBeLessThanOrEqual(h.result(0, 3).t);
  });

  it("watch events arrive in zxid order", () => {
    const h = world();
    const paths = ["/z1", "/z2", "/z3", "/z4", "/z5"];
    paths.forEach((p, i) => h.client(0).create(p, 0, "persistent", i));
    h.advance(10);
    paths.forEach((p, i) => h.client(1).getData(p, true, 10 + i));
    h.advance(10);
    const order = ["/z4", "/z2", "/z5", "/z1", "/z3"];
    order.forEach((p, i) => h.client(0).setData(p, 1, -1, 20 + i));
    h.advance(10);
    expect(h.watches(1).map((w) => w.path)).toEqual(order);
    const zxids = order.map((_, i) => h.result(0, 20 + i).zxid);
    expect(zxids).toEqual([...zxids].sort((a, b) => a - b));
  });

  it("the herd: one ephemeral deleted, every watcher notified", () => {
    const n = 20;
    const h = new Harness(n);
    h.connectAll(Array.from({ length: n }, (_, i) => i));
    h.client(0).create("/controller", 0, "ephemeral", 1);
    h.advance(10);
    for (let i = 1; i < n; i++) h.client(i).exists("/controller", true, 2);
    h.advance(10);
    h.client(0).close();
    h.advance(10);
    for (let i = 1; i < n; i++) expect(h.watches(i).map((w) => w.type)).toEqual(["deleted"]);
    // Every watcher races to create it; one wins.
    for (let i = 1; i < n; i++) h.client(i).create("/controller", i, "ephemeral", 3);
    h.advance(10);
    const winners = Array.from({ length: n - 1 }, (_, i) => i + 1).filter((i) => h.result(i, 3).err === "ok");
    expect(winners).toEqual([1]);
    expect(h.server.stats().losingCreates).toBe(n - 2);
    expect(h.server.stats().notifications).toBe(n - 1);
  });

  it("a watch belongs to its path, not its node: it moves as nodes come and go (multis, rollbacks, closeSession)", () => {
    const h = new Harness(3);
    h.connectAll([0, 1, 2]);
    const c = h.client(0);
    c.create("/w", 0, "persistent", 1);
    c.create("/gone", 0, "persistent", 2);
    h.advance(10);
    h.client(1).getData("/w", true, 3); // on the node
    h.client(1).exists("/new", true, 4); // on a missing path
    h.client(2).exists("/new", true, 5);
    h.advance(10);
    // Deleted and created again in one multi: the old node's watchers fire on the delete.
    c.multi([{ op: "delete", path: "/w", version: -1 }, { op: "create", path: "/w", data: 1, mode: "persistent" }], 6);
    // A create of a watched missing path rolled back: the exists watches stay on the path.
    c.multi([{ op: "create", path: "/new", data: 1, mode: "persistent" }, { op: "check", path: "/gone", version: 5 }], 7);
    h.advance(10);
    expect(h.result(0, 7).err).toBe("BadVersion");
    expect(h.watches(1).map((w) => `${w.type}:${w.path}`)).toEqual(["deleted:/w"]);
    expect(h.server.watches.size).toBe(2);
    c.create("/new", 0, "persistent", 8);
    h.advance(10);
    expect(h.watches(1).map((w) => `${w.type}:${w.path}`)).toEqual(["deleted:/w", "created:/new"]);
    expect(h.watches(2).map((w) => `${w.type}:${w.path}`)).toEqual(["created:/new"]);
    h.client(1).getData("/new", true, 9);
    h.client(2).getData("/new", true, 10);
    h.advance(10);
    // A delete of /new rolled back, then session 2 closes: its watch goes, session 1's stays.
    c.multi([{ op: "delete", path: "/new", version: -1 }, { op: "check", path: "/gone", version: 5 }], 11);
    h.advance(10);
    h.client(2).close();
    h.advance(10);
    expect(h.server.watches.size).toBe(1);
    expect([...h.server.watches.table(false).keys()]).toEqual(["/new"]);
    c.delete("/new", -1, 12);
    h.advance(10);
    expect(h.watches(1).map((w) => `${w.type}:${w.path}`)).toEqual(["deleted:/w", "created:/new", "deleted:/new"]);
    expect(h.watches(2).map((w) => `${w.type}:${w.path}`)).toEqual(["created:/new"]);
    expect(h.server.watches.size).toBe(0);
  });
});

describe("restored data watches (settled start)", () => {
  it("paths with the same watchers share one list, which no later change alters under another path", () => {
    const tree = new ZnodeTree();
    const wm = new WatchManager(tree);
    const [s1, s2, s3] = [1, 2, 3].map((id) => new Session(id, 6000, 0));
    for (const p of ["/a", "/b", "/c"]) tree.create(p, null, "persistent", 0, 1);
    for (const p of ["/a", "/b", "/c"]) for (const s of [s1, s2]) wm.restoreData(p, s);
    expect(wm.restoreData("/a", s2)).toBe(false); // a session watching a path twice holds one watch
    wm.endRestore();
    const list = (p: string) => wm.table(false).get(p);
    expect(list("/a")).toBe(list("/b"));
    expect(list("/a")).toEqual([s1, s2]);
    wm.addData("/b", s3);
    wm.removeSession(s1);
    const told: string[] = [];
    wm.triggerData("/c", "dataChanged", { notify: (s, _t, p) => told.push(`${s.id}${p}`) }, null);
    expect(told).toEqual(["2/c"]);
    expect(list("/a")).toEqual([s2]);
    expect(list("/b")).toEqual([s2, s3]);
    expect(list("/c")).toBeUndefined();
    expect(wm.size).toBe(3);
  });
});
