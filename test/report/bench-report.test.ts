// lithe report on bench JSON: a guideline bench's --json output saved from stdout, a bench-spos
// directory and a bench-metapruning.json file render offline in headless Chromium with the marks their
// figures call for (bars per guideline row grouped by the table's groups, the paper's direction under
// each; ranking scatters; best so far per seed; each seed, mean and interval per method and variant);
// bench JSON the report does not read, or a part with a bad field, is one error line naming the file.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { CHROMIUM } from "../../src/latency/runtimes/ort-web.js";
import { fails, lithe } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";
import { writeBenchFixtures } from "./bench-fixtures.js";
import { chartMarks, openReport } from "./browser.js";

const G = {
  G1: "Table 1 (G1): 10 blocks of two 1x1 convs c1 -> c2 -> c1 at equal FLOPs",
  G2: "Table 2 (G2): 10 1x1 group convs c -> c at equal FLOPs",
  G3: "Table 3 (G3): 10 blocks of 1, 2 or 4 1x1-conv fragments in series or in parallel at equal FLOPs",
  G4: "Table 4 (G4): 10 ResNet bottleneck units (4c -> c -> c -> 4c) with and without ReLU and shortcut",
};

describe("lithe report on bench JSON", () => {
  it("draws the guideline tables, ranking checks, search comparison and pruning budgets", async (t) => {
    if (!existsSync(CHROMIUM)) return t.skip(`no Chromium at ${CHROMIUM}`);
    const root = tempDir("lithe-report-bench-");
    const b = writeBenchFixtures(root);
    const out = join(root, "report.html");
    const r = lithe(["report", b.guidelines, b.sposDir, b.metapruning, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const { browser, page, problems } = await openReport(pathToFileURL(out).href);
    try {
      assert.deepEqual(problems, []);
      assert.deepEqual(await chartMarks(page), [
        // Tables 1 and 2: 4 rows in one group; Table 3: 5 fragment layouts at 3 widths; Table 4: 4 units at 3 widths
        { title: `${G.G1} on ort-node 1.30.0`, bars: 4 },
        { title: `${G.G2} on ort-node 1.30.0`, bars: 4 },
        { title: `${G.G3} on ort-node 1.30.0`, bars: 15 },
        { title: `${G.G4} on ort-node 1.30.0`, bars: 12 },
        {
          title:
            "supernet score vs standalone top-1 (3 epochs) of 5 architectures: Kendall tau 0.52 (95% CI 0.31 to 0.7, 2000 bootstrap resamples)",
          dots: 5,
        },
        // 2 seeds x 2 methods; each seed's best, each method's mean and interval
        {
          title:
            "best score so far per evaluation, every seed (FLOPs at most 6.5M, at least 6M, 48 evaluations)",
          lines: 4,
        },
        {
          title:
            "best score per seed: evolution - random 1 (95% CI 0.8 to 1.2), evolution ahead on 2 of 2 seeds",
          dots: 6,
          rules: 2,
        },
        {
          title:
            "pruningnet score vs standalone top-1 (3 epochs) of 4 architectures: Kendall tau 0.52 (95% CI 0.31 to 0.7, 2000 bootstrap resamples)",
          dots: 4,
        },
        // 3 variants x 3 seeds, and each variant's mean and interval
        { title: "test top-1 at most 1M FLOPs: each seed, the mean and its 95% CI", dots: 12, rules: 3 },
        { title: "test top-1 at most 3M FLOPs: each seed, the mean and its 95% CI", dots: 12, rules: 3 },
      ]);
      const captions = await page.$$eval("figure.chart figcaption", (cs) =>
        cs.map((c) => c.textContent ?? ""),
      );
      assert.equal(captions.length, 6);
      assert.match(captions[0] as string, /^paper: equal widths \(1:1\) are fastest.*measured: G1 agrees$/);
      assert.match(
        captions[2] as string,
        /measured: c=64 agrees, c=128 does not agree, c=256 does not agree$/,
      );
      assert.equal(
        captions[4],
        "metapruning: 0.95M FLOPs, 0.2M params; metapruning_distill: 0.95M FLOPs, 0.2M params; uniform: 0.95M FLOPs, 0.2M params",
      );
      assert.match((await page.textContent(".note")) ?? "", /ort-web skipped: no Chromium/);
    } finally {
      await browser.close();
    }
  });

  it("bench JSON it does not read, or a part with a bad field: one error line naming the file, nothing written", () => {
    const root = tempDir("lithe-report-bench-bad-");
    const b = writeBenchFixtures(root);
    const out = join(root, "report.html");
    const unknown = join(root, "bench-quant-search.json");
    writeFileSync(unknown, JSON.stringify({ options: {}, fp32: { test_top1: 0.9 } }));
    fails(["report", unknown, "--out", out], /bench-quant-search\.json: not a bench JSON the report reads/);
    const dir = join(root, "quant");
    mkdirSync(dir);
    writeFileSync(join(dir, "bench-quant-search.json"), "{}");
    fails(
      ["report", dir, "--out", out],
      /quant[/\\]bench-quant-search\.json: not a bench JSON the report reads/,
    );
    const spos = join(b.sposDir, "bench-spos.json");
    const good = JSON.parse(readFileSync(spos, "utf8"));
    writeFileSync(spos, JSON.stringify({ ...good, ranking: { ...good.ranking, proxy: "oracle" } }));
    fails(
      ["report", b.sposDir, "--out", out],
      /bench-spos\.json: not a bench ranking check: field "ranking\.proxy"/,
    );
    const { runs, ...rest } = good.search_comparison;
    writeFileSync(spos, JSON.stringify({ ...good, search_comparison: rest }));
    fails(
      ["report", spos, "--out", out],
      /bench-spos\.json: not a bench search comparison: field "search_comparison\.runs" is missing/,
    );
    const g = JSON.parse(readFileSync(b.guidelines, "utf8"));
    g.runtimes[0].tables[0].groups[0].rows[0].relativeSpeed = "fast";
    writeFileSync(b.guidelines, JSON.stringify(g));
    fails(
      ["report", b.guidelines, "--out", out],
      /guidelines\.json: not a guideline bench: field "runtimes\.0\.tables\.0/,
    );
    assert.equal(existsSync(out), false);
  });
});
