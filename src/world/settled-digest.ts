/**
 * Test support for the settled start (settled-start.test.ts): a canonical text of everything a
 * quiet start leaves behind in a world — the coordinator's znodes, sessions and watches (server and
 * clients), every replica's declared belief and replica state, and each elector instance's own
 * fields — so that a settled world and a simulated cold start can be compared line by line.
 *
 * Identities that only number arrival order are written by meaning: a session as its broker, an
 * ephemeral owner as its broker. Fields an elector names in `skip` (timestamps, timer phases,
 * random draws, zxid-valued epochs) are left out; each skip list says why, in the test.
 */
import type { HostId, PartitionId } from "../elector/api.ts";
import { Obs } from "../record/observation-log.ts";
import type { World } from "./world.ts";

/** Per elector: instance fields left out of the comparison, and how an epoch is written. */
export interface DigestRules {
  /** Field paths ("replication.followers", "lastHeardFrom") or plain field names to leave out. */
  readonly skip: readonly string[];
  /** How a declared epoch of `partition` is written (default: as is). */
  epoch?(world: World, partition: PartitionId, epoch: number): string;
  /** Lines for an instance's state kept in a form the field walk would not compare (e.g. rows given on first use). */
  instanceLines?(instance: unknown): string[];
}

/** A client's watch table as the digest reads it (a PathSet, or for data watches a WatchSet). */
interface WatchTable extends Iterable<string> {
  readonly size: number;
}

interface ClientInternals {
  readonly dataWatches: WatchTable;
  readonly existWatches: WatchTable;
  readonly childWatches: WatchTable;
  readonly state: string;
  readonly sessionId: number;
}

export function settledDigest(world: World, rules: DigestRules): string[] {
  const out: string[] = [];
  const zk = world.coordinator;
  const hostOfSession = new Map<number, number>();
  for (const s of zk.sessions.sessions.values()) hostOfSession.set(s.id, s.host);
  // ---- znodes ----
  // Every znode, a restored family's members not yet in the tree's table too (numbered-family.ts).
  for (const [path, n] of zk.tree.everyNode().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const owner = n.ephemeralOwner === 0 ? "persistent" : `ephemeral of broker ${hostOfSession.get(n.ephemeralOwner) ?? "?"}`;
    out.push(`znode ${path} ${owner} version ${n.version} cversion ${n.cversion} children ${zk.tree.childrenOf(n).length} data ${JSON.stringify(n.data)}`);
  }
  // ---- sessions ----
  const sessions = [...zk.sessions.sessions.values()].map((s) => `session of broker ${s.host} timeout ${s.timeoutMs} closing ${s.closing} connected ${s.conn !== 0}`);
  out.push(...sessions.sort());
  // ---- watches, server side ----
  for (const [kind, map] of [["data", zk.watches.table(false)], ["child", zk.watches.table(true)]] as const) {
    for (const path of [...map.keys()].sort()) out.push(`server ${kind} watch ${path} by ${[...map.get(path)!].map((s) => s.host).sort((a, b) => a - b).join(",")}`);
  }
  // ---- clients ----
  for (let h = 0; h < world.cluster.brokers; h++) {
    const c = world.zkClients.impl(h) as unknown as ClientInternals;
    if (c.state === "idle") continue;
    out.push(`client ${h} ${c.state} session ${c.sessionId === 0 ? "none" : `of broker ${hostOfSession.get(c.sessionId)}`}`);
    for (const [kind, set] of [["data", c.dataWatches], ["exists", c.existWatches], ["child", c.childWatches]] as const) {
      if (set.size > 0) out.push(`client ${h} ${kind} watches ${[...set].sort().join(" ")}`);
    }
  }
  // ---- beliefs ----
  const epochText = (p: PartitionId, e: number): string => (e < 0 ? String(e) : (rules.epoch?.(world, p, e) ?? String(e)));
  const { cluster, beliefs } = world;
  for (let slot = 0; slot < cluster.assignment.length; slot++) {
    const p = Math.floor(slot / cluster.replicationFactor);
    out.push(`belief p${p} broker ${cluster.assignment[slot]}: leader ${beliefs.leader[slot]} epoch ${epochText(p, beliefs.epoch[slot])}`);
  }
  // ---- replica state declared (appends, truncations, commits) and the controller ----
  out.push(...replicaState(world, epochText));
  // ---- each elector instance's own fields ----
  for (const host of world.hosts) {
    out.push(...fieldsOf(`broker ${host.host}`, host.instance, rules.skip));
    for (const line of rules.instanceLines?.(host.instance) ?? []) out.push(`broker ${host.host} ${line}`);
  }
  return out;
}

function replicaState(world: World, epochText: (p: PartitionId, e: number) => string): string[] {
  const log = world.log;
  const entries = new Map<string, string[]>();
  const commits = new Map<string, number>();
  let controller = "none";
  for (let i = 0; i < log.length; i++) {
    const key = `${log.host[i]}/${log.partition[i]}`;
    switch (log.kind[i]) {
      case Obs.Append: {
        const list = entries.get(key) ?? [];
        list.length = log.a[i];
        list.push(`${log.b[i]}@${epochText(log.partition[i], log.c[i])}`);
        entries.set(key, list);
        break;
      }
      case Obs.Truncate:
        (entries.get(key) ?? []).length = Math.min(log.a[i], entries.get(key)?.length ?? 0);
        break;
      case Obs.Commit:
        commits.set(key, log.a[i]);
        break;
      case Obs.Controller:
        controller = `broker ${log.host[i]} epoch ${log.a[i]}`;
        break;
      case Obs.ControllerResigned:
        controller = "none";
        break;
    }
  }
  const keys = [...new Set([...entries.keys(), ...commits.keys()])].sort();
  return [`controller ${controller}`, ...keys.map((k) => `replica ${k}: log [${(entries.get(k) ?? []).join(" ")}] committed ${commits.get(k) ?? 0}`)];
}

/** Lab objects an instance holds (its context, the cluster, the observer) are not its state. */
const LAB_FIELDS = new Set(["ctx", "cluster", "observer", "port", "host", "random", "durable", "store"]);

function fieldsOf(prefix: string, root: unknown, skip: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<object>();
  const walk = (path: string, name: string, v: unknown): void => {
    if (skip.includes(name) || skip.includes(path)) return;
    if (v === null || v === undefined || typeof v !== "object") {
      if (typeof v !== "function") out.push(`${prefix} ${path} = ${typeof v === "number" && Number.isNaN(v) ? "NaN" : String(v)}`);
      return;
    }
    if (seen.has(v)) return; // shared or cyclic: written once, where first met
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      out.push(`${prefix} ${path} = [${Array.from(v as unknown as ArrayLike<number>).join(",")}]`);
      return;
    }
    if (v instanceof Map) {
      const keys = [...v.keys()].sort((a, b) => (String(a) < String(b) ? -1 : 1));
      out.push(`${prefix} ${path} = Map(${v.size})`);
      for (const k of keys) walk(`${path}[${String(k)}]`, String(k), v.get(k));
      return;
    }
    if (v instanceof Set) {
      out.push(`${prefix} ${path} = Set{${[...v].map(String).sort().join(",")}}`);
      return;
    }
    if (Array.isArray(v)) {
      out.push(`${prefix} ${path} = Array(${v.length})`);
      v.forEach((x, i) => walk(`${path}[${i}]`, name, x));
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (path !== "" && LAB_FIELDS.has(k)) continue;
      if (path === "" && LAB_FIELDS.has(k)) continue;
      walk(path === "" ? k : `${path}.${k}`, k, x);
    }
  };
  walk("", "", root);
  return out;
}

export type { HostId };
