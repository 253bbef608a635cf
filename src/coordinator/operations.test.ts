import { describe, expect, it } from "vitest";
import { Harness } from "../testing/coordinator-harness.ts";

describe("operations", () => {
  it("multi is atomic: all ops under one zxid, or none; results per op", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    const c = h.client(0);
    c.create("/m", 0, "persistent", 1);
    c.multi(
      [
        { op: "create", path: "/m/a", data: 1, mode: "persistent" },
        { op: "create", path: "/m/a/b", data: 2, mode: "persistent" }, // sees the op before it
        { op: "setData", path: "/m", data: "x", version: 0 },
        { op: "check", path: "/m", version: 1 },
      ],
      2,
    );
    h.advance(20);
    const ok = h.result(0, 2);
    expect(ok.op).toBe("multi");
    expect(ok.err).toBe("ok");
    expect(ok.results).toEqual(["ok", "ok", "ok", "ok"]);
    const t = h.server.tree;
    expect(t.get("/m/a")?.czxid).toBe(ok.zxid);
    expect(t.get("/m/a/b")?.czxid).toBe(ok.zxid);
    expect(t.get("/m")?.mzxid).toBe(ok.zxid);
    expect(t.get("/m")?.version).toBe(1);

    // A failing op undoes everything before it; the results stop at the failing op.
    const znodes = t.size;
    c.multi(
      [
        { op: "create", path: "/m/c", data: 1, mode: "ephemeral" },
        { op: "delete", path: "/m/a/b", version: -1 },
        { op: "setData", path: "/m", data: "y", version: 1 },
        { op: "check", path: "/m/a", version: 7 },
        { op: "create", path: "/m/d", data: 1, mode: "persistent" },
      ],
      3,
    );
    h.advance(20);
    const failed = h.result(0, 3);
    expect(failed.err).toBe("BadVersion");
    expect(failed.results).toEqual(["ok", "ok", "ok", "BadVersion"]);
    expect(t.size).toBe(znodes);
    expect(t.get("/m/c")).toBeUndefined();
    expect(t.get("/m/a/b")).toBeDefined();
    expect(t.get("/m")?.data).toBe("x");
    expect(t.get("/m")?.version).toBe(1);
    expect(t.get("/m")?.cversion).toBe(1);
    expect(t.ephemeralCount(c.sessionId)).toBe(0);
    // The failed multi still took a zxid (an error txn).
    expect(failed.zxid).toBe(ok.zxid + 1);
  });

  it("multi with sequential creates and deletes keeps cversion exact", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    const c = h.client(0);
    c.create("/s", 0, "persistent", 1);
    c.multi(
      [
        { op: "create", path: "/s/n-", data: 0, mode: "persistent-sequential" },
        { op: "create", path: "/s/n-", data: 0, mode: "persistent-sequential" },
        { op: "delete", path: "/s/n-0000000000", version: -1 },
      ],
      2,
    );
    c.getChildren("/s", false, 3);
    h.advance(20);
    expect(h.result(0, 2).err).toBe("ok");
    expect(h.result(0, 3).children).toEqual(["n-0000000001"]);
    expect(h.result(0, 3).stat?.cversion).toBe(3);
  });

  it("reads: getData, exists and getChildren report NoNode on a missing node; exists gives the stat", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    const c = h.client(0);
    c.exists("/x", false, 1);
    c.getData("/x", false, 2);
    c.create("/x", [1, 2, 3], "persistent", 3);
    c.exists("/x", false, 4);
    c.getData("/x", false, 5);
    h.advance(20);
    expect(h.result(0, 1)).toMatchObject({ op: "exists", err: "NoNode", path: "/x" });
    expect(h.result(0, 2)).toMatchObject({ op: "getData", err: "NoNode" });
    expect(h.result(0, 4).stat?.czxid).toBe(h.result(0, 3).zxid);
    expect(h.result(0, 5).data).toEqual([1, 2, 3]);
  });

  it("replies on one session are FIFO, reads included, whatever their service times", () => {
    const h = new Harness(1);
    h.connectAll([0]);
    const c = h.client(0);
    c.create("/f", 0, "persistent", 1);
    c.getData("/f", false, 2); // a cheap read right behind a write
    c.setData("/f", 1, -1, 3);
    c.exists("/f", false, 4);
    c.getData("/f", false, 5);
    h.advance(20);
    const rs = h.results(0);
    expect(rs.map((r) => r.tag)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < rs.length; i++) expect(rs[i].t).toBeGreaterThanOrEqual(rs[i - 1].t);
    expect(h.result(0, 5).data).toBe(1);
  });

  it("requests before connect() fail with ConnectionLoss, delivered asynchronously", () => {
    const h = new Harness(1);
    let inside = false;
    let sawInside = false;
    h.onEvent = () => {
      if (inside) sawInside = true;
    };
    inside = true;
    h.client(0).getData("/", false, 1);
    inside = false;
    expect(h.events[0]).toEqual([]);
    h.advance(1);
    expect(sawInside).toBe(false);
    expect(h.result(0, 1).err).toBe("ConnectionLoss");
  });

  it("requests issued while connecting are queued and sent once connected", () => {
    const h = new Harness(1);
    h.client(0).connect(6000);
    h.client(0).create("/early", 0, "persistent", 1);
    h.advance(10);
    expect(h.trace(0)).toEqual(["session:connected", "result:1:ok"]);
  });
});
