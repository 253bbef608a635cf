/**
 * Helpers for an elector's options schema, so that every option is decoded with its bounds,
 * defaulted, and documented the same way: `electorate list` shows each option's description,
 * unit and allowed range.
 *
 * ```ts
 * export const MyOptions = Schema.Struct({
 *   electionTimeoutMs: num({ default: 1000, unit: "ms", above: 0, description: "etcd --election-timeout." }),
 *   preVote: flag({ default: true, description: "etcd --pre-vote (default true since 3.5)." }),
 *   acks: oneOf(["1", "all"], { default: "all", description: "Producer acks." }),
 * });
 * ```
 *
 * The unit and range are appended to the description ("... Unit: ms; > 0."), and also kept as
 * `unit` / `range` annotations for tools that read them.
 */
import { Effect, Schema } from "effect";

/** Units an option may be measured in ("count" for plain quantities: replicas, requests, entries). */
export type OptionUnit = "ms" | "s" | "count" | "bytes" | "percent" | "ratio";

/** A numeric option: a default, a unit, a lower bound (`above` or `atLeast`), optionally an upper one. */
export type NumSpec = {
  readonly default: number;
  readonly unit: OptionUnit;
  readonly description: string;
  readonly atMost?: number;
  /** Whole numbers only. */
  readonly integer?: boolean;
} & ({ readonly above: number; readonly atLeast?: undefined } | { readonly atLeast: number; readonly above?: undefined });

function describeRange(s: NumSpec): string {
  const parts: string[] = [];
  if (s.integer === true) parts.push("integer");
  if (s.above !== undefined) parts.push(`> ${s.above}`);
  if (s.atLeast !== undefined) parts.push(`>= ${s.atLeast}`);
  if (s.atMost !== undefined) parts.push(`<= ${s.atMost}`);
  return parts.join(", ");
}

function inRange(s: NumSpec, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  if (s.integer === true && !Number.isInteger(v)) return false;
  if (s.above !== undefined && !(v > s.above)) return false;
  if (s.atLeast !== undefined && !(v >= s.atLeast)) return false;
  if (s.atMost !== undefined && !(v <= s.atMost)) return false;
  return true;
}

/** A bounded number with a unit and a default. */
export function num(spec: NumSpec) {
  if (spec.description.trim() === "") throw new Error("num(): an option needs a description");
  if (!inRange(spec, spec.default)) throw new Error(`num(): default ${spec.default} is outside ${describeRange(spec)}`);
  const range = describeRange(spec);
  // Annotate the type before adding checks: annotations given after a check attach to that check,
  // where `electorate list` does not look.
  let schema = Schema.Number.annotate({
    description: `${spec.description.trimEnd()} Unit: ${spec.unit}; ${range}.`,
    unit: spec.unit,
    range,
  }).check(Schema.isFinite());
  if (spec.integer === true) schema = schema.check(Schema.isInt());
  if (spec.above !== undefined) schema = schema.check(Schema.isGreaterThan(spec.above));
  if (spec.atLeast !== undefined) schema = schema.check(Schema.isGreaterThanOrEqualTo(spec.atLeast));
  if (spec.atMost !== undefined) schema = schema.check(Schema.isLessThanOrEqualTo(spec.atMost));
  return schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(spec.default)));
}

/** A boolean switch with a default. */
export function flag(spec: { readonly default: boolean; readonly description: string }) {
  if (spec.description.trim() === "") throw new Error("flag(): an option needs a description");
  return Schema.Boolean.annotate({ description: spec.description }).pipe(Schema.withDecodingDefaultKey(Effect.succeed(spec.default)));
}

/** One of a fixed set of names, with a default. */
export function oneOf<const L extends readonly [string, ...string[]]>(
  literals: L,
  spec: { readonly default: L[number]; readonly description: string },
) {
  if (spec.description.trim() === "") throw new Error("oneOf(): an option needs a description");
  if (!literals.includes(spec.default)) throw new Error(`oneOf(): default ${spec.default} is not one of ${literals.join(", ")}`);
  const schema: Schema.Literals<L> = Schema.Literals(literals).annotate({ description: spec.description });
  return Schema.withDecodingDefaultKey<Schema.Literals<L>>(Effect.succeed(spec.default))(schema);
}
