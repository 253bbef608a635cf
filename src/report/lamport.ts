/**
 * A message (Lamport) diagram in SVG, as Maelstrom's messages.svg draws one: hosts as vertical
 * lanes, time flowing down, each message an arrow from its sender at the send to its receiver at
 * the arrival (a dropped one stops half-way with a cross), faults as labelled lines across every
 * lane, crashed or paused hosts hatched, and the messages of the violating write in red.
 *
 * Time is drawn by rank, not to scale: every distinct instant gets its own row, so a burst of
 * messages within a millisecond stays readable next to seconds of silence; the left margin labels
 * the time of each row that starts a new millisecond.
 */
import { escapeHtml as h, fmt } from "./format.ts";

export interface DiagramMessage {
  readonly from: number;
  readonly to: number;
  readonly sentAt: number;
  /** NaN: never arrived. */
  readonly deliveredAt: number;
  /** 0 delivered or in flight, 1 unreachable (partition, cut, crash), 2 lost on the link. */
  readonly dropped: number;
  readonly label: string;
  /** Part of the violation (the lost write's request and answer). */
  readonly highlight: boolean;
}

export interface DiagramInput {
  readonly title: string;
  readonly lanes: readonly { readonly host: number; readonly label: string }[];
  readonly messages: readonly DiagramMessage[];
  readonly events: readonly { readonly at: number; readonly text: string }[];
  readonly off: readonly { readonly host: number; readonly from: number; readonly to: number; readonly what: string }[];
  readonly window: readonly [number, number];
  /** Said under the title (e.g. what was left out). */
  readonly note?: string;
}

const LANE = 170;
const ROW = 9;
const TOP = 70;
const LEFT = 90;

export function lamportSvg(d: DiagramInput): string {
  const [w0, w1] = d.window;
  const laneX = new Map(d.lanes.map((l, i) => [l.host, LEFT + LANE / 2 + i * LANE]));
  // Rows: every distinct instant in the window (sends, arrivals, events, off-period edges).
  const times = new Set<number>([w0, w1]);
  for (const m of d.messages) {
    times.add(m.sentAt);
    if (Number.isFinite(m.deliveredAt) && m.deliveredAt <= w1) times.add(m.deliveredAt);
  }
  for (const e of d.events) times.add(e.at);
  for (const o of d.off) {
    times.add(Math.max(o.from, w0));
    times.add(Math.min(o.to, w1));
  }
  const sorted = [...times].filter((t) => t >= w0 && t <= w1).sort((a, b) => a - b);
  const row = new Map(sorted.map((t, i) => [t, i]));
  const y = (t: number): number => TOP + (row.get(t) ?? 0) * ROW;
  const height = TOP + sorted.length * ROW + 40;
  const width = LEFT + d.lanes.length * LANE + 20;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11" role="img" aria-label="${h(d.title)}">`,
    `<title>${h(d.title)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#343a40"></path></marker>` +
      `<marker id="arrow-red" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#c92a2a"></path></marker>` +
      `<pattern id="lamport-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1f3f5"></rect><line x1="0" y1="0" x2="0" y2="6" stroke="#adb5bd" stroke-width="2"></line></pattern></defs>`,
    `<rect width="${width}" height="${height}" fill="white"></rect>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${h(d.title)}</text>`,
  );
  if (d.note !== undefined) out.push(`<text x="10" y="38" fill="#59636e">${h(d.note)}</text>`);
  // Off periods under everything.
  for (const o of d.off) {
    const x = laneX.get(o.host);
    if (x === undefined || o.to < w0 || o.from > w1) continue;
    const a = y(Math.max(o.from, w0));
    const b = y(Math.min(o.to, w1));
    out.push(`<rect x="${x - 24}" y="${a}" width="48" height="${Math.max(2, b - a)}" fill="url(#lamport-hatch)"><title>${h(`${o.what} from ${fmt(o.from)} to ${fmt(o.to)} ms`)}</title></rect>`);
  }
  // Lanes.
  for (const l of d.lanes) {
    const x = laneX.get(l.host)!;
    out.push(`<text x="${x}" y="${TOP - 14}" text-anchor="middle" font-weight="bold">${h(l.label)}</text>`);
    out.push(`<line x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${height - 30}" stroke="#adb5bd" stroke-width="1.5"></line>`);
  }
  // Time labels: the first row of each new millisecond, at least 3 rows apart.
  let lastLabelled = -Infinity;
  let lastRow = -10;
  sorted.forEach((t, i) => {
    if (Math.floor(t) !== Math.floor(lastLabelled) && i - lastRow >= 3) {
      out.push(`<text x="${LEFT - 8}" y="${y(t) + 3}" text-anchor="end" fill="#868e96">${h(`${fmt(t)} ms`)}</text>`);
      lastLabelled = t;
      lastRow = i;
    }
  });
  // Faults and host events across the diagram.
  for (const e of d.events) {
    if (e.at < w0 || e.at > w1) continue;
    out.push(
      `<line x1="${LEFT}" y1="${y(e.at)}" x2="${width - 10}" y2="${y(e.at)}" stroke="#e8590c" stroke-dasharray="5,3"></line>` +
        `<text x="${width - 12}" y="${y(e.at) - 3}" text-anchor="end" fill="#e8590c">${h(e.text)}</text>`,
    );
  }
  // Messages.
  for (const m of d.messages) {
    const x1 = laneX.get(m.from);
    const x2 = laneX.get(m.to);
    if (x1 === undefined || x2 === undefined || m.sentAt < w0 || m.sentAt > w1) continue;
    const y1 = y(m.sentAt);
    const arrived = Number.isFinite(m.deliveredAt) && m.deliveredAt <= w1;
    const colour = m.highlight ? "#c92a2a" : "#343a40";
    const what = `${m.label}: ${m.from} -> ${m.to}, sent ${fmt(m.sentAt)} ms, ${arrived ? `arrived ${fmt(m.deliveredAt)} ms` : m.dropped === 1 ? "dropped (unreachable)" : m.dropped === 2 ? "lost on the link" : "never arrived"}`;
    if (arrived) {
      const y2 = y(m.deliveredAt);
      out.push(
        `<g><title>${h(what)}</title><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${colour}" stroke-width="${m.highlight ? 2 : 1}" marker-end="url(#${m.highlight ? "arrow-red" : "arrow"})"></line>` +
          `<text x="${(x1 + x2) / 2}" y="${(y1 + y2) / 2 - 3}" text-anchor="middle" fill="${colour}" font-size="10">${h(m.label)}</text></g>`,
      );
    } else {
      const xm = (x1 + x2) / 2;
      const ym = y1 + 2 * ROW;
      out.push(
        `<g><title>${h(what)}</title><line x1="${x1}" y1="${y1}" x2="${xm}" y2="${ym}" stroke="${m.highlight ? "#c92a2a" : "#868e96"}" stroke-dasharray="3,2"></line>` +
          `<path d="M${xm - 4},${ym - 4} L${xm + 4},${ym + 4} M${xm - 4},${ym + 4} L${xm + 4},${ym - 4}" stroke="#c92a2a" stroke-width="1.5"></path>` +
          `<text x="${xm + 6}" y="${ym}" fill="#868e96" font-size="10">${h(m.label)}</text></g>`,
      );
    }
  }
  out.push(`</svg>`);
  return out.join("\n");
}
