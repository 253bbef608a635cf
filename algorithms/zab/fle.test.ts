import { describe, expect, it } from "vitest";
import { counterOfZxid, epochOfZxid, isMoreRecentThan, makeZxid, notificationTimeout, totalOrderPredicate } from "./fle.ts";

describe("totalOrderPredicate (FastLeaderElection's vote order)", () => {
  it("a higher epoch beats a higher zxid and a higher id", () => {
    // (newId, newZxid, newEpoch, curId, curZxid, curEpoch)
    expect(totalOrderPredicate(1, makeZxid(2, 0), 2, 9, makeZxid(1, 500), 1)).toBe(true);
    expect(totalOrderPredicate(9, makeZxid(1, 500), 1, 1, makeZxid(2, 0), 2)).toBe(false);
  });

  it("with equal epochs a higher zxid beats a higher id", () => {
    expect(totalOrderPredicate(1, makeZxid(3, 7), 3, 5, makeZxid(3, 6), 3)).toBe(true);
    expect(totalOrderPredicate(5, makeZxid(3, 6), 3, 1, makeZxid(3, 7), 3)).toBe(false);
  });

  it("with equal epochs and zxids the higher id wins; an equal vote does not beat itself", () => {
    expect(totalOrderPredicate(4, 10, 1, 3, 10, 1)).toBe(true);
    expect(totalOrderPredicate(3, 10, 1, 4, 10, 1)).toBe(false);
    expect(totalOrderPredicate(3, 10, 1, 3, 10, 1)).toBe(false);
  });

  it("is a strict total order on distinct votes", () => {
    const votes: [number, number, number][] = [];
    for (const id of [0, 1, 2]) for (const z of [0, 5]) for (const e of [0, 1]) votes.push([id, z, e]);
    for (const a of votes) {
      for (const b of votes) {
        const ab = totalOrderPredicate(a[0], a[1], a[2], b[0], b[1], b[2]);
        const ba = totalOrderPredicate(b[0], b[1], b[2], a[0], a[1], a[2]);
        const same = a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
        expect(ab && ba).toBe(false);
        expect(ab || ba).toBe(!same);
      }
    }
  });
});

describe("notification timeout", () => {
  it("doubles from 200 ms and stops at maxNotificationInterval (60 s)", () => {
    const seq = Array.from({ length: 12 }, (_, k) => notificationTimeout(k, 200, 60000));
    expect(seq).toEqual([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000, 60000]);
  });
});

describe("zxids and state summaries", () => {
  it("a zxid is epoch << 32 | counter", () => {
    const z = makeZxid(7, 123);
    expect(z).toBe(7 * 4294967296 + 123);
    expect(epochOfZxid(z)).toBe(7);
    expect(counterOfZxid(z)).toBe(123);
    expect(makeZxid(2, 0) > makeZxid(1, 4294967295)).toBe(true);
  });

  it("StateSummary.isMoreRecentThan orders by epoch, then zxid", () => {
    expect(isMoreRecentThan(2, 0, 1, 99)).toBe(true);
    expect(isMoreRecentThan(1, 99, 1, 98)).toBe(true);
    expect(isMoreRecentThan(1, 98, 1, 98)).toBe(false);
    expect(isMoreRecentThan(1, 99, 2, 0)).toBe(false);
  });
});

describe("options", () => {
  it("decode to ZooKeeper 3.8's defaults (lab additions off), the zookeeper variant names them, and the quiet period follows from them", async () => {
    const { Schema } = await import("effect");
    const { zab } = await import("./index.ts");
    const o = Schema.decodeUnknownSync(zab.options)({});
    expect(o).toEqual({
      tickTimeMs: 2000,
      initLimit: 10,
      syncLimit: 5,
      finalizeWaitMs: 200,
      minNotificationIntervalMs: 200,
      maxNotificationIntervalMs: 60000,
      staleAckGuardMs: 0,
      answerLosingVotes: false,
      persistBeforeAck: true,
      coalesce: true,
    });
    expect(Schema.decodeUnknownSync(zab.options)(zab.variants?.find((v) => v.name === "zookeeper")?.options)).toEqual(o);
    // syncLimit 10 s + 1 s ping period + 2 x initLimit 40 s + 60 s + 6 x 200 ms + one tick 2 s, and
    // without answerLosingVotes one more 60 s and initLimit (20 s)
    expect(zab.quietPeriodMs(o)).toBe(194_200);
    expect(zab.quietPeriodMs({ ...o, answerLosingVotes: true, staleAckGuardMs: 200 })).toBe(114_400);
    expect(zab.claims(o)).toEqual({ noLostAcknowledgedWrites: true, noDivergence: true, noSameEpochLeaders: true, liveness: true });
    expect(zab.usesCoordinator).toBe(false);
    expect(() => Schema.decodeUnknownSync(zab.options)({ initLimit: 0 })).toThrow();
  });
});
