/**
 * `electorate live` and `electorate calibrate zookeeper`: argument checks, then live-run.ts or
 * calibrate.ts, and the output. Exit codes as for every command: 0 ok, 1 a failure (here also:
 * the server could not be reached, or the handover did not finish), 2 bad input.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { electors } from "../../algorithms/index.ts";
import type { ElectorDefinition } from "../elector/api.ts";
import { decodeVariantOptions, splitElectorName } from "../runner/variants.ts";
import { BadInputError } from "../scenario/issues.ts";
import { loadProfile } from "../coordinator/profile-file.ts";
import { calibrateZookeeper, DEFAULT_SIZES } from "./calibrate.ts";
import { runLive, type LiveFaultType, type LiveHostRef, type LiveResult } from "./live-run.ts";
import { simulateTwin, type TwinResult } from "./sim-twin.ts";

export interface Io {
  out(text: string): void;
  err(text: string): void;
}
export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

const FAULTS: readonly LiveFaultType[] = ["expireSession", "closeSession", "crash"];

function bad(flag: string, message: string): BadInputError {
  return new BadInputError(flag, [{ path: "", message }]);
}

export function checkConnect(connect: string): string {
  if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(connect)) throw bad("--connect", `expected HOST:PORT, got ${JSON.stringify(connect)}`);
  return connect;
}

export function coordinatorElector(name: string): { definition: ElectorDefinition<unknown>; options: unknown } {
  const { elector, variant } = splitElectorName(name);
  const definition = electors.find((e) => e.name === elector) as ElectorDefinition<unknown> | undefined;
  const usable = electors.filter((e) => e.usesCoordinator).map((e) => e.name);
  if (definition === undefined || !definition.usesCoordinator) {
    throw bad("--algorithm", `expected an elector that uses ZooKeeper (${usable.join(", ")}), got ${JSON.stringify(name)}`);
  }
  try {
    return { definition, options: decodeVariantOptions(definition, variant) };
  } catch (e) {
    throw bad("--algorithm", (e as Error).message);
  }
}

function hostRef(text: string | undefined, brokers: number): LiveHostRef {
  if (text === undefined || text === "leader-of-most") return "leader-of-most";
  if (text === "controller") return "controller";
  if (/^\d+$/.test(text) && Number(text) < brokers) return Number(text);
  throw bad("--host", `expected a broker number below --brokers (${brokers}), "leader-of-most" or "controller", got ${JSON.stringify(text)}`);
}

const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : "not measured");

export interface LiveArgs {
  readonly algorithm: string;
  readonly connect: string;
  readonly brokers?: number;
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly fault?: string;
  readonly host?: string;
  readonly seed?: number;
  /** Also run the simulated twin, with this profile (a name or a .json file). */
  readonly compare?: boolean;
  readonly profile?: string;
  readonly json?: boolean;
}

export async function cmdLive(args: LiveArgs, io: Io): Promise<number> {
  const connect = checkConnect(args.connect);
  const { definition, options } = coordinatorElector(args.algorithm);
  const brokers = args.brokers ?? 3;
  const partitions = args.partitions ?? 100;
  const rf = args.replicationFactor ?? Math.min(3, brokers);
  if (!Number.isInteger(brokers) || brokers < 1) throw bad("--brokers", `expected an integer >= 1, got ${brokers}`);
  if (!Number.isInteger(partitions) || partitions < 1) throw bad("--partitions", `expected an integer >= 1, got ${partitions}`);
  if (!Number.isInteger(rf) || rf < 1 || rf > brokers) throw bad("--replication-factor", `expected an integer from 1 to --brokers (${brokers}), got ${rf}`);
  const fault = (args.fault ?? "expireSession") as LiveFaultType;
  if (!FAULTS.includes(fault)) throw bad("--fault", `expected one of ${FAULTS.join(", ")}, got ${JSON.stringify(args.fault)}`);
  const host = hostRef(args.host, brokers);
  const seed = args.seed ?? 1;
  let coordinator: Record<string, number> | undefined;
  if (args.profile !== undefined) {
    const r = loadProfile(args.profile, process.cwd());
    if (r.profile === undefined) throw new BadInputError("--profile", r.issues);
    coordinator = { ...r.profile.costs };
  }
  const cluster = { brokers, partitions, replicationFactor: rf };
  let live: LiveResult;
  try {
    live = await runLive({ elector: definition, options, connect, cluster, seed, fault: { type: fault, host }, progress: (l) => io.err(`${l}\n`) });
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n`);
    return 1;
  }
  // The twin resolves the same role itself: who wins naive-race's races differs between a real and a simulated run.
  const twin: TwinResult | undefined =
    args.compare === true ? simulateTwin({ elector: definition, options, cluster, seed, fault: { type: fault, host }, ...(coordinator !== undefined ? { coordinator } : {}) }) : undefined;
  if (args.json === true) {
    io.out(`${JSON.stringify({ live, ...(twin !== undefined ? { simulated: twin } : {}) }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2)}\n`);
  } else {
    io.out(liveTable(live, twin));
  }
  return live.complete ? 0 : 1;
}

export function liveTable(live: LiveResult, twin?: TwinResult): string {
  const rows: [string, string, string][] = [
    ["broker faulted", String(live.host), twin !== undefined ? String(twin.host) : ""],
    ["partitions it led", String(live.handover.affected), twin !== undefined ? String(twin.handover.affected) : ""],
    ["handed over", String(live.handover.handedOver), twin !== undefined ? String(twin.handover.handedOver) : ""],
    ["time until all have a new leader (ms)", ms(live.handover.allMs), twin !== undefined ? ms(twin.handover.allMs) : ""],
    ["median per partition (ms)", ms(live.handover.p50Ms), twin !== undefined ? ms(twin.handover.p50Ms) : ""],
    ["watch notifications", String(live.afterFault.watchNotifications), twin !== undefined ? String(twin.afterFault.watchNotifications) : ""],
    ["creates", String(live.afterFault.creates), twin !== undefined ? String(twin.afterFault.creates) : ""],
    ["writes (multi sub-ops each)", String(live.afterFault.writes), twin !== undefined ? String(twin.afterFault.writes) : ""],
    ["reads", String(live.afterFault.reads), twin !== undefined ? String(twin.afterFault.reads) : ""],
    ["campaigns", String(live.handover.campaigns), twin !== undefined ? String(twin.handover.campaigns) : ""],
    ["live process CPU until handed over (ms; every broker in one process)", ms(live.processUntilHandover?.cpuMs ?? Number.NaN), ""],
  ];
  const head: [string, string, string] = [`${live.fault}, counted at the clients after the fault`, "live", twin !== undefined ? "simulated" : ""];
  const w0 = Math.max(...[head, ...rows].map((r) => r[0].length));
  const w1 = Math.max(...[head, ...rows].map((r) => r[1].length));
  const line = (r: [string, string, string]): string => `${r[0].padEnd(w0)}  ${r[1].padStart(w1)}  ${r[2]}`.trimEnd();
  return `${[line(head), ...rows.map(line)].join("\n")}\n${live.complete ? "" : "(the handover did not finish before the timeout)\n"}`;
}

export interface CalibrateArgs {
  readonly target: string;
  readonly connect: string;
  readonly out?: string;
  readonly pipelined?: number;
}

export async function cmdCalibrate(args: CalibrateArgs, io: Io): Promise<number> {
  if (args.target !== "zookeeper") throw bad("calibrate", `expected "zookeeper" (the only coordinator), got ${JSON.stringify(args.target)}`);
  const connect = checkConnect(args.connect);
  const pipelined = args.pipelined ?? DEFAULT_SIZES.pipelined;
  if (!Number.isInteger(pipelined) || pipelined < 10) throw bad("--operations", `expected an integer >= 10, got ${pipelined}`);
  const out = args.out ?? "zookeeper-profile.json";
  let profile;
  try {
    profile = await calibrateZookeeper(connect, { ...DEFAULT_SIZES, pipelined, ephemerals: pipelined }, (l) => io.err(`${l}\n`));
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n`);
    return 1;
  }
  mkdirSync(dirname(out) === "" ? "." : dirname(out), { recursive: true });
  const tmp = `${out}.partial`;
  writeFileSync(tmp, `${JSON.stringify(profile, null, 2)}\n`);
  renameSync(tmp, out);
  const lines = Object.entries(profile.costs).map(([k, v]) => `  ${k.padEnd(18)} ${v.toFixed(4)} ms${profile.notMeasured.includes(k as never) ? "  (not measured: the zookeeper-paper value)" : ""}${profile.clamped.includes(k as never) ? "  (fit < 0, clamped)" : ""}`);
  io.out(`wrote ${out} (name it in a scenario: coordinator: { profile: ${out} })\n${lines.join("\n")}\n`);
  return 0;
}
