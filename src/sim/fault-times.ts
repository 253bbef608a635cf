/**
 * Fault times drawn per seed. A scenario may give a fault's time as a range, `at: { between:
 * [a, b] }`, so a sweep over seeds samples the fault's phase against timers, heartbeats and
 * session expiry instead of hitting the same instant every run. Times are drawn in schedule order
 * from a stream of their own ("fault-times"), uniformly (whole milliseconds when both ends are
 * whole); a fixed time draws nothing, so adding ranges reshuffles no other random draw in the run.
 */
import { RandomStream } from "./random.ts";

export type FaultTime = number | { readonly between: readonly [number, number] };

/** A fault with its time drawn. */
export type Timed<F> = F extends { readonly at: FaultTime } ? Omit<F, "at"> & { readonly at: number } : never;

/** The faults with every ranged time drawn for `seed`; faults with fixed times are returned as they are. */
export function drawFaultTimes<F extends { readonly at: FaultTime }>(faults: readonly F[], seed: number): Timed<F>[] {
  let stream: RandomStream | undefined;
  return faults.map((f) => {
    if (typeof f.at === "number") return f as unknown as Timed<F>;
    stream ??= new RandomStream(seed, "fault-times");
    const [a, b] = f.at.between;
    const at = Number.isInteger(a) && Number.isInteger(b) ? stream.int(a, b) : stream.uniform(a, b);
    return { ...f, at } as unknown as Timed<F>;
  });
}

/** The latest time a fault may happen at (for checks against a run's duration). */
export function latestTime(at: FaultTime): number {
  return typeof at === "number" ? at : at.between[1];
}
