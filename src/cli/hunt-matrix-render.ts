/**
 * The hunt matrix (hunt-matrix.ts) as text for the terminal, Markdown (summary.md) and HTML
 * (index.html). Every cell says what happened — found at run k and shrunk to m faults, not found
 * in N runs, n/a with the reason, not checked — never a blank that could read as a pass; a
 * property the variant does not claim is marked, so a finding there is not read as a broken claim.
 */
import { escapeHtml } from "../report/format.ts";
import type { HuntMatrix, MatrixCell, ReplayCell } from "./hunt-matrix.ts";

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** One cell of the first matrix, as words ("*": not claimed by the variant). */
export function cellText(c: MatrixCell, property: string): string {
  const mark = c.claimed ? "" : " *";
  switch (c.status) {
    case "found":
      return `found at run ${c.foundAtRun}, shrunk to ${plural(c.faults ?? 0, "fault")}${mark}`;
    case "not-found": {
      const measured = c.measuredRuns !== undefined && c.measuredRuns < c.runs ? ` (measured in ${c.measuredRuns})` : "";
      return `not found in ${plural(c.runs, "run")}${property === "determinism" ? " x2" : ""}${measured}${mark}`;
    }
    case "not-measured":
      return `n/a: no replica state${mark}`;
    case "not-checked":
      return `not checked${mark}`;
  }
}

/** One cell of the replay matrix. */
export function replayText(r: ReplayCell): string {
  const word = r.verdict === "violates" ? (r.claimed ? "VIOLATES" : "violates") : r.verdict === "holds" ? "holds" : r.verdict === "not-measured" ? "n/a" : "EXCEPTION";
  return r.source ? `[${word}]` : word;
}

const SHORT: Readonly<Record<string, string>> = {
  "no-exceptions": "no-exceptions",
  "no-lost-acknowledged-writes": "no-lost-ack-writes",
  "no-divergence": "no-divergence",
  "no-same-epoch-leaders": "no-same-epoch",
  liveness: "liveness",
  determinism: "determinism",
};

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

function counterexampleLabel(m: HuntMatrix, id: number): string {
  const c = m.counterexamples[id - 1];
  return `#${c.id} ${c.variant} ${SHORT[c.property] ?? c.property} (${plural(c.faults, "fault")})`;
}

function legend(m: HuntMatrix): string[] {
  return [
    `* = not claimed by the variant: the hunt shows what the design does not promise; a finding without * breaks a claim (${m.brokenClaims} here).`,
    `n/a: no replica state = the variant declared no replica state, so lost writes and divergence were not measured (not a pass).`,
    `determinism: the first runs are run twice (x2). Each hunt: ${plural(m.runs, "run")}, fast-check seed ${m.seed}, the same scenarios for every variant.`,
  ];
}

function replayLegend(): string[] {
  return [
    "violates / VIOLATES: the schedule breaks the property on that variant too (capitals: a property that variant claims); holds: it does not;",
    "n/a: lost writes or divergence not measured (no replica state); EXCEPTION: the run threw; [..]: the variant the counterexample was found on.",
  ];
}

/** Both matrices as plain text (what `check --algorithms` prints on stdout). */
export function matrixText(m: HuntMatrix): string {
  const out: string[] = [];
  out.push(`Property x variant: ${plural(m.variants.length, "variant")}, ${plural(m.runs, "run")} each, fast-check seed ${m.seed}`);
  out.push(table([["variant", ...m.properties.map((p) => SHORT[p] ?? p)], ...m.variants.map((v, vi) => [v.name + (v.bug !== undefined ? " (bug zoo)" : ""), ...m.cells[vi].map((c, pi) => cellText(c, m.properties[pi]))])]));
  out.push(...legend(m));
  out.push("");
  if (m.counterexamples.length === 0) {
    out.push("Counterexamples replayed on every variant: none (nothing was found).");
    return `${out.join("\n")}\n`;
  }
  out.push(`Every shrunk counterexample replayed on every variant (one schedule, every algorithm):`);
  out.push(table([["variant", ...m.counterexamples.map((c) => `#${c.id}`)], ...m.variants.map((v, vi) => [v.name, ...m.replays.map((row) => replayText(row[vi]))])]));
  out.push(...replayLegend());
  out.push("Counterexamples:");
  for (const c of m.counterexamples) out.push(`  ${counterexampleLabel(m, c.id)}, found at run ${c.foundAtRun}${c.replayCommand !== undefined ? `: ${c.replayCommand}` : ""}`);
  return `${out.join("\n")}\n`;
}

const mdCell = (s: string): string => s.replace(/\|/g, "\\|");

/** summary.md: the second paragraph says what ran (reports/index.html lists it). */
export function matrixMarkdown(m: HuntMatrix): string {
  const out: string[] = [];
  out.push("# Property hunt: property x variant", "");
  out.push(`${plural(m.variants.length, "variant")} hunted with ${plural(m.runs, "generated fault schedule")} each (fast-check seed ${m.seed}); ${plural(m.counterexamples.length, "counterexample")} found and replayed on every variant; ${plural(m.brokenClaims, "broken claim")}.`, "");
  if (Object.keys(m.settings).length > 0) out.push(`Options set: \`${JSON.stringify(m.settings)}\``, "");
  out.push(`| variant | ${m.properties.join(" | ")} |`, `|---|${m.properties.map(() => "---").join("|")}|`);
  m.variants.forEach((v, vi) => out.push(`| ${mdCell(v.name)}${v.bug !== undefined ? " (bug zoo)" : ""} | ${m.cells[vi].map((c, pi) => mdCell(cellText(c, m.properties[pi]) + (c.counterexample !== undefined ? ` (#${c.counterexample})` : ""))).join(" | ")} |`));
  out.push("", ...legend(m).map((l) => `- ${l}`), "");
  out.push("## Every counterexample on every variant", "");
  if (m.counterexamples.length === 0) out.push("None: nothing was found.", "");
  else {
    out.push(`| variant | ${m.counterexamples.map((c) => `#${c.id}`).join(" | ")} |`, `|---|${m.counterexamples.map(() => "---").join("|")}|`);
    m.variants.forEach((v, vi) => out.push(`| ${mdCell(v.name)} | ${m.replays.map((row) => replayText(row[vi])).join(" | ")} |`));
    out.push("", ...replayLegend().map((l) => `- ${l}`), "", "Counterexamples:", "");
    for (const c of m.counterexamples) {
      out.push(`- **#${c.id}** ${mdCell(c.variant)}, \`${c.property}\`: found at run ${c.foundAtRun}, shrunk ${c.numShrinks} times to ${plural(c.faults, "fault")}. ${mdCell(c.message)}${c.replayCommand !== undefined ? ` Replay: \`${c.replayCommand}\`` : ""}`);
    }
    out.push("");
  }
  return `${out.join("\n")}\n`;
}

function htmlCellClass(c: MatrixCell): string {
  if (c.status === "found") return c.claimed ? "broken" : "found";
  // Not found where nothing is claimed is not a pass: its own shade.
  if (c.status === "not-found") return c.claimed ? "held" : "unfound";
  return "na";
}

/** index.html: both matrices and each variant's own report, self-contained. */
export function matrixHtml(m: HuntMatrix): string {
  const th = (s: string): string => `<th>${escapeHtml(s)}</th>`;
  const first = [
    `<p><small>Shades: red a claim broken; yellow found where not claimed; green held where claimed; blue not found where not claimed; grey n/a or not checked.</small></p>`,
    `<table><thead><tr>${th("variant")}${m.properties.map(th).join("")}</tr></thead><tbody>`,
    ...m.variants.map(
      (v, vi) =>
        `<tr><th scope="row">${escapeHtml(v.name)}${v.bug !== undefined ? " <small>(bug zoo)</small>" : ""}</th>${m.cells[vi]
          .map((c, pi) => `<td class="${htmlCellClass(c)}">${escapeHtml(cellText(c, m.properties[pi]))}${c.counterexample !== undefined ? ` <a href="#cx${c.counterexample}">#${c.counterexample}</a>` : ""}</td>`)
          .join("")}</tr>`,
    ),
    "</tbody></table>",
  ].join("\n");
  const second =
    m.counterexamples.length === 0
      ? "<p>None: nothing was found.</p>"
      : [
          `<table><thead><tr>${th("variant")}${m.counterexamples.map((c) => `<th><a href="#cx${c.id}">#${c.id}</a></th>`).join("")}</tr></thead><tbody>`,
          ...m.variants.map(
            (v, vi) =>
              `<tr><th scope="row">${escapeHtml(v.name)}</th>${m.replays
                .map((row) => {
                  const r = row[vi];
                  const cls = r.verdict === "violates" || r.verdict === "exception" ? (r.claimed ? "broken" : "found") : r.verdict === "holds" ? "held" : "na";
                  return `<td class="${cls}"${r.message !== undefined ? ` title="${escapeHtml(r.message)}"` : ""}>${escapeHtml(replayText(r))}</td>`;
                })
                .join("")}</tr>`,
          ),
          "</tbody></table>",
          `<ul>${replayLegend().map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>`,
          "<h2>Counterexamples</h2><ol>",
          ...m.counterexamples.map(
            (c) =>
              `<li id="cx${c.id}"><b>${escapeHtml(c.variant)}</b>, <code>${escapeHtml(c.property)}</code>: found at run ${c.foundAtRun}, shrunk ${c.numShrinks} times to ${plural(c.faults, "fault")}. ${escapeHtml(c.message)}${c.replayCommand !== undefined ? `<br>Replay: <code>${escapeHtml(c.replayCommand)}</code>` : ""}</li>`,
          ),
          "</ol>",
        ].join("\n");
  const details = m.variants.map((v, vi) => `<details><summary>${escapeHtml(v.name)}</summary><pre>${escapeHtml(m.reports[vi])}</pre></details>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Electorate property hunt</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;max-width:100em;margin:2em auto;padding:0 1em;color:#1f2328}
.wrap{overflow-x:auto}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}
thead th{background:#f6f8fa}td.broken{background:#ffd7d5;font-weight:600}td.found{background:#fff1c2}td.held{background:#e6f4ea}td.unfound{background:#e8eefb}td.na{background:#eef0f3;color:#59636e}
pre{white-space:pre-wrap;font-size:12px;background:#f6f8fa;padding:.8em}small{color:#59636e}
</style></head><body>
<h1>Property hunt: property x variant</h1>
<p>${escapeHtml(`${plural(m.variants.length, "variant")} hunted with ${plural(m.runs, "generated fault schedule")} each (fast-check seed ${m.seed}); ${plural(m.counterexamples.length, "counterexample")} found and replayed on every variant; ${plural(m.brokenClaims, "broken claim")}.`)}</p>
${Object.keys(m.settings).length > 0 ? `<p>Options set: <code>${escapeHtml(JSON.stringify(m.settings))}</code></p>` : ""}
<div class="wrap">${first}</div>
<ul>${legend(m).map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>
<h2>Every counterexample on every variant</h2>
<div class="wrap">${second}</div>
<h2>Each variant's hunt</h2>
${details}
</body></html>
`;
}
