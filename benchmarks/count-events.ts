/**
 * Counting wrappers around a kernel's event handlers, for the benchmarks that say what a run's
 * events are (event-mix.ts, cell-mix.ts). A benchmark may look inside the kernel; runs never do.
 * The kernel keeps its two direct kinds' handlers apart (dispatchDirectly): wrapped as well.
 */
import type { EventHandler, Kernel } from "../src/sim/kernel.ts";

interface Wrappable {
  handlers: (EventHandler | undefined)[];
  kindNames: string[];
  directKindA: number;
  directHandlerA: EventHandler;
  directKindB: number;
  directHandlerB: EventHandler;
}

const add = (m: Map<string, number>, key: string): void => void m.set(key, (m.get(key) ?? 0) + 1);

/** From now on, counts each event of `kernel` by kind name in `kinds`, and each timer by its tag in `timers`. */
export function countEvents(kernel: Kernel, kinds: Map<string, number>, timers: Map<string, number>): void {
  const k = kernel as unknown as Wrappable;
  const counting = (i: number, h: EventHandler): EventHandler => ({
    handle(target: number, a: number, b: number, obj: unknown): void {
      add(kinds, k.kindNames[i]);
      if (k.kindNames[i] === "timer") add(timers, String(a));
      h.handle(target, a, b, obj);
    },
  });
  k.handlers = k.handlers.map((h, i) => (h === undefined ? h : counting(i, h)));
  if (k.directKindA >= 0) k.directHandlerA = counting(k.directKindA, k.directHandlerA);
  if (k.directKindB >= 0) k.directHandlerB = counting(k.directKindB, k.directHandlerB);
}
