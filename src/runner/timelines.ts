/**
 * Partition timelines kept beside a sweep's results (OUT/timelines.jsonl, one line per cell with
 * findings: { key, partitions }), so results.jsonl, results.json and the memory of a sweep grow
 * with metrics, not with every acknowledgement a split-brain partition saw. A report draws at
 * most a dozen timelines: attachTimelines reads back only those, for the first runs with
 * findings of each elector, line by line (memory bounded by the longest line).
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { appendJsonLine, forEachLine, writeFileAtomic } from "./files.ts";
import type { PartitionTimeline, RunResult } from "./result.ts";

export const TIMELINES_FILE = "timelines.jsonl";

/** Runs per elector whose timelines come back (the report shows at most 12 in all). */
const PER_ELECTOR = 12;

/**
 * `results` with the timelines of up to 12 runs with findings per elector read back from
 * `dir`/timelines.jsonl (results without `timelines: "beside"` are left as they are).
 */
export function attachTimelines(results: readonly RunResult[], dir: string): RunResult[] {
  const file = join(dir, TIMELINES_FILE);
  if (!existsSync(file)) return [...results];
  const wanted = new Map<string, number>();
  const perElector = new Map<string, number>();
  results.forEach((r, i) => {
    if (r.timelines !== "beside" || r.cell === undefined) return;
    const n = perElector.get(r.elector) ?? 0;
    if (n >= PER_ELECTOR) return;
    perElector.set(r.elector, n + 1);
    wanted.set(r.cell.key, i);
  });
  if (wanted.size === 0) return [...results];
  const out = [...results];
  forEachLine(file, (line) => {
    const m = /^\{"key":"([^"]+)"/.exec(line);
    if (m === null) return;
    const i = wanted.get(m[1]);
    if (i === undefined) return;
    let parsed: { partitions?: unknown };
    try {
      parsed = JSON.parse(line) as { partitions?: unknown };
    } catch {
      return; // a torn last line: that run keeps no timeline
    }
    if (!Array.isArray(parsed.partitions)) return;
    const r = out[i];
    out[i] = { ...r, timeline: { events: r.timeline.events, partitions: parsed.partitions as PartitionTimeline[] } };
  });
  return out;
}

/**
 * A merge's timelines: every shard's timelines.jsonl (beside each input folder or results file)
 * copied line by line into `outDir`'s, so the merged report draws them as one machine's would.
 */
export function mergeTimelines(inputs: readonly string[], outDir: string): void {
  const target = join(outDir, TIMELINES_FILE);
  writeFileAtomic(target, "");
  for (const input of inputs) {
    const dir = existsSync(input) && statSync(input).isDirectory() ? input : dirname(input);
    const file = join(dir, TIMELINES_FILE);
    if (!existsSync(file) || resolve(file) === resolve(target)) continue;
    forEachLine(file, (line) => {
      try {
        appendJsonLine(target, JSON.parse(line));
      } catch {
        // a torn last line: that run keeps no timeline
      }
    });
  }
}
