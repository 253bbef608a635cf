/**
 * Per-host clocks and disks inside a world: what an elector reads from ctx.now(), when its timers
 * fire in true time, and when ctx.persist completes — with a probe elector that only records.
 */
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { defineElector, type ElectorInstance, type HostContext } from "../elector/api.ts";
import type { Fault } from "./faults.ts";
import { World } from "../world/world.ts";
import type { WorldConfig } from "../world/world-config.ts";

interface Note {
  readonly host: number;
  readonly what: string;
  readonly local: number;
  readonly true: number;
}

/** Each host sets a 100 ms timer at start and again at every firing; persists at every firing. */
function probe(notes: Note[], world: () => World) {
  class Probe implements ElectorInstance {
    constructor(private readonly ctx: HostContext) {}
    private note(what: string): void {
      notes.push({ host: this.ctx.host, what, local: this.ctx.now(), true: world().kernel.now });
    }
    start(): void {
      this.note("start");
      this.ctx.setTimer(100, 0);
    }
    onTimer(): void {
      this.note("timer");
      this.ctx.persist?.(notes.length);
      this.ctx.setTimer(100, 0);
    }
    onPersisted(tag: number): void {
      this.note(`persisted ${tag}`);
    }
    onMessage(): void {}
    onZk(): void {}
    onWrite(p: number, w: number): void {
      this.ctx.observer.rejected(p, w);
    }
  }
  return defineElector({
    name: "clock-probe",
    description: "records clock readings",
    options: Schema.Struct({}),
    claims: () => ({ noLostAcknowledgedWrites: true, noDivergence: true, noSameEpochLeaders: true, liveness: false }),
    quietPeriodMs: () => 0,
    usesCoordinator: false,
    create: (ctx) => new Probe(ctx),
  });
}

function run(config: Partial<WorldConfig<unknown>>, faults: Fault[] = [], durationMs = 1000): Note[] {
  const notes: Note[] = [];
  let w: World | undefined;
  w = new World({
    seed: 3,
    durationMs,
    cluster: { brokers: 3, partitions: 1, replicationFactor: 3 },
    workload: { partitions: 0 },
    faults,
    elector: probe(notes, () => w!),
    options: {},
    ...config,
  });
  w.start();
  w.run();
  return notes;
}

const timers = (notes: Note[], host: number) => notes.filter((n) => n.host === host && n.what === "timer");

describe("per-host clocks in a world", () => {
  it("default: now() is true time and a 100 ms timer fires after 100 true ms", () => {
    const notes = run({});
    for (const n of notes) expect(n.local).toBe(n.true);
    expect(timers(notes, 0).map((n) => n.true)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });

  it("an offset and a drift set per host: readings shift and scale, timers run on the host's clock", () => {
    const notes = run({ clocks: { hosts: { 1: { offsetMs: 5000, driftPpm: 250_000 } } } });
    // Host 1 runs 25 % fast: its 100 ms timer fires every 80 true ms, reading 5000 + 1.25 * true.
    const t1 = timers(notes, 1);
    expect(t1.length).toBe(12);
    t1.forEach((n, i) => {
      expect(n.true).toBeCloseTo(80 * (i + 1), 9);
      expect(n.local).toBeCloseTo(5000 + 100 * (i + 1), 9);
    });
    expect(timers(notes, 0).length).toBe(10);
  });

  it("drift drawn per seed within bounds: each seed gives its own clocks, the same seed the same ones", () => {
    const spec = { clocks: { offsetMs: { between: [-100, 100] as const }, driftPpm: { between: [-200_000, 200_000] as const } } };
    const at = (seed: number) => run({ ...spec, seed }).filter((n) => n.what === "timer").map((n) => [n.host, n.local, n.true]);
    expect(at(1)).toEqual(at(1));
    expect(at(1)).not.toEqual(at(2));
    for (const n of run(spec).filter((x) => x.what === "start")) expect(Math.abs(n.local)).toBeLessThanOrEqual(100);
  });

  it("clockJump steps readings; clockDrift changes the rate for forMs; true time (the judge's) is untouched", () => {
    const notes = run({}, [
      { at: 250, type: "clockJump", host: 0, byMs: -1000 },
      { at: 250, type: "clockDrift", host: 2, ppm: -500_000, forMs: 400 },
    ]);
    const t0 = timers(notes, 0);
    // A jump does not move timers already set: the 300 ms firing stays at 300 true, reading 300 - 1000.
    expect(t0.map((n) => n.true)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(t0[2].local).toBe(-700);
    // Host 2 at half speed from 250 to 650: the timer set at 200 fires at 300 (set before the drift);
    // the next one, set at 300, needs 100 local ms = 200 true ms -> 500; then 500 -> 650 (75 local) + 25 -> 675.
    const t2 = timers(notes, 2).map((n) => n.true);
    expect(t2.slice(0, 5)).toEqual([100, 200, 300, 500, 675]);
    expect(timers(notes, 2)[4].local).toBeCloseTo(250 + 200 + 25, 9);
  });
});

describe("per-host disks in a world", () => {
  it("persist completes after the host's fsync latency; slowDisk stretches it; a crash loses pending completions", () => {
    const notes = run(
      { storage: { fsync: { kind: "constant", ms: 2 }, hosts: { 1: { fsync: { kind: "constant", ms: 7 } } } } },
      [
        { at: 350, type: "slowDisk", host: 0, factor: 30, forMs: 100 },
        { at: 601, type: "crash", host: 2 },
      ],
    );
    const persisted = (h: number) => notes.filter((n) => n.host === h && n.what.startsWith("persisted")).map((n) => n.true);
    expect(persisted(1).slice(0, 3)).toEqual([107, 207, 307]);
    // Host 0: 2 ms, except the fsync issued at 400 (in the window): 60 ms.
    expect(persisted(0).slice(0, 5)).toEqual([102, 202, 302, 460, 502]);
    // Host 2 crashed at 601, 1 ms after asking at 600: that completion never comes, nor anything after.
    expect(persisted(2)).toEqual([102, 202, 302, 402, 502]);
  });
});
