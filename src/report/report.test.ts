import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildReports, renderHtml, renderSummaryMarkdown, renderTable } from "./index.ts";
import { fixtureGrid, makeResult } from "./test-fixtures.ts";

const results = fixtureGrid();

describe("summary.md", () => {
  const md = renderSummaryMarkdown(results);

  test("has a table per metric with the electors side by side", () => {
    expect(md).toMatch(/^# Electorate: leader election compared/m);
    const header = md.split("\n").find((l) => l.startsWith("|") && l.includes("naive-race") && l.includes("kafka-controller") && l.includes("raft"));
    expect(header).toBeDefined();
  });

  test("carries the fixture's numbers: the one split-brain finding and the failover medians", () => {
    // naive-race, zk-session-expiry, 10 partitions: one overlap of 1,500 ms and one stale ack.
    const staleRow = md.split("\n").find((l) => l.includes("zk-session-expiry") && l.includes("10 ") && /1,500|1500/.test(l));
    expect(staleRow).toBeDefined();
    // raft's failover p50 is 300 ms whatever the partitions (profile), naive-race's 6000 + partitions.
    expect(md).toContain("6,010");
  });
});

describe("index.html", () => {
  const html = renderHtml(results);

  test("is self-contained: no external scripts, styles or fonts", () => {
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  test("draws its charts as inline SVG with titles, and a timeline for the finding", () => {
    const svgs = html.match(/<svg/g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(5);
    expect(html).toMatch(/[Tt]imeline/);
    expect(html).toContain("partition 3");
  });

  test("escapes every string that came from input", () => {
    const evil = makeResult({ elector: "naive-race", scenario: "<script>alert(1)</script>", partitions: 10 });
    const page = renderHtml([evil]);
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(renderSummaryMarkdown([evil])).not.toContain("<script>");
  });
});

describe("text table", () => {
  test("one row per elector x scenario x partitions", () => {
    const lines = renderTable(results).trim().split("\n");
    // header + rule + 3 electors x 2 scenarios x 2 partition counts
    expect(lines.length).toBe(2 + 3 * 2 * 2);
  });
});

describe("buildReports", () => {
  test("writes results.json, summary.md and index.html whole, leaving no temporary file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "electorate-report-"));
    await buildReports(results, dir);
    expect((await readdir(dir)).sort()).toEqual(["index.html", "results.json", "summary.md"]);
    expect(JSON.parse(await readFile(join(dir, "results.json"), "utf8"))).toHaveLength(results.length);
  });
});

describe("in a real browser (Debian chromium, playwright-core)", () => {
  test("the report opens with no console errors and its charts present", async () => {
    const { chromium } = await import("playwright-core");
    const dir = await mkdtemp(join(tmpdir(), "electorate-report-"));
    await buildReports(results, dir);
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`file://${join(dir, "index.html")}`);
      expect(errors).toEqual([]);
      expect(await page.locator("svg").count()).toBeGreaterThanOrEqual(5);
      expect(await page.locator("h1").first().textContent()).toContain("Electorate");
    } finally {
      await browser.close();
    }
  });
});
