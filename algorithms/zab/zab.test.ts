import { describe, expect, it } from "vitest";
import { FOLLOWING, LEADING, LOOKING, counterOfZxid, makeZxid } from "./fle.ts";
import { quietPeriodOf } from "./options.ts";
import { Harness, type SentFrame } from "./test-harness.ts";

/** Notifications in the frames: [time, from, to, state, leader, zxid, round, peerEpoch]. */
function notifications(frames: readonly SentFrame[], from?: number, to?: number): number[][] {
  const out: number[][] = [];
  for (const f of frames) {
    if (f.type !== "zab.Notification") continue;
    if (from !== undefined && f.from !== from) continue;
    if (to !== undefined && f.to !== to) continue;
    for (let i = 0; i < f.items.length; i += 6) out.push([f.time, f.from, f.to, ...f.items.slice(i + 1, i + 6)]);
  }
  return out;
}

const leadersOf = (h: Harness, p = 0): [number, number][] => h.leads(p).map((d) => [d.host, d.a]);

describe("Zab: election on three nodes", () => {
  it("fresh peers elect the highest id (equal epochs and zxids) in epoch 1; the others follow it", () => {
    const h = new Harness({ hosts: 3 });
    h.runUntil(5_000);
    expect(leadersOf(h)).toEqual([[2, 1]]);
    expect(h.beliefs(0)).toEqual(new Map([[0, 2], [1, 2], [2, 2]]));
    const follows = h.declarations.filter((d) => d.kind === "follow").map((d) => [d.host, d.a, d.b]);
    expect(follows.sort()).toEqual([[0, 2, 1], [1, 2, 1]]);
    // settled after finalizeWait (200 ms, on the 10 ms wheel) plus discovery and synchronisation
    const lead = h.leads(0)[0];
    expect(lead.time).toBeGreaterThanOrEqual(200);
    expect(lead.time).toBeLessThan(220);
    for (const x of [0, 1, 2]) {
      expect(h.durable<Int32Array>(x, "zab.acceptedEpoch")[0]).toBe(1);
      expect(h.durable<Int32Array>(x, "zab.currentEpoch")[0]).toBe(1);
    }
    expect(h.violations()).toEqual([]);
  });

  it("with one of three down, the other two elect; with two down, nobody leads", () => {
    const one = new Harness({ hosts: 3, down: [2] });
    one.runUntil(5_000);
    expect(leadersOf(one)).toEqual([[1, 1]]);
    expect(one.beliefs(0)).toEqual(new Map([[0, 1], [1, 1]]));

    const two = new Harness({ hosts: 3, down: [1, 2] });
    two.runUntil(300_000);
    expect(two.leads()).toEqual([]);
    expect(two.declarations.filter((d) => d.kind === "follow")).toEqual([]);
    expect(two.instances[0]?.phaseOf(0)).toBe("LOOKING");
  });

  it("a LOOKING peer joins an established leader from its LEADING/FOLLOWING notifications", () => {
    const h = new Harness({ hosts: 3, down: [2] });
    h.runUntil(5_000);
    h.restart(2);
    h.runUntil(10_000);
    expect(leadersOf(h)).toEqual([[1, 1]]); // no new election: host 2 learnt the leader
    expect(h.beliefs(0)).toEqual(new Map([[0, 1], [1, 1], [2, 1]]));
    // Host 2 voted for itself (LOOKING), and heard back a LEADING and a FOLLOWING vote for host 1.
    const toTwo = notifications(h.frames, undefined, 2).filter((n) => n[0] >= 5_000);
    expect(toTwo.map((n) => [n[1], n[3], n[4]]).sort()).toEqual([[0, FOLLOWING, 1], [1, LEADING, 1]]);
    expect(h.durable<Int32Array>(2, "zab.currentEpoch")[0]).toBe(1);
  });

  it("the election round (logicalclock): a lagging round is answered and adopted, never the reverse", () => {
    const h = new Harness({ hosts: 3 });
    h.runUntil(1_000); // host 2 leads epoch 1, elected in round 1
    h.crash(2);
    h.runUntil(12_050); // hosts 0 and 1 noticed (syncLimit, on a ping tick) and look again in round 2
    expect(h.instances[0]?.phaseOf(0)).toMatch(/LOOKING|FINALIZING/);
    h.restart(2); // volatile state lost: round 1 again
    h.runUntil(20_000);
    const fromTwo = notifications(h.frames, 2).filter((n) => n[0] >= 12_050);
    expect(fromTwo[0][6]).toBe(1); // its first notifications carry round 1 ...
    const answers = notifications(h.frames, undefined, 2).filter((n) => n[0] >= 12_050 && n[3] === LOOKING);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((n) => n[6] === 2)).toBe(true); // ... answered with round 2 ...
    expect(fromTwo.filter((n) => n[0] > answers[0][0]).every((n) => n[6] === 2)).toBe(true); // ... which it adopts
    const rounds = notifications(h.frames, 0).filter((n) => n[0] >= 12_050).map((n) => n[6]);
    expect(rounds.every((r) => r === 2)).toBe(true); // the others never go back to round 1
    const leads = h.leads(0);
    expect(leads.length).toBe(2);
    expect(leads[1].a).toBe(2);
    expect(h.violations()).toEqual([]);
  });
});

describe("Zab: votes order the leader by (epoch, zxid, id)", () => {
  const seeded = (states: [number, number, number][], down: number[] = []): Harness => {
    // states[h] = [currentEpoch, acceptedEpoch, zxid counter]
    const h = new Harness({ hosts: 3, down: [0, 1, 2] });
    states.forEach(([cur, acc, counter], host) => {
      h.seedDurable(host, "zab.currentEpoch", Int32Array.of(cur));
      h.seedDurable(host, "zab.acceptedEpoch", Int32Array.of(acc));
      h.seedDurable(host, "zab.lastZxid", Float64Array.of(makeZxid(cur, counter)));
    });
    for (let x = 0; x < 3; x++) if (!down.includes(x)) h.bootNow(x);
    return h;
  };

  it("a higher epoch beats a higher zxid and a higher id; the new epoch is max(acceptedEpoch) + 1", () => {
    const h = seeded([
      [3, 3, 1],
      [2, 4, 900],
      [2, 4, 999],
    ]);
    h.runUntil(5_000);
    expect(leadersOf(h)).toEqual([[0, 5]]);
    expect(h.beliefs(0)).toEqual(new Map([[0, 0], [1, 0], [2, 0]]));
  });

  it("with equal epochs, a higher zxid beats a higher id", () => {
    const h = seeded([
      [3, 3, 10],
      [3, 3, 5],
      [3, 3, 9],
    ]);
    h.runUntil(5_000);
    expect(leadersOf(h)).toEqual([[0, 4]]);
  });

  it("the elected leader has the highest (epoch, zxid) of the quorum that elected it", () => {
    const h = seeded(
      [
        [9, 9, 99], // down: the best of all, but not in the quorum
        [3, 3, 5],
        [3, 3, 4],
      ],
      [0],
    );
    h.runUntil(5_000);
    expect(leadersOf(h)).toEqual([[1, 4]]); // host 1 beats host 2 on zxid; epoch = max(3, 3) + 1
  });
});

describe("Zab: discovery and synchronisation", () => {
  it("does not declare a leader before a quorum acknowledged NEWLEADER", () => {
    const h = new Harness({ hosts: 3 });
    // Every ACK of NEWLEADER (counter 0) is never sent.
    h.filter = (_from, _to, type, item) => !(type === "zab.Ack" && counterOfZxid(item[1]) === 0);
    h.runUntil(15_000);
    expect(h.leads()).toEqual([]);
    expect(h.declarations.filter((d) => d.kind === "follow")).toEqual([]);
    expect(h.instances[2]?.phaseOf(0)).toBe("L_SYNC");
    // NEWLEADER went out, followers set currentEpoch (durable) and would have ACKed.
    expect(h.frames.filter((f) => f.type === "zab.NewLeader").map((f) => f.to).sort()).toEqual([0, 1]);
    expect(h.durable<Int32Array>(0, "zab.currentEpoch")[0]).toBe(1);
    // After initLimit (10 ticks of 2 s) without a quorum, the would-be leader looks again.
    h.runUntil(21_000);
    expect(h.declarations.filter((d) => d.kind === "campaign" && d.host === 2).length).toBe(2);
    expect(h.leads()).toEqual([]);
    // The acks flow again: the next epoch is established.
    h.filter = undefined;
    h.runUntil(60_000);
    expect(h.leads().length).toBe(1);
    expect(h.leads()[0].a).toBeGreaterThanOrEqual(2);
    expect(h.violations()).toEqual([]);
  });

  it("one acknowledgement of NEWLEADER besides the leader's own is a quorum of three", () => {
    const h = new Harness({ hosts: 3 });
    h.filter = (from, _to, type, item) => !(type === "zab.Ack" && counterOfZxid(item[1]) === 0 && from === 0);
    h.runUntil(5_000);
    expect(leadersOf(h)).toEqual([[2, 1]]);
    expect(h.beliefs(0).get(1)).toBe(2);
    expect(h.beliefs(0).has(0)).toBe(false); // never got UPTODATE
  });
});

describe("Zab: durable epochs", () => {
  it("a restart keeps acceptedEpoch, currentEpoch and the last zxid", () => {
    const h = new Harness({ hosts: 3 });
    h.runUntil(1_000);
    h.write(2, 0, 1);
    h.write(2, 0, 2);
    h.runUntil(2_000);
    const before = [0, 1, 2].map((x) => [
      h.durable<Int32Array>(x, "zab.acceptedEpoch")[0],
      h.durable<Int32Array>(x, "zab.currentEpoch")[0],
      h.durable<Float64Array>(x, "zab.lastZxid")[0],
    ]);
    expect(before).toEqual([
      [1, 1, makeZxid(1, 2)],
      [1, 1, makeZxid(1, 2)],
      [1, 1, makeZxid(1, 2)],
    ]);
    for (const x of [0, 1, 2]) h.crash(x);
    h.runUntil(3_000);
    for (const x of [0, 1, 2]) h.restart(x);
    h.runUntil(8_000);
    // The same arrays, continued: the next epoch is 2, and nobody forgot the writes.
    expect(leadersOf(h)).toEqual([
      [2, 1],
      [2, 2],
    ]);
    for (const x of [0, 1, 2]) {
      expect(h.durable<Int32Array>(x, "zab.acceptedEpoch")[0]).toBe(2);
      expect(h.durable<Int32Array>(x, "zab.currentEpoch")[0]).toBe(2);
      expect(h.durable<Float64Array>(x, "zab.lastZxid")[0]).toBe(makeZxid(1, 2));
    }
  });

  it("a crashed leader comes back as a follower of the newer epoch", () => {
    const h = new Harness({ hosts: 3 });
    h.runUntil(1_000);
    h.crash(2);
    h.runUntil(15_000);
    expect(leadersOf(h)).toEqual([
      [2, 1],
      [1, 2],
    ]);
    h.restart(2);
    h.runUntil(20_000);
    expect(h.beliefs(0)).toEqual(new Map([[0, 1], [1, 1], [2, 1]]));
    expect(h.durable<Int32Array>(2, "zab.currentEpoch")[0]).toBe(2);
    expect(h.violations()).toEqual([]);
  });
});

describe("Zab: notification backoff", () => {
  it("a lone LOOKING peer re-sends after 200, 400, 800 ms ... doubling up to 60 s", () => {
    const h = new Harness({ hosts: 3, down: [1, 2] });
    h.runUntil(400_000);
    const times = notifications(h.frames, 0, 1).map((n) => n[0]);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps.slice(0, 12)).toEqual([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000, 60000]);
    expect(h.instances[0]?.notificationTimeoutOf(0)).toBe(60000);
  });
});

describe("Zab: broadcast", () => {
  it("the leader acknowledges a write after a quorum ACKed its proposal; others refuse writes", () => {
    const h = new Harness({ hosts: 3 });
    h.runUntil(1_000);
    h.write(2, 0, 7);
    h.write(0, 0, 8);
    h.runUntil(1_010);
    const answers = h.declarations.filter((d) => d.kind === "ack" || d.kind === "reject").map((d) => [d.host, d.kind, d.a, d.b]);
    expect(answers).toEqual([
      [0, "reject", 0, 8],
      [2, "ack", 1, 7],
    ]);
    expect(h.frames.filter((f) => f.type === "zab.Proposal").length).toBe(2);
    expect(h.frames.filter((f) => f.type === "zab.Commit").length).toBe(2);
  });

  it("without a quorum of proposal ACKs there is no acknowledgement", () => {
    const h = new Harness({ hosts: 3 });
    h.filter = (_from, _to, type, item) => !(type === "zab.Ack" && counterOfZxid(item[1]) > 0);
    h.runUntil(1_000);
    h.write(2, 0, 1);
    h.runUntil(3_000);
    expect(h.declarations.filter((d) => d.kind === "ack")).toEqual([]);
    expect(h.declarations.filter((d) => d.kind === "reject").map((d) => d.b)).toEqual([1]);
  });

  it("a zombie leader does not acknowledge after a newer leader was elected (the stale-ack guard)", () => {
    const h = new Harness({ hosts: 3 });
    h.runUntil(1_000);
    h.write(2, 0, 1); // proposed; the followers log and ACK it ...
    h.pause(2); // ... but the leader freezes before the ACKs arrive
    h.runUntil(15_000);
    expect(leadersOf(h)).toEqual([
      [2, 1],
      [1, 2],
    ]);
    h.resume(2);
    h.runUntil(16_000);
    // The ACKs reach a quorum only now: far too late to answer.
    expect(h.declarations.filter((d) => d.kind === "ack")).toEqual([]);
    expect(h.declarations.filter((d) => d.kind === "reject").map((d) => [d.host, d.b])).toEqual([[2, 1]]);
    // The new connections from its peers told it it no longer leads.
    expect(h.declarations.some((d) => d.kind === "stepDown" && d.host === 2)).toBe(true);
    expect(h.beliefs(0)).toEqual(new Map([[0, 1], [1, 1], [2, 1]]));
    // And the write survived into the new epoch's history.
    expect(h.durable<Float64Array>(1, "zab.lastZxid")[0]).toBe(makeZxid(1, 1));
    expect(h.violations()).toEqual([]);
  });
});

describe("Zab: safety under random faults", () => {
  const hosts = 5;
  const partitions = 4;

  function run(seed: number): { h: Harness; violations: string[] } {
    const h = new Harness({ hosts, partitions, replicationFactor: 3, seed, delayMin: 0.2, delayMax: 3 });
    let s = seed * 7919 + 17;
    const rand = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
      return s / 0x80000000;
    };
    let writeId = 1;
    const paused = new Set<number>();
    for (let t = 500; t < 60_000; t += 100) {
      h.runUntil(t);
      // Writes: each partition, to a random replica.
      for (let p = 0; p < partitions; p++) h.write(h.cluster.replica(p, Math.floor(rand() * 3)), p, writeId++);
      if (rand() < 0.02) {
        const x = Math.floor(rand() * hosts);
        const r = rand();
        if (r < 0.25) {
          if (h.isUp(x)) h.crash(x);
          else h.restart(x);
        } else if (r < 0.5) {
          if (paused.has(x)) {
            h.resume(x);
            paused.delete(x);
          } else if (h.isUp(x)) {
            h.pause(x);
            paused.add(x);
          }
        } else if (r < 0.75) {
          const side = [0, 1, 2, 3, 4].filter(() => rand() < 0.5);
          h.heal();
          h.setReachable(side, [0, 1, 2, 3, 4].filter((y) => !side.includes(y)), false);
        } else {
          h.heal();
        }
      }
    }
    // Recovery, then the quiet period: everyone up, resumed, connected.
    h.heal();
    for (const x of paused) h.resume(x);
    for (let x = 0; x < hosts; x++) h.restart(x);
    h.runFor(quietPeriodOf(h.options));
    return { h, violations: h.violations() };
  }

  it("never two leaders in one epoch, never a stale acknowledgement, and one agreed leader after the quiet period", () => {
    let leads = 0;
    let acks = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { h, violations } = run(seed);
      expect(violations, `seed ${seed}`).toEqual([]);
      leads += h.leads().length;
      acks += h.declarations.filter((d) => d.kind === "ack").length;
      for (let p = 0; p < partitions; p++) {
        const beliefs = h.beliefs(p);
        const replicas = [0, 1, 2].map((j) => h.cluster.replica(p, j));
        const named = replicas.map((r) => beliefs.get(r) ?? -1);
        expect(new Set(named).size, `seed ${seed} p${p}: ${named}`).toBe(1);
        expect(named[0], `seed ${seed} p${p}`).not.toBe(-1);
      }
    }
    // The runs did exercise elections and writes.
    expect(leads).toBeGreaterThan(200);
    expect(acks).toBeGreaterThan(10_000);
  });
});
