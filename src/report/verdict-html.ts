/** The verdict section of index.html (the data comes from verdict.ts). */
import { electorColor } from "./charts.ts";
import { escapeHtml as h } from "./format.ts";
import type { ReportModel } from "./model.ts";
import { buildVerdict } from "./verdict.ts";

export function verdictHtml(model: ReportModel): string {
  const parts: string[] = [
    `<p>${h("Per scenario, the worst value over its partition counts (means over seeds): what clients lost, how long they went without service, what a failover cost ZooKeeper, the herd it woke, and the messages sent. n/a marks a figure that does not apply; it is never ranked as a win.")}</p>`,
  ];
  for (const v of buildVerdict(model)) {
    const rows = v.lines
      .map((l) => {
        const lost = (l.safety.lost ?? 0) > 0 || (l.safety.divergent ?? 0) > 0;
        const swatch = `<span class="swatch" style="background:${electorColor(model, l.elector)}"></span>`;
        return (
          `<tr><th scope="row">${swatch}${h(l.elector)}</th>` +
          `<td class="${lost ? "bad" : ""}">${h(l.safety.text)}</td>` +
          `<td>${h(l.availability.text)}</td><td>${h(l.coordinator.text)}</td><td>${h(l.herd.text)}</td><td>${h(l.messages.text)}</td>` +
          `<td class="why">${h(l.why === "" ? "–" : l.why)}</td></tr>`
        );
      })
      .join("\n");
    const rankings = v.rankings
      .map(
        (r) =>
          `<li><strong>${h(r.question)}</strong>: ${r.order.map((x, i) => `${i + 1}. ${h(x.elector)}`).join(", ") || "nobody ranked"}` +
          (r.unranked.length > 0 ? ` <span class="note">(not ranked: ${r.unranked.map((x) => `${h(x.elector)}, ${h(x.text)}`).join("; ")})</span>` : "") +
          `</li>`,
      )
      .join("");
    parts.push(
      `<h3 id="verdict-${h(v.scenario)}">${h(v.scenario)} <span class="note">(${h(v.partitions.map((p) => p.toLocaleString("en-US")).join(", "))} partitions)</span></h3>` +
        `<div class="table-wrap"><table class="verdict"><thead><tr><th scope="col">Elector</th><th scope="col">Acknowledged data</th><th scope="col">Clients</th>` +
        `<th scope="col">Coordinator per failover</th><th scope="col">Herd</th><th scope="col">Messages</th><th scope="col">Why</th></tr></thead><tbody>\n${rows}\n</tbody></table></div>` +
        `<ol class="rankings">${rankings}</ol>`,
    );
  }
  return parts.join("\n");
}
