/**
 * Result files. Whole files are written to a temporary name beside the target, then renamed, so
 * a reader never sees half a file. results.jsonl is the exception by design: one finished cell
 * per line, appended as cells finish, so an interrupted sweep keeps its work; a torn last line
 * (killed mid-write) is ignored when read back.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { BadInputError, type InputIssue } from "../scenario/issues.ts";
import type { RunResult } from "./result.ts";

let tmpCounter = 0;

export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** One JSON document per line for each result, inside a JSON array: valid JSON, diffable by line. */
export function resultsJson(results: readonly RunResult[]): string {
  return results.length === 0 ? "[]\n" : `[\n${results.map((r) => JSON.stringify(r)).join(",\n")}\n]\n`;
}

export function appendJsonLine(path: string, value: unknown): void {
  appendFileSync(path, `${JSON.stringify(value)}\n`);
}

/** Complete lines of a results.jsonl (a torn last line is skipped). */
export function readJsonLines(path: string): RunResult[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const out: RunResult[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      out.push(JSON.parse(line) as RunResult);
    } catch (e) {
      if (i < lines.length - 1 && !(i === lines.length - 2 && lines[lines.length - 1] === "")) {
        throw new BadInputError(path, [{ path: `line ${i + 1}`, message: `not valid JSON: ${(e as Error).message}` }]);
      }
    }
  });
  return out;
}

/**
 * Reads results: a results.json (array), a results.jsonl, or a directory holding either
 * (results.json preferred). Refuses anything that is not a list of run results.
 */
export function readResults(path: string): RunResult[] {
  let file = path;
  if (existsSync(path) && statSync(path).isDirectory()) {
    const json = join(path, "results.json");
    const jsonl = join(path, "results.jsonl");
    if (existsSync(json)) file = json;
    else if (existsSync(jsonl)) file = jsonl;
    else throw new BadInputError(path, [{ path: "", message: "expected a directory with results.json or results.jsonl, found neither" }]);
  }
  if (!existsSync(file)) throw new BadInputError(file, [{ path: "", message: "no such file" }]);
  let results: unknown;
  if (file.endsWith(".jsonl")) results = readJsonLines(file);
  else {
    try {
      results = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new BadInputError(file, [{ path: "", message: `not valid JSON: ${(e as Error).message}` }]);
    }
    if (!Array.isArray(results) && typeof results === "object" && results !== null && Array.isArray((results as { results?: unknown }).results)) {
      results = (results as { results: unknown[] }).results;
    }
  }
  checkResults(results, file);
  return results as RunResult[];
}

/** A light structural check: enough to refuse a file that is not results. */
export function checkResults(value: unknown, source: string): asserts value is RunResult[] {
  const issues: InputIssue[] = [];
  if (!Array.isArray(value)) {
    throw new BadInputError(source, [{ path: "", message: `expected a list of run results, got ${typeof value === "object" ? (value === null ? "null" : "an object") : typeof value}` }]);
  }
  value.forEach((r: unknown, i) => {
    if (issues.length >= 5) return;
    if (typeof r !== "object" || r === null) {
      issues.push({ path: `[${i}]`, message: "expected a run result object" });
      return;
    }
    const o = r as Record<string, unknown>;
    for (const k of ["scenario", "elector"] as const) {
      if (typeof o[k] !== "string") issues.push({ path: `[${i}].${k}`, message: `expected a string, got ${JSON.stringify(o[k]) ?? "nothing"}` });
    }
    if (typeof o.seed !== "number") issues.push({ path: `[${i}].seed`, message: "expected a number" });
    if (typeof o.metrics !== "object" || o.metrics === null) issues.push({ path: `[${i}].metrics`, message: "expected the run's metrics object" });
    if (typeof o.cluster !== "object" || o.cluster === null) issues.push({ path: `[${i}].cluster`, message: "expected { brokers, partitions, replicationFactor }" });
  });
  if (issues.length > 0) throw new BadInputError(source, issues);
}
