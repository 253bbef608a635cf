/**
 * Kernel throughput in a "hold model": fill the queue with N events, then repeatedly take the
 * earliest and schedule a new one at its time plus a delay, so N events stay live. Delays come
 * from one pre-generated table (exponential, mean 50 ms; or with --delays=mix, a property run's
 * mix: 60% network hops of 0.2-0.6 ms, 30% exponential timers of mean 50 ms, 8% 50 ms heartbeats,
 * 2% 2-10 s session timeouts), read in the same order by both contestants:
 *  - the kernel: a registered host-bound kind whose handler schedules the next event, driven by
 *    `runToQuiescence` (dispatch, host checks and trace hash included: what a run pays per event);
 *  - a bare typed-array binary heap (benchmarks/bare-heap.ts) doing the same pops and pushes.
 * Both must end on the same virtual time after the same number of events (checked).
 *
 * Each round times one batch of each contestant back to back (alternating who goes first); the
 * table shows the median rate of each and the median of the per-round ratios, which holds up
 * better than a ratio of medians when other processes share the machine.
 *
 *   npm run bench:kernel                      (tsx benchmarks/kernel.bench.ts)
 *   npm run bench:kernel -- --quick           (3 short rounds)
 *   npm run bench:kernel -- --sizes=100000 --rounds=15 --ops=2000000 --delay-table-bits=16 --delays=mix
 */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import os from "node:os";
import { Kernel, type EventHandler } from "../src/sim/kernel.ts";
import { RandomStream } from "../src/sim/random.ts";
import { BareHeap } from "./bare-heap.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
const quick = process.argv.includes("--quick");
const SIZES = (option("sizes") ?? "1000,100000,1000000").split(",").map(Number);
const ROUNDS = Number(option("rounds") ?? (quick ? 3 : 9));
const OPS_PER_ROUND = Number(option("ops") ?? (quick ? 500_000 : 2_000_000));
const MEAN_DELAY_MS = 50;
const HOSTS = 16;

// 64Ki delays (512 KB), read cyclically: small enough that reading them does not sweep the
// caches (a PRNG would not), large enough not to repeat within any batch's horizon of interest.
const DELAY_BITS = Number(option("delay-table-bits") ?? 16);
const DELAY_COUNT = 1 << DELAY_BITS;
const DELAY_MASK = DELAY_COUNT - 1;
const MIX = option("delays") === "mix";
const delays = new Float64Array(DELAY_COUNT);
{
  const rng = new RandomStream(2024, "kernel-bench-delays");
  for (let i = 0; i < DELAY_COUNT; i++) {
    if (!MIX) {
      delays[i] = rng.exponential(MEAN_DELAY_MS);
      continue;
    }
    const m = rng.next();
    if (m < 0.6) delays[i] = rng.uniform(0.2, 0.6);
    else if (m < 0.9) delays[i] = rng.exponential(MEAN_DELAY_MS);
    else if (m < 0.98) delays[i] = 50;
    else delays[i] = rng.uniform(2000, 10_000);
  }
}

interface Contestant {
  prefill(n: number): void;
  run(events: number): void;
  /** Virtual time of the last event taken. */
  now(): number;
  /** Events live in the structure. */
  live(): number;
}

class KernelHold implements Contestant, EventHandler {
  readonly kernel = new Kernel(HOSTS);
  private readonly kind: number;
  private k = 0;

  constructor() {
    this.kind = this.kernel.registerKind("hold", this, true);
  }

  handle(target: number): void {
    const kernel = this.kernel;
    kernel.schedule(kernel.now + delays[this.k++ & DELAY_MASK], this.kind, target, 0, 0, undefined);
  }

  prefill(n: number): void {
    for (let i = 0; i < n; i++) this.kernel.schedule(delays[this.k++ & DELAY_MASK], this.kind, i % HOSTS, 0, 0, undefined);
  }

  run(events: number): void {
    this.kernel.runToQuiescence(events);
  }

  now(): number {
    return this.kernel.now;
  }

  live(): number {
    return this.kernel.queue.size;
  }
}

class BareHold implements Contestant {
  readonly heap = new BareHeap();
  private k = 0;

  prefill(n: number): void {
    for (let i = 0; i < n; i++) this.heap.push(delays[this.k++ & DELAY_MASK], i % HOSTS);
  }

  run(events: number): void {
    const heap = this.heap;
    let k = this.k;
    for (let i = 0; i < events; i++) {
      const payload = heap.pop();
      heap.push(heap.lastTime + delays[k++ & DELAY_MASK], payload);
    }
    this.k = k;
  }

  now(): number {
    return this.heap.lastTime;
  }

  live(): number {
    return this.heap.size;
  }
}

function memoryInUse(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** JS heap plus typed-array memory that building and pre-filling a contestant adds. */
function footprint(make: () => Contestant, live: number): number {
  const before = memoryInUse();
  const c = make();
  c.prefill(live);
  const after = memoryInUse();
  if (c.live() !== live) throw new Error("prefill failed");
  return after - before;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function timed(c: Contestant, events: number): number {
  const t0 = performance.now();
  c.run(events);
  return events / ((performance.now() - t0) / 1000);
}

interface Row {
  live: number;
  kernel: number;
  bare: number;
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  kernelMb: number;
  bareMb: number;
  heapUsedMb: number;
}

function measure(live: number): Row {
  const kernelMb = footprint(() => new KernelHold(), live) / 1048576;
  const bareMb = footprint(() => new BareHold(), live) / 1048576;

  const kernel = new KernelHold();
  const bare = new BareHold();
  kernel.prefill(live);
  bare.prefill(live);
  // Warm up: JIT, and the queue's time distribution settling into its steady state.
  const warmup = Math.max(2 * live, 1_000_000);
  kernel.run(warmup);
  bare.run(warmup);

  const kernelRates: number[] = [];
  const bareRates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate who goes first, so drift in the machine's speed hits both alike.
    let k: number;
    let b: number;
    if (r % 2 === 0) {
      k = timed(kernel, OPS_PER_ROUND);
      b = timed(bare, OPS_PER_ROUND);
    } else {
      b = timed(bare, OPS_PER_ROUND);
      k = timed(kernel, OPS_PER_ROUND);
    }
    kernelRates.push(k);
    bareRates.push(b);
    ratios.push(k / b);
  }
  if (kernel.now() !== bare.now()) {
    throw new Error(`contestants diverged at ${live} live events: kernel ${kernel.now()} vs bare ${bare.now()}`);
  }
  if (kernel.live() !== live || bare.live() !== live) throw new Error("live event count drifted");
  return {
    live,
    kernel: median(kernelRates),
    bare: median(bareRates),
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    kernelMb,
    bareMb,
    heapUsedMb: process.memoryUsage().heapUsed / 1048576,
  };
}

function table(rows: Row[]): string[] {
  const header = [
    "live events",
    "kernel events/s",
    "bare heap events/s",
    "kernel/bare",
    "(min-max)",
    "kernel MB",
    "bare heap MB",
    "heap used MB",
  ];
  const cells = rows.map((r) => [
    r.live.toLocaleString("en-US"),
    Math.round(r.kernel).toLocaleString("en-US"),
    Math.round(r.bare).toLocaleString("en-US"),
    `${r.ratio.toFixed(2)}x`,
    `${r.ratioMin.toFixed(2)}-${r.ratioMax.toFixed(2)}`,
    r.kernelMb.toFixed(1),
    r.bareMb.toFixed(1),
    r.heapUsedMb.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => `| ${c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...cells.map(line)];
}

function main(): void {
  const cpu = os.cpus();
  console.log(
    `kernel hold-model benchmark: Node ${process.version}, ${cpu.length} cores (${cpu[0]?.model ?? "?"}); ` +
      `${ROUNDS} rounds x ${OPS_PER_ROUND.toLocaleString("en-US")} events per contestant and size; ` +
      `delays ${MIX ? "mixed as in property runs" : `exponential, mean ${MEAN_DELAY_MS} ms`}, table of ${DELAY_COUNT.toLocaleString("en-US")}`,
  );
  const loadBefore = os.loadavg()[0];
  const rows: Row[] = [];
  for (const live of SIZES) {
    const row = measure(live);
    rows.push(row);
    console.log(
      `  ${live.toLocaleString("en-US")} live: kernel ${(row.kernel / 1e6).toFixed(2)} M/s, ` +
        `bare heap ${(row.bare / 1e6).toFixed(2)} M/s, kernel/bare ${row.ratio.toFixed(2)}x`,
    );
  }
  console.log();
  for (const l of table(rows)) console.log(l);
  console.log();
  console.log("events/s: median over rounds; kernel/bare: median of the per-round ratios (min-max over rounds).");
  console.log("kernel MB / bare heap MB: JS heap plus typed arrays added by building and pre-filling one (after GC).");
  console.log("heap used MB: process heapUsed after that size's rounds (typed-array contents are not in it).");
  const loadAfter = os.loadavg()[0];
  console.log(`load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadAfter.toFixed(2)} on ${cpu.length} cores`);
  if (Math.max(loadBefore, loadAfter) > 1.2) {
    console.log("warning: other processes were using the CPU; rates are noisy (the ratios less so).");
  }
}

main();
