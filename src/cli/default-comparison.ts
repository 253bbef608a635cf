/**
 * What `electorate compare` (and `npm start`) runs when the command line names nothing: every
 * registered elector with its defaults, plus each named variant whose options differ from those
 * defaults (raft:paper beside raft, kafka-controller:all-minisr2 beside acks=1, ...), so the
 * report compares the designs a reader would ask about. A variant equal to the defaults (raft:etcd,
 * zab:zookeeper) would only repeat its elector's column and is left out; a bug-zoo variant (one
 * that declares `bug`) is never part of the default comparison.
 */
import type { ElectorDefinition, ElectorVariant } from "../elector/api.ts";
import { decodeVariantOptions } from "../elector/variants.ts";

export const DEFAULT_PARTITIONS = [100, 1_000, 10_000] as const;
/** Variants run at the two smaller sizes: they differ in safety and protocol, which show there, and `npm start` stays short. */
export const DEFAULT_VARIANT_PARTITIONS = [100, 1_000] as const;
/** A crash, the seeds' zombie (cut from ZooKeeper), a leader paused past every timeout, a minority partition (the last two stress Raft and Zab too). */
export const DEFAULT_SCENARIOS = ["broker-crash", "leader-cut-from-zk", "leader-paused-past-session", "minority-partition"] as const;

/** Partition counts of the default comparison's variants (every name with a ":"). */
export function defaultPartitionsOf(names: readonly string[]): ReadonlyMap<string, readonly number[]> {
  return new Map(names.filter((n) => n.includes(":")).map((n) => [n, DEFAULT_VARIANT_PARTITIONS]));
}

/** Elector names of the default comparison, registry order, each elector followed by its distinct variants. */
export function defaultAlgorithmNames(catalog: readonly ElectorDefinition[]): string[] {
  return catalog.flatMap((definition) => {
    const defaults = canonical(decodeVariantOptions(definition));
    const seen = new Set([defaults]);
    const distinct: string[] = [];
    for (const variant of definition.variants ?? []) {
      if (isBugVariant(variant)) continue;
      const options = canonical(decodeVariantOptions(definition, variant.name));
      if (seen.has(options)) continue;
      seen.add(options);
      distinct.push(`${definition.name}:${variant.name}`);
    }
    return [definition.name, ...distinct];
  });
}

function isBugVariant(variant: ElectorVariant): boolean {
  return (variant as { readonly bug?: unknown }).bug !== undefined;
}

/** Options as text with keys sorted at every level, so equal option sets compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
