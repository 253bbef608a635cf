/**
 * Bad input, reported the way a user can fix it: the path of the bad field and the expected
 * shape, e.g. `faults[2].host: expected a broker number or "zk", got "x"`. Schema issues are
 * flattened into such lines here; the CLI prints them and exits with code 2.
 */
import { SchemaIssue, type SchemaAST } from "effect";

export interface InputIssue {
  /** Field path as printed: `faults[2].host`, `cluster.replicationFactor`; "" for the whole input. */
  readonly path: string;
  /** Lower-case, starts with "expected ..." where possible. */
  readonly message: string;
}

/** Input the lab refuses: a scenario, a results file, a command-line flag. */
export class BadInputError extends Error {
  constructor(
    /** What was being read: a file name, "--partitions", ... */
    readonly source: string,
    readonly issues: readonly InputIssue[],
    /** More for `--verbose` (e.g. an elector module's own stack trace); never printed otherwise. */
    readonly detail?: string,
  ) {
    super(formatIssues(source, issues));
    this.name = "BadInputError";
  }
}

export function isBadInput(u: unknown): u is BadInputError {
  return u instanceof BadInputError || (typeof u === "object" && u !== null && (u as { name?: unknown }).name === "BadInputError");
}

const MAX_LINES = 12;
/** A message line longer than this is cut: input quoted in it stays a short excerpt. */
const MAX_LINE_CHARS = 400;

/**
 * Text safe to print on a terminal: control characters (C0, DEL, C1), line and paragraph
 * separators and bidirectional overrides escaped as \xNN / \uNNNN, so input quoted in a message
 * can neither move the cursor, recolour the terminal nor reorder what is shown; cut to `max`.
 */
export function printable(text: string, max = MAX_LINE_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  return escaped.length > max ? `${escaped.slice(0, max - 3)}...` : escaped;
}

/** One paragraph: what was refused, then one line per bad field. */
export function formatIssues(source: string, issues: readonly InputIssue[]): string {
  const lines = issues.slice(0, MAX_LINES).map((i) => `  ${i.path === "" ? "" : `${printable(i.path, 120)}: `}${printable(i.message)}`);
  if (issues.length > MAX_LINES) lines.push(`  ... and ${issues.length - MAX_LINES} more`);
  const what = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return `${printable(source, 200)}: refused (${what}):\n${lines.join("\n")}`;
}

/** `["faults", 2, "host"]` -> `faults[2].host` (under `prefix`, if any). */
export function formatPath(path: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else {
      const name = String(key);
      out += out === "" ? name : /^[A-Za-z_$][\w$-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
    }
  }
  return out;
}

/** A value as shown after "got": short JSON. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}

function hasInput(issue: SchemaIssue.Issue): boolean {
  return "input" in issue && Object.prototype.hasOwnProperty.call(issue, "input");
}

/** Keys an object schema declares (for "unknown field" messages). */
function declaredKeys(ast: SchemaAST.AST): string[] {
  const a = ast as unknown as { propertySignatures?: readonly { name: PropertyKey }[] };
  return a.propertySignatures?.map((p) => String(p.name)) ?? [];
}

/**
 * Flattens a schema issue (decoded with `reportInput: true`) into path + message lines. A union
 * annotated with `discriminator` (e.g. faults by `type`) reports an unknown tag at the tag's own
 * path: `faults[2].type: expected one of "crash", "restart", ..., got "crush"`.
 */
export function issuesOf(issue: SchemaIssue.Issue, prefix = ""): InputIssue[] {
  const out: InputIssue[] = [];
  walk(issue, [], undefined, prefix, out);
  // Two checks failing on one value (NaN: not finite, not in range) read as one problem.
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = i.path;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function walk(issue: SchemaIssue.Issue, path: PropertyKey[], override: string | undefined, prefix: string, out: InputIssue[]): void {
  const at = (): string => formatPath(path, prefix);
  switch (issue._tag) {
    case "Pointer":
      walk(issue.issue, [...path, ...issue.path], override, prefix, out);
      return;
    case "Encoding":
      walk(issue.issue, path, override, prefix, out);
      return;
    case "Composite":
      for (const i of issue.issues) walk(i, path, override, prefix, out);
      return;
    case "Filter": {
      const expected = issue.filter.annotations?.expected;
      const message =
        override ??
        (typeof expected === "string"
          ? `expected ${expected}, got ${show(issue.issue.input ?? issue.input)}`
          : defaultMessage(issue));
      walk(issue.issue, path, message, prefix, out);
      return;
    }
    case "AnyOf": {
      if (issue.issues.length > 0) {
        for (const i of issue.issues) walk(i, path, override, prefix, out);
        return;
      }
      const ann = issue.ast.annotations ?? {};
      const discriminator = ann.discriminator;
      const values = ann.discriminatorValues as readonly string[] | undefined;
      const input = issue.input;
      if (typeof discriminator === "string" && values !== undefined) {
        if (typeof input === "object" && input !== null && !Array.isArray(input)) {
          const tag = (input as Record<string, unknown>)[discriminator];
          out.push({
            path: formatPath([...path, discriminator], prefix),
            message: `expected one of ${values.map((v) => JSON.stringify(v)).join(", ")}, got ${show(tag)}`,
          });
        } else {
          out.push({ path: at(), message: `expected an object with "${discriminator}" one of ${values.join(", ")}, got ${show(input)}` });
        }
        return;
      }
      const expected = typeof ann.expected === "string" ? ann.expected : undefined;
      out.push({
        path: at(),
        message: override ?? (expected !== undefined ? `expected ${expected}, got ${show(input)}` : defaultMessage(issue)),
      });
      return;
    }
    case "MissingKey":
      out.push({ path: at(), message: override ?? "is required but missing" });
      return;
    case "UnexpectedKey": {
      const keys = declaredKeys(issue.ast);
      out.push({
        path: at(),
        message: keys.length > 0 ? `unknown field (expected one of: ${keys.join(", ")})` : "unknown field",
      });
      return;
    }
    case "InvalidType": {
      const expected = issue.ast.annotations?.expected;
      out.push({
        path: at(),
        message: override ?? (typeof expected === "string" && hasInput(issue) ? `expected ${expected}, got ${show(issue.input)}` : defaultMessage(issue)),
      });
      return;
    }
    default:
      out.push({ path: at(), message: override ?? defaultMessage(issue) });
  }
}

function defaultMessage(issue: SchemaIssue.Issue): string {
  const m = SchemaIssue.makeFormatterStandardSchemaV1()(issue).issues[0]?.message ?? "invalid";
  return lowerFirst(m);
}
