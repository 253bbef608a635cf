/**
 * Named variants: "elector:variant" wherever an elector name is accepted. A variant is a named
 * option set an elector declares (ElectorDefinition.variants); its options are input to the
 * elector's options schema, so unnamed fields take their defaults, and explicit options given
 * beside a variant name override the variant's.
 */
import { Schema } from "effect";
import type { ElectorDefinition, ElectorVariant } from "./api.ts";

/** "raft:etcd" -> { elector: "raft", variant: "etcd" }; "raft" -> { elector: "raft", variant: undefined }. */
export function splitElectorName(name: string): { readonly elector: string; readonly variant: string | undefined } {
  const i = name.indexOf(":");
  return i < 0 ? { elector: name, variant: undefined } : { elector: name.slice(0, i), variant: name.slice(i + 1) };
}

/** The variant named `variant` of `definition`, or an Error naming the variants there are. */
export function findVariant(definition: ElectorDefinition, variant: string): ElectorVariant | Error {
  const found = definition.variants?.find((v) => v.name === variant);
  if (found !== undefined) return found;
  const known = (definition.variants ?? []).map((v) => `${definition.name}:${v.name}`);
  return new Error(
    `elector "${definition.name}" has no variant "${variant}"; ${known.length === 0 ? "it declares none" : `expected one of ${known.join(", ")}`}`,
  );
}

/** Option input for a variant (none: {}) with `overrides` merged over it, not yet decoded. */
export function variantInput(
  definition: ElectorDefinition,
  variant: string | undefined,
  overrides: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  if (variant === undefined) return { ...overrides };
  const v = findVariant(definition, variant);
  if (v instanceof Error) throw v;
  return { ...v.options, ...overrides };
}

/** Decoded options of a variant (or the defaults) with `overrides` over it; throws on a bad option. */
export function decodeVariantOptions<O>(
  definition: ElectorDefinition<O>,
  variant?: string,
  overrides: Readonly<Record<string, unknown>> = {},
): O {
  return Schema.decodeUnknownSync(definition.options)(variantInput(definition as ElectorDefinition, variant, overrides));
}

/** Every name a definition answers to: the plain name (default options), then each "name:variant" (bug-zoo variants too). */
export function variantNames(definition: ElectorDefinition): string[] {
  return [definition.name, ...(definition.variants ?? []).map((v) => `${definition.name}:${v.name}`)];
}

/** Whether a variant is a bug-zoo variant (a known bug reproduced on purpose, ElectorVariant.bug). */
export function isBugVariant(variant: ElectorVariant | undefined): boolean {
  return variant?.bug !== undefined;
}

/**
 * The names a default suite or comparison runs: the plain name and each variant that is not a
 * bug-zoo variant. Bug variants are left out on purpose (they break the claims they inherit) and
 * are scored by `npm run bench:zoo`; `bugVariantNames` lists them.
 */
export function correctVariantNames(definition: ElectorDefinition): string[] {
  return [definition.name, ...(definition.variants ?? []).filter((v) => !isBugVariant(v)).map((v) => `${definition.name}:${v.name}`)];
}

/** The bug-zoo variants' names ("raft:bug-vote-without-log-check"), in declaration order. */
export function bugVariantNames(definition: ElectorDefinition): string[] {
  return (definition.variants ?? []).filter(isBugVariant).map((v) => `${definition.name}:${v.name}`);
}

/** An elector name resolved: the definition, the variant it names (if any) and the full name as written. */
export interface ResolvedElector {
  readonly definition: ElectorDefinition;
  readonly variant: ElectorVariant | undefined;
  /** "raft:etcd" or "raft". */
  readonly name: string;
}

/** Resolves "elector" or "elector:variant" against a catalog; undefined when the elector or the variant is unknown. */
export function resolveElectorName(catalog: readonly ElectorDefinition[], name: string): ResolvedElector | undefined {
  const { elector, variant } = splitElectorName(name);
  const definition = catalog.find((e) => e.name === elector);
  if (definition === undefined) return undefined;
  if (variant === undefined) return { definition, variant: undefined, name };
  const v = definition.variants?.find((x) => x.name === variant);
  return v === undefined ? undefined : { definition, variant: v, name };
}

/** Every name a catalog answers to, plain names and variants. */
export function electorNames(catalog: readonly ElectorDefinition[]): string[] {
  return catalog.flatMap(variantNames);
}

/**
 * The definition under its full name ("raft:etcd"), so runs, results, counterexamples and reports
 * that print `definition.name` name the variant. Same behaviour: only the name differs.
 */
export function namedAs<O>(definition: ElectorDefinition<O>, name: string): ElectorDefinition<O> {
  return name === definition.name ? definition : { ...definition, name };
}
