/**
 * Settled start (issue 15): the state an elector's `settle` builds directly equals the state a
 * simulated quiet cold start reaches — same leaders and epochs, znodes, sessions, watches (server
 * and clients), declared beliefs and replica state, and every field of each elector instance but
 * the few each rule list below names with its reason. Small clusters, several seeds; both worlds
 * run to the same instant with no writes and no faults, so a settled world that did not stay
 * settled (a spurious election, a lost watch) fails too.
 */
import { describe, expect, it } from "vitest";
import { electors } from "../../algorithms/index.ts";
import type { ElectorDefinition, SettledChoice } from "../elector/api.ts";
import { decodeOptions, decodeScenario } from "../scenario/load.ts";
import type { BadInputError } from "../scenario/issues.ts";
import { makeCell, type CellInput } from "../runner/cell.ts";
import { buildCell, runCell } from "../runner/run-cell.ts";
import { currentController } from "../runner/roles.ts";
import { settledDigest, type DigestRules } from "./settled-digest.ts";
import { outcomeOf } from "./run.ts";
import { ObservationLog } from "../record/observation-log.ts";
import { World } from "./world.ts";
import type { WorldConfig } from "./world-config.ts";

/** Per elector: when to compare, whether the settled state chooses its own leaders, and the fields left out (with why). */
const RULES: Record<string, DigestRules & { readonly atMs: number; readonly ownChoice?: boolean }> = {
  "naive-race": {
    atMs: 4_000,
    skip: [
      "epoch", // czxids number creates in arrival order; checked through the beliefs against each world's own /leaders/<p>
      "lastHeardFrom", // time of the last fetch response: network delays
      "session", // session ids number connects in arrival order; the digest names each session by its broker
    ],
    epoch: (world, p, e) => (world.coordinator.tree.get(`/leaders/${p}`)?.czxid === e ? "czxid of its znode" : `${e} (not its znode's czxid)`),
  },
  "kafka-controller": {
    atMs: 8_000,
    skip: [
      // Times of the fetch loop (followers fetching, the leader holding fetches up to
      // replica.fetch.wait.max.ms): network delays and timer phase.
      "lastCaughtUp",
      "lastResponseAt",
      "lastFetchAt",
      "heldFetch",
      "holdQueue",
      "holdTimerAt",
      "fetchDeadline", // the outstanding fetch's timeout deadline: network delays
      "timerArmedFor", // the deadline the lazy fetch-timeout timer was armed for: timer phase
      "scratch", // scratch buffers, no state
      "brokerEpoch", // czxids of the registrations: creation order (settled: the restored znodes' own)
      "session", // session ids number connects in arrival order; the digest names each session by its broker
      // Counters of the work the start took, and request numbering: ZooKeeper request ids, controller
      // events, watch events, /controller attempts, controller counters, and the controller's
      // per-broker request queues (every request the start sent was answered).
      "nextId",
      "eventSeq",
      "watchEvents",
      "campaigns",
      "counters",
      "items",
      "head",
      "nextCorrelationId",
      "sentAt",
    ],
  },
  raft: {
    atMs: 4_000,
    skip: [
      "timeout", // randomized election timeouts: each host's random draws
      "deadline", // election and heartbeat deadlines: timer phase
      "wheel", // where each group waits in the deadline wheel (parked or by deadline): timer phase
      "heardFrom", // when each peer was last heard: network delays
      "hbAt", // when each peer's last coalesced heartbeat arrived: network delays
      "nextBeatAt", // the next coalesced heartbeat: timer phase
      "scratch", // scratch buffers, no state
      "wheelScratch",
      // The last list-free coalesced heartbeat and response object per peer, kept to be sent again while
      // their generation holds: a cache of which peers exchanged heartbeats during the start, no state.
      "plainBeat",
      "plainResp",
      "votes", // which grants reached the winner before it had a majority: network delays; unused once leading
      "dirty", // fsync-pending flag, read only with persistBeforeReply
      // Backing arrays of lists kept as (array, count): entries past the count are leftovers of what the
      // start sent and flushed, not state (the counts and heads, which are, are still compared).
      "outbox.to",
      "outbox.msg",
      "outbox.bytes",
      "outbox.syncEnds",
      "core.replication.unsynced",
      "core.replication.flushEnds",
      // Who voted for whom in the leader's term when a second candidate ran in it (the loser voted for
      // itself) is a timing outcome, like who won; it constrains only that term, which has its leader (§5.2).
      "votedFor",
    ],
  },
  zab: {
    atMs: 8_000,
    // FLE elects the highest server id of each group: the quiet start's outcome is determined, so the
    // settled state is built without copying it from the cold start.
    ownChoice: true,
    skip: [
      "wheel", // group deadlines and the wheel's position: timer phase (none is pending once established)
      "lastHeard", // when each peer host was last heard: network delays
      // Connection frame counters: how many frames the start exchanged. A settled host's first frame
      // opens the connection at the receiver, as a booted host's does.
      "inConn",
      "inSeq",
      "outSeq",
      "dirty", // fsync-pending flag, read only with persistBeforeAck (and the outbox's list of hosts with an open frame, below)
      // Backing arrays of lists kept as (array, count): entries past the count are leftovers of what the
      // start sent and flushed, not state (the counts and heads, which are, are still compared).
      "held.to",
      "held.msg",
      "held.bytes",
      "held.syncEnds",
      "unsynced",
      "flushEnds",
      "scratch", // scratch buffers, no state
      "mEpochCounted", // which ACKEPOCHs reached the leader before its epoch quorum: network delays; unused after
      // Vote and learner scratch live in rows a group gets on first use (a cold start gives every
      // group one, a settled start none): compared per group below, by value, not by storage.
      "rowPlus1",
      "rowGroup", // which group holds each row: storage (the wheel is indexed by row, and skipped above)
      "rows",
      "capacity",
      "pZxid",
      "pEpoch",
      "backoff",
      "lastBroadcast",
      "vLeader",
      "vZxid",
      "vEpoch",
      "vState",
      "oLeader",
      "oEpoch",
      "oState",
      "peerZxid",
    ],
    instanceLines: (instance) => {
      const t = (instance as { table: { groups: number; rowValues(g: number): number[] } }).table;
      const lines: string[] = [];
      for (let g = 0; g < t.groups; g++) lines.push(`table row of group ${g} = [${t.rowValues(g).join(",")}]`);
      return lines;
    },
  },
};

function world(definition: ElectorDefinition, seed: number, atMs: number, start: "cold" | "settled", choice?: SettledChoice): World {
  const config: WorldConfig<unknown> = {
    seed,
    durationMs: atMs,
    cluster: { brokers: 5, partitions: 12, replicationFactor: 3 },
    workload: { partitions: 0 },
    faults: [],
    elector: definition,
    options: decodeOptions(definition, {}, "test"),
    start,
    ...(choice !== undefined ? { settledChoice: choice } : {}),
  };
  const w = new World(config);
  w.start();
  w.run();
  return w;
}

/** What the cold start elected: each partition's self-declared leader and its epoch, the controller. */
function choiceOf(w: World): SettledChoice {
  const { cluster, beliefs } = w;
  const rf = cluster.replicationFactor;
  const leaders = new Int32Array(cluster.partitions).fill(-1);
  const epochs = new Int32Array(cluster.partitions);
  for (let slot = 0; slot < cluster.assignment.length; slot++) {
    const p = Math.floor(slot / rf);
    if (beliefs.leader[slot] === cluster.assignment[slot]) {
      leaders[p] = beliefs.leader[slot];
      epochs[p] = beliefs.epoch[slot];
    }
  }
  return { leaders, epochs, controller: currentController(w) ?? 0 };
}

describe("settled start equals a quiet cold start", () => {
  for (const definition of electors) {
    const rules = RULES[definition.name];
    if (definition.settle === undefined) {
      it(`${definition.name}: no settled state, so a settled start starts cold and says so`, () => {
        const w = world(definition, 1, 10, "settled");
        expect(w.startedAs).toBe("cold");
        expect(w.startNote).toMatch(/provides no settled state/);
      });
      continue;
    }
    if (rules === undefined) throw new Error(`${definition.name} has a settled state but no digest rules here`);
    it(`${definition.name}: seeds 1-4`, () => {
      for (const seed of [1, 2, 3, 4]) {
        const cold = world(definition, seed, rules.atMs, "cold");
        const choice = choiceOf(cold);
        expect([...choice.leaders].every((l) => l >= 0), `seed ${seed}: the cold start led every partition`).toBe(true);
        const settled = world(definition, seed, rules.atMs, "settled", rules.ownChoice === true ? undefined : choice);
        expect(settled.startedAs).toBe("settled");
        expect(settledDigest(settled, rules), `seed ${seed}`).toEqual(settledDigest(cold, rules));
      }
    });
  }
});

describe("asking for a settled start", () => {
  const scenario = (start: unknown): unknown => ({
    name: "s",
    cluster: { brokers: 3, partitions: 6, replicationFactor: 3 },
    durationMs: 3_000,
    faults: [{ at: 2_000, type: "crash", host: "leader-of-most" }],
    start,
  });

  it("a scenario says start: settled; anything else is refused with the field's path", () => {
    expect(decodeScenario(scenario("settled"), "s.yaml", electors).start).toBe("settled");
    let issues: string[] = [];
    try {
      decodeScenario(scenario("warm"), "s.yaml", electors);
    } catch (e) {
      issues = (e as BadInputError).issues.map((i) => i.path);
    }
    expect(issues).toContain("start");
  });

  it("a cell names its start in the results; roles come from the settled state without a probe run", () => {
    const cell = makeCell(0, { ...cellInput("naive-race"), start: "settled" });
    const r = runCell(cell);
    expect(r.setup?.start).toBe("settled");
    expect(r.setup?.startNote).toBeUndefined();
    expect(r.setup?.roles?.[0]).toMatch(/from the settled state/);
    expect(buildCell(cell).probeEvents).toBe(0);
  });

  it("the run reuses the world its roles were read from, and runs exactly as a fresh settled world would", () => {
    const cell = makeCell(0, { ...cellInput("raft"), start: "settled" });
    const built = buildCell(cell);
    expect(built.world).toBeDefined();
    const fresh = new World(built.config);
    fresh.start();
    fresh.run();
    expect(runCell(cell).metrics.traceHash).toBe(outcomeOf(fresh).traceHash);
  });

  it("the log's columns are sized once, after the first host booted, for every row the hosts log", () => {
    // raft logs ~2.3 rows per replica (its leaders' first entries and commits), the others one.
    const proto = ObservationLog.prototype as unknown as { grow(n?: number): void };
    const grow = proto.grow;
    for (const name of ["raft", "naive-race"]) {
      const sizes: number[] = [];
      proto.grow = function (this: ObservationLog, n?: number) {
        grow.call(this, n);
        sizes.push(this.time.length);
      };
      try {
        const definition = electors.find((e) => e.name === name)!;
        const w = new World({
          seed: 1,
          durationMs: 1,
          cluster: { brokers: 10, partitions: 40_000, replicationFactor: 3 },
          workload: { partitions: 0 },
          faults: [],
          elector: definition,
          options: decodeOptions(definition, {}, "test"),
          start: "settled",
        });
        w.start();
        // Doubling up to the first host's rows, then one step to the capacity for all of them.
        const large = sizes.filter((n) => n > 2 * 12_000 * 3);
        expect(large, name).toHaveLength(1);
        expect(large[0]).toBeGreaterThanOrEqual(w.log.length);
        expect(large[0] / 2).toBeLessThan(w.log.length);
      } finally {
        proto.grow = grow;
      }
    }
  });

  it("an elector without a settled state starts cold and the results say so", () => {
    const bare: ElectorDefinition = { ...electors.find((e) => e.name === "naive-race")!, name: "no-settle", settle: undefined };
    const r = runCell(makeCell(0, { ...cellInput("no-settle"), start: "settled" }), [bare]);
    expect(r.setup?.startNote).toMatch(/provides no settled state/);
    expect(r.setup?.roles?.[0]).not.toMatch(/from the settled state/);
  });
});

function cellInput(elector: string): CellInput {
  return {
    scenario: "s",
    elector,
    options: {},
    seed: 1,
    cluster: { brokers: 3, partitions: 6, replicationFactor: 3 },
    faults: [{ at: 2_000, type: "crash", host: "leader-of-most" }],
    durationMs: 3_000,
    timeline: "findings",
  };
}
