import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { flag, num, oneOf } from "./option-schema.ts";

const Options = Schema.Struct({
  timeoutMs: num({ default: 150, unit: "ms", above: 0, description: "A timeout." }),
  replicas: num({ default: 3, unit: "count", atLeast: 1, atMost: 30, integer: true, description: "Replicas." }),
  on: flag({ default: true, description: "A switch." }),
  mode: oneOf(["a", "b"], { default: "b", description: "A mode." }),
});
const decode = Schema.decodeUnknownSync(Options);
const description = (name: string): unknown =>
  (Options.ast as unknown as { propertySignatures: { name: string; type: { annotations?: Record<string, unknown> } }[] }).propertySignatures.find(
    (p) => p.name === name,
  )?.type.annotations?.description;

describe("option-schema helpers", () => {
  it("fill defaults and keep given values", () => {
    expect(decode({})).toEqual({ timeoutMs: 150, replicas: 3, on: true, mode: "b" });
    expect(decode({ timeoutMs: 7.5, replicas: 5, on: false, mode: "a" })).toEqual({ timeoutMs: 7.5, replicas: 5, on: false, mode: "a" });
  });

  it("refuse values outside the bounds, naming the field", () => {
    for (const bad of [{ timeoutMs: 0 }, { timeoutMs: Infinity }, { replicas: 0 }, { replicas: 31 }, { replicas: 2.5 }, { mode: "c" }, { on: 1 }]) {
      expect(() => decode(bad)).toThrow(Object.keys(bad)[0]);
    }
  });

  it("document each option with its unit and range where `electorate list` reads them", () => {
    expect(description("timeoutMs")).toBe("A timeout. Unit: ms; > 0.");
    expect(description("replicas")).toBe("Replicas. Unit: count; integer, >= 1, <= 30.");
    expect(description("on")).toBe("A switch.");
    expect(description("mode")).toBe("A mode.");
  });

  it("refuse a definition without a description or with a default out of range", () => {
    expect(() => num({ default: 0, unit: "ms", above: 0, description: "x" })).toThrow(/outside/);
    expect(() => num({ default: 1, unit: "ms", above: 0, description: " " })).toThrow(/description/);
    expect(() => oneOf(["a"], { default: "z" as "a", description: "x" })).toThrow(/not one of/);
  });
});
