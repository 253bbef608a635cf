/**
 * Formatting and escaping shared by the Markdown, HTML and plain-text renderers. Every string that
 * came from a result (scenario names, option values, fault descriptions) goes through one of the
 * escapers before it reaches a report.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and for quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Escapes text for a Markdown table cell: pipes and backslashes lose their meaning, HTML cannot get
 * through to a renderer that allows raw HTML, and a line break cannot end the row.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/`/g, "\\`")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\r\n\t]+/g, " ");
}

/** Keeps text on one line for the plain-text table (control characters become spaces). */
export function plainText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, " ");
}

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A number for a table: integers with thousands separators, other values rounded to a precision
 * that suits their size (means over seeds are seldom integers). NaN and infinities print as "–".
 */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const neg = n < 0;
  const a = Math.abs(n);
  let s: string;
  if (Number.isInteger(a) || a >= 100) s = group(String(Math.round(a)));
  else if (a >= 1) s = stripZeros(a.toFixed(1));
  else if (a === 0) s = "0";
  else s = stripZeros(a.toFixed(a >= 0.01 ? 2 : 3));
  if (s === "0" || s === "0.000") return "0";
  return neg ? `-${s}` : s;
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/** A share in [0, 1] as a percentage. */
export function fmtPercent(share: number): string {
  if (!Number.isFinite(share)) return "–";
  return `${stripZeros((share * 100).toFixed(1))}%`;
}

/** Canonical JSON: object keys sorted, so equal options print and compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
