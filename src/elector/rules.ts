/**
 * Named rules (ElectorDefinition.rules): a design lists its transitions once, as [key, text]
 * pairs, and reports one with `observer.rule?.(id.key)`. The numbers are the positions in the
 * list, so coverage can name every rule, visited or not.
 */
export interface NamedRules<K extends string> {
  /** Rule texts by number, for ElectorDefinition.rules. */
  readonly names: readonly string[];
  /** Rule numbers by key. */
  readonly id: Readonly<Record<K, number>>;
}

export function defineRules<const K extends string>(rules: readonly (readonly [K, string])[]): NamedRules<K> {
  const id = {} as Record<K, number>;
  rules.forEach(([key], i) => {
    if (key in id) throw new Error(`rule key "${key}" is listed twice`);
    id[key] = i;
  });
  return { names: Object.freeze(rules.map(([, text]) => text)), id: Object.freeze(id) };
}
