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
        note: "p50 / p99 / max, ms.",
        cell: (runs) => ({
          text: slash(
            m(runs, (r) => r.metrics.failover.p50Ms),
            m(runs, (r) => r.metrics.failover.p99Ms),
            m(runs, (r) => r.metrics.failover.maxMs),
          ),
        }),
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
