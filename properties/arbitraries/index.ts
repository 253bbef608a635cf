/** The property suite's arbitraries, from the smallest pieces to whole scenarios. */
export * from "./time.ts";
export * from "./cluster.ts";
export * from "./network.ts";
export * from "./faults.ts";
export * from "./schedule.ts";
export * from "./scenario.ts";
