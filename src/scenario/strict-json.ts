/**
 * JSON as strictly as YAML: JSON.parse keeps the last of two equal keys without a word, while the
 * YAML reader refuses them. parseJsonStrict refuses duplicate keys too (with the key's path and
 * line), and never echoes the input in a syntax error (V8's message quotes the text around the
 * error, which may be kilobytes or hold terminal escape bytes).
 */
import { BadInputError } from "./issues.ts";

export function parseJsonStrict(text: string, source: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new BadInputError(source, [{ path: "", message: `not valid JSON: ${jsonErrorText((e as Error).message, text)}` }]);
  }
  const dup = findDuplicateKey(text);
  if (dup !== undefined) {
    throw new BadInputError(source, [
      { path: dup.path, message: `duplicate key ${JSON.stringify(dup.key)} at line ${dup.line} (expected each key once in an object, as YAML requires)` },
    ]);
  }
  return value;
}

/** V8's JSON.parse message without the quoted input, with a line and column where it gives a position. */
export function jsonErrorText(message: string, text: string): string {
  let m = message.replace(/, "[\s\S]*" is not valid JSON$/, "").replace(/ in JSON at position \d+.*$/s, (x) => x);
  const pos = /at position (\d+)/.exec(m);
  if (pos !== null) {
    const p = Number(pos[1]);
    const before = text.slice(0, p);
    const line = before.split("\n").length;
    const column = p - before.lastIndexOf("\n");
    m = m.replace(/(in JSON )?at position \d+.*$/s, `at line ${line}, column ${column}`);
  }
  return m;
}

interface Frame {
  readonly keys: Set<string> | undefined; // undefined: an array
  readonly path: string;
  index: number;
  expectKey: boolean;
  lastKey: string;
}

/** The first duplicate key of a valid JSON text, with its path and line. */
export function findDuplicateKey(text: string): { key: string; path: string; line: number } | undefined {
  const stack: Frame[] = [];
  let line = 1;
  const childPath = (f: Frame | undefined): string => {
    if (f === undefined) return "";
    if (f.keys === undefined) return `${f.path}[${f.index}]`;
    const k = f.lastKey;
    return f.path === "" ? k : /^[A-Za-z_$][\w$-]*$/.test(k) ? `${f.path}.${k}` : `${f.path}[${JSON.stringify(k)}]`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      const parent = stack[stack.length - 1];
      stack.push({ keys: c === 123 ? new Set() : undefined, path: childPath(parent), index: 0, expectKey: c === 123, lastKey: "" });
    } else if (c === 125 || c === 93) stack.pop();
    else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top !== undefined) {
        if (top.keys === undefined) top.index++;
        else top.expectKey = true;
      }
    } else if (c === 34 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (escaped) escaped = false;
        else if (d === 92) escaped = true;
        else if (d === 34) break;
      }
      const top = stack[stack.length - 1];
      if (top !== undefined && top.keys !== undefined && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        top.lastKey = key;
        if (top.keys.has(key)) return { key, path: childPath(top), line };
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    }
  }
  return undefined;
}
