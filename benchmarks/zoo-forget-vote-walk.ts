/**
 * A directed walk for the bug zoo (benchmarks/zoo.bench.ts): a hand-written strategy, not a search,
 * that shows raft:bug-forget-vote-on-restart's double vote *within one run* — two leaders at once in
 * term 2, the voter restarted mid-election — is inside the space the explorer searches with tied
 * timeouts and a 3 ms window (every step is a choice `ExploreWorld.choices` offers), and how long
 * that path is (18 choices: beyond the searches). The bench's search finds the bug another way, with
 * the restart judgment (docs/explore.md): two leaders of term 2 one after the other, in 3 choices.
 *
 * The strategy (hosts: 0 the settled leader and the voter, A and B its followers):
 *  1. pause 0; its followers, tied, time out in the same tick and campaign in one term;
 *  2. resume 0; run A's fsync, its RequestVote to 0 and 0's fsync (the vote, then its reply leaves),
 *     never B's fsync, so B's RequestVote has not left yet;
 *  3. crash 0, restart 0 (it forgets its vote: the bug);
 *  4. run B's fsync (its RequestVote leaves now), its delivery to 0, 0's fsync and the reply to B,
 *     never 0's reply to A before it; then judge as the explorer does.
 * Elsewhere the earliest event runs. Deterministic (world seed 1); the path is then minimised by the
 * explorer's own minimiser.
 */
import type { ElectorDefinition } from "../src/elector/api.ts";
import { ExploreWorld, isFault, type Choice, type PendingEvent, type WorldSetup } from "../src/explore/explore-world.ts";
import { judgePath, minimisePath, type PathSetup } from "../src/explore/path.ts";

export interface DirectedWalk {
  /** Choices of the walk, and after minimisation (undefined: the walk did not reach a violation). */
  readonly choices: number;
  readonly minimised?: number;
  readonly faults: number;
  readonly violation?: string;
  readonly property?: string;
  readonly seconds: number;
}

export const WALK = { seed: 1, windowMs: 3 } as const;

export function forgetVoteWalk(def: ElectorDefinition, electorName: string, options: unknown): DirectedWalk {
  const t0 = performance.now();
  const W = WALK.windowMs;
  // As exploreElector builds it for tied timeouts and no writes: a settled start at 0, the producer from 1 ms.
  const world: WorldSetup = { brokers: 3, partitions: 1, replicationFactor: 3, seed: WALK.seed, delayMs: 1, writesPerSecond: 0, startMs: 5, producerFromMs: 1, stopMs: 6, tiedTimeouts: true };
  const setup: PathSetup = { world, windowMs: W, maxFaults: 3, faultKinds: ["pause", "crash", "restart"], clockJumpMs: 500, settleMs: def.quietPeriodMs(options), settleQuietMs: 1000 };
  const ew = new ExploreWorld(def, options, world);
  ew.warmUp();
  let left = setup.maxFaults;
  let enabled = ew.runForced(W, left);
  const path: Choice[] = [];
  const apply = (c: Choice): void => {
    path.push(c);
    ew.apply(c);
    if (isFault(c)) left--;
    enabled = ew.runForced(W, left);
  };
  const find = (...tests: ((e: PendingEvent) => boolean)[]): PendingEvent | undefined => {
    for (const t of tests) {
      const e = enabled.find(t);
      if (e !== undefined) return e;
    }
    return undefined;
  };
  const fsync = (h: number) => (e: PendingEvent) => e.kind === "persisted" && e.host === h;
  const deliver = (from: number, to: number, type: string) => (e: PendingEvent) => e.kind === "deliver" && e.from === from && e.host === to && e.message?.type === type;
  const done = (): DirectedWalk => ({ choices: path.length, faults: setup.maxFaults - left, seconds: (performance.now() - t0) / 1000 });

  apply({ k: "pause", host: 0 });
  const campaigned = new Set<number>();
  const log = ew.world.log;
  for (let i = 0; i < 10_000 && campaigned.size < 2 && enabled.length > 0; i++) {
    const from = log.length;
    apply({ k: "event", id: enabled[0].id });
    for (let j = from; j < log.length; j++) if (log.kind[j] === 6 /* Obs.Campaign */) campaigned.add(log.host[j]);
  }
  const fsyncs = ew.candidates().filter((e) => e.kind === "persisted" && e.host > 0).sort((x, y) => x.time - y.time);
  if (fsyncs.length < 2) return done();
  const A = fsyncs[0].host;
  const B = fsyncs[1].host;
  apply({ k: "resume", host: 0 });
  let voted = false;
  for (let i = 0; i < 50 && !voted; i++) {
    const e = find(fsync(A), deliver(A, 0, "raft.RequestVote"), fsync(0), (x) => !fsync(B)(x) && x.from !== B);
    if (e === undefined) return done();
    voted = e.kind === "persisted" && e.host === 0;
    apply({ k: "event", id: e.id });
  }
  if (!voted || !ew.candidates().some(fsync(B))) return done();
  apply({ k: "crash", host: 0 });
  apply({ k: "restart", host: 0 });
  for (let i = 0; i < 30; i++) {
    const e = find(fsync(B), deliver(B, 0, "raft.RequestVote"), fsync(0), deliver(0, B, "raft.RequestVoteResponse"), (x) => !(x.from === 0 && x.host === A));
    if (e === undefined) break;
    apply({ k: "event", id: e.id });
    if (deliver(0, B, "raft.RequestVoteResponse")(e)) break;
  }
  const properties = ["no-exceptions", "no-same-epoch-leaders"] as const;
  const judged = judgePath(def, electorName, options, setup, path, properties);
  const property = properties.find((p) => judged?.verdict.violations[p] !== undefined);
  if (property === undefined) return done();
  const minimised = minimisePath(def, electorName, options, setup, path, property).path;
  return { ...done(), minimised: minimised.length, property, violation: judged!.verdict.violations[property] };
}
