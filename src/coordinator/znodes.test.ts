import { describe, expect, it } from "vitest";
import { validatePath } from "./client.ts";
import { Harness } from "../testing/coordinator-harness.ts";
import { childCount, sequenceSuffix, ZnodeTree, type Znode } from "./tree.ts";

describe("znodes", () => {
  it("sequential nodes get the parent's cversion as a 10-digit zero-padded suffix", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    const c = h.client(0);
    c.create("/q", null, "persistent", 1);
    c.create("/q/n-", "a", "persistent-sequential", 2);
    c.create("/q/n-", "b", "ephemeral-sequential", 3);
    c.create("/q/x", "c", "persistent", 4); // cversion 2 -> 3
    c.delete("/q/x", -1, 5); // cversion 3 -> 4
    c.create("/q/", "d", "persistent-sequential", 6);
    h.advance(20);
    expect(h.result(0, 2).createdPath).toBe("/q/n-0000000000");
    expect(h.result(0, 3).createdPath).toBe("/q/n-0000000001");
    expect(h.result(0, 6).createdPath).toBe("/q/0000000004");
    expect(h.server.tree.get("/q/n-0000000001")?.ephemeralOwner).toBe(c.sessionId);
    expect(sequenceSuffix(1234567890123)).toBe("1234567890123");
  });

  it("parents must exist (NoNode) and ephemerals cannot have children", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    const c = h.client(0);
    c.create("/a/b", 0, "persistent", 1);
    c.create("/e", 0, "ephemeral", 2);
    c.create("/e/child", 0, "persistent", 3);
    h.advance(20);
    expect(h.result(0, 1).err).toBe("NoNode");
    expect(h.result(0, 2).err).toBe("ok");
    expect(h.result(0, 3).err).toBe("NoChildrenForEphemerals");
  });

  it("create of an existing path fails with NodeExists", () => {
    const h = new Harness(2);
    h.connectAll([0, 1]);
    h.client(0).create("/controller", 0, "ephemeral", 1);
    h.client(1).create("/controller", 1, "ephemeral", 2);
    h.advance(20);
    expect(h.result(0, 1).err).toBe("ok");
    expect(h.result(1, 2).err).toBe("NodeExists");
    expect(h.result(1, 2).createdPath).toBeUndefined();
  });

  it("stat: czxid, mzxid, pzxid, version, cversion, ephemeralOwner, numChildren; one global zxid counter (failed writes take one too)", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    const c = h.client(0);
    // zxid 1 was the createSession.
    c.create("/p", "v0", "persistent", 1); // zxid 2
    c.create("/p/c1", 0, "persistent", 2); // zxid 3
    c.setData("/p", "v1", 0, 3); // zxid 4
    c.create("/p", 0, "persistent", 4); // zxid 5: NodeExists, an error txn
    c.create("/p/c2", 0, "persistent", 5); // zxid 6
    c.delete("/p/c1", -1, 6); // zxid 7
    c.getData("/p", false, 7);
    h.advance(20);
    expect(h.result(0, 1).zxid).toBe(2);
    expect(h.result(0, 3).stat).toEqual({ czxid: 2, mzxid: 4, pzxid: 3, version: 1, cversion: 1, ephemeralOwner: 0, numChildren: 1 });
    expect(h.result(0, 4)).toMatchObject({ err: "NodeExists", zxid: 5 });
    const r = h.result(0, 7);
    expect(r.data).toBe("v1");
    expect(r.zxid).toBe(7);
    expect(r.stat).toEqual({ czxid: 2, mzxid: 4, pzxid: 7, version: 1, cversion: 3, ephemeralOwner: 0, numChildren: 1 });
  });

  it("delete checks the version (-1 = any) and refuses a node with children (NotEmpty)", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    const c = h.client(0);
    c.create("/d", 0, "persistent", 1);
    c.create("/d/k", 0, "persistent", 2);
    c.delete("/d", -1, 3);
    c.setData("/d/k", 1, 0, 4); // version 0 -> 1
    c.delete("/d/k", 0, 5);
    c.setData("/d/k", 2, 0, 6);
    c.delete("/d/k", 1, 7);
    c.delete("/d/k", -1, 8);
    c.delete("/d", -1, 9);
    h.advance(20);
    expect([3, 4, 5, 6, 7, 8, 9].map((t) => h.result(0, t).err)).toEqual([
      "NotEmpty", "ok", "BadVersion", "BadVersion", "ok", "NoNode", "ok",
    ]);
    expect(h.server.tree.size).toBe(1);
  });

  it("getChildren returns names sorted; data is any JSON-able value", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    const c = h.client(0);
    c.create("/brokers", null, "persistent", 1);
    for (const id of [3, 10, 1, 2]) c.create(`/brokers/${id}`, { host: `b${id}`, port: 9092 }, "ephemeral", 10 + id);
    c.getChildren("/brokers", false, 2);
    c.getData("/brokers/10", false, 3);
    c.getChildren("/nope", false, 4);
    h.advance(20);
    expect(h.result(0, 2).children).toEqual(["1", "10", "2", "3"]);
    expect(h.result(0, 2).stat?.numChildren).toBe(4);
    expect(h.result(0, 3).data).toEqual({ host: "b10", port: 9092 });
    expect(h.result(0, 4).err).toBe("NoNode");
  });

  it("paths are validated at the call, as ZooKeeper's client does", () => {
    expect(() => validatePath("a", false)).toThrow();
    expect(() => validatePath("/a/", false)).toThrow();
    expect(() => validatePath("/a//b", false)).toThrow();
    expect(() => validatePath("/a/../b", false)).toThrow();
    expect(() => validatePath("/a/", true)).not.toThrow();
    expect(() => validatePath("/", false)).not.toThrow();
    const h = new Harness(1);
    expect(() => h.client(0).delete("/", -1, 1)).toThrow();
  });

  it("a large tree stays consistent (1M znodes: see tree-heap.measure.ts and docs/coordinator.md)", () => {
    const tree = new ZnodeTree();
    tree.create("/brokers", null, "persistent", 0, 1);
    tree.create("/brokers/topics", null, "persistent", 0, 2);
    let zxid = 3;
    const topics = 100;
    const partitions = 1000;
    for (let t = 0; t < topics; t++) {
      tree.create(`/brokers/topics/t${t}`, null, "persistent", 0, zxid++);
      tree.create(`/brokers/topics/t${t}/partitions`, null, "persistent", 0, zxid++);
      for (let p = 0; p < partitions; p++) {
        tree.create(`/brokers/topics/t${t}/partitions/${p}`, { leader: p % 7, epoch: 0 }, "persistent", 0, zxid++);
      }
    }
    expect(tree.size).toBe(1 + 2 + topics * 2 + topics * partitions);
    expect(childCount(tree.get("/brokers/topics/t99/partitions") as Znode)).toBe(partitions);
    expect(childCount(tree.get("/brokers/topics") as Znode)).toBe(topics);
  });

  it("children stay exact through deletes anywhere and multi rollbacks (kept unordered, listed sorted)", () => {
    const tree = new ZnodeTree();
    let zxid = 1;
    tree.create("/c", null, "persistent", 0, zxid++);
    const expected = new Set<string>();
    for (let i = 0; i < 40; i++) {
      tree.create(`/c/n${i}`, i, "persistent", 0, zxid++);
      expected.add(`n${i}`);
    }
    const check = (): void => {
      const node = tree.get("/c") as Znode;
      expect(tree.childrenOf(node)).toEqual([...expected].sort());
      expect(childCount(node)).toBe(expected.size);
    };
    for (const i of [0, 39, 17, 5, 38, 20]) {
      expect(tree.delete(`/c/n${i}`, -1, zxid++)).toBe("ok");
      expected.delete(`n${i}`);
      check();
    }
    tree.beginMulti();
    expect(tree.create("/c/m1", 1, "persistent", 0, zxid)).toBe("ok");
    expect(tree.delete("/c/n3", -1, zxid)).toBe("ok");
    expect(tree.create("/c/m2", 2, "persistent", 0, zxid)).toBe("ok");
    expect(tree.delete("/c/m1", -1, zxid)).toBe("ok");
    expect(tree.delete("/c/n1", -1, zxid)).toBe("ok");
    tree.rollbackMulti();
    check();
    for (const name of [...expected]) {
      expect(tree.delete(`/c/${name}`, -1, zxid++)).toBe("ok");
      expected.delete(name);
      check();
    }
    expect((tree.get("/c") as Znode).children).toBeNull();
    expect(tree.delete("/c", -1, zxid++)).toBe("ok");
  });

  it("a session's ephemerals close in creation order: a re-created path counts from its new create, a rolled-back delete puts the node last", () => {
    const tree = new ZnodeTree();
    let zxid = 1;
    tree.create("/e", null, "persistent", 0, zxid++);
    for (const name of ["a", "b", "c", "d"]) tree.create(`/e/${name}`, name, "ephemeral", 7, zxid++);
    tree.create("/e/x", "x", "ephemeral", 8, zxid++);
    expect(tree.delete("/e/a", -1, zxid++)).toBe("ok");
    expect(tree.create("/e/a", "a2", "ephemeral", 7, zxid++)).toBe("ok");
    tree.beginMulti();
    expect(tree.delete("/e/b", -1, zxid)).toBe("ok");
    tree.rollbackMulti(); // a Set of paths would have moved b to the end
    expect(tree.delete("/e/d", -1, zxid++)).toBe("ok");
    expect(tree.ephemeralCount(7)).toBe(3);
    expect(tree.ephemeralsOf(7)).toEqual(["/e/c", "/e/a", "/e/b"]);
    for (let i = 0; i < 200; i++) {
      tree.create("/e/t", i, "ephemeral", 7, zxid++); // churn: the list is rebuilt, the order kept
      tree.delete("/e/t", -1, zxid++);
    }
    expect(tree.killSession(7, zxid++)).toEqual(["/e/c", "/e/a", "/e/b"]);
    expect(tree.ephemeralCount(7)).toBe(0);
    expect(tree.childrenOf(tree.get("/e") as Znode)).toEqual(["x"]);
    expect(tree.killSession(8, zxid++)).toEqual(["/e/x"]);
  });
});
