// A report page opened in headless Chromium for the report tests: every console error, page error,
// failed request and request beyond file:/data: collected, and each chart's marks counted by kind.
import type { Browser, Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_FLAGS } from "../../src/latency/runtimes/ort-web.js";

export interface OpenedReport {
  browser: Browser;
  page: Page;
  /** What went wrong while loading; empty for a page that works offline. */
  problems: string[];
}

/** Opens the page at file `url` and waits for its first chart. */
export async function openReport(url: string): Promise<OpenedReport> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const page = await browser.newPage({ viewport: { width: 820, height: 900 } });
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (q) => problems.push(`failed request: ${q.url()}`));
  await page.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith("file:") || u.startsWith("data:")) return route.continue();
    problems.push(`network request: ${u}`);
    return route.abort();
  });
  await page.goto(url);
  await page.waitForSelector("figure.chart");
  return { browser, page, problems };
}

/** A chart's title and how many marks of each kind it drew (kinds it has none of are left out). */
export type Marks = { title: string } & Partial<
  Record<"lines" | "dots" | "cells" | "bars" | "areas" | "rules", number>
>;

/** The marks of every chart on the page, in order. */
export const chartMarks = (page: Page): Promise<Marks[]> =>
  page.$$eval("figure.chart", (figures) =>
    figures.map((f) => {
      const kinds = {
        lines: 'svg g[aria-label="line"] path',
        dots: 'svg g[aria-label="dot"] circle',
        cells: 'svg g[aria-label="cell"] rect',
        bars: 'svg g[aria-label="bar"] rect',
        areas: 'svg g[aria-label="area"] path',
        rules: 'svg g[aria-label="rule"] line',
      };
      const marks: Record<string, string | number> = { title: f.querySelector("h2")?.textContent ?? "" };
      for (const [kind, selector] of Object.entries(kinds)) {
        const n = f.querySelectorAll(selector).length;
        if (n > 0) marks[kind] = n;
      }
      return marks as Marks;
    }),
  );
