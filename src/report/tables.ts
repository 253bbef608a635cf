/**
 * The metric tables of summary.md and index.html: one table per metric, scenario x partitions
 * down, electors across. Cells hold means over seeds.
 */
import type { RunResult } from "../runner/result.ts";
import { fmt, fmtPercent } from "./format.ts";
import { firstFault, mean, topMessageTypes, type ReportModel, type Row } from "./model.ts";

export interface Cell {
  /** Plain text: the renderer escapes it. */
  readonly text: string;
  /** A finding worth a second look (split-brain found): highlighted in HTML. */
  readonly bad?: boolean;
}

export interface MetricTable {
  readonly id: string;
  readonly title: string;
  /** What the numbers are, one sentence. */
  readonly note: string;
  cell(runs: readonly RunResult[]): Cell;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly intro: string;
  readonly tables: readonly MetricTable[];
}

const m = mean;
const slash = (...xs: number[]): string => xs.map(fmt).join(" / ");

/** The range over seeds, " (min–max)", when a cell has several runs that differ; "" otherwise. */
export function spread(runs: readonly RunResult[], f: (r: RunResult) => number | null | undefined): string {
  const vs = runs.map(f).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (vs.length < 2) return "";
  const lo = Math.min(...vs);
  const hi = Math.max(...vs);
  return lo === hi ? "" : ` (${fmt(lo)}–${fmt(hi)})`;
}

/** Whether every fault of the run only touches the coordinator and the design never talks to it. */
export function faultMissesDesign(r: RunResult): boolean {
  const faults = r.faults.filter((f) => f.type !== "heal");
  const zkOnly =
    faults.length > 0 &&
    faults.every((f) => {
      const x = f as { from?: unknown; to?: unknown };
      return f.type === "cut" && (x.from === "zk" || x.to === "zk");
    });
  return zkOnly && r.metrics.coordinator.reads + r.metrics.coordinator.writes === 0;
}

/**
 * Failover p50 / p99 / max over the spells that ended, with their count; a spell still open at the
 * end is censored (the partition never recovered), shown as ">= max"; a design the fault cannot
 * reach is n/a, not 0.
 */
function failoverCell(runs: readonly RunResult[]): Cell {
  if (runs.every(faultMissesDesign)) return { text: "n/a: the fault does not reach this design" };
  const samples = m(runs, (r) => r.metrics.failover.samples);
  const never = m(runs, (r) => r.metrics.end.partitionsWithoutLeader);
  if (!(samples > 0)) return { text: never > 0 ? `none recovered (${fmt(never)} leaderless at the end)` : "no failover (no partition lost its leader)" };
  const text = slash(
    m(runs, (r) => r.metrics.failover.p50Ms),
    m(runs, (r) => r.metrics.failover.p99Ms),
    m(runs, (r) => r.metrics.failover.maxMs),
  );
  const censored = never > 0 ? ` (>= max: ${fmt(never)} never recovered)` : "";
  return { text: `${text}${spread(runs, (r) => r.metrics.failover.p99Ms)} n=${fmt(samples)}${censored}`, bad: never > 0 };
}

/** The client-visible outage: p50 / p99 of the windows that closed, their count, and those still open. */
function clientOutageCell(runs: readonly RunResult[]): Cell {
  if (runs.every(faultMissesDesign)) return { text: "n/a: the fault does not reach this design" };
  const ca = (r: RunResult) => r.metrics.clientAvailability;
  if (runs.some((r) => ca(r) === undefined)) return { text: "not measured" };
  const samples = m(runs, (r) => ca(r).samples);
  const open = m(runs, (r) => ca(r).openAtEnd);
  const openText = open > 0 ? `; ${fmt(open)} still open at the end` : "";
  if (!(samples > 0)) return { text: open > 0 ? `none closed${openText}` : "no outage seen by clients", bad: open > 0 };
  return {
    text: `${slash(m(runs, (r) => ca(r).p50Ms ?? undefined), m(runs, (r) => ca(r).p99Ms ?? undefined))}${spread(runs, (r) => ca(r).p99Ms)} n=${fmt(samples)}${openText}`,
    bad: open > 0,
  };
}

export const SECTIONS: readonly Section[] = [
  {
    id: "split-brain",
    title: "Split-brain",
    intro:
      "Per partition: acknowledged writes missing from the final committed log (lost: data loss), replicas whose committed prefixes disagree (divergence), two hosts leading at the same instant (overlap), two leaders sharing an epoch (same-epoch), and writes acknowledged after a newer leader was declared (late acknowledgement: a timing observation, not a loss). n/a: the elector declares no replica state.",
    tables: [
      {
        id: "lost-writes",
        title: "Lost acknowledged writes",
        note: "Writes the client got an ok for, absent from the partition's final committed log.",
        cell: (runs) => {
          if (runs.some((r) => r.metrics.data === undefined || r.metrics.data.lostWrites.count === null)) return { text: "n/a", bad: false };
          const count = m(runs, (r) => r.metrics.data.lostWrites.count ?? 0);
          return { text: fmt(count), bad: count > 0 };
        },
      },
      {
        id: "divergence",
        title: "Divergent replicas",
        note: "Pairs of replicas whose committed prefixes disagree.",
        cell: (runs) => {
          if (runs.some((r) => r.metrics.data === undefined || r.metrics.data.divergence.count === null)) return { text: "n/a", bad: false };
          const count = m(runs, (r) => r.metrics.data.divergence.count ?? 0);
          return { text: fmt(count), bad: count > 0 };
        },
      },
      {
        id: "overlap",
        title: "Overlapping leaders",
        note: "Overlaps: count / total ms.",
        cell: (runs) => {
          const count = m(runs, (r) => r.metrics.splitBrain.overlap.count);
          return { text: slash(count, m(runs, (r) => r.metrics.splitBrain.overlap.totalMs)), bad: count > 0 };
        },
      },
      {
        id: "same-epoch",
        title: "Same-epoch leaders",
        note: "Pairs of leaders sharing one epoch.",
        cell: (runs) => {
          const count = m(runs, (r) => r.metrics.splitBrain.sameEpoch.count);
          return { text: fmt(count), bad: count > 0 };
        },
      },
      {
        id: "late-acks",
        title: "Late acknowledgements",
        note: "Writes acknowledged after a newer leader was declared (an observation; see lost writes for loss).",
        cell: (runs) => {
          const count = m(runs, (r) => r.metrics.splitBrain.lateAcks.count);
          return { text: fmt(count), bad: false };
        },
      },
    ],
  },
  {
    id: "failover",
    title: "Failover",
    intro:
      "Per partition, the time without an acknowledging leader after each fault, and the partition-seconds spent without a live leader over the whole run.",
    tables: [
      {
        id: "failover-time",
        title: "Failover time",
        note: "p50 / p99 / max, ms, over leaderless spells that ended (p99's range over seeds in brackets; n = spells); partitions still leaderless at the end are counted apart.",
        cell: failoverCell,
      },
      {
        id: "unavailable",
        title: "Unavailable partition-seconds",
        note: "Partition-seconds without a live leader after each partition's first leader.",
        cell: (runs) => ({ text: fmt(m(runs, (r) => r.metrics.failover.unavailablePartitionSeconds)) }),
      },
    ],
  },
  {
    id: "clients",
    title: "Clients",
    intro:
      "What the producers saw, as Jepsen records it: every write invoked, then ok (acknowledged), fail (definitely not written: refused, or not sent for want of a leader) or unknown (timed out or unanswered at the end: it may or may not have been written).",
    tables: [
      {
        id: "client-writes",
        title: "Writes: invoked / ok / fail / unknown",
        note: "Means over seeds.",
        cell: (runs) => ({
          text: slash(
            m(runs, (r) => r.metrics.workload.sent + r.metrics.workload.unsent),
            m(runs, (r) => r.metrics.workload.acknowledged),
            m(runs, (r) => r.metrics.clientAvailability?.failed),
            m(runs, (r) => r.metrics.clientAvailability?.unanswered),
          ),
        }),
      },
      {
        id: "client-outage",
        title: "Client-visible outage",
        note: "p50 / p99 ms per written partition, from the first failed or unanswered write to the next ok (n = windows that closed).",
        cell: clientOutageCell,
      },
    ],
  },
  {
    id: "coordinator",
    title: "Coordinator (ZooKeeper) writes",
    intro: "Writes reaching the coordinator (each sub-operation of a multi counts), over the run and per leadership change.",
    tables: [
      {
        id: "zk-writes",
        title: "Coordinator writes",
        note: "Total writes over the run.",
        cell: (runs) => ({ text: fmt(m(runs, (r) => r.metrics.coordinator.writes)) }),
      },
      {
        id: "zk-writes-per-change",
        title: "Coordinator writes per leadership change",
        note: "Writes divided by partition leadership changes.",
        cell: (runs) => ({ text: fmt(m(runs, (r) => r.metrics.coordinator.writesPerLeadershipChange)) }),
      },
      {
        id: "zk-writes-failover",
        title: "Coordinator writes per failover",
        note: "Writes in the first fault's window (from the fault to the next one).",
        cell: (runs) => ({ text: fmt(m(runs, (r) => firstFault(r)?.coordinatorWrites)) }),
      },
    ],
  },
  {
    id: "herd",
    title: "Herd effect",
    intro: "What the first injected fault set off, counted from the fault until the next one (or the end of the run).",
    tables: [
      {
        id: "herd-notifications",
        title: "Watch notifications / campaigns",
        note: "Watch notifications delivered / competing attempts (losing creates, vote requests).",
        cell: (runs) => ({
          text: slash(
            m(runs, (r) => firstFault(r)?.watchNotifications),
            m(runs, (r) => firstFault(r)?.campaigns),
          ),
        }),
      },
      {
        id: "herd-woken",
        title: "Hosts woken",
        note: "Hosts that got a watch notification, campaigned, or took up, changed or dropped a leadership belief in the window.",
        cell: (runs) => ({ text: fmt(m(runs, (r) => firstFault(r)?.hostsWoken)) }),
      },
      {
        id: "herd-peak",
        title: "Coordinator peak request rate",
        note: "Requests per second at the coordinator, peak over a sliding 100 ms window.",
        cell: (runs) => ({ text: fmt(m(runs, (r) => firstFault(r)?.coordinatorPeakPerSecond["100ms"])) }),
      },
    ],
  },
  {
    id: "messages",
    title: "Messages",
    intro: "Messages sent between hosts and to the coordinator over the whole run.",
    tables: [
      {
        id: "messages-total",
        title: "Messages sent",
        note: "Total over the run.",
        cell: (runs) => ({ text: fmt(m(runs, (r) => r.metrics.messages.sent)) }),
      },
      {
        id: "messages-types",
        title: "Top message types",
        note: "The three most sent types, with counts.",
        cell: (runs) => ({
          text:
            runs.length === 0
              ? "–"
              : topMessageTypes(runs, 3)
                  .map((t) => `${t.type} ${fmt(t.count)}`)
                  .join(", ") || "none",
        }),
      },
    ],
  },
  {
    id: "balance",
    title: "Balance",
    intro: "At the end of the run: the share of led partitions whose leader is their preferred (first) replica.",
    tables: [
      {
        id: "preferred-share",
        title: "Preferred leader share",
        note: "Share of led partitions led by their preferred replica.",
        cell: (runs) => ({ text: fmtPercent(m(runs, (r) => r.metrics.balance.preferredLeaderShare)) }),
      },
    ],
  },
  {
    id: "cost",
    title: "Cost of the run",
    intro: "Simulated events and wall-clock time of the simulation (machine-dependent).",
    tables: [
      {
        id: "cost",
        title: "Events / wall ms",
        note: "Simulated events / wall-clock milliseconds.",
        cell: (runs) => ({ text: slash(m(runs, (r) => r.cost.events), m(runs, (r) => r.cost.wallMs)) }),
      },
    ],
  },
];

/** The cell of one table for one row and elector; "–" when that elector did not run the row. */
export function cellOf(model: ReportModel, table: MetricTable, row: Row, elector: string): Cell {
  const runs = model.runs(row, elector);
  if (runs.length === 0) return { text: "–" };
  return table.cell(runs);
}

/** One sentence on seeds, for both summaries. */
export function seedsSentence(model: ReportModel): string {
  const n = model.maxSeedsPerCell;
  const s = model.seeds;
  const list = s.length <= 8 ? s.join(", ") : `${s.length} seeds, ${s[0]} to ${s[s.length - 1]}`;
  if (n <= 1) return `Each cell is one run (seed${s.length > 1 ? "s" : ""} ${list}).`;
  return `Each cell is the mean over its seeds (up to ${n} per cell; seeds ${list}).`;
}

/**
 * The workload behind the client figures, from the runs' setup over the lab's defaults
 * (src/world/world-config.ts: 1 producer, 20 partitions, 50 writes/s each from 5 s, 30 s timeout).
 */
export function workloadSentence(model: ReportModel): string {
  const texts = new Set<string>();
  for (const r of model.results) {
    const w = { producers: 1, partitions: 20, writesPerSecond: 50, startMs: 5000, requestTimeoutMs: 30_000, ...(r.setup?.workload as object | undefined) } as {
      producers: number;
      partitions: number;
      writesPerSecond: number;
      startMs: number;
      requestTimeoutMs: number;
    };
    const parts = Math.min(w.partitions, r.cluster.partitions);
    texts.add(
      `${w.producers} producer${w.producers === 1 ? "" : "s"} writing to ${fmt(parts)} sampled partition${parts === 1 ? "" : "s"} at ${fmt(w.writesPerSecond)} writes/s each from ${fmt(w.startMs / 1000)} s, ` +
        `a write unanswered after ${fmt(w.requestTimeoutMs / 1000)} s (request.timeout.ms) counting as unknown`,
    );
  }
  const list = [...texts];
  if (list.length === 0) return "";
  return list.length === 1 ? `Workload: ${list[0]}.` : `Workloads differ between runs: ${list.slice(0, 3).join("; ")}${list.length > 3 ? "; ..." : ""}.`;
}
