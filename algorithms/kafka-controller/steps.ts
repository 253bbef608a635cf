/**
 * A controller event as an explicit sequence of steps. KafkaController's handlers read as "do A,
 * then B, then C" on one thread with synchronous ZooKeeper calls; here a step may wait for
 * ZooKeeper, so each step does its work and calls `next` exactly once — at once, or when its
 * requests are answered — and runSteps starts the following one. What the steps learn goes into a
 * plain object the event's steps share, not into nested callbacks.
 */

/** One step: do the work, then call `next` once. */
export type Step = (next: () => void) => void;

/** Runs `steps` in order, then `done`. */
export function runSteps(steps: readonly Step[], done: () => void): void {
  let i = 0;
  const next = (): void => {
    if (i < steps.length) steps[i++](next);
    else done();
  };
  next();
}
