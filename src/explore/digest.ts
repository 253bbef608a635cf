/**
 * The canonical digest of an explored world's state: two states with the same digest are treated
 * as one (deduplication). What it covers, per broker: up/crashed/paused, its clock's offset from
 * true time, its elector's state and its durable store; then every pending event (kind, host,
 * time relative to now, payload), the network's reachability between every pair of hosts, what
 * every replica believes (the metadata producers read), the producers' state, and the judged past
 * (leaders declared per epoch, writes acknowledged), so a merged state also merges its verdict.
 *
 * The elector's state: the instance's `digest()` when it declares one (ElectorInstance.digest);
 * otherwise the lab's default, a structural walk of the instance's own fields — numbers, strings,
 * arrays, typed arrays, Maps and Sets (sorted), nested objects — that skips the lab's objects it
 * holds (its HostContext, cluster view, observer, random stream, durable store: the store is
 * digested on its own). What the default cannot see: state an elector keeps outside its instance
 * (module-level variables), closures' captured variables (functions are skipped), and the
 * positions of the hosts' random streams (not digested: two states that differ only in a future
 * random draw are merged; docs/explore.md says what that costs) — except with tied timeouts, where
 * every host draws from one sequence and its position there is digested (tied-random.ts).
 */
import { createHash } from "node:crypto";
import type { ElectorInstance, HostId } from "../elector/api.ts";
import { HostStatus } from "../sim/kernel.ts";
import type { ExploreWorld, PendingEvent } from "./explore-world.ts";

/** A structural digest of a value, skipping objects in `skip`. */
export function walkDigest(value: unknown, skip: ReadonlySet<object>): string {
  const out: string[] = [];
  walk(value, out, new Map(), skip);
  return out.join("");
}

function walk(v: unknown, out: string[], seen: Map<object, number>, skip: ReadonlySet<object>): void {
  switch (typeof v) {
    case "number":
      out.push(Object.is(v, -0) ? "0" : String(v), ",");
      return;
    case "string":
      out.push(JSON.stringify(v), ",");
      return;
    case "boolean":
      out.push(v ? "T," : "F,");
      return;
    case "undefined":
      out.push("u,");
      return;
    case "bigint":
      out.push(`${v}n,`);
      return;
    case "function":
    case "symbol":
      out.push("f,");
      return;
  }
  if (v === null) {
    out.push("n,");
    return;
  }
  const o = v as object;
  if (skip.has(o)) {
    out.push("#,");
    return;
  }
  const ref = seen.get(o);
  if (ref !== undefined) {
    out.push(`@${ref},`);
    return;
  }
  seen.set(o, seen.size);
  if (ArrayBuffer.isView(o)) {
    // Length, then the elements up to the last non-zero one (preallocated buffers are mostly zeros).
    const arr = o as unknown as ArrayLike<number>;
    let last = arr.length - 1;
    while (last >= 0 && arr[last] === 0) last--;
    out.push(o.constructor.name, String(arr.length), "[");
    for (let i = 0; i <= last; i++) out.push(String(arr[i]), ",");
    out.push("]");
    return;
  }
  if (Array.isArray(o)) {
    out.push("[");
    for (const x of o) walk(x, out, seen, skip);
    out.push("]");
    return;
  }
  if (o instanceof Map) {
    // Insertion order depends on history: sort entries by their digest.
    const entries = [...o].map(([k, x]) => walkDigest(k, skip) + ":" + digestInto(x, seen, skip));
    entries.sort();
    out.push("M{", entries.join(";"), "}");
    return;
  }
  if (o instanceof Set) {
    const items = [...o].map((x) => digestInto(x, seen, skip));
    items.sort();
    out.push("S{", items.join(";"), "}");
    return;
  }
  out.push(o.constructor?.name ?? "Object", "{");
  for (const key of Object.keys(o)) {
    out.push(key, "=");
    walk((o as Record<string, unknown>)[key], out, seen, skip);
  }
  out.push("}");
}

function digestInto(v: unknown, seen: Map<object, number>, skip: ReadonlySet<object>): string {
  const out: string[] = [];
  walk(v, out, seen, skip);
  return out.join("");
}

/** The elector instance's state: its own digest if it declares one, else the default walk. */
export function electorDigest(instance: ElectorInstance | undefined, skip: ReadonlySet<object>, hostName: (h: HostId) => number): string {
  if (instance === undefined) return "-";
  if (instance.digest !== undefined) return `D${instance.digest(hostName)}`;
  return `W${walkDigest(instance, skip)}`;
}

/** The lab objects an elector may hold references to (never digested as elector state). */
export function labObjects(ew: ExploreWorld): Set<object> {
  const w = ew.world;
  const skip = new Set<object>([w, w.kernel, w.network, w.cluster, w.log, w.history, w.beliefs, w.coordinator, w.zkClients, w.workload, w.clocks, w.storage, ew.queue]);
  for (const h of w.hosts) {
    skip.add(h);
    skip.add(h.observer);
    skip.add(h.random);
    skip.add(h.durable);
  }
  return skip;
}

/** One pending event's canonical key (host ids renamed). */
export function eventKey(e: PendingEvent, now: number, hostName: (h: HostId) => number, skip: ReadonlySet<object>): string {
  const dt = e.time - now;
  if (e.kind === "deliver") {
    return `d${e.stream ? "s" : ""}|${hostName(e.from)}>${hostName(e.host)}|${dt > 0 ? dt : 0}|${walkDigest(e.message, skip)}`;
  }
  // b of deliveries is the message trace's index: never digested. Timers: a = tag.
  return `${e.kind}|${hostName(e.host)}|${dt > 0 ? dt : 0}|${e.a}|${e.b}`;
}

/** The state's digest with hosts renamed by `hostName` (identity when no symmetry is applied). */
export function stateDigest(ew: ExploreWorld, skip: ReadonlySet<object>, hostName: (h: HostId) => number, order: readonly HostId[]): string {
  const w = ew.world;
  const k = w.kernel;
  const now = k.now;
  const parts: string[] = [];
  // Brokers in canonical order: order[i] is the host named i.
  for (const h of order) {
    const rt = w.hosts[h];
    const status = k.hostStatus(h);
    parts.push(
      `H${status}|${w.clocks.now(h) - now}|${status === HostStatus.Crashed ? "-" : electorDigest(rt.instance, skip, hostName)}|${walkDigest({ ...rt.durable }, skip)}`,
    );
    // Tied timeouts: the host's position in the one tied sequence decides its next draws.
    if (ew.tied.length > 0) parts.push(`r${ew.tied[h].position}`);
    for (let p = 0; p < w.cluster.partitions; p++) {
      const l = w.beliefs.leaderSeenBy(h, p);
      parts.push(`b${p}:${l < 0 ? l : hostName(l)}`);
    }
  }
  const events = ew.candidates().map((e) => eventKey(e, now, hostName, skip));
  // Events held for a paused host are not candidates but are state too.
  for (const e of ew.heldEvents()) events.push(`held:${eventKey(e, now, hostName, skip)}`);
  events.sort();
  parts.push(`E${events.join("\n")}`);
  const n = k.hostCount;
  const reach: string[] = [];
  for (let f = 0; f < n; f++) for (let t = 0; t < n; t++) if (!w.network.canReach(f, t)) reach.push(`${f < order.length ? hostName(f) : f}>${t < order.length ? hostName(t) : t}`);
  reach.sort();
  parts.push(`N${reach.join(",")}`);
  // The producers: a shallow copy, so the workload's own fields are walked and its lab references skipped.
  parts.push(`P${walkDigest({ ...w.workload }, skip)}`);
  parts.push(ew.judgedHistory(hostName));
  return parts.join("\n");
}

/** A state's digest text, hashed (SHA-1, 160 bits: a collision among a billion states has odds near 1e-30). */
export function hashDigest(text: string): string {
  return createHash("sha1").update(text).digest("base64");
}
