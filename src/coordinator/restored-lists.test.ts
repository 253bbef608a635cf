import { describe, expect, it } from "vitest";
import { lcg } from "../testing/lcg.ts";
import { Session } from "./sessions.ts";
import { ZnodeTree } from "./tree.ts";
import { WatchManager } from "./watches.ts";

describe("what a settled start restores without listing it per session", () => {
  it("ephemerals created by createRestored close in the same order as listed ones, through re-creates, rollbacks and churn", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const rnd = lcg(seed);
      const listed = new ZnodeTree();
      const restored = new ZnodeTree();
      let zxid = 1;
      for (const t of [listed, restored]) t.create("/e", null, "persistent", 0, zxid);
      zxid++;
      for (let i = 0; i < 12; i++, zxid++) {
        listed.create(`/e/${i}`, i, "ephemeral", 1 + (i % 3), zxid);
        restored.createRestored(`/e/${i}`, i, "ephemeral", 1 + (i % 3), zxid);
      }
      for (let step = 0; step < 300; step++, zxid++) {
        const path = `/e/${rnd(20)}`;
        const owner = 1 + rnd(3);
        const op = rnd(10);
        const both = (f: (t: ZnodeTree) => unknown) => expect(f(restored)).toEqual(f(listed));
        if (op < 4) both((t) => t.create(path, step, "ephemeral", owner, zxid));
        else if (op < 7) both((t) => t.delete(path, -1, zxid));
        else if (op < 9) {
          const commit = rnd(2) === 0;
          const other = `/e/${rnd(20)}`;
          both((t) => {
            t.beginMulti();
            const r = [t.delete(path, -1, zxid), t.create(other, step, "ephemeral", owner, zxid)];
            if (commit) t.commitMulti();
            else t.rollbackMulti();
            return r;
          });
        } else if (rnd(4) === 0) both((t) => t.killSession(owner, zxid));
        for (let o = 1; o <= 3; o++) {
          both((t) => t.ephemeralsOf(o));
          both((t) => t.ephemeralCount(o));
        }
      }
      for (let o = 1; o <= 3; o++) expect(restored.killSession(o, zxid)).toEqual(listed.killSession(o, zxid));
    }
  });

  it("data watches restored by restoreData go with their session's connection as listed ones do", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const rnd = lcg(seed);
      const sides = [0, 1].map(() => {
        const tree = new ZnodeTree();
        const wm = new WatchManager(tree);
        const sessions = [1, 2, 3].map((id) => new Session(id, 6000, 0));
        tree.create("/w", null, "persistent", 0, 1);
        for (let i = 0; i < 8; i++) tree.create(`/w/${i}`, null, "persistent", 0, 2 + i);
        return { tree, wm, sessions };
      });
      for (let i = 0; i < 8; i++) {
        for (let k = 0; k < 3; k++) {
          if (rnd(3) === 0) continue;
          sides[0].wm.addData(`/w/${i}`, sides[0].sessions[k]);
          sides[1].wm.restoreData(`/w/${i}`, sides[1].sessions[k]);
        }
      }
      sides[1].wm.endRestore();
      const view = (side: (typeof sides)[number]) => {
        const out: string[] = [];
        for (const [path, list] of side.wm.table(false)) out.push(`${path}:${list.map((s) => s.id).join(",")}`);
        return [out.sort(), side.wm.size, side.sessions.map((s) => s.dataWatchCount)];
      };
      let zxid = 20;
      for (let step = 0; step < 200; step++, zxid++) {
        const path = `/w/${rnd(10)}`;
        const k = rnd(3);
        const op = rnd(10);
        const told: string[][] = [[], []];
        sides.forEach((side, j) => {
          const { tree, wm, sessions } = side;
          if (op < 3) wm.addData(path, sessions[k]);
          else if (op < 5) wm.triggerData(path, "dataChanged", { notify: (s, _t, p) => told[j].push(`${s.id}${p}`) }, null);
          else if (op < 7) tree.delete(path, -1, zxid);
          else if (op < 9) tree.create(path, null, "persistent", 0, zxid);
          else wm.removeSession(sessions[k]);
        });
        expect(told[1]).toEqual(told[0]);
        expect(view(sides[1])).toEqual(view(sides[0]));
      }
    }
  });
});
