/**
 * Reading a scenario: JSON or YAML text -> the ScenarioFile schema -> cross-field checks -> each
 * elector's own options schema. Every problem is collected and reported at once as a
 * BadInputError (path of the bad field + expected shape); nothing here throws anything else for
 * bad input.
 */
import { correctVariantNames, resolveElectorName } from "../elector/variants.ts";
import type { ClusterSpec } from "../cluster/cluster-model.ts";
import { extname } from "node:path";
import { Schema } from "effect";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { ElectorDefinition } from "../elector/api.ts";
import { resolveCoordinator } from "../coordinator/profile-file.ts";
import { latestTime } from "../sim/fault-times.ts";
import { readRegularFile, SCENARIO_MAX_BYTES } from "./read-file.ts";
import { BadInputError, formatPath, issuesOf, show, type InputIssue } from "./issues.ts";
import { parseJsonStrict } from "./strict-json.ts";
import { BOUNDS, describeBound, withinBound, type Bound } from "./bounds.ts";
import { DelayDistribution as DelaySchema, ScenarioFile, type AlgorithmEntry, type FaultSpec, type ScenarioHostRef } from "./schema.ts";

type DelayDistribution = typeof DelaySchema.Type;

/** An elector of a scenario with its raw (encoded) options; decoded again where the run happens. */
export interface ScenarioAlgorithm {
  readonly elector: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** Raw per-broker overrides (merged over `options` before decoding), by broker number. */
  readonly hostOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A validated scenario: plain JSON data, safe to hand to a worker thread. */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** Where it was read from (for messages), if a file. */
  readonly source?: string;
  /** Undefined: every registered elector. */
  readonly algorithms?: readonly ScenarioAlgorithm[];
  readonly seeds: readonly number[];
  readonly partitions: readonly number[];
  /** The cluster without its partition count (a scenario may sweep several). */
  readonly cluster: Omit<ClusterSpec, "partitions">;
  readonly network?: ScenarioFile["network"];
  readonly coordinator?: Readonly<Record<string, number>>;
  readonly workload?: ScenarioFile["workload"];
  readonly clocks?: ScenarioFile["clocks"];
  readonly storage?: ScenarioFile["storage"];
  /** "settled": begin as a quiet start leaves the cluster (absent: cold). */
  readonly start?: "cold" | "settled";
  readonly faults: readonly FaultSpec[];
  readonly durationMs: number;
}

const PARSE_OPTIONS = { errors: "all", onExcessProperty: "error", reportInput: true } as const;

/** Parses JSON or YAML text (by extension; unknown extensions try JSON, then YAML). */
export function parseScenarioText(text: string, source: string): unknown {
  const ext = extname(source).toLowerCase();
  const asJson = (): unknown => parseJsonStrict(text, source);
  const asYaml = (): unknown => {
    try {
      return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
    } catch (e) {
      const msg = e instanceof YAMLParseError ? e.message.split("\n")[0] : (e as Error).message;
      throw new BadInputError(source, [{ path: "", message: `not valid YAML: ${msg}` }]);
    }
  };
  if (ext === ".json") return asJson();
  if (ext === ".yaml" || ext === ".yml") return asYaml();
  let json = true;
  try {
    JSON.parse(text);
  } catch {
    json = false;
  }
  return json ? asJson() : asYaml();
}

/** Reads and decodes a scenario file: a regular file of at most 1 MiB, JSON or YAML. */
export function readScenarioFile(path: string, electors: readonly ElectorDefinition[]): Scenario {
  const text = readRegularFile(path, SCENARIO_MAX_BYTES, "scenario file");
  return decodeScenario(parseScenarioText(text, path), path, electors);
}

/** Decodes and checks a parsed scenario document. Throws BadInputError listing every problem. */
export function decodeScenario(input: unknown, source: string, electors: readonly ElectorDefinition[]): Scenario {
  // Long lists are refused before the schema looks at each of their elements.
  if (typeof input === "object" && input !== null) {
    for (const [key, max] of [["faults", BOUNDS.faults.max], ["seeds", BOUNDS.seedsListed.max]] as const) {
      const list = (input as Record<string, unknown>)[key];
      if (Array.isArray(list) && list.length > max) {
        throw new BadInputError(source, [{ path: key, message: `expected at most ${max} ${key} (${key === "faults" ? BOUNDS.faults.why : BOUNDS.seedsListed.why}), got ${list.length}` }]);
      }
    }
  }
  const decoded = Schema.decodeUnknownExit(ScenarioFile)(input, PARSE_OPTIONS);
  if (decoded._tag === "Failure") {
    throw new BadInputError(source, schemaIssues(decoded.cause));
  }
  const file = decoded.value;
  const issues: InputIssue[] = [];
  const { brokers, replicationFactor } = file.cluster;

  if (replicationFactor > brokers) {
    issues.push({
      path: "cluster.replicationFactor",
      message: `expected at most cluster.brokers (${brokers}), got ${replicationFactor}`,
    });
  }
  if (file.cluster.startIndex !== undefined && file.cluster.startIndex >= brokers) {
    issues.push({ path: "cluster.startIndex", message: `expected a broker number below cluster.brokers (${brokers}), got ${file.cluster.startIndex}` });
  }
  if (file.cluster.nextReplicaShift !== undefined && file.cluster.nextReplicaShift >= brokers) {
    issues.push({
      path: "cluster.nextReplicaShift",
      message: `expected a number below cluster.brokers (${brokers}), got ${file.cluster.nextReplicaShift}`,
    });
  }
  if (file.network?.delay !== undefined) checkDelay(file.network.delay, "network.delay", issues);
  if (file.coordinator !== undefined) checkCoordinatorBounds(file.coordinator, issues);
  const partitionCounts = typeof file.cluster.partitions === "number" ? [file.cluster.partitions] : file.cluster.partitions;
  if (file.cluster.partitionsPerTopic !== undefined && file.cluster.partitionsPerTopic > Math.min(...partitionCounts)) {
    issues.push({ path: "cluster.partitionsPerTopic", message: `expected at most cluster.partitions (${Math.min(...partitionCounts)}), got ${file.cluster.partitionsPerTopic}` });
  }
  if (file.workload?.startMs !== undefined && file.workload.startMs > file.durationMs) {
    issues.push({ path: "workload.startMs", message: `expected a time within the run (at most durationMs = ${file.durationMs}), got ${file.workload.startMs}` });
  }

  file.faults.forEach((f, i) => {
    const p = `faults[${i}]`;
    if ((f.type === "pause" || f.type === "clog") && typeof f.for === "number" && f.for > file.durationMs) {
      issues.push({ path: `${p}.for`, message: `expected a duration within the run (at most durationMs = ${file.durationMs}), got ${f.for}` });
    }
    if (typeof f.at !== "number") checkRange(f.at, `${p}.at`, issues);
    if (latestTime(f.at) > file.durationMs) {
      const path = typeof f.at === "number" ? `${p}.at` : `${p}.at.between[1]`;
      issues.push({ path, message: `expected a time within the run (at most durationMs = ${file.durationMs}), got ${latestTime(f.at)}` });
    }
    const host = (ref: ScenarioHostRef | undefined, path: string): void => {
      if (typeof ref === "number" && ref >= brokers) {
        issues.push({ path, message: `expected a broker number below cluster.brokers (${brokers}) or "zk", got ${ref}` });
      }
    };
    switch (f.type) {
      case "crash":
      case "restart":
      case "pause":
      case "isolate":
      case "shutdown":
        host(f.host, `${p}.host`);
        break;
      case "expireSession":
      case "closeSession":
        host(f.host, `${p}.host`);
        if (f.host === "zk") issues.push({ path: `${p}.host`, message: `expected a broker (a ZooKeeper session belongs to a broker), got "zk"` });
        break;
      case "cut":
      case "clog":
        host(f.from, `${p}.from`);
        host(f.to, `${p}.to`);
        if (f.from === f.to) issues.push({ path: `${p}.to`, message: `expected a host other than from (${show(f.from)})` });
        break;
      case "link":
        host(f.from, `${p}.from`);
        host(f.to, `${p}.to`);
        if (f.delay !== undefined) checkDelay(f.delay, `${p}.delay`, issues);
        break;
      case "partition": {
        const seen = new Map<string, string>();
        f.groups.forEach((g, gi) =>
          g.forEach((h, hi) => {
            const path = `${p}.groups[${gi}][${hi}]`;
            host(h, path);
            const key = String(h);
            const earlier = seen.get(key);
            if (earlier !== undefined) issues.push({ path, message: `expected each host in one group only, got ${show(h)} again (also at ${earlier})` });
            else seen.set(key, path);
          }),
        );
        break;
      }
      case "clockJump":
      case "clockDrift":
      case "slowDisk":
        host(f.host, `${p}.host`);
        if (f.host === "zk") issues.push({ path: `${p}.host`, message: `expected a broker number or a role (the coordinator's clock and disk are not modelled), got "zk"` });
        break;
      case "heal":
        break;
    }
  });
  checkClocksAndStorage(file, brokers, issues);

  let algorithms: ScenarioAlgorithm[] | undefined;
  if (file.algorithm !== undefined && file.algorithms !== undefined) {
    issues.push({ path: "algorithm", message: "expected either algorithm or algorithms, not both" });
  } else if (file.algorithm !== undefined || file.algorithms !== undefined) {
    const entries: readonly [AlgorithmEntry, string][] =
      file.algorithm !== undefined ? [[file.algorithm, "algorithm"]] : file.algorithms!.map((a, i) => [a, `algorithms[${i}]`] as const);
    algorithms = [];
    for (const [entry, path] of entries) {
      const algorithm = checkAlgorithm(entry, path, brokers, electors, issues);
      if (algorithm !== undefined) algorithms.push(algorithm);
    }
  }

  const coordinator = file.coordinator !== undefined ? resolveCoordinator(file.coordinator, source, issues) : undefined;

  if (issues.length > 0) throw new BadInputError(source, issues);

  const partitions = typeof file.cluster.partitions === "number" ? [file.cluster.partitions] : [...file.cluster.partitions];
  const { partitions: _p, ...cluster } = file.cluster;
  return {
    name: file.name,
    ...(file.description !== undefined ? { description: file.description } : {}),
    source,
    ...(algorithms !== undefined ? { algorithms } : {}),
    seeds: file.seeds !== undefined ? [...file.seeds] : [file.seed],
    partitions,
    cluster,
    ...(file.network !== undefined ? { network: file.network } : {}),
    ...(coordinator !== undefined ? { coordinator } : {}),
    ...(file.workload !== undefined ? { workload: file.workload } : {}),
    ...(file.clocks !== undefined ? { clocks: file.clocks } : {}),
    ...(file.storage !== undefined ? { storage: file.storage } : {}),
    ...(file.start !== undefined ? { start: file.start } : {}),
    faults: file.faults,
    durationMs: file.durationMs,
  };
}

type Range = { readonly between: readonly [number, number] };

function checkRange(v: number | Range | undefined, path: string, issues: InputIssue[]): void {
  if (v === undefined || typeof v === "number") return;
  const [a, b] = v.between;
  if (b < a) issues.push({ path: `${path}.between[1]`, message: `expected a value >= ${a} (the range's start), got ${b}` });
}

/** Per-broker keys below `brokers`, ranges ordered, fsync distributions well formed. */
function checkClocksAndStorage(file: ScenarioFile, brokers: number, issues: InputIssue[]): void {
  const brokerKey = (key: string, path: string): boolean => {
    if (/^\d+$/.test(key) && Number(key) < brokers) return true;
    issues.push({ path, message: `expected a broker number below cluster.brokers (${brokers}) as key, got ${JSON.stringify(key)}` });
    return false;
  };
  const c = file.clocks;
  if (c !== undefined) {
    checkRange(c.offsetMs, "clocks.offsetMs", issues);
    checkRange(c.driftPpm, "clocks.driftPpm", issues);
    for (const [key, own] of Object.entries(c.hosts ?? {})) {
      const path = formatPath([key], "clocks.hosts");
      if (!brokerKey(key, path)) continue;
      checkRange(own.offsetMs, `${path}.offsetMs`, issues);
      checkRange(own.driftPpm, `${path}.driftPpm`, issues);
    }
  }
  const st = file.storage;
  if (st !== undefined) {
    if (st.fsync !== undefined) checkDelay(st.fsync, "storage.fsync", issues);
    for (const [key, own] of Object.entries(st.hosts ?? {})) {
      const path = formatPath([key], "storage.hosts");
      if (brokerKey(key, path) && own.fsync !== undefined) checkDelay(own.fsync, `${path}.fsync`, issues);
    }
  }
}

/**
 * Bounds of the ZooKeeper model's settings (src/coordinator/config.ts; which names exist is
 * checked by resolveCoordinator): tickTime and intervals positive, session bounds in ticks,
 * service times (the cost profile's figures) from 0 to 10 s.
 */
function checkCoordinatorBounds(spec: Readonly<Record<string, number | string>>, issues: InputIssue[]): void {
  const specific: Record<string, [Bound, boolean]> = {
    tickTimeMs: [BOUNDS.zkTickTimeMs, false],
    minSessionTimeoutTicks: [BOUNDS.zkSessionTicks, true],
    maxSessionTimeoutTicks: [BOUNDS.zkSessionTicks, true],
    maxPingIntervalMs: [BOUNDS.zkIntervalMs, false],
    tcpRtoMinMs: [BOUNDS.zkIntervalMs, false],
    tcpRtoMaxMs: [BOUNDS.zkIntervalMs, false],
    queueSampleMs: [BOUNDS.zkIntervalMs, false],
    reconnectJitterMs: [BOUNDS.zkJitterMs, false],
    jitterSeed: [BOUNDS.zkJitterSeed, true],
    headerBytes: [BOUNDS.zkHeaderBytes, true],
  };
  for (const [key, value] of Object.entries(spec)) {
    if (typeof value !== "number") continue;
    const [bound, integer] = specific[key] ?? [BOUNDS.zkServiceMs, false];
    if (!withinBound(bound, value) || (integer && !Number.isInteger(value))) {
      issues.push({ path: `coordinator.${key}`, message: `expected ${describeBound(bound, integer)}, got ${show(value)}` });
    }
  }
  const n = (k: string): number | undefined => (typeof spec[k] === "number" ? (spec[k] as number) : undefined);
  const [minT, maxT, rtoMin, rtoMax] = [n("minSessionTimeoutTicks"), n("maxSessionTimeoutTicks"), n("tcpRtoMinMs"), n("tcpRtoMaxMs")];
  if (minT !== undefined && maxT !== undefined && maxT < minT) {
    issues.push({ path: "coordinator.maxSessionTimeoutTicks", message: `expected at least minSessionTimeoutTicks (${minT}), got ${maxT}` });
  }
  if (rtoMin !== undefined && rtoMax !== undefined && rtoMax < rtoMin) {
    issues.push({ path: "coordinator.tcpRtoMaxMs", message: `expected at least tcpRtoMinMs (${rtoMin}), got ${rtoMax}` });
  }
}

function checkDelay(d: DelayDistribution, path: string, issues: InputIssue[]): void {
  if (d.kind === "uniform" && d.max < d.min) {
    issues.push({ path: `${path}.max`, message: `expected a value >= min (${d.min}), got ${d.max}` });
  }
  if (d.kind === "exponential" && d.mean < d.min) {
    issues.push({ path: `${path}.mean`, message: `expected a mean >= min (${d.min}), got ${d.mean}` });
  }
}

function checkAlgorithm(
  entry: AlgorithmEntry,
  path: string,
  brokers: number,
  electors: readonly ElectorDefinition[],
  issues: InputIssue[],
): ScenarioAlgorithm | undefined {
  const name = typeof entry === "string" ? entry : entry.name;
  const namePath = typeof entry === "string" ? path : `${path}.name`;
  // "elector:variant" names a declared option set; explicit options are merged over the variant's.
  const resolved = resolveElectorName(electors, name);
  if (resolved === undefined) {
    issues.push({ path: namePath, message: unknownElectorMessage(name, electors) });
    return undefined;
  }
  const elector = resolved.definition;
  const base = resolved.variant?.options ?? {};
  const options = typeof entry === "string" ? {} : (entry.options ?? {});
  const before = issues.length;
  decodeOptionsInto(elector, { ...base, ...options }, `${path}.options`, issues);
  const hostOptions = typeof entry === "string" ? undefined : entry.hostOptions;
  if (hostOptions !== undefined) {
    for (const [key, override] of Object.entries(hostOptions)) {
      const hostPath = formatPath([key], `${path}.hostOptions`);
      const h = Number(key);
      if (!/^\d+$/.test(key) || h >= brokers) {
        issues.push({ path: hostPath, message: `expected a broker number below cluster.brokers (${brokers}) as key, got ${JSON.stringify(key)}` });
        continue;
      }
      decodeOptionsInto(elector, { ...base, ...options, ...override }, hostPath, issues);
    }
  }
  if (issues.length > before) return undefined;
  return { elector: name, options, ...(hostOptions !== undefined ? { hostOptions } : {}) };
}

export function unknownElectorMessage(name: string, electors: readonly ElectorDefinition[]): string {
  // Bug-zoo variants are accepted but not offered here (electorate list shows them): the answer stays short.
  const known = electors.flatMap(correctVariantNames);
  return `expected a registered elector (${known.length > 0 ? known.join(", ") : "none registered"}), got ${JSON.stringify(name)}`;
}

/** Decodes elector options with the elector's own schema; problems go to `issues` under `path`. */
export function decodeOptionsInto(elector: ElectorDefinition, raw: unknown, path: string, issues: InputIssue[]): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    issues.push({ path, message: `expected an object of elector options, got ${show(raw)}` });
    return undefined;
  }
  const r = Schema.decodeUnknownExit(elector.options)(raw, PARSE_OPTIONS);
  if (r._tag === "Success") {
    const before = issues.length;
    checkTimeOptions(r.value, path, issues);
    return issues.length > before ? undefined : r.value;
  }
  issues.push(...schemaIssues(r.cause, path));
  return undefined;
}

/** The longest time an elector option may name: a day of virtual time (the longest run). */
const OPTION_MAX_MS = 86_400_000;

/**
 * A guard over every elector's options, whatever its own schema says (electors' schemas live in
 * their folders): an option that is a time (its name ends in "Ms", or names a timeout, interval
 * or tick) must be a finite number from 0 to a day, and one that names a timeout, an interval or
 * a tick must be above 0 — a zero interval re-arms in the same instant and the run never ends.
 */
export function checkTimeOptions(decoded: unknown, path: string, issues: InputIssue[]): void {
  if (typeof decoded !== "object" || decoded === null) return;
  for (const [key, value] of Object.entries(decoded as Record<string, unknown>)) {
    if (typeof value !== "number") continue;
    const isTime = /Ms$|timeout|interval|tick/i.test(key) && !/ticks$/i.test(key);
    if (!isTime) continue;
    const mustBePositive = /timeout|interval|tick/i.test(key);
    const ok = Number.isFinite(value) && value <= OPTION_MAX_MS && (mustBePositive ? value > 0 : value >= 0);
    if (!ok) {
      issues.push({
        path: formatPath([key], path),
        message: `expected a time in ms ${mustBePositive ? "above 0" : "from 0"} to ${OPTION_MAX_MS} (a day), got ${show(value)}`,
      });
    }
  }
}

/** Decodes elector options or throws BadInputError. */
export function decodeOptions(elector: ElectorDefinition, raw: unknown, source: string, path = "options"): unknown {
  const issues: InputIssue[] = [];
  const value = decodeOptionsInto(elector, raw, path, issues);
  if (issues.length > 0) throw new BadInputError(source, issues);
  return value;
}

/** The issues inside a failed decode's cause. */
export function schemaIssues(cause: unknown, prefix = ""): InputIssue[] {
  const reasons = (cause as { reasons?: readonly { error?: unknown; defect?: unknown }[] }).reasons ?? [];
  const out: InputIssue[] = [];
  for (const r of reasons) {
    const err = r.error as { issue?: Parameters<typeof issuesOf>[0] } | undefined;
    if (err?.issue !== undefined) out.push(...issuesOf(err.issue, prefix));
    else out.push({ path: prefix, message: String(r.error ?? r.defect) });
  }
  return out.length > 0 ? out : [{ path: prefix, message: "invalid" }];
}
