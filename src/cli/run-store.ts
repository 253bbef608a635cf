/**
 * Where runs are kept when no --out is given, as Jepsen keeps a store per test run: each sweep
 * gets its own folder reports/<UTC time>-<sweep id>/, reports/latest is a symbolic link to the
 * newest, and reports/index.html lists every kept run, newest first. Nothing is overwritten: a
 * second sweep in the same second gets a suffix. (The wall clock only names folders; it decides
 * nothing in a run.)
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { escapeHtml } from "../report/format.ts";
import { writeFileAtomic } from "../runner/files.ts";

export const REPORTS_ROOT = "reports";
export const LATEST = "latest";

function stamp(now: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}Z`;
}

/** Creates a new, empty run folder under `root` and returns its path. */
export function newRunDir(sweep: string, root = REPORTS_ROOT, now = new Date()): string {
  mkdirSync(root, { recursive: true });
  const base = `${stamp(now)}-${sweep.slice(0, 8)}`;
  for (let n = 1; ; n++) {
    const dir = join(root, n === 1 ? base : `${base}-${n}`);
    try {
      mkdirSync(dir); // fails if it exists: never reuse a folder
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

/**
 * Points root/latest at `dir` (a folder name inside root), replacing the link atomically. A
 * real folder named latest (from an older version of the lab) is kept under a new name.
 */
export function pointLatest(dirName: string, root = REPORTS_ROOT): string | undefined {
  const latest = join(root, LATEST);
  let notice: string | undefined;
  if (existsSync(latest) && !lstatSync(latest).isSymbolicLink()) {
    const kept = newRunDir("previous-latest", root);
    rmSync(kept, { recursive: true });
    renameSync(latest, kept);
    notice = `kept the old ${latest} folder as ${kept}`;
  }
  const tmp = join(root, `.latest-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(dirName, tmp);
  renameSync(tmp, latest);
  return notice;
}

/** The folder a plain --resume continues: where reports/latest points, if anywhere. */
export function latestRunDir(root = REPORTS_ROOT): string | undefined {
  const latest = join(root, LATEST);
  if (!existsSync(latest)) return undefined;
  // The folder itself, not the link: results are never written through a symbolic link.
  return lstatSync(latest).isSymbolicLink() ? join(root, readlinkSync(latest)) : latest;
}

/** The first paragraph of a run's summary.md (what ran), for the index. */
function summaryLine(dir: string): string {
  try {
    const text = readFileSync(join(dir, "summary.md"), "utf8");
    return text.split("\n\n")[1]?.trim() ?? "";
  } catch {
    return "(no summary: the sweep did not finish)";
  }
}

/** Rewrites root/index.html: every kept run, newest first, with what it ran. */
export function writeRunsIndex(root = REPORTS_ROOT): string {
  const runs = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d{8}-\d{6}Z-/.test(d.name))
    .map((d) => d.name)
    .sort()
    .reverse();
  const items = runs
    .map(
      (name) =>
        `<li><a href="${escapeHtml(encodeURIComponent(name))}/index.html">${escapeHtml(name)}</a> ` +
        `(<a href="${escapeHtml(encodeURIComponent(name))}/summary.md">summary.md</a>)<br><span>${escapeHtml(summaryLine(join(root, name)))}</span></li>`,
    )
    .join("\n");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Electorate runs</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#1f2328}li{margin:.8em 0}span{color:#59636e;font-size:13px}a{color:#4269d0}</style>
</head><body><h1>Electorate runs</h1><p>${runs.length} kept run${runs.length === 1 ? "" : "s"}, newest first; <a href="latest/index.html">latest</a>.</p>
<ol>
${items}
</ol></body></html>
`;
  const path = join(root, "index.html");
  writeFileAtomic(path, html);
  return path;
}
