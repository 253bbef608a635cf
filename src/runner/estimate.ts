/**
 * What a cell will cost, estimated from its scenario before it runs, so a sweep the machine
 * cannot finish is refused at once (exit 2, with the estimate) instead of dying hours later or
 * taking the machine down. The figures are deliberately rough and on the low side (a refusal must
 * never hit a run that would have fitted); the watchdog (watchdog.ts) catches the rest while it
 * runs. Calibrated on docs/performance.md: ~1 KB per partition at 1 M partitions (0.6-0.9 GB),
 * 0.3 (naive race) to 2.5 (raft, coalesced) events per partition per simulated second, and about
 * ten events per producer write (request, replication, acknowledgement, response).
 */
import { BadInputError } from "../scenario/issues.ts";
import { DEFAULT_WORKLOAD } from "../world/world-config.ts";
import type { Cell } from "./cell.ts";
import type { Limits } from "./watchdog.ts";

export interface CellEstimate {
  readonly events: number;
  readonly memoryBytes: number;
}

const BASE_BYTES = 64 * 2 ** 20;
const BYTES_PER_REPLICA = 250;
const BYTES_PER_BROKER = 32 * 1024;
const BYTES_PER_WRITE = 120;
const EVENTS_PER_WRITE = 10;
const EVENTS_PER_PARTITION_SECOND = 0.3;

export function estimateCell(cell: Cell): CellEstimate {
  const c = cell.cluster;
  const w = { ...DEFAULT_WORKLOAD, ...(cell.workload as Partial<typeof DEFAULT_WORKLOAD> | undefined) };
  const seconds = cell.durationMs / 1000;
  const writingSeconds = Math.max(0, cell.durationMs - w.startMs) / 1000;
  const writes = Math.min(w.partitions, c.partitions) * w.writesPerSecond * writingSeconds;
  const replicas = c.partitions * c.replicationFactor;
  const events = writes * EVENTS_PER_WRITE + c.partitions * EVENTS_PER_PARTITION_SECOND * seconds + c.brokers * seconds;
  const memoryBytes = BASE_BYTES + replicas * BYTES_PER_REPLICA + c.brokers * BYTES_PER_BROKER + writes * BYTES_PER_WRITE;
  return { events, memoryBytes };
}

const fmtEvents = (n: number): string => (n >= 1e6 ? n.toExponential(1).replace("e+", "e") : String(Math.round(n)));
export const fmtBytes = (b: number): string => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${Math.round(b / 2 ** 20)} MiB`);

/**
 * Refuses a sweep whose largest cell is estimated beyond `limits` (cells run one per worker, so
 * memory is per cell times the workers running at once). Throws BadInputError naming the cell.
 */
export function checkEstimates(cells: readonly Cell[], limits: Limits, workers = 1): void {
  let worstEvents: { cell: Cell; e: CellEstimate } | undefined;
  let worstMemory: { cell: Cell; e: CellEstimate } | undefined;
  for (const cell of cells) {
    const e = estimateCell(cell);
    if (worstEvents === undefined || e.events > worstEvents.e.events) worstEvents = { cell, e };
    if (worstMemory === undefined || e.memoryBytes > worstMemory.e.memoryBytes) worstMemory = { cell, e };
  }
  if (worstEvents === undefined || worstMemory === undefined) return;
  const label = (c: Cell): string => `cell ${c.index} (${c.elector} ${c.scenario} p=${c.cluster.partitions} seed=${c.seed})`;
  const issues: { path: string; message: string }[] = [];
  const concurrent = Math.max(1, Math.min(workers, cells.length));
  if (worstMemory.e.memoryBytes * concurrent > limits.maxMemoryBytes) {
    issues.push({
      path: "",
      message: `${label(worstMemory.cell)} needs about ${fmtBytes(worstMemory.e.memoryBytes)}${concurrent > 1 ? ` (x ${concurrent} workers)` : ""} and ${fmtEvents(worstMemory.e.events)} events; the memory budget is ${fmtBytes(limits.maxMemoryBytes)} (--max-events / --max-memory raise the limit)`,
    });
  }
  if (worstEvents.e.events > limits.maxEvents) {
    issues.push({
      path: "",
      message: `${label(worstEvents.cell)} needs about ${fmtBytes(worstEvents.e.memoryBytes)} and ${fmtEvents(worstEvents.e.events)} events; the event budget is ${fmtEvents(limits.maxEvents)} per cell (--max-events / --max-memory raise the limit)`,
    });
  }
  if (issues.length > 0) throw new BadInputError("estimate", issues);
}
