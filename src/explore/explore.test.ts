/**
 * The systematic explorer on tiny explorations (seconds): it runs the real elector code, judges
 * with the lab's checker, is deterministic for a states budget, and refuses bad settings by field.
 */
import { describe, expect, it } from "vitest";
import { Schema } from "effect";
import { raft } from "../../algorithms/raft/index.ts";
import { defineElector, type ElectorInstance, type HostContext } from "../elector/api.ts";
import { exploreElector, ExploreSettingsError } from "./index.ts";
import { electors } from "../../algorithms/index.ts";
import { decodeVariantOptions, namedAs, resolveElectorName } from "../elector/variants.ts";
import { judgePath } from "./path.ts";

describe("exploreElector", () => {
  // The same tiny exploration (breadth-first to depth 5, at most 2 faults: drop one datagram, crash
  // a broker) finds the bug zoo's §5.4.1 bug (votes granted without the up-to-date check) and
  // nothing in raft:paper, the variant that bug is an edit of. Depth 5, not 4, since raft persists
  // before replying by default: the follower's fsync ("persisted on host 2") is one more event
  // between the AppendEntries and its answer.
  // The core judgment (below) is left off here: these two are about the suite's properties, and it
  // would double the judging time.
  const tiny = { brokers: 3, partitions: 1, depth: 5, faults: 2, faultKinds: ["drop", "crash"], search: "bfs", save: false, coreLiveness: false } as const;

  it("finds the lost write of raft voting without the §5.4.1 up-to-date check", () => {
    const r = exploreElector({ ...tiny, algorithm: "raft:bug-vote-without-log-check" });
    expect(r.stoppedBy).toBe("violation");
    expect(r.violation?.property).toBe("no-lost-acknowledged-writes");
    expect(r.violation?.length).toBeLessThanOrEqual(5);
    expect(r.violation?.pathText.some((l) => l.includes("FAULT crash"))).toBe(true);
  });

  it("finds no violation in raft:paper with the same exploration, which it exhausts", () => {
    const r = exploreElector({ ...tiny, algorithm: "raft:paper" });
    expect(r.violation).toBeUndefined();
    expect(r.stoppedBy).toBe("exhausted");
    expect(r.depthReached).toBe(5);
    expect(r.distinctStates).toBeGreaterThan(50);
    expect(r.distinctStates).toBeLessThanOrEqual(r.statesGenerated);
    expect(r.properties).toEqual(["no-exceptions", "no-lost-acknowledged-writes", "no-divergence", "no-same-epoch-leaders", "liveness"]);
    // Coverage: the explored paths delivered raft's own messages to brokers.
    expect(Object.keys(r.coverage.ran).some((k) => k.startsWith("received raft.AppendEntries"))).toBe(true);
  });

  // Tied timeouts (every host draws the same random timeouts) and the core judgment (a majority
  // healed, the rest left faulty): the followers of a leader left out time out together, and etcd's
  // pre-candidate before the fix of etcd-io/etcd#9586 keeps its leader and its timeout, so the two
  // refuse each other's pre-votes forever; raft:etcd, which that bug is an edit of, elects.
  const tied = { brokers: 3, partitions: 1, depth: 2, faults: 1, faultKinds: ["crash"], search: "bfs", tiedTimeouts: true, save: false } as const;

  it("finds etcd-io/etcd#9586 (pre-candidates keep their leader) by the core judgment with tied timeouts", () => {
    const r = exploreElector({ ...tied, algorithm: "raft:bug-pre-candidate-keeps-leader" });
    expect(r.stoppedBy).toBe("violation");
    expect(r.violation?.property).toBe("core-liveness");
    expect(r.violation?.message).toMatch(/partition 0: host 1 follows host 0, host 2 follows host 0/);
  });

  it("finds nothing in raft:etcd with the same exploration, which it exhausts", () => {
    const r = exploreElector({ ...tied, algorithm: "raft:etcd" });
    expect(r.violation).toBeUndefined();
    expect(r.stoppedBy).toBe("exhausted");
    expect(r.properties).toContain("core-liveness");
    expect(r.statesJudged).toBeGreaterThan(3);
  });

  it("without tied timeouts the same exploration does not see the pre-candidate bug (its followers draw different timeouts)", () => {
    const r = exploreElector({ ...tied, tiedTimeouts: false, algorithm: "raft:bug-pre-candidate-keeps-leader" });
    expect(r.violation).toBeUndefined();
  });

  // The restart judgment (every judged state judged again after a whole-cluster restart) finds the
  // bug zoo's forgotten votedFor in 3 choices: a follower crashed in term 1, the leader paused, the
  // other follower wins term 2 with the leader's vote; after the restart the voter votes again in
  // term 2 for the follower that slept through it. The same path judged on raft:paper (votedFor
  // persisted), or without the restart judgment, shows nothing.
  it("finds raft forgetting votedFor on restart by the restart judgment, and nothing in raft:paper on the same path", () => {
    const settings = {
      brokers: 3,
      partitions: 1,
      depth: 3,
      faults: 2,
      faultKinds: ["pause", "crash"],
      search: "bfs",
      tiedTimeouts: true,
      writes: 0,
      housekeeping: ["deliver raft.CoalescedHeartbeat", "deliver raft.CoalescedHeartbeatResponse"],
      coreLiveness: false,
      save: false,
      minimise: false,
    } as const;
    const r = exploreElector({ ...settings, algorithm: "raft:bug-forget-vote-on-restart", restartJudgment: true });
    expect(r.violation?.property).toBe("no-same-epoch-leaders");
    expect(r.violation?.message).toMatch(/^after a whole-cluster restart at the judged state: .*both led in epoch 2/);
    const path = r.violation!.path;
    const def = (name: string) => namedAs(resolveElectorName(electors, name)!.definition, name);
    const judged = (name: string, restartJudgment: boolean) =>
      judgePath(def(name), name, decodeVariantOptions(raft, name.split(":")[1]), { ...r.setup, restartJudgment }, path, ["no-same-epoch-leaders"])!.verdict.violations;
    expect(judged("raft:bug-forget-vote-on-restart", true)["no-same-epoch-leaders"]).toBeDefined();
    expect(judged("raft:bug-forget-vote-on-restart", false)).toEqual({});
    expect(judged("raft:paper", true)).toEqual({});
  });

  it("reports an exception thrown while a path runs as a no-exceptions violation (the search does not crash)", () => {
    // A toy elector: host 0 leads; 20 ms after boot it sends "boom" to host 1, whose handler throws.
    class Boom implements ElectorInstance {
      constructor(private readonly ctx: HostContext) {}
      start(): void {
        if (this.ctx.host === 0) {
          this.ctx.observer.lead(0, 1);
          this.ctx.setTimer(20, 1);
        } else this.ctx.observer.follow(0, 0, 1);
      }
      onTimer(): void {
        this.ctx.send(1, { type: "boom" }, 10);
      }
      onMessage(): void {
        throw new Error("boom received");
      }
      onZk(): void {}
      onWrite(): void {}
    }
    const boom = defineElector({
      name: "boom",
      description: "explore test",
      options: Schema.Struct({}),
      claims: () => ({ noLostAcknowledgedWrites: false, noDivergence: false, noSameEpochLeaders: false, liveness: false }),
      quietPeriodMs: () => 100,
      usesCoordinator: false,
      create: (ctx) => new Boom(ctx),
    });
    const r = exploreElector({ algorithm: "boom", brokers: 3, partitions: 1, depth: 2, faults: 0, writes: 0, save: false, catalog: [boom] });
    expect(r.violation?.property).toBe("no-exceptions");
    expect(r.violation?.message).toMatch(/while running the path: Error: boom received/);
  });

  it("gives the same figures for the same states budget (deterministic)", () => {
    const s = { algorithm: "raft:paper", brokers: 3, partitions: 1, depth: 3, faults: 1, maxStates: 20, save: false } as const;
    const a = exploreElector(s);
    const b = exploreElector(s);
    expect(a.stoppedBy).toBe("max-states");
    expect([a.statesGenerated, a.distinctStates, a.depthReached, a.eventsRun]).toEqual([b.statesGenerated, b.distinctStates, b.depthReached, b.eventsRun]);
  });

  it("refuses bad settings with the field's name", () => {
    expect(() => exploreElector({ algorithm: "raft:nope", brokers: 3, partitions: 1, depth: 1, faults: 0 })).toThrow(ExploreSettingsError);
    expect(() => exploreElector({ algorithm: "raft", brokers: 9, partitions: 1, depth: 1, faults: 0 })).toThrow(/brokers: expected an integer from 2 to 5/);
    expect(() => exploreElector({ algorithm: "raft", brokers: 3, partitions: 1, depth: 1, faults: 0, faultKinds: ["boom" as never] })).toThrow(/faultKinds\[0\]/);
    const unsettled = { ...raft, settle: undefined };
    expect(() => exploreElector({ algorithm: "raft", brokers: 3, partitions: 1, depth: 1, faults: 0, tiedTimeouts: true, catalog: [unsettled] })).toThrow(/tiedTimeouts: expected an elector with a settled start/);
  });
});
