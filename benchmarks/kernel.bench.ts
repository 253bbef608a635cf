/**
 * Kernel throughput in a "hold model": fill the queue with N events, then repeatedly take the
 * earliest and schedule a new one at its time plus a delay, so N events stay live. Delays come
 * from one pre-generated table (exponential, mean 50 ms), read in the same order by both
 * contestants:
 *  - the kernel: a registered host-bound kind whose handler schedules the next event, driven by
 *    `runToQuiescence` (dispatch, host checks and trace hash included: what a run pays per event);
 *  - a bare typed-array binary heap (benchmarks/bare-heap.ts) doing the same pops and pushes.
 * Both must end on the same virtual time after the same number of events (checked).
 *
 *   npm run bench:kernel            (tsx benchmarks/kernel.bench.ts)
 *   npm run bench:kernel -- --quick (fewer, shorter rounds)
 *   npm run bench:kernel -- --sizes=100000 (only some sizes)
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

const quick = process.argv.includes("--quick");
const sizesArg = process.argv.find((a) => a.startsWith("--sizes="));
const SIZES = sizesArg === undefined ? [1_000, 100_000, 1_000_000] : sizesArg.slice(8).split(",").map(Number);
const ROUNDS = quick ? 3 : 7;
const OPS_PER_ROUND = quick ? 500_000 : 2_000_000;
const MEAN_DELAY_MS = 50;
const HOSTS = 16;

const DELAY_COUNT = 1 << 20;
const DELAY_MASK = DELAY_COUNT - 1;
const delays = new Float64Array(DELAY_COUNT);
{
  const rng = new RandomStream(2024, "kernel-bench-delays");
  for (let i = 0; i < DELAY_COUNT; i++) delays[i] = rng.exponential(MEAN_DELAY_MS);
}

interface Contestant {
  readonly name: string;
  prefill(n: number): void;
  run(events: number): void;
  /** Virtual time of the last event taken. */
  now(): number;
}

class KernelHold implements Contestant, EventHandler {
  readonly name = "kernel";
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
}

class BareHold implements Contestant {
  readonly name = "bare heap";
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
}

function memory(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const mb = (bytes: number): string => (bytes / 1048576).toFixed(1);
const rate = (eps: number): string => `${(eps / 1e6).toFixed(2)} M/s`;

interface Row {
  live: number;
  kernel: number;
  bare: number;
  kernelMem: number;
  bareMem: number;
  heapUsed: number;
}

function measure(live: number): Row {
  const before = memory();
  const kernel = new KernelHold();
  kernel.prefill(live);
  const afterKernel = memory();
  const bare = new BareHold();
  bare.prefill(live);
  const afterBare = memory();
  const contestants: Contestant[] = [kernel, bare];

  // Warm up (JIT, and the queue's time distribution settling into its steady state).
  const warmup = Math.max(2 * live, 1_000_000);
  for (const c of contestants) c.run(warmup);

  const samples = new Map<Contestant, number[]>(contestants.map((c) => [c, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate who goes first, so drift in the machine's speed hits both alike.
    const order = r % 2 === 0 ? contestants : [...contestants].reverse();
    for (const c of order) {
      const t0 = performance.now();
      c.run(OPS_PER_ROUND);
      const seconds = (performance.now() - t0) / 1000;
      (samples.get(c) as number[]).push(OPS_PER_ROUND / seconds);
    }
  }
  if (kernel.now() !== bare.now()) {
    throw new Error(`contestants diverged at ${live} live events: kernel ${kernel.now()} vs bare ${bare.now()}`);
  }
  if (kernel.kernel.queue.size !== live || bare.heap.size !== live) throw new Error("live event count drifted");
  const heapUsed = process.memoryUsage().heapUsed;
  return {
    live,
    kernel: median(samples.get(kernel) as number[]),
    bare: median(samples.get(bare) as number[]),
    kernelMem: afterKernel - before,
    bareMem: afterBare - afterKernel,
    heapUsed,
  };
}

function main(): void {
  console.log(
    `kernel hold-model benchmark: Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ` +
      `${ROUNDS} rounds x ${OPS_PER_ROUND.toLocaleString("en-US")} events, median; delays exponential, mean ${MEAN_DELAY_MS} ms`,
  );
  const rows: Row[] = [];
  for (const live of SIZES) {
    const row = measure(live);
    rows.push(row);
    console.log(
      `  ${live.toLocaleString("en-US")} live: kernel ${rate(row.kernel)}, bare heap ${rate(row.bare)}, ratio ${(row.kernel / row.bare).toFixed(2)}x`,
    );
  }
  console.log();
  const header = ["live events", "kernel events/s", "bare heap events/s", "kernel/bare", "kernel MB", "bare heap MB", "heap used MB"];
  const cells = rows.map((r) => [
    r.live.toLocaleString("en-US"),
    Math.round(r.kernel).toLocaleString("en-US"),
    Math.round(r.bare).toLocaleString("en-US"),
    `${(r.kernel / r.bare).toFixed(2)}x`,
    mb(r.kernelMem),
    mb(r.bareMem),
    mb(r.heapUsed),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => `| ${c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|")}|`);
  for (const c of cells) console.log(line(c));
  console.log();
  console.log("kernel MB / bare heap MB: JS heap plus typed-array memory added by building and pre-filling each (after GC);");
  console.log("heap used MB: process heapUsed at the end of that size's rounds.");
}

main();
