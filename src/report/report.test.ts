import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { pickTimelineFindings } from "./charts.ts";
import { escapeHtml, escapeMarkdown, fmt } from "./format.ts";
import { buildReports, renderHtml, renderSummaryMarkdown, renderTable } from "./index.ts";
import { buildModel } from "./model.ts";
import { ELECTORS, evilResult, fixtureGrid, makeResult } from "../testing/report-fixtures.ts";

const results = fixtureGrid();

/** The rows of the Markdown table under `### title`, as arrays of cells (header first). */
function mdTable(md: string, title: string): string[][] {
  const lines = md.split("\n");
  const at = lines.indexOf(`### ${title}`);
  expect(at, `no table "${title}"`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = at + 1; i < lines.length && !lines[i].startsWith("#"); i++) {
    const l = lines[i];
    if (!l.startsWith("|")) continue;
    if (/^\|[\s:|-]+\|$/.test(l)) continue; // the alignment row
    rows.push(l.slice(2, -2).split(" | "));
  }
  return rows;
}

/** The cell for (scenario, partitions, elector) of a table. */
function cell(md: string, title: string, scenario: string, partitions: string, elector: string): string {
  const [header, ...rows] = mdTable(md, title);
  const col = header.indexOf(elector);
  expect(col, `no column ${elector} in "${title}"`).toBeGreaterThan(1);
  const row = rows.find((r) => r[0] === scenario && r[1] === partitions);
  expect(row, `no row ${scenario} x ${partitions} in "${title}"`).toBeDefined();
  return (row as string[])[col];
}

describe("summary.md", () => {
  const md = renderSummaryMarkdown(results);

  test("has an intro and one table per metric with the electors side by side", () => {
    expect(md).toMatch(/^# Electorate: leader election compared/m);
    expect(md).toContain("12 runs of 3 electors");
    expect(md).toContain("Each cell is one run (seed 1).");
    for (const title of [
      "Overlapping leaders",
      "Same-epoch leaders",
      "Late acknowledgements",
      "Failover time",
      "Unavailable partition-seconds",
      "Coordinator writes",
      "Coordinator writes per leadership change",
      "Watch notifications / campaigns",
      "Hosts woken",
      "Coordinator peak request rate",
      "Messages sent",
      "Top message types",
      "Preferred leader share",
      "Events / wall ms",
    ]) {
      const [header, ...rows] = mdTable(md, title);
      expect(header).toEqual(["Scenario", "Partitions", ...ELECTORS]);
      expect(rows).toHaveLength(4); // 2 scenarios x 2 partition counts
    }
  });

  test("split-brain: the one finding sits in its cell, every other cell is zero", () => {
    expect(cell(md, "Overlapping leaders", "zk-session-expiry", "10", "naive-race")).toBe("1 / 1,500");
    expect(cell(md, "Late acknowledgements", "zk-session-expiry", "10", "naive-race")).toBe("1");
    expect(cell(md, "Overlapping leaders", "zk-session-expiry", "1,000", "naive-race")).toBe("0 / 0");
    expect(cell(md, "Late acknowledgements", "broker-crash", "10", "raft")).toBe("0");
    expect(cell(md, "Same-epoch leaders", "zk-session-expiry", "10", "naive-race")).toBe("0");
  });

  test("failover, coordinator, herd, messages, balance and cost carry the fixture's numbers", () => {
    // naive-race: p50 = 6000 + partitions, p99 = 2 x p50, max = p99 + 100.
    expect(cell(md, "Failover time", "broker-crash", "1,000", "naive-race")).toBe("7,000 / 14,000 / 14,100 n=1,000");
    expect(cell(md, "Failover time", "broker-crash", "10", "raft")).toBe("300 / 600 / 700 n=10");
    expect(cell(md, "Unavailable partition-seconds", "broker-crash", "10", "kafka-controller")).toBe("65.1");
    expect(cell(md, "Coordinator writes", "broker-crash", "1,000", "naive-race")).toBe("6,000");
    expect(cell(md, "Coordinator writes per leadership change", "broker-crash", "1,000", "kafka-controller")).toBe("4");
    expect(cell(md, "Coordinator writes per failover", "zk-session-expiry", "1,000", "naive-race")).toBe("3,000");
    expect(cell(md, "Watch notifications / campaigns", "broker-crash", "1,000", "naive-race")).toBe("4,000 / 2,000");
    expect(cell(md, "Hosts woken", "broker-crash", "10", "kafka-controller")).toBe("1");
    expect(cell(md, "Coordinator peak request rate", "broker-crash", "10", "naive-race")).toBe("300");
    expect(cell(md, "Messages sent", "broker-crash", "1,000", "raft")).toBe("120,000");
    expect(cell(md, "Top message types", "broker-crash", "10", "raft")).toBe("AppendEntries 800, RequestVote 400");
    expect(cell(md, "Preferred leader share", "broker-crash", "10", "kafka-controller")).toBe("100%");
    expect(cell(md, "Events / wall ms", "broker-crash", "1,000", "raft")).toBe("1,000,000 / 105");
  });

  test("averages over seeds, and says so", () => {
    const two = [...results, ...fixtureGrid(2)];
    const md2 = renderSummaryMarkdown(two);
    expect(md2).toContain("mean over its seeds (up to 2 per cell; seeds 1, 2)");
    // seeds shift p50 by 10 ms: 7000 and 7010 average to 7005.
    expect(cell(md2, "Failover time", "broker-crash", "1,000", "naive-race")).toBe("7,005 / 14,010 / 14,110 (14,000–14,020) n=1,000");
    // the finding is in seed 1 and seed 2 alike: the mean stays 1.
    expect(cell(md2, "Late acknowledgements", "zk-session-expiry", "10", "naive-race")).toBe("1");
  });

  test("a cell that was not run shows a dash", () => {
    const partial = results.filter((r) => !(r.elector === "raft" && r.scenario === "broker-crash" && r.cluster.partitions === 10));
    expect(cell(renderSummaryMarkdown(partial), "Messages sent", "broker-crash", "10", "raft")).toBe("–");
  });

  test("an elector run with several option sets gets one column per variant", () => {
    const variants = [
      makeResult({ elector: "naive-race", scenario: "broker-crash", partitions: 10, options: { stepDownOn: "expired", fence: false } }),
      makeResult({ elector: "naive-race", scenario: "broker-crash", partitions: 10, options: { stepDownOn: "disconnected", fence: false } }),
    ];
    const [header] = mdTable(renderSummaryMarkdown(variants), "Messages sent");
    expect(header).toEqual(["Scenario", "Partitions", "naive-race (stepDownOn=expired)", "naive-race (stepDownOn=disconnected)"]);
  });

  test("no results still give a page", () => {
    expect(renderSummaryMarkdown([])).toContain("No results");
    expect(renderHtml([])).toContain("There are no results to report.");
    expect(renderTable([])).toContain("no results");
  });
});

describe("escaping", () => {
  const evil = evilResult();

  test("escapers", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(escapeMarkdown("a|b<c>\nd")).toBe("a\\|b&lt;c&gt; d");
  });

  test("every input string in the HTML is escaped: scenario, elector, options, fault descriptions, events, message types", () => {
    const page = renderHtml([evil, ...results]);
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // the chart titles and timeline labels are escaped by the SVG serializer
    expect(page).toMatch(/<title>[^<]*&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  test("Markdown carries no raw HTML and no stray table separators", () => {
    const md = renderSummaryMarkdown([evil]);
    expect(md).not.toContain("<script>");
    expect(md).not.toMatch(/<img/i);
    expect(md).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const [header, row] = mdTable(md, "Messages sent");
    expect(row).toHaveLength(header.length);
  });
});

describe("index.html", () => {
  const html = renderHtml(results);

  test("is self-contained: no scripts, no external resources, a strict content security policy", () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\b(src|href)="(?!#)/i);
    // url(...) only as a reference inside the page (the hatch pattern), never to a resource.
    expect(html).not.toMatch(/url\((?!#electorate-hatch\))/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  test("has a table of contents pointing at its sections", () => {
    const toc = html.slice(html.indexOf('<nav class="toc"'), html.indexOf("</nav>"));
    const targets = [...toc.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets).toEqual(expect.arrayContaining(["overview", "split-brain", "failover", "coordinator", "herd", "messages", "balance", "cost", "runs", "timelines"]));
    for (const id of targets) expect(html).toContain(`id="${id}"`);
  });

  test("draws its charts as inline SVG, each with a title and a description", () => {
    const charts = html.match(/<svg[^>]*class="[^"]*\bchart\b/g) ?? [];
    // 4 kinds of scaling chart x 2 scenarios + the split-brain bars + 1 timeline
    expect(charts).toHaveLength(4 * 2 + 1 + 1);
    for (const title of [
      "Failover time: broker-crash",
      "Failover time: zk-session-expiry",
      "Coordinator writes per failover: broker-crash",
      "Herd size: zk-session-expiry",
      "Messages: broker-crash",
      "Split-brain findings per elector",
      "late acknowledgement on partition 3: naive-race, zk-session-expiry",
    ]) {
      expect(html).toContain(`<title>${title}</title>`);
    }
    expect((html.match(/<desc>/g) ?? []).length).toBe(charts.length);
  });

  test("the timeline shows the finding: both leaders' epochs, the late write, the fault", () => {
    const start = html.indexOf('id="timeline-1"');
    const fig = html.slice(start, html.indexOf("</figure>", start));
    expect(fig).toContain(">epoch 1<");
    expect(fig).toContain(">epoch 2<");
    expect(fig).toContain(">late ack w17<");
    expect(fig).toContain(">pause host 0 for 7000 ms<");
    expect(fig).toContain(">host 0 resumed<");
    expect(fig).toContain("LATE: write 17 acknowledged by host 0 in epoch 1 at 9,100 ms");
    expect(fig).toContain("Also on this partition: 1 overlap (8,000–9,500 ms)");
  });

  test("the tables hold the same numbers as summary.md, split-brain cells flagged", () => {
    expect(html).toContain('<td class="num bad">1 / 1,500</td>');
    expect(html).toContain('<td class="num">7,000 / 14,000 / 14,100 n=1,000</td>');
  });

  test("is deterministic", () => {
    expect(renderHtml(results)).toBe(html);
  });
});

describe("timeline choice", () => {
  test("at most 12, findings with a recorded timeline first, one per run and partition", () => {
    const many = Array.from({ length: 20 }, (_, i) => makeResult({ elector: "naive-race", scenario: "zk-session-expiry", partitions: 10, seed: i + 1 }));
    const picked = pickTimelineFindings(buildModel(many));
    expect(picked).toHaveLength(12);
    expect(picked.every((t) => t.partition !== undefined)).toBe(true);
    expect(new Set(picked.map((t) => t.result.seed)).size).toBe(12);
    // the late acknowledgement is chosen over the overlap on the same partition
    expect(picked[0].finding.grade).toBe("late-ack");
    expect(picked[0].others.map((o) => o.grade)).toEqual(["overlap"]);
  });
});

describe("text table", () => {
  test("one row per elector x scenario x partitions, with the metrics named in its header", () => {
    const lines = renderTable(results).trimEnd().split("\n");
    expect(lines).toHaveLength(2 + 3 * 2 * 2);
    expect(lines[0].split(/\s{2,}/)).toEqual([
      "scenario",
      "partitions",
      "elector",
      "seeds",
      "overlaps",
      "overlap ms",
      "late acks",
      "same-epoch",
      "fo p50",
      "fo p99",
      "fo max",
      "zk writes",
      "herd",
      "messages",
      "wall ms",
    ]);
    const row = lines.find((l) => l.startsWith("zk-session-expiry") && / 10 +naive-race/.test(l));
    expect(row?.split(/\s+/)).toEqual(["zk-session-expiry", "10", "naive-race", "1", "1", "1,500", "1", "0", "6,010", "12,020", "12,120", "60", "60", "600", "6"]);
  });

  test("a run where no partition lost its leader shows no failover figure, not 0 ms", () => {
    const r = makeResult({ elector: "raft", scenario: "leader-cut-from-zk", partitions: 10 });
    const calm = { ...r, metrics: { ...r.metrics, failover: { ...r.metrics.failover, samples: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 } } };
    const cells = renderTable([calm]).trimEnd().split("\n")[2].split(/\s+/);
    expect(cells.slice(8, 11)).toEqual(["–", "–", "–"]);
    expect(renderHtml([calm])).toContain("Failover time: nothing measured in leader-cut-from-zk (no partition lost its leader after a fault; no chart drawn).");
  });
});

describe("fmt", () => {
  test("integers grouped, means rounded to their size", () => {
    expect([0, 7, 1500, 1234567, 65.1, 2.25, 0.02, 0.0004, 123.6, -3, NaN].map(fmt)).toEqual([
      "0",
      "7",
      "1,500",
      "1,234,567",
      "65.1",
      "2.3",
      "0.02",
      "0",
      "124",
      "-3",
      "–",
    ]);
  });
});

describe("buildReports", () => {
  test("writes results.json, summary.md and index.html whole, leaving no temporary file", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "electorate-report-")), "nested", "out");
    await buildReports(results, dir);
    expect((await readdir(dir)).sort()).toEqual(["index.html", "results.json", "summary.md"]);
    expect(JSON.parse(await readFile(join(dir, "results.json"), "utf8"))).toEqual(JSON.parse(JSON.stringify(results)));
    expect(await readFile(join(dir, "summary.md"), "utf8")).toBe(renderSummaryMarkdown(results));
    expect(await readFile(join(dir, "index.html"), "utf8")).toBe(renderHtml(results));
    // a second build replaces the files whole
    await buildReports(results.slice(0, 3), dir);
    expect(JSON.parse(await readFile(join(dir, "results.json"), "utf8"))).toHaveLength(3);
    expect((await readdir(dir)).sort()).toEqual(["index.html", "results.json", "summary.md"]);
  });
});
