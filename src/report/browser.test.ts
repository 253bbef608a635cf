/**
 * The report as a person sees it: index.html opened from file:// in Debian's Chromium
 * (/usr/bin/chromium, `apt-get install -y chromium`; never a downloaded browser build), driven by
 * playwright-core. No console errors, no request beyond the file itself, the charts laid out, and
 * no script runs even from hostile input. A missing Chromium fails this test; it is not skipped.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildReports } from "./index.ts";
import { evilResult, fixtureGrid } from "../testing/report-fixtures.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let context: BrowserContext | undefined;
let profile: string | undefined;
let out = "";

interface Opened {
  readonly page: Page;
  readonly errors: string[];
  readonly foreignRequests: string[];
  readonly dialogs: string[];
}

async function open(file: string): Promise<Opened> {
  if (context === undefined) throw new Error(MISSING);
  const page = await context.newPage();
  const errors: string[] = [];
  const foreignRequests: string[] = [];
  const dialogs: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file://")) return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  await page.goto(`file://${file}`, { waitUntil: "load" });
  return { page, errors, foreignRequests, dialogs };
}

const MISSING = `${CHROMIUM} is missing: install Debian's Chromium with "apt-get update && apt-get install -y chromium" (.ci/run does).`;

beforeAll(async () => {
  // Without Chromium every test below fails (counted as failures, not skipped).
  out = mkdtempSync(join(tmpdir(), "electorate-report-browser-"));
  if (!existsSync(CHROMIUM)) return;
  profile = mkdtempSync(join(tmpdir(), "electorate-chromium-profile-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1240, height: 1000 },
  });
}, 30_000);

afterAll(async () => {
  await context?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  if (out !== "") rmSync(out, { recursive: true, force: true });
});

describe("index.html in headless Chromium", () => {
  test("Chromium is Debian's, at /usr/bin/chromium", () => {
    expect(existsSync(CHROMIUM), MISSING).toBe(true);
  });

  test("opens with no console errors or requests, its charts laid out and titled", async () => {
    if (context === undefined) throw new Error(MISSING);
    const dir = join(out, "fixtures");
    await buildReports(fixtureGrid(), dir);
    const { page, errors, foreignRequests } = await open(join(dir, "index.html"));
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect(await page.title()).toContain("Electorate");
    const charts = page.locator("svg.chart");
    expect(await charts.count()).toBe(10);
    // every chart is drawn with a real size, and carries a title
    const boxes = await charts.evaluateAll((svgs) =>
      svgs.map((s) => {
        const r = s.getBoundingClientRect();
        return { w: r.width, h: r.height, title: s.querySelector("title")?.textContent ?? "", marks: s.querySelectorAll("path, rect, line, circle, text").length };
      }),
    );
    for (const b of boxes) {
      expect(b.w).toBeGreaterThan(200);
      expect(b.h).toBeGreaterThan(100);
      expect(b.title).not.toBe("");
      expect(b.marks).toBeGreaterThan(10);
    }
    expect(boxes.map((b) => b.title)).toContain("Split-brain findings per elector");
    // the timeline draws its two leadership intervals and the red late tick
    const timeline = page.locator("#timeline-1 svg");
    expect(await timeline.locator("text", { hasText: "late ack w17" }).count()).toBe(1);
    expect(await timeline.locator("text", { hasText: /^epoch [12]$/ }).count()).toBe(2);
    // the table of contents works from file://
    await page.click('nav.toc a[href="#failover"]');
    expect(new URL(page.url()).hash).toBe("#failover");
    const shot = join(tmpdir(), "electorate-report.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(50_000);
    await page.close();
  });

  test("opens with the verdict, fits 1400 px, keeps elector colours across orders, draws no all-zero chart", async () => {
    if (context === undefined) throw new Error(MISSING);
    const grid = fixtureGrid();
    const colours = async (results: typeof grid, name: string): Promise<Record<string, string>> => {
      const dir = join(out, name);
      await buildReports(results, dir);
      const { page, errors } = await open(join(dir, "index.html"));
      expect(errors).toEqual([]);
      await page.setViewportSize({ width: 1400, height: 900 });
      // The verdict is the first section, in view without scrolling.
      expect(await page.locator("main section").first().getAttribute("id")).toBe("verdict");
      const top = await page.locator("#verdict").evaluate((e) => e.getBoundingClientRect().top);
      expect(top).toBeLessThan(900);
      // Nothing wider than the window: no horizontal scrolling at 1400 px.
      const overflow = await page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await page.locator("text=every value is 0").count()).toBe(0);
      const swatches = await page.locator("#verdict table th[scope=row]").evaluateAll((ths) =>
        Object.fromEntries(
          ths.map((th) => {
            const g = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } };
            return [th.textContent ?? "", g.getComputedStyle(th.querySelector(".swatch")).backgroundColor];
          }),
        ),
      );
      await page.close();
      return swatches;
    };
    const forward = await colours(grid, "order-a");
    const backward = await colours([...grid].reverse(), "order-b");
    expect(Object.keys(forward).length).toBeGreaterThanOrEqual(3);
    for (const c of Object.values(forward)) expect(c).toMatch(/^rgb\(/);
    expect(new Set(Object.values(forward)).size).toBe(Object.keys(forward).length);
    expect(backward).toEqual(forward);
    // raft never writes to ZooKeeper: its own report draws no coordinator-writes chart, and says so.
    const dir = join(out, "raft-only");
    await buildReports(grid.filter((r) => r.elector === "raft"), dir);
    const { page } = await open(join(dir, "index.html"));
    expect(await page.locator("text=/every elector 0 in .* \\(no chart drawn\\)/").count()).toBeGreaterThan(0);
    await page.close();
  });

  test("hostile input stays text: no script, no dialog, no image request", async () => {
    if (context === undefined) throw new Error(MISSING);
    const dir = join(out, "evil");
    await buildReports([evilResult(), ...fixtureGrid()], dir);
    const { page, errors, foreignRequests, dialogs } = await open(join(dir, "index.html"));
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator("body").innerText()).toContain("<script>alert(1)</script>");
    await page.close();
  });
});
