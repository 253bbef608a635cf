/**
 * Result files, and every file the lab reads or writes on a user's behalf.
 *
 * Reading: only regular files up to a size limit (a named pipe, /dev/zero or a directory is
 * refused at once instead of hanging or eating memory). Writing: whole files go to a temporary
 * name beside the target, then are renamed, so a reader never sees half a file; results.jsonl is
 * the exception by design: one finished cell per line, appended as cells finish, so an
 * interrupted sweep keeps its work, and a torn last line (killed mid-write) is ignored when read
 * back. Nothing is ever written through a symbolic link (O_NOFOLLOW, and a link where a result
 * file goes is refused before the run). Disk full and other I/O errors become a BadInputError
 * naming the file and the cause (exit 2), never "a bug".
 */
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type Stats,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { BadInputError } from "../scenario/issues.ts";
import { parseJsonStrict } from "../scenario/strict-json.ts";
import type { RunResult } from "./result.ts";
import { decodeResults } from "./result-schema.ts";

export { ERRNO_TEXT, MiB, RESULT_LINE_MAX_BYTES, RESULTS_MAX_BYTES, SCENARIO_MAX_BYTES, ioError, isIoError, kindOf, readRegularFile } from "../scenario/read-file.ts";
import { ERRNO_TEXT, MiB, RESULT_LINE_MAX_BYTES, RESULTS_MAX_BYTES, ioError, kindOf, openRegularFile, readRegularFile } from "../scenario/read-file.ts";

/** Kind of the thing at `path` without following a final link; undefined when absent. */
function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

const VIRTUAL_ROOTS = ["/proc", "/sys", "/dev"];
/** Files the runner and the report write into an output folder. */
export const OUTPUT_FILES = ["results.jsonl", "results.json", "timelines.jsonl", "summary.md", "index.html"] as const;

/**
 * Checks an output folder before anything runs: it is a real directory (or can be created as
 * one), writable, not inside /proc, /sys or /dev, and none of the result files in it is a link
 * or something other than a regular file. Creates nothing. Throws BadInputError naming `flag`.
 */
export function checkOutputDir(out: string, flag = "--out"): void {
  const refuse = (message: string): never => {
    throw new BadInputError(`${flag} ${out}`, [{ path: "", message }]);
  };
  if (out.trim() === "") refuse("expected a folder path, got an empty one");
  const abs = resolve(out);
  // The nearest part of the path that exists.
  let existing = abs;
  let st: Stats | undefined;
  for (;;) {
    try {
      st = lstatOrUndefined(existing);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR") refuse(`is below a file (${ancestorFile(abs) ?? "a part of the path"}); expected a folder`);
      throw ioError(e, existing, "inspect it");
    }
    if (st !== undefined) break;
    const up = dirname(existing);
    if (up === existing) break;
    existing = up;
  }
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // keep the path as given
  }
  if (VIRTUAL_ROOTS.some((r) => real === r || real.startsWith(`${r}/`))) refuse(`is in ${real.split("/").slice(0, 2).join("/")}, a virtual file system; expected a folder on a disk`);
  if (st === undefined) refuse("no part of the path exists");
  if (existing === abs) {
    if (st!.isSymbolicLink()) refuse("is a symbolic link; expected a real folder (results are never written through a link)");
    if (!st!.isDirectory()) refuse(`exists and is ${st!.isFile() ? "a file" : kindOf(st!)}; expected a folder`);
  } else {
    let target: Stats;
    try {
      target = statSync(existing);
    } catch (e) {
      throw ioError(e, existing, "inspect it");
    }
    if (!target.isDirectory()) refuse(`is below ${existing}, which is ${target.isFile() ? "a file" : kindOf(target)}; expected a folder path`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (e) {
    refuse(`cannot be written: ${existing} is not writable (${ERRNO_TEXT[(e as NodeJS.ErrnoException).code ?? ""] ?? (e as Error).message})`);
  }
  if (existing === abs) {
    for (const name of OUTPUT_FILES) {
      const f = lstatOrUndefined(join(abs, name));
      if (f === undefined) continue;
      if (f.isSymbolicLink()) refuse(`${name} in it is a symbolic link; results are never written through a link (remove it)`);
      if (!f.isFile()) refuse(`${name} in it is ${kindOf(f)}; expected a regular file or nothing`);
    }
  }
}

function ancestorFile(abs: string): string | undefined {
  let p = abs;
  for (;;) {
    const up = dirname(p);
    if (up === p) return undefined;
    p = up;
    const st = lstatOrUndefined2(p);
    if (st !== undefined && !st.isDirectory()) return p;
  }
}

function lstatOrUndefined2(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** Creates a folder (and its parents), as a refusal on failure. */
export function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") throw new BadInputError(dir, [{ path: "", message: "cannot create the folder: a part of the path is a file, not a folder" }]);
    throw ioError(e, dir, "create the folder");
  }
}

let tmpCounter = 0;
const WRITE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const APPEND = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW;

/** Writes a whole file: a fresh temporary file beside it, then a rename (which replaces a link, never follows it). */
export function writeFileAtomic(path: string, data: string): void {
  makeDir(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
  try {
    const fd = openSync(tmp, WRITE_NEW, 0o644);
    try {
      writeFileSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw ioError(e, path, "write it");
  }
}

/**
 * Writes results.json from results one at a time (the same text as resultsJson), through a
 * temporary file and a rename: no string of the whole file is ever built, so a 10,000-cell sweep
 * costs its results, not their text twice over.
 */
export function writeResultsJson(path: string, results: Iterable<RunResult>): void {
  makeDir(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
  try {
    const fd = openSync(tmp, WRITE_NEW, 0o644);
    try {
      let chunk = "[";
      let first = true;
      for (const r of results) {
        chunk += `${first ? "\n" : ",\n"}${JSON.stringify(r)}`;
        first = false;
        if (chunk.length > 1 << 20) {
          writeFileSync(fd, chunk);
          chunk = "";
        }
      }
      writeFileSync(fd, `${chunk}${first ? "]\n" : "\n]\n"}`);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw ioError(e, path, "write it");
  }
}

/** One JSON document per line for each result, inside a JSON array: valid JSON, diffable by line. */
export function resultsJson(results: readonly RunResult[]): string {
  return results.length === 0 ? "[]\n" : `[\n${results.map((r) => JSON.stringify(r)).join(",\n")}\n]\n`;
}

export function appendJsonLine(path: string, value: unknown): void {
  const line = `${JSON.stringify(value)}\n`;
  try {
    const fd = openSync(path, APPEND, 0o644);
    try {
      writeFileSync(fd, line);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw ioError(e, path, "append to it");
  }
}

/**
 * Calls `fn` with each complete line of a text file, reading 1 MiB at a time (memory bounded by
 * the longest line). Returns whether the file ended in a torn line (no final newline).
 */
export function forEachLine(path: string, fn: (line: string, lineNo: number) => void, maxLine = RESULT_LINE_MAX_BYTES): { torn: string | undefined } {
  const { fd } = openRegularFile(path);
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let carry: Buffer[] = [];
    let carryLen = 0;
    let lineNo = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw ioError(e, path, "read it");
      }
      if (n === 0) break;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0 || nl >= n) break;
        const part = buf.subarray(start, nl);
        const line = carryLen > 0 ? Buffer.concat([...carry, part]).toString("utf8") : part.toString("utf8");
        carry = [];
        carryLen = 0;
        fn(line, ++lineNo);
        start = nl + 1;
      }
      if (start < n) {
        carry.push(Buffer.from(buf.subarray(start, n)));
        carryLen += n - start;
        if (carryLen > maxLine) throw new BadInputError(path, [{ path: `line ${lineNo + 1}`, message: `longer than ${MiB(maxLine)}; expected one result per line` }]);
      }
    }
    return { torn: carryLen > 0 ? Buffer.concat(carry).toString("utf8") : undefined };
  } finally {
    closeSync(fd);
  }
}

/** Complete lines of a results.jsonl, decoded (a torn last line is skipped). Missing file: none. */
export function readJsonLines(path: string): RunResult[] {
  if (lstatOrUndefined(path) === undefined) return [];
  const out: RunResult[] = [];
  forEachJsonResult(path, (r) => out.push(r));
  return out;
}

/** Each result of a results.jsonl, decoded with the results schema, one at a time. */
export function forEachJsonResult(path: string, fn: (r: RunResult, lineNo: number) => void): void {
  let count = 0;
  forEachLine(path, (line, lineNo) => {
    if (line.trim() === "") return;
    const value = parseJsonStrict(line, `${path}: line ${lineNo}`);
    const [r] = decodeResults([value], path, `line ${lineNo}`);
    count++;
    fn(r, lineNo);
  });
  void count;
}

/**
 * Reads results: a results.json (array), a results.jsonl, or a directory holding either
 * (results.json preferred), decoded with the results schema (src/runner/result-schema.ts).
 */
export function readResults(path: string): RunResult[] {
  let file = path;
  const st = lstatOrUndefined2(path);
  if (st === undefined) throw new BadInputError(path, [{ path: "", message: "no such file or directory" }]);
  if (st.isDirectory()) {
    const json = join(path, "results.json");
    const jsonl = join(path, "results.jsonl");
    if (lstatOrUndefined2(json) !== undefined) file = json;
    else if (lstatOrUndefined2(jsonl) !== undefined) file = jsonl;
    else throw new BadInputError(path, [{ path: "", message: "expected a directory with results.json or results.jsonl, found neither" }]);
  }
  if (file.endsWith(".jsonl")) return readJsonLines(file);
  let results = parseJsonStrict(readRegularFile(file, RESULTS_MAX_BYTES, "results file"), file);
  if (!Array.isArray(results) && typeof results === "object" && results !== null && Array.isArray((results as { results?: unknown }).results)) {
    results = (results as { results: unknown[] }).results;
  }
  return decodeResults(results, file);
}

/** Refuses a value that is not a list of run results (the results schema). */
export function checkResults(value: unknown, source: string): asserts value is RunResult[] {
  decodeResults(value, source);
}
