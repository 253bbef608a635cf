/** Variant resolution lives in src/elector/variants.ts (no runner import needed); kept for importers of this path. */
export * from "../elector/variants.ts";
