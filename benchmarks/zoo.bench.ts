/**
 * `npm run bench:zoo` — the bug zoo, scored (issue 14 item 5; docs/explore.md, "Bug zoo").
 *
 * Every bug-zoo variant in the registry (ElectorVariant.bug: a known election bug reproduced on
 * purpose) is searched two ways:
 *  1. random search: the property engine's generated fault schedules (the same scenarios and judge
 *     as `electorate check`), stopped at the first violation of a property the variant claims, then
 *     shrunk; printed: runs and seconds until found, the shrunk schedule's faults, or "not found in N";
 *  2. systematic exploration (src/explore, `electorate explore`): states and seconds until found,
 *     the counterexample's length in choices (found, then minimised), or "not found in N states".
 * A bug the lab's properties cannot see (a stall during a fault: liveness is judged after the heal)
 * also gets a targeted availability probe (zoo-availability.ts), run on the correct variant too.
 * The correct variant each bug is an edit of is explored with the same settings: it must show no
 * violation (the bench says so, and exits 1 if it does). A bug variant without a plan here fails
 * the bench, so a new one cannot go unscored.
 *
 * Run it under the shared lock: `flock /work/bench.lock npm run bench:zoo` (about 10 minutes of
 * one core at most). `-- --only=raft:bug-vote-without-log-check` scores one bug.
 * Counts are deterministic (fixed seeds); seconds are wall-clock on whatever machine runs it.
 */
import { electors } from "../algorithms/index.ts";
import type { ElectorDefinition } from "../src/elector/api.ts";
import { bugVariantNames, decodeVariantOptions, namedAs, resolveElectorName, splitElectorName } from "../src/elector/variants.ts";
import { applicableProperties, type PropertyName } from "../properties/properties.ts";
import { exploreElector, type ExploreReport, type ExploreSettings, type FaultKind } from "../src/explore/index.ts";
import { availabilityProbe, PROBE, type AvailabilityFinding } from "./zoo-availability.ts";
import { forgetVoteWalk, WALK, type DirectedWalk } from "./zoo-forget-vote-walk.ts";
import { randomSearchUntilFound, type RandomFinding } from "./zoo-random.ts";

/** fast-check's seed for every random search here (the hunt's default is 1). */
const SEED = 1;
/** Worlds run while shrinking one violation. */
const MAX_SHRINK_RUNS = 120;

interface ExplorePlan {
  readonly brokers: number;
  readonly partitions: number;
  readonly depth: number;
  readonly faults: number;
  readonly faultKinds?: readonly string[];
  readonly search?: "bfs" | "dfs" | "random";
  readonly maxStates: number;
  /** Tied timeouts (src/explore/tied-random.ts): every host draws the same random timeouts. */
  readonly tiedTimeouts?: boolean;
  /** Reordering window (ms; the explorer's default 1). */
  readonly windowMs?: number;
  /** Producer writes per partition (the explorer's default 2). */
  readonly writes?: number;
  /** Search seed (random walks) and world seed (default 1). */
  readonly seed?: number;
  /** Housekeeping event classes (ExploreSettings.housekeeping: run forced, never a choice point). */
  readonly housekeeping?: readonly string[];
  /** The restart judgment (ExploreSettings.restartJudgment): each judged state also judged after a whole-cluster restart. */
  readonly restartJudgment?: boolean;
}

/**
 * kafka-controller's housekeeping: the ZooKeeper model's own events (request service, session
 * expiry ticks, client timers), its pings, and idle replication (fetches, their answers, the held
 * fetch's timer: TIMER_FETCH_HOLD = 3). Between two controller steps they are hundreds of events.
 */
const KAFKA_HOUSEKEEPING = ["zk.server.*", "zk.client.*", "deliver zk.ping", "deliver zk.pingReply", "deliver kafka.Fetch", "deliver kafka.FetchResponse", "timer 3"];

interface BugPlan {
  /** Random search: generated scenarios at most. */
  readonly runs: number;
  /** The correct variant this bug is an edit of. */
  readonly correct: string;
  readonly explore: ExplorePlan;
  /** Why the lab's properties cannot see this bug, where that is known (printed beside "not found"). */
  readonly unseen?: string;
  /** Seeds of the targeted availability probe (zoo-availability.ts), for a bug the properties cannot see. */
  readonly probeSeeds?: number;
  /** A directed walk (a hand-written strategy, not a search) showing the bug is inside the explored space. */
  readonly directedWalk?: (def: ElectorDefinition, electorName: string, options: unknown) => DirectedWalk;
}

const PLANS: Readonly<Record<string, BugPlan>> = {
  "raft:bug-vote-without-log-check": {
    runs: 300,
    correct: "raft:paper",
    // Depth 5, not 4: raft persists before replying by default (persistBeforeReply), so the
    // follower's fsync is one more event between the AppendEntries and its answer (explore.test.ts).
    explore: { brokers: 3, partitions: 1, depth: 5, faults: 2, faultKinds: ["drop", "crash"], search: "bfs", maxStates: 5_000 },
  },
  "raft:bug-forget-vote-on-restart": {
    runs: 600,
    correct: "raft:paper",
    // The bug is in what a restart keeps, so every judged state is also judged after a whole-cluster
    // restart (the restart judgment): a follower crashed in term 1, the leader paused, the other
    // follower campaigns alone and wins term 2 with the old leader's vote; after the restart the
    // voter has forgotten it and votes again in term 2 for the follower that slept through it
    // (3 choices). Heartbeats are housekeeping (never a choice: time passes without a decision per
    // heartbeat). Without the restart judgment the same search needs two more faults than it has
    // (a crash and restart of the voter, then of the first leader): see docs/explore.md.
    explore: {
      brokers: 3,
      partitions: 1,
      depth: 4,
      faults: 2,
      faultKinds: ["pause", "crash", "restart"],
      search: "bfs",
      tiedTimeouts: true,
      writes: 0,
      housekeeping: ["deliver raft.CoalescedHeartbeat", "deliver raft.CoalescedHeartbeatResponse"],
      restartJudgment: true,
      maxStates: 5_000,
    },
    directedWalk: forgetVoteWalk,
  },
  "raft:bug-pre-candidate-keeps-leader": {
    runs: 60,
    correct: "raft:etcd",
    // Tied timeouts: the followers of a leader left out time out in the same tick (etcd's ticks
    // make that one chance in ten); the core judgment heals a majority without the leader.
    explore: { brokers: 3, partitions: 1, depth: 2, faults: 1, faultKinds: ["crash"], search: "bfs", tiedTimeouts: true, maxStates: 2_000 },
    unseen:
      "a stall while the old leader is away; the suite's liveness is judged only after every fault heals, and the returned old leader knows no leader and grants pre-votes, so the stall ends at the heal (the explorer's core judgment leaves it out)",
    probeSeeds: 20,
  },
  "kafka-controller:pre-2.1": {
    // 600: at 2 writes/s a run costs ~8 ms, and the zombie was found by 4 of 10 seeds at 300 runs
    // (benchmarks/workload-detection.ts), so a miss here says more than a miss at 60.
    runs: 600,
    correct: "kafka-controller",
    // The zombie (algorithms/kafka-controller/zombie-liveness.test.ts): a partition leader's session
    // expires, the controller is paused past its own session between reading that partition's state
    // and writing its election, a new controller leaves the partition alone (its leader is back), and
    // the zombie's write lands; its own broker follows it for good (liveness). Two partitions: the
    // explorer's cold start makes broker 0 both the controller and partition 0's leader, so the
    // partition whose leader's session expires must be another one. `expire` and `longPause` make a
    // session timeout one decision, housekeeping takes the pings and idle fetches out of the choices.
    explore: {
      brokers: 3,
      partitions: 2,
      depth: 5,
      faults: 2,
      faultKinds: ["expire", "longPause"],
      search: "bfs",
      maxStates: 4_000,
      writes: 0,
      housekeeping: KAFKA_HOUSEKEEPING,
    },
  },
};

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

interface Subject {
  readonly name: string;
  readonly def: ElectorDefinition;
  readonly options: unknown;
  /** Claimed properties judged here (determinism is the property suite's business: it runs each world twice). */
  readonly properties: PropertyName[];
}

function subject(name: string): Subject {
  const resolved = resolveElectorName(electors, name);
  if (resolved === undefined) throw new Error(`bench:zoo: unknown elector or variant ${name}`);
  const options = decodeVariantOptions(resolved.definition, splitElectorName(name).variant);
  const def = namedAs(resolved.definition, name);
  return { name, def, options, properties: applicableProperties(def, options).filter((p) => p !== "determinism") };
}

// ---- systematic exploration (src/explore) ----

function explored(name: string, plan: ExplorePlan): ExploreReport {
  return exploreElector({ algorithm: name, ...plan, faultKinds: plan.faultKinds as readonly FaultKind[] | undefined, save: false, minimise: true } as ExploreSettings);
}

// ---- table ----

const s = (x: number): string => (x < 1 ? x.toFixed(2) : x.toFixed(1));
const n = (x: number): string => x.toLocaleString("en-US");

function randomCell(f: RandomFinding, unseen: string | undefined): string[] {
  if (f.foundAtRun === undefined) {
    return [`not found in ${n(f.runs)} runs${unseen !== undefined ? " (not judged: see below)" : ""}`, s(f.seconds), "—"];
  }
  const shrunk = f.shrunkFaults !== undefined ? `${f.shrunkFaults} fault(s) (from ${f.foundFaults})` : `${f.foundFaults} fault(s), not shrunk`;
  return [`run ${f.foundAtRun}: ${f.property}`, s(f.seconds), shrunk];
}

function probeCell(f: AvailabilityFinding): string {
  const found = f.foundAtSeed !== undefined ? `found at seed ${f.foundAtSeed}` : `not found in ${f.seeds} seeds`;
  return `${found}: longest leaderless spell ${s(f.worstMs / 1000)} s (bound ${s(f.boundMs / 1000)} s) | ${s(f.seconds)}`;
}

function exploreCell(r: ExploreReport): string[] {
  if (r.violation === undefined) return [`not found in ${n(r.statesGenerated)} states (depth ${r.depthReached}; ${r.stoppedBy})`, s(r.seconds), "—"];
  return [`${n(r.statesGenerated)} states: ${r.violation.property}`, s(r.seconds), `${r.violation.length} choices (found at ${r.violation.foundLength})`];
}

function main(): number {
  const only = flag("only");
  const bugs = electors.flatMap(bugVariantNames).filter((b) => only === undefined || b === only);
  if (bugs.length === 0) throw new Error(`bench:zoo: no bug-zoo variant${only !== undefined ? ` named ${only}` : ""}`);
  const missing = bugs.filter((b) => PLANS[b] === undefined);
  if (missing.length > 0) throw new Error(`bench:zoo: no plan for ${missing.join(", ")} (add it to PLANS in benchmarks/zoo.bench.ts)`);
  const t0 = performance.now();
  console.log(`bench:zoo — ${bugs.length} bug variant(s); random search: fast-check seed ${SEED}, stop at the first violation, shrink <= ${MAX_SHRINK_RUNS} worlds`);
  const rows: string[][] = [];
  const controls: string[][] = [];
  const probes: string[][] = [];
  const walks: string[][] = [];
  const notes: string[] = [];
  let controlViolated = false;
  for (const name of bugs) {
    const plan = PLANS[name]!;
    const bug = subject(name);
    const variant = resolveElectorName(electors, name)!.variant!;
    console.log(`\n${name}: ${variant.bug!.summary}\n  source: ${variant.bug!.source}`);
    console.log(`  random search over ${bug.properties.join(", ")} (at most ${plan.runs} runs)...`);
    const random = randomSearchUntilFound(bug.def, bug.options, bug.properties, { runs: plan.runs, seed: SEED, maxShrinkRuns: MAX_SHRINK_RUNS });
    console.log(`    ${randomCell(random, plan.unseen).join(" | ")}${random.message !== undefined ? `\n    ${random.message}` : ""}`);
    if (plan.probeSeeds !== undefined) {
      const correct = subject(plan.correct);
      const bugProbe = availabilityProbe(bug.def, bug.options, plan.probeSeeds);
      const controlProbe = availabilityProbe(correct.def, correct.options, plan.probeSeeds);
      if (controlProbe.foundAtSeed !== undefined) controlViolated = true;
      probes.push([name, ...probeCell(bugProbe).split(" | ")], [plan.correct, ...probeCell(controlProbe).split(" | ")]);
      console.log(`  availability probe: ${probeCell(bugProbe)}
    correct ${plan.correct}: ${probeCell(controlProbe)}`);
    }
    const p = plan.explore;
    const settings =
      `${p.brokers} brokers x ${p.partitions} partition(s), depth ${p.depth}, ${p.faults} fault(s) of ${(p.faultKinds ?? ["all"]).join("/")}, ${p.search ?? "bfs"}, <= ${n(p.maxStates)} states` +
      `${p.tiedTimeouts === true ? ", tied timeouts" : ""}${p.windowMs !== undefined ? `, window ${p.windowMs} ms` : ""}${p.writes !== undefined ? `, ${p.writes} writes` : ""}${p.seed !== undefined ? `, seed ${p.seed}` : ""}` +
      `${p.housekeeping !== undefined ? `, housekeeping forced (${p.housekeeping.join(", ")})` : ""}${p.restartJudgment === true ? ", restart judgment" : ""}`;
    console.log(`  exploring (${settings})...`);
    const ex = explored(name, p);
    console.log(`    ${exploreCell(ex).join(" | ")}`);
    const control = explored(plan.correct, p);
    if (control.violation !== undefined) controlViolated = true;
    controls.push([plan.correct, settings, ...exploreCell(control).slice(0, 2)]);
    console.log(`    correct ${plan.correct}: ${exploreCell(control).slice(0, 2).join(" | ")}`);
    if (plan.directedWalk !== undefined) {
      const cell = (w: DirectedWalk): string =>
        w.property !== undefined ? `${w.property} after ${w.choices} choices (${w.faults} faults), minimised to ${w.minimised}: ${w.violation!.split(" (at ")[0]}` : `nothing after ${w.choices} choices (${w.faults} faults)`;
      const walk = plan.directedWalk(bug.def, name, bug.options);
      const correct = subject(plan.correct);
      const control = plan.directedWalk(correct.def, plan.correct, correct.options);
      if (control.property !== undefined) controlViolated = true;
      walks.push([name, cell(walk), s(walk.seconds)], [plan.correct, cell(control), s(control.seconds)]);
      console.log(`  directed walk (a hand-written strategy, not a search): ${cell(walk)}\n    correct ${plan.correct}: ${cell(control)}`);
    }
    rows.push([name, ...randomCell(random, plan.unseen), ...exploreCell(ex)]);
    if (plan.unseen !== undefined && random.foundAtRun === undefined) notes.push(`${name}: ${plan.unseen}.`);
  }
  const header = ["bug variant", "random search: found", "s", "shrunk to", "exploration: found", "s", "counterexample"];
  console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  if (controls.length > 0) {
    console.log("\nCorrect variants, explored with each bug's settings:\n\n| variant | settings | result | s |\n|---|---|---|---|");
    for (const c of controls) console.log(`| ${c.join(" | ")} |`);
  }
  if (probes.length > 0) {
    console.log(
      `\nTargeted availability probe (bench-local, not a suite property): ${PROBE.brokers} brokers x ${PROBE.partitions} partitions, host 0 crashed at ${PROBE.crashAtMs / 1000} s ` +
        "and down for the quiet period + 5 s; found: a leaderless spell longer than the elector's quiet period while a majority is up\n\n| variant | result | s |\n|---|---|---|",
    );
    for (const r of probes) console.log(`| ${r.join(" | ")} |`);
  }
  if (walks.length > 0) {
    console.log(
      `\nDirected walks (benchmarks/zoo-forget-vote-walk.ts; hand-written strategies, not searches: every step a choice the explorer offers, tied timeouts, window ${WALK.windowMs} ms, seed ${WALK.seed})\n\n| variant | result | s |\n|---|---|---|`,
    );
    for (const r of walks) console.log(`| ${r.join(" | ")} |`);
  }
  if (notes.length > 0) console.log(`\nNot judged by the lab's properties:\n${notes.map((x) => `- ${x}`).join("\n")}`);
  console.log(`\nTotal: ${s((performance.now() - t0) / 1000)} s wall-clock.`);
  if (controlViolated) {
    console.log("A CORRECT variant violated a property: see above.");
    return 1;
  }
  return 0;
}

process.exitCode = main();
