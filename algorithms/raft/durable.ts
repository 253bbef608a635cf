/** A value kept in the host's durable store (created on first boot, handed back after a restart). */
import type { DurableStore } from "../../src/elector/api.ts";

export function durable<T>(store: DurableStore, key: string, make: () => T): T {
  let value = store.get<T>(key);
  if (value === undefined) {
    value = make();
    store.set(key, value);
  }
  return value;
}
