// lithe report: the page loads in headless Chromium with no console error and no request beyond
// file:/data:, every chart has the marks the fixture runs call for, a truncated log line is named on
// the page, a screenshot is written; a folder that is not a run is one error line and no file.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { CHROMIUM, CHROMIUM_FLAGS } from "../../src/latency/runtimes/ort-web.js";
import { writeReport } from "../../src/report/index.js";
import { renderPage } from "../../src/report/page.js";
import { fails, lithe } from "../cli/run-cli.js";
import { ROOT } from "../helpers.js";
import { writeFixtureRuns } from "./fixtures.js";

describe("lithe report", () => {
  it("renders every chart's marks offline, names the truncated line, and is screenshotted", async (t) => {
    if (!existsSync(CHROMIUM)) return t.skip(`no Chromium at ${CHROMIUM}`);
    const root = mkdtempSync(join(tmpdir(), "lithe-report-"));
    const runs = writeFixtureRuns(root);
    const out = join(root, "report.html");
    const r = lithe(["report", ...runs.training, ...runs.searches, runs.arch, runs.lut, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /train-a[/\\]log\.jsonl:7: truncated/);

    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 820, height: 900 } });
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("requestfailed", (q) => problems.push(`failed request: ${q.url()}`));
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
        problems.push(`network request: ${url}`);
        return route.abort();
      });
      await page.goto(pathToFileURL(out).href);
      await page.waitForSelector("figure.chart");
      assert.deepEqual(problems, []);

      const marks = await page.$$eval("figure.chart", (figures) =>
        figures.map((f) => ({
          title: f.querySelector("h2")?.textContent ?? "",
          lines: f.querySelectorAll('svg g[aria-label="line"] path').length,
          dots: f.querySelectorAll('svg g[aria-label="dot"] circle').length,
          cells: f.querySelectorAll('svg g[aria-label="cell"] rect').length,
          bars: f.querySelectorAll('svg g[aria-label="bar"] rect').length,
        })),
      );
      assert.deepEqual(marks, [
        { title: "loss per step", lines: 2, dots: 0, cells: 0, bars: 0 },
        { title: "train top-1 per step", lines: 2, dots: 0, cells: 0, bars: 0 },
        { title: "learning rate per step", lines: 2, dots: 0, cells: 0, bars: 0 },
        { title: "test top-1 per epoch", lines: 2, dots: 0, cells: 0, bars: 0 },
        // 4 + 3 candidates, and each search's Pareto front
        { title: "score vs flops", lines: 2, dots: 7, cells: 0, bars: 0 },
        { title: "score vs params", lines: 2, dots: 7, cells: 0, bars: 0 },
        { title: "best score so far per generation", lines: 2, dots: 0, cells: 0, bars: 0 },
        // the winners' two blocks, and their two channel scales each
        {
          title: "winner of search-evolution (evolution): choice per block",
          lines: 0,
          dots: 0,
          cells: 2,
          bars: 0,
        },
        { title: "winner of search-random (random): choice per block", lines: 0, dots: 0, cells: 2, bars: 0 },
        {
          title: "winners' numeric genes (channel scales, widths or bits)",
          lines: 0,
          dots: 4,
          cells: 0,
          bars: 0,
        },
        // the model card: one bar per conv and linear layer, two bit widths each
        { title: "FLOPs per layer (total 10,902,016)", lines: 0, dots: 0, cells: 0, bars: 57 },
        { title: "params per layer (total 352,042)", lines: 0, dots: 0, cells: 0, bars: 57 },
        { title: "MAC per layer (total 2,274,100)", lines: 0, dots: 0, cells: 0, bars: 57 },
        { title: "bits per layer", lines: 0, dots: 114, cells: 0, bars: 0 },
        // every description's widths overlaid (here the one)
        { title: "output channels per conv layer", lines: 1, dots: 0, cells: 0, bars: 0 },
        {
          title:
            "ms per block (constant 0.020 ms; predicted vs measured on 50 architectures: mean error 5.0%, 90.0% within 10%, worst 14.0%)",
          lines: 0,
          dots: 0,
          cells: 0,
          bars: 3,
        },
      ]);
      const warning = await page.textContent(".warnings");
      assert.match(warning ?? "", /train-a[/\\]log\.jsonl:7: truncated or invalid line skipped/);

      const shot = join(root, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 10_000);
      // LITHE_REPORT_SCREENSHOT=1 also refreshes the README's picture.
      if (process.env.LITHE_REPORT_SCREENSHOT === "1")
        await page.screenshot({ path: join(ROOT, "docs", "report.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it("a folder or file that is not a lithe run or description: one error line, non-zero exit, nothing written", () => {
    const root = mkdtempSync(join(tmpdir(), "lithe-report-bad-"));
    const out = join(root, "report.html");
    fails(["report", root, "--out", out], /not a lithe run/);
    fails(["report", join(root, "missing"), "--out", out], /not a lithe run directory/);
    const notArch = join(root, "other.json");
    writeFileSync(notArch, '{"a": 1}');
    fails(["report", notArch, "--out", out], /other\.json: not a description or latency table/);
    const notJson = join(root, "bad.json");
    writeFileSync(notJson, "nope\n");
    fails(["report", notJson, "--out", out], /bad\.json: invalid JSON/);
    assert.equal(existsSync(out), false);
  });

  it("data that holds </script> cannot close the page's script element", () => {
    const chart = { title: "</script><b>x", x: "x", y: "y", series: [] };
    const html = renderPage("t", [{ title: "s", charts: [chart] }], []);
    assert.equal(html.split("</script>").length - 1, 3); // d3, Plot, the data and drawing
    assert.ok(html.includes("\\u003c/script>\\u003cb>x"));
  });

  it("the library refuses before writing when any input is not a run", () => {
    const root = mkdtempSync(join(tmpdir(), "lithe-report-lib-"));
    const runs = writeFixtureRuns(root);
    const out = join(root, "report.html");
    assert.throws(() => writeReport([...runs.training, root], out), /not a lithe run/);
    assert.equal(existsSync(out), false);
  });
});
