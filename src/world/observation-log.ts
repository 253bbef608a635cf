/**
 * The observation log moved to src/record/ (the run record the checker reads without importing the
 * world). Kept so tests under algorithms/ that import it from here keep working until their owners
 * switch to src/record/observation-log.ts or the testing kit.
 */
export * from "../record/observation-log.ts";
