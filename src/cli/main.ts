/**
 * The `electorate` command line (effect/cli). Parsing only: each command calls a plain function
 * in commands.ts that returns the exit code — 0 ok, 1 a property was violated, 2 bad input
 * (including a bad command line), 130 interrupted.
 *
 *   electorate run SCENARIO [--json] [--timeline] [--set key=value ...]
 *   electorate compare [--algorithms a,b] [--partitions 100,1000,10000] [--scenarios s,t] [--seeds N]
 *                      [--workers N] [--shard k/n] [--out DIR] [--resume] [--set key=value ...]
 *   electorate merge DIR... [--out DIR]
 *   electorate check --algorithm A[:VARIANT] | --algorithms all|A,B [--include-bugs] [--runs N] [--seed S]
 *                    [--property P ...] [--set key=value ...] [--workers N] [--out DIR]
 *   electorate explore --algorithm A[:VARIANT] [--brokers B] [--partitions P] [--depth D] [--faults K] [--search bfs|dfs|random]
 *                      [--no-symmetry] [--no-por] [--no-dedup] [--max-states N] [--compare-reductions]
 *                      [--tied-timeouts] [--no-core-liveness] [--window MS] [--writes N] [--housekeeping CLASSES]
 *   electorate replay FILE [--cell N]
 *   electorate report RESULTS --out DIR
 *   electorate list
 *   electorate live --algorithm A --connect HOST:PORT [--brokers B] [--partitions P] [--fault F] [--compare]
 *   electorate calibrate zookeeper --connect HOST:PORT [--out FILE]
 */
import { Effect, Layer, Option, Runtime } from "effect";
import { Argument, CliError, CliOutput, Command, Flag } from "effect/cli";
import * as NodeChildProcessSpawner from "@effect/platform-node-shared/NodeChildProcessSpawner";
import * as NodeFileSystem from "@effect/platform-node-shared/NodeFileSystem";
import * as NodePath from "@effect/platform-node-shared/NodePath";
import * as NodeRuntime from "@effect/platform-node-shared/NodeRuntime";
import * as NodeStdio from "@effect/platform-node-shared/NodeStdio";
import * as NodeTerminal from "@effect/platform-node-shared/NodeTerminal";
import { electorateVersion } from "../runner/version.ts";
import type * as Commands from "./commands.ts";
import { presenter } from "./presenter.ts";

/**
 * What effect's CLI needs from the platform, from @effect/platform-node-shared 4.0.6 (Node >= 18):
 * @effect/platform-node's ready-made layer pulls in undici 8, which requires Node 22.
 */
const NodeServices = Layer.mergeAll(
  NodeChildProcessSpawner.layer.pipe(Layer.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer))),
  NodeFileSystem.layer,
  NodePath.layer,
  NodeStdio.layer,
  NodeTerminal.layer,
);

// The commands (and the lab behind them) load only when one runs: --help and --version stay fast.
const commands = (): Promise<typeof Commands> => import("./commands.ts");

/** A finished command's non-zero exit code, already reported on stderr. */
class ExitCode extends Error {
  override readonly [Runtime.errorExitCode]: number;
  override readonly [Runtime.errorReported] = false;
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this[Runtime.errorExitCode] = code;
  }
}

/** Runs a command body (interruptible through its AbortSignal) and turns its exit code into the process's. */
const exec = (body: (c: typeof Commands, signal: AbortSignal) => Promise<number>, verbose = false) =>
  Effect.promise(async (signal) => {
    const c = await commands();
    return c.guard(c.processIo, () => body(c, signal), verbose);
  }).pipe(
    Effect.flatMap((code) => (code === 0 ? Effect.void : Effect.fail(new ExitCode(code)))),
  );

const opt = <A>(o: Option.Option<A>): A | undefined => Option.getOrUndefined(o);

const json = Flag.Boolean("json").pipe(Flag.withDescription("Print the result as JSON"), Flag.withDefault(false));
const timeline = Flag.Boolean("timeline").pipe(
  Flag.withDescription("Keep every partition's timeline (default: partitions with split-brain findings)"),
  Flag.withDefault(false),
);
const workers = Flag.Int("workers").pipe(Flag.withDescription("Worker threads (default: one per core)"), Flag.optional);
const progress = Flag.Boolean("progress").pipe(Flag.withDescription("Show progress on stderr even when it is not a terminal"), Flag.withDefault(false));
const electorModule = Flag.String("elector-module").pipe(
  Flag.withDescription("Also load electors exported by these modules (comma-separated paths), besides the registry"),
  Flag.optional,
);
const verbose = Flag.Boolean("verbose").pipe(
  Flag.withDescription("On a refusal, also print the underlying error's stack (e.g. an elector module's)"),
  Flag.withDefault(false),
);
const maxEvents = Flag.Finite("max-events").pipe(
  Flag.withDescription("Events one cell may run before it is stopped (default 1e10); refuses a sweep estimated beyond it"),
  Flag.optional,
);
const maxMemory = Flag.Int("max-memory").pipe(
  Flag.withDescription("Memory the process may hold while a cell runs, in MiB (default: 3/4 of the machine's)"),
  Flag.optional,
);
const limitArgs = (a: { maxEvents: Option.Option<number>; maxMemory: Option.Option<number> }) => ({
  ...(opt(a.maxEvents) !== undefined ? { maxEvents: opt(a.maxEvents)! } : {}),
  ...(opt(a.maxMemory) !== undefined ? { maxMemoryMiB: opt(a.maxMemory)! } : {}),
});
const set = Flag.String("set").pipe(
  Flag.withDescription("Override an elector option, key=value or ELECTOR.key=value (repeatable; value as JSON when it parses; refused if no elector has it)"),
  Flag.atLeast(0),
);
const modules = (o: Option.Option<string>): string[] =>
  (opt(o) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

const run = Command.make(
  "run",
  {
    scenario: Argument.String("scenario").pipe(Argument.withDescription("A scenario file (JSON or YAML), or a name in benchmarks/scenarios/")),
    json,
    timeline,
    workers,
    progress,
    out: Flag.String("out").pipe(Flag.withDescription("Also write results.json, summary.md and index.html here"), Flag.optional),
    set,
    electorModule,
    maxEvents,
    maxMemory,
    verbose,
  },
  (a) =>
    exec(
      (c, signal) =>
        c.cmdRun(
          {
            scenario: a.scenario,
            json: a.json,
            timeline: a.timeline,
            ...(opt(a.workers) !== undefined ? { workers: opt(a.workers)! } : {}),
            progress: a.progress,
            ...(opt(a.out) !== undefined ? { out: opt(a.out)! } : {}),
            set: a.set,
            modules: modules(a.electorModule),
            ...limitArgs(a),
          },
          c.processIo,
          signal,
        ),
      a.verbose,
    ),
).pipe(
  Command.withDescription("Run one scenario (every elector, partition count and seed it lists) and print what happened"),
  Command.withExamples([
    { command: "electorate run benchmarks/scenarios/broker-crash.yaml", description: "A table of metrics for each elector" },
    { command: "electorate run leader-cut-from-zk --json --timeline", description: "The full result as JSON, with every partition's timeline" },
  ]),
);

const compare = Command.make(
  "compare",
  {
    algorithms: Flag.String("algorithms").pipe(Flag.withDescription("Electors to compare, comma-separated (default: every registered elector)"), Flag.optional),
    partitions: Flag.String("partitions").pipe(Flag.withDescription("Partition counts, comma-separated (default 100,1000,10000)"), Flag.optional),
    scenarios: Flag.String("scenarios").pipe(
      Flag.withDescription("Scenario files or names in benchmarks/scenarios/, comma-separated (default broker-crash,leader-cut-from-zk)"),
      Flag.optional,
    ),
    seeds: Flag.Int("seeds").pipe(Flag.withDescription("Run seeds 1..N (default: each scenario's seed)"), Flag.optional),
    workers,
    shard: Flag.String("shard").pipe(Flag.withDescription("Run only shard k of n (cells with index % n == k-1), e.g. 2/4"), Flag.optional),
    out: Flag.String("out").pipe(Flag.withDescription("Output directory (default: a new reports/<time>-<sweep>/, and reports/latest points at it)"), Flag.optional),
    resume: Flag.Boolean("resume").pipe(Flag.withDescription("Keep finished cells from OUT/results.jsonl and run only the rest"), Flag.withDefault(false)),
    progress,
    timeline,
    set,
    electorModule,
    maxEvents,
    maxMemory,
    verbose,
  },
  (a) =>
    exec((c, signal) =>
      c.cmdCompare(
        {
          ...(opt(a.algorithms) !== undefined ? { algorithms: opt(a.algorithms)! } : {}),
          ...(opt(a.partitions) !== undefined ? { partitions: opt(a.partitions)! } : {}),
          ...(opt(a.scenarios) !== undefined ? { scenarios: opt(a.scenarios)! } : {}),
          ...(opt(a.seeds) !== undefined ? { seeds: opt(a.seeds)! } : {}),
          ...(opt(a.workers) !== undefined ? { workers: opt(a.workers)! } : {}),
          ...(opt(a.shard) !== undefined ? { shard: opt(a.shard)! } : {}),
          ...(opt(a.out) !== undefined ? { out: opt(a.out)! } : {}),
          resume: a.resume,
          progress: a.progress,
          timeline: a.timeline,
          set: a.set,
          modules: modules(a.electorModule),
          ...limitArgs(a),
        },
        c.processIo,
        signal,
      ),
    a.verbose,
    ),
).pipe(
  Command.withDescription("Sweep electors x partition counts x scenarios x seeds; write results.json, summary.md, index.html"),
  Command.withExamples([
    { command: "electorate compare", description: "The default comparison into a new reports/<time>-<sweep>/ (reports/latest links to it)" },
    { command: "electorate compare --algorithms raft,zab --partitions 1k,100k --seeds 3", description: "A custom sweep" },
    { command: "electorate compare --shard 1/2 --out reports/s1", description: "Half of the default sweep; merge the halves afterwards" },
  ]),
);

const merge = Command.make(
  "merge",
  {
    dirs: Argument.String("dir").pipe(Argument.withDescription("Shard output directories (or results files)"), Argument.variadic({ min: 1 })),
    out: Flag.String("out").pipe(Flag.withDescription("Output directory (default reports/merged)"), Flag.optional),
  },
  (a) => exec((c) => c.cmdMerge({ dirs: a.dirs, ...(opt(a.out) !== undefined ? { out: opt(a.out)! } : {}) })),
).pipe(Command.withDescription("Merge shard results into the full sweep's order, with its reports"));

const check = Command.make(
  "check",
  {
    algorithm: Flag.String("algorithm").pipe(Flag.withDescription("One elector to hunt counterexamples for: a name or elector:variant (see list)"), Flag.optional),
    algorithms: Flag.String("algorithms").pipe(
      Flag.withDescription(
        'A matrix instead: "all" (every elector and named variant, bug-zoo variants excluded) or a comma-separated list; prints property x variant, replays every counterexample on every variant, writes a report',
      ),
      Flag.optional,
    ),
    includeBugs: Flag.Boolean("include-bugs").pipe(
      Flag.withDescription("With --algorithms all: also the bug-zoo variants (known election bugs put back on purpose; excluded unless asked for)"),
      Flag.withDefault(false),
    ),
    runs: Flag.Int("runs").pipe(Flag.withDescription("Generated fault schedules to try (per variant; default 100)"), Flag.optional),
    seed: Flag.Int("seed").pipe(Flag.withDescription("fast-check seed (reproduces a hunt; default 1)"), Flag.optional),
    property: Flag.String("property").pipe(
      Flag.withDescription("Check only this property, claimed or not (repeatable; default: every property, unclaimed ones marked)"),
      Flag.atLeast(0),
    ),
    set,
    workers: Flag.Int("workers").pipe(Flag.withDescription("Worker threads (default: one per core); the report is the same for any number"), Flag.optional),
    out: Flag.String("out").pipe(Flag.withDescription("With --algorithms: the report folder (default: a new reports/<time>-hunt/; reports/latest links to it)"), Flag.optional),
    electorModule,
    verbose,
  },
  (a) =>
    exec((c, signal) =>
      c.cmdCheck(
        {
          ...(opt(a.algorithm) !== undefined ? { algorithm: opt(a.algorithm)! } : {}),
          ...(opt(a.algorithms) !== undefined ? { algorithms: opt(a.algorithms)! } : {}),
          includeBugs: a.includeBugs,
          properties: a.property,
          set: a.set,
          ...(opt(a.runs) !== undefined ? { runs: opt(a.runs)! } : {}),
          ...(opt(a.seed) !== undefined ? { seed: opt(a.seed)! } : {}),
          ...(opt(a.workers) !== undefined ? { workers: opt(a.workers)! } : {}),
          ...(opt(a.out) !== undefined ? { out: opt(a.out)! } : {}),
          modules: modules(a.electorModule),
        },
        c.processIo,
        signal,
      ),
    a.verbose,
    ),
).pipe(
  Command.withDescription("Hunt for property violations (lost acknowledged writes, divergence, same-epoch leaders, liveness) with generated fault schedules"),
  Command.withExamples([
    { command: "electorate check --algorithm naive-race:keep-leading --runs 300", description: "One hunt: every property, each violation shrunk, saved and printed" },
    { command: "electorate check --algorithms all --runs 300", description: "Every variant: the property x variant matrix, every counterexample replayed on every variant, a report in reports/" },
    { command: "electorate check --algorithms all --include-bugs", description: "The same with the bug-zoo variants (excluded by default)" },
  ]),
);

const explore = Command.make(
  "explore",
  {
    algorithm: Flag.String("algorithm").pipe(Flag.withDescription("The elector to explore: a name or elector:variant (see list)")),
    brokers: Flag.Int("brokers").pipe(Flag.withDescription("Brokers, 2 to 5 (default 3)"), Flag.optional),
    partitions: Flag.Int("partitions").pipe(Flag.withDescription("Partitions, 1 to 3 (default 1)"), Flag.optional),
    depth: Flag.Int("depth").pipe(Flag.withDescription("Choices per path (default 6)"), Flag.optional),
    faults: Flag.Int("faults").pipe(Flag.withDescription("Faults per path at most (default 1)"), Flag.optional),
    faultKinds: Flag.String("fault-kinds").pipe(Flag.withDescription("The fault alphabet, comma-separated (default crash,restart,pause,cut,heal,drop,clockJump; for ZooKeeper-backed electors also expire and longPause, when named)"), Flag.optional),
    search: Flag.String("search").pipe(Flag.withDescription("bfs (default), dfs (iterative deepening) or random (walks)"), Flag.optional),
    noSymmetry: Flag.Boolean("no-symmetry").pipe(Flag.withDescription("Turn symmetry reduction off"), Flag.withDefault(false)),
    noPor: Flag.Boolean("no-por").pipe(Flag.withDescription("Turn partial-order reduction (sleep sets) off"), Flag.withDefault(false)),
    noDedup: Flag.Boolean("no-dedup").pipe(Flag.withDescription("Turn state deduplication off"), Flag.withDefault(false)),
    maxStates: Flag.Int("max-states").pipe(Flag.withDescription("States generated at most (default 20000; deterministic)"), Flag.optional),
    maxSeconds: Flag.Finite("max-seconds").pipe(Flag.withDescription("Wall-clock seconds at most (not deterministic)"), Flag.optional),
    seed: Flag.Int("seed").pipe(Flag.withDescription("World and random-walk seed (default 1)"), Flag.optional),
    window: Flag.Finite("window").pipe(Flag.withDescription("Events due within this many ms of the earliest may run in any order (default 1)"), Flag.optional),
    writes: Flag.Int("writes").pipe(Flag.withDescription("Producer writes per partition during exploration (default 2)"), Flag.optional),
    tiedTimeouts: Flag.Boolean("tied-timeouts").pipe(
      Flag.withDescription("Every host draws the same random timeouts (from a settled start), so equal situations time out together and the search orders them"),
      Flag.withDefault(false),
    ),
    housekeeping: Flag.String("housekeeping").pipe(
      Flag.withDescription('Event classes run forced, never a choice point, comma-separated: "deliver TYPE", "timer TAG" or kernel kinds, a trailing * matches a prefix (e.g. "zk.server.*,zk.client.*,deliver zk.ping,deliver zk.pingReply")'),
      Flag.optional,
    ),
    noCoreLiveness: Flag.Boolean("no-core-liveness").pipe(Flag.withDescription("Do not judge core-liveness (a majority healed, the rest left faulty)"), Flag.withDefault(false)),
    restartJudgment: Flag.Boolean("restart-judgment").pipe(
      Flag.withDescription("Judge every judged state once more after a whole-cluster restart (every broker crashes and all restart from durable state)"),
      Flag.withDefault(false),
    ),
    set: Flag.String("set").pipe(Flag.withDescription("Override an option, key=value (repeatable; over the variant's options)"), Flag.atLeast(0)),
    compareReductions: Flag.Boolean("compare-reductions").pipe(
      Flag.withDescription("Run again with each reduction off and print the factor it saves"),
      Flag.withDefault(false),
    ),
    json,
  },
  (a) =>
    exec(async (c) => {
      const { cmdExplore } = await import("./explore.ts");
      return cmdExplore(
        {
          algorithm: a.algorithm,
          brokers: opt(a.brokers),
          partitions: opt(a.partitions),
          depth: opt(a.depth),
          faults: opt(a.faults),
          faultKinds: opt(a.faultKinds),
          search: opt(a.search),
          noSymmetry: a.noSymmetry,
          noPor: a.noPor,
          noDedup: a.noDedup,
          maxStates: opt(a.maxStates),
          maxSeconds: opt(a.maxSeconds),
          seed: opt(a.seed),
          windowMs: opt(a.window),
          writes: opt(a.writes),
          tiedTimeouts: a.tiedTimeouts,
          noCoreLiveness: a.noCoreLiveness,
          restartJudgment: a.restartJudgment,
          housekeeping: opt(a.housekeeping),
          set: a.set,
          compareReductions: a.compareReductions,
          json: a.json,
        },
        c.processIo,
      );
    }),
).pipe(Command.withDescription("Systematically explore message orders and faults of a tiny cluster running an elector (docs/explore.md)"));

const replay = Command.make(
  "replay",
  {
    file: Argument.String("file").pipe(Argument.withDescription("A counterexample, a run result (or results file with --cell), or a scenario")),
    cell: Flag.Int("cell").pipe(Flag.withDescription("Which run of a results file (its cell index)"), Flag.optional),
    json,
    timeline,
    electorModule,
    verbose,
  },
  (a) =>
    exec((c, signal) =>
      c.cmdReplay(
        {
          file: a.file,
          ...(opt(a.cell) !== undefined ? { cell: opt(a.cell)! } : {}),
          json: a.json,
          timeline: a.timeline,
          modules: modules(a.electorModule),
        },
        c.processIo,
        signal,
      ),
    a.verbose,
    ),
).pipe(Command.withDescription("Run a saved counterexample or result again and check it reproduces"));

const report = Command.make(
  "report",
  {
    results: Argument.String("results").pipe(Argument.withDescription("results.json, results.jsonl, or a directory holding one")),
    out: Flag.String("out").pipe(Flag.withDescription("Where to write summary.md and index.html (default: beside the results)"), Flag.optional),
  },
  (a) => exec((c) => c.cmdReport({ results: a.results, ...(opt(a.out) !== undefined ? { out: opt(a.out)! } : {}) })),
).pipe(Command.withDescription("Build summary.md and index.html from results"));

const list = Command.make("list", { json, electorModule, verbose }, (a) =>
  exec((c) => c.cmdList({ json: a.json, modules: modules(a.electorModule) }), a.verbose),
).pipe(
  Command.withDescription("List the registered electors, their options and defaults, and the bundled scenarios"),
);

// Live mode and calibration against a real ZooKeeper (src/live/), loaded only when one runs.
const execLive = (body: (c: typeof import("../live/commands.ts"), signal: AbortSignal) => Promise<number>) =>
  Effect.promise(async (signal) => {
    const [c, live] = await Promise.all([commands(), import("../live/commands.ts")]);
    return c.guard(c.processIo, () => body(live, signal));
  }).pipe(Effect.flatMap((code) => (code === 0 ? Effect.void : Effect.fail(new ExitCode(code)))));

const connect = Flag.String("connect").pipe(Flag.withDescription("The ZooKeeper server, HOST:PORT"));

const live = Command.make(
  "live",
  {
    algorithm: Flag.String("algorithm").pipe(Flag.withDescription("A ZooKeeper-based elector (naive-race, kafka-controller; name:variant too)")),
    connect,
    brokers: Flag.Int("brokers").pipe(Flag.withDescription("Brokers, one real session each (default 3)"), Flag.optional),
    partitions: Flag.Int("partitions").pipe(Flag.withDescription("Partitions (default 100)"), Flag.optional),
    replicationFactor: Flag.Int("replication-factor").pipe(Flag.withDescription("Replicas per partition (default 3)"), Flag.optional),
    fault: Flag.String("fault").pipe(Flag.withDescription("expireSession (default), closeSession or crash"), Flag.optional),
    host: Flag.String("host").pipe(Flag.withDescription('The broker: a number, "leader-of-most" (default) or "controller"'), Flag.optional),
    seed: Flag.Int("seed").pipe(Flag.withDescription("Seeds the replica layout as in a simulated run (default 1)"), Flag.optional),
    compare: Flag.Boolean("compare").pipe(Flag.withDescription("Also run the simulator on the same cluster and fault, side by side"), Flag.withDefault(false)),
    profile: Flag.String("profile").pipe(Flag.withDescription("Coordinator profile for --compare: a name or a calibrated .json file"), Flag.optional),
    json,
  },
  (a) =>
    execLive((c) =>
      c.cmdLive(
        {
          algorithm: a.algorithm,
          connect: a.connect,
          brokers: opt(a.brokers),
          partitions: opt(a.partitions),
          replicationFactor: opt(a.replicationFactor),
          fault: opt(a.fault),
          host: opt(a.host),
          seed: opt(a.seed),
          compare: a.compare,
          profile: opt(a.profile),
          json: a.json,
        },
        c.processIo,
      ),
    ),
).pipe(Command.withDescription("Run the same elector code on real time against a real ZooKeeper, apply one fault, print the metrics"));

const calibrate = Command.make(
  "calibrate",
  {
    target: Argument.String("coordinator").pipe(Argument.withDescription('What to calibrate: "zookeeper"')),
    connect,
    out: Flag.String("out").pipe(Flag.withDescription("Profile file to write (default zookeeper-profile.json)"), Flag.optional),
    operations: Flag.Int("operations").pipe(Flag.withDescription("Pipelined operations per kind (default 2000)"), Flag.optional),
  },
  (a) => execLive((c) => c.cmdCalibrate({ target: a.target, connect: a.connect, out: opt(a.out), pipelined: opt(a.operations) }, c.processIo)),
).pipe(Command.withDescription("Probe a real ZooKeeper and write a coordinator cost profile a scenario can name"));

const electorate = Command.make("electorate").pipe(
  Command.withDescription("A deterministic laboratory for leader election: naive ZooKeeper race, Kafka's controller, Zab and Raft under injected faults"),
  Command.withSubcommands([run, compare, merge, check, explore, replay, report, list, live, calibrate]),
);

electorate.pipe(
  Command.run({ version: electorateVersion() }),
  // A command line the parser refuses (already explained on stderr) is bad input: exit 2.
  Effect.catchIf(
    (e): e is CliError.CliError => CliError.isCliError(e),
    (e) => (e._tag === "ShowHelp" && e.errors.length === 0 ? Effect.void : Effect.fail(new ExitCode(2))),
  ),
  Effect.provide(CliOutput.layerPresenter(presenter())),
  Effect.provide(NodeServices),
  NodeRuntime.runMain,
);
