/**
 * Plain-text views for the terminal: one run in detail, its timeline, and the elector list.
 * Comparison tables come from src/report (renderTable).
 */
import { decodeVariantOptions } from "../elector/variants.ts";
import { Schema } from "effect";
import type { ElectorDefinition } from "../elector/api.ts";
import { describeFault } from "../sim/faults.ts";
import type { RunResult } from "../runner/result.ts";

/** 1234567 -> "1 234 567"; fractions to 3 significant digits. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000 || Number.isInteger(x)) {
    return Math.round(x)
      .toString()
      .replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  }
  return String(Number(x.toPrecision(3)));
}

export function ms(x: number): string {
  return `${num(x)} ms`;
}

function bytes(b: number): string {
  if (b >= 1 << 30) return `${(b / (1 << 30)).toFixed(2)} GiB`;
  if (b >= 1 << 20) return `${(b / (1 << 20)).toFixed(1)} MiB`;
  if (b >= 1 << 10) return `${(b / (1 << 10)).toFixed(1)} KiB`;
  return `${b} B`;
}

function optionsText(options: unknown): string {
  if (typeof options !== "object" || options === null) return "";
  return Object.entries(options as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}

const host = (h: number | "zk"): string => (h === "zk" ? "zk" : h === -1 ? "lab" : `host ${h}`);

/** One run, in detail. */
export function runDetail(r: RunResult): string {
  const m = r.metrics;
  const out: string[] = [];
  out.push(`${r.scenario} — ${r.elector} (${optionsText(r.options)}), seed ${r.seed}`);
  out.push(
    `cluster: ${r.cluster.brokers} brokers, ${num(r.cluster.partitions)} partitions, RF ${r.cluster.replicationFactor}; ${ms(r.durationMs)} simulated; ${r.faults.length} fault${r.faults.length === 1 ? "" : "s"}`,
  );
  if (r.setup?.start === "settled") out.push(r.setup.startNote !== undefined ? `start: cold (${r.setup.startNote})` : "start: settled (built directly, as a quiet start leaves the cluster)");
  if (r.faults.length > 0) {
    out.push("faults:");
    for (const f of r.faults) out.push(`  ${ms(f.at).padStart(12)}  ${describeFault(f)}`);
    for (const note of r.setup?.roles ?? []) out.push(`  (${note})`);
  }
  out.push("");
  const sb = m.splitBrain;
  const row = (label: string, text: string): void => {
    out.push(`${label.padEnd(15)} ${text}`);
  };
  row(
    "split-brain",
    `overlap ${num(sb.overlap.count)} (in ${num(sb.overlap.partitions)} partitions, ${ms(sb.overlap.totalMs)} total, longest ${ms(sb.overlap.longestMs)}); ` +
      `same-epoch ${num(sb.sameEpoch.count)}; late acks ${num(sb.lateAcks.count)}`,
  );
  const f = m.failover;
  row(
    "failover",
    f.samples === 0
      ? `no leaderless spells after a fault; never led ${num(f.neverLed)}`
      : `p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)}, max ${ms(f.maxMs)} over ${num(f.samples)} spells; ${num(f.unavailablePartitionSeconds)} partition-s unavailable; never led ${num(f.neverLed)}`,
  );
  for (const h of m.herd) {
    row(
      `herd [${h.fault}]`,
      `${h.description} @${ms(h.at)}: woke ${num(h.hostsWoken)} hosts, ${num(h.watchNotifications)} watch notifications, ${num(h.campaigns)} campaigns, ` +
        `${num(h.leadershipChanges)} leader changes, zk ${num(h.coordinatorWrites)} writes / ${num(h.coordinatorReads)} reads, ` +
        `peak zk ${num(h.coordinatorPeakPerSecond["100ms"])}/s, busiest broker ${num(h.hostPeakPerSecond["100ms"])} msg/s (100 ms windows)`,
    );
  }
  const c = m.coordinator;
  row(
    "coordinator",
    `writes ${num(c.writes)}, reads ${num(c.reads)}, losing creates ${num(c.losingCreates)}, watches ${num(c.watchesRegistered)}, ` +
      `notifications ${num(c.notifications)}, sessions expired ${num(c.sessionsExpired)}, max queue ${num(c.maxQueueLength)}, ` +
      `peak ${num(c.peakRequestsPerSecond["100ms"])} req/s (100 ms)`,
  );
  row("leadership", `${num(m.leadershipChanges)} leader declarations, ${num(m.controllerChanges)} controller changes`);
  row(
    "balance",
    `leaders per broker max ${num(m.balance.leadersPerBrokerMax)}, mean ${num(m.balance.leadersPerBrokerMean)}; preferred leader share ${(m.balance.preferredLeaderShare * 100).toFixed(1)}%`,
  );
  row(
    "end state",
    `one leader ${num(m.end.partitionsWithOneLeader)}, none ${num(m.end.partitionsWithoutLeader)}, several ${num(m.end.partitionsWithSeveralLeaders)}, disagreeing replicas ${num(m.end.disagreeingReplicas)}`,
  );
  const w = m.workload;
  row("workload", `sent ${num(w.sent)}, acknowledged ${num(w.acknowledged)}, rejected ${num(w.rejected)}, timed out ${num(w.timedOut)}, connection reset ${w.connectionReset === undefined ? "not recorded" : num(w.connectionReset)}, unsent ${num(w.unsent)}`);
  row(
    "messages",
    `sent ${num(m.messages.sent)} (${bytes(m.messages.bytes)}), dropped ${num(m.messages.dropped)}, peak ${num(m.messages.peakPerSecond["100ms"])}/s (100 ms)`,
  );
  row(
    "cost",
    `${num(r.cost.events)} events in ${ms(r.cost.wallMs)} (${num(r.cost.eventsPerSecond)} events/s), heap ${bytes(r.cost.peakHeapBytes)}`,
  );
  row("trace hash", m.traceHash);
  const v = r.violations ?? [];
  row("claims", v.length === 0 ? "kept" : `VIOLATED: ${v.join("; ")}`);
  const findings = sb.findings;
  if (findings.length > 0) {
    out.push("", "findings:");
    for (const x of findings.slice(0, 12)) {
      out.push(
        `  ${x.grade.padEnd(10)} partition ${x.partition}: hosts ${x.hosts[0]} (epoch ${x.epochs[0]}) and ${x.hosts[1]} (epoch ${x.epochs[1]}), ${ms(x.from)} – ${ms(x.to)}${x.writeId !== undefined ? `, write ${x.writeId}` : ""}`,
      );
    }
    if (findings.length > 12) out.push(`  ... ${findings.length - 12} more`);
  }
  return out.join("\n") + "\n";
}

/** The run's timeline: host events, then each partition's leadership intervals and acks. */
export function timelineText(r: RunResult, maxPartitions = 50): string {
  const t = r.timeline;
  const out: string[] = [];
  if (t.events.length > 0) {
    out.push("events:");
    for (const e of t.events) out.push(`  ${ms(e.at).padStart(12)}  ${host(e.host)}: ${e.what}`);
  }
  if (t.partitions.length > 0) {
    out.push(t.partitions.length === r.cluster.partitions ? "partitions:" : "partitions with findings:");
    for (const p of t.partitions.slice(0, maxPartitions)) {
      out.push(`  partition ${p.partition} (replicas ${p.replicas.join(", ")}):`);
      for (const i of p.intervals) out.push(`    host ${i.host} leads in epoch ${i.epoch}: ${ms(i.from)} – ${ms(i.to)}`);
      const stale = p.acks.filter((a) => a.late);
      if (p.acks.length > 0) {
        out.push(`    ${p.acks.length} writes acknowledged${stale.length > 0 ? `, ${stale.length} late:` : ""}`);
        for (const a of stale.slice(0, 5)) out.push(`      write ${a.writeId} by host ${a.host} (epoch ${a.epoch}) at ${ms(a.at)}`);
      }
    }
    if (t.partitions.length > maxPartitions) out.push(`  ... ${t.partitions.length - maxPartitions} more partitions (in the JSON result)`);
  }
  return out.length === 0 ? "" : out.join("\n") + "\n";
}

interface OptionDoc {
  readonly name: string;
  readonly type: string;
  readonly default: unknown;
  readonly description: string;
}

function typeOf(ast: unknown): string {
  const a = ast as { _tag?: string; types?: readonly unknown[]; literal?: unknown };
  switch (a._tag) {
    case "Union":
      return (a.types ?? []).map(typeOf).join(" | ");
    case "Literal":
      return JSON.stringify(a.literal);
    case "Number":
      return "number";
    case "String":
      return "string";
    case "Boolean":
      return "boolean";
    default:
      return (a._tag ?? "value").toLowerCase();
  }
}

/** Each option of an elector: name, type, default (decoding {}), description. */
export function optionDocs(e: ElectorDefinition): OptionDoc[] {
  let defaults: Record<string, unknown> = {};
  try {
    defaults = Schema.decodeUnknownSync(e.options as Schema.Codec<unknown, unknown>)({}) as Record<string, unknown>;
  } catch {
    // Options without defaults: shown as required.
  }
  const ast = e.options.ast as unknown as { propertySignatures?: readonly { name: PropertyKey; type: { annotations?: Record<string, unknown> } }[] };
  return (ast.propertySignatures ?? []).map((ps) => ({
    name: String(ps.name),
    type: typeOf(ps.type),
    default: defaults[String(ps.name)],
    description: typeof ps.type.annotations?.description === "string" ? ps.type.annotations.description : "",
  }));
}

export function electorList(electors: readonly ElectorDefinition[]): string {
  if (electors.length === 0) return "No electors registered (algorithms/index.ts).\n";
  const out: string[] = [];
  for (const e of electors) {
    out.push(`${e.name} — ${e.description}`);
    out.push(`  uses ZooKeeper: ${e.usesCoordinator ? "yes" : "no"}`);
    const docs = optionDocs(e);
    if (docs.length === 0) out.push("  options: none");
    else {
      out.push("  options:");
      for (const d of docs) {
        const def = d.default === undefined ? "required" : `default ${JSON.stringify(d.default)}`;
        out.push(`    ${d.name} (${d.type}; ${def})`);
        if (d.description !== "") out.push(`      ${d.description}`);
      }
    }
    const variants = (e.variants ?? []).filter((v) => v.bug === undefined);
    if (variants.length > 0) {
      out.push("  variants (use as elector:variant):");
      for (const v of variants) {
        const claims = e.claims(decodeVariantOptions(e, v.name));
        const claimed = Object.entries(claims).filter(([k, c]) => c === true).map(([k]) => k);
        out.push(`    ${e.name}:${v.name} — ${v.description}`);
        out.push(`      options ${JSON.stringify(v.options)}; claims ${claimed.join(", ") || "nothing"}`);
      }
    }
    const bugs = (e.variants ?? []).filter((v) => v.bug !== undefined);
    if (bugs.length > 0) {
      out.push("  bug-zoo variants (known bugs on purpose; not in the property suite or comparisons; scored by npm run bench:zoo):");
      for (const v of bugs) {
        out.push(`    ${e.name}:${v.name} — ${v.bug!.summary}`);
        out.push(`      source: ${v.bug!.source}; options ${JSON.stringify(v.options)}`);
      }
    }
    out.push("");
  }
  return out.join("\n");
}
