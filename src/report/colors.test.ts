/** Colours: an elector keeps its colour in every report; hosts never share a colour with electors or findings. */
import { describe, expect, test } from "vitest";
import { electors } from "../../algorithms/index.ts";
import { fixtureGrid } from "../testing/report-fixtures.ts";
import { ELECTOR_COLORS, ELECTOR_PALETTE, GRADE_COLOR, HOST_PALETTE, colorOfElector } from "./charts.ts";
import { renderHtml } from "./html.ts";

/** Elector label -> the swatch colour its column header shows. */
function swatches(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<span class="swatch" style="background:(#[0-9a-f]{6})"><\/span>([^<]+)</g)) out.set(m[2], m[1]);
  return out;
}

describe("colours", () => {
  test("an elector keeps its colour whatever the order of the electors in the results", () => {
    const grid = fixtureGrid();
    const a = swatches(renderHtml(grid));
    const b = swatches(renderHtml([...grid].reverse()));
    expect(a.size).toBeGreaterThanOrEqual(3);
    for (const [label, colour] of a) expect(b.get(label)).toBe(colour);
  });

  test("every registered elector has its own colour; variants take a shade of it", () => {
    const named = electors.map((e) => colorOfElector(e.name));
    expect(new Set(named).size).toBe(named.length);
    for (const e of electors) expect(ELECTOR_COLORS[e.name]).toBeDefined();
    const variant = colorOfElector("raft:etcd");
    expect(variant).not.toBe(colorOfElector("raft"));
    expect(colorOfElector("raft:etcd")).toBe(variant); // stable
  });

  test("the default comparison's variants of one elector are told apart from each other and from their elector", async () => {
    const { defaultAlgorithmNames } = await import("../cli/default-comparison.ts");
    const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const distance = (a: string, b: string) => Math.hypot(...rgb(a).map((v, i) => v - rgb(b)[i]));
    for (const e of electors) {
      const names = defaultAlgorithmNames([e]);
      for (const a of names) for (const b of names) if (a < b) expect(distance(colorOfElector(a), colorOfElector(b)), `${a} vs ${b}`).toBeGreaterThan(45);
    }
  });

  test("host colours collide with no elector, variant or finding colour", () => {
    const variants = electors.flatMap((e) => [e.name, ...(e.variants ?? []).map((v) => `${e.name}:${v.name}`)]);
    const taken = new Set([...Object.values(ELECTOR_COLORS), ...ELECTOR_PALETTE, ...Object.values(GRADE_COLOR), ...variants.map(colorOfElector)]);
    for (const c of HOST_PALETTE) expect(taken.has(c)).toBe(false);
    expect(new Set(HOST_PALETTE).size).toBe(HOST_PALETTE.length);
  });
});
