// lithe report: the page loads in headless Chromium with no console error and no request beyond
// file:/data:, every chart has the marks the fixture runs call for (a latency table's and a latency
// model's checked architectures among them), a truncated log line is named on
// the page, a screenshot is written; a folder that is not a run is one error line and no file.
import assert from "node:assert/strict";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { countArch, listOps, planOf, resolveArch } from "../../src/arch/index.js";
import { CHROMIUM } from "../../src/latency/runtimes/ort-web.js";
import { type LatencyModel, latencyModelProfiler } from "../../src/prune/latency-model.js";
import { writeReport } from "../../src/report/index.js";
import { renderPage } from "../../src/report/page.js";
import { fails, lithe } from "../cli/run-cli.js";
import { ROOT, tempDir } from "../helpers.js";
import { chartMarks, openReport } from "./browser.js";
import { LATENCY_MODEL, LATENCY_TABLE, ONESHOT_KEYS, PRUNED_GENOTYPE, writeFixtureRuns } from "./fixtures.js";

const ms = (x: number) => `${x.toFixed(3)} ms`;

/** The FLOPs, params and MAC charts of the card of the description at `path`: one bar per conv and linear layer. */
function perLayer(path: string) {
  const { layers, ...total } = countArch(resolveArch(path));
  const bars = layers.filter((l) => l.op === "conv" || l.op === "linear").length;
  return (["flops", "params", "mac"] as const).map((field) => ({
    title: `${{ flops: "FLOPs", params: "params", mac: "MAC" }[field]} per layer (total ${total[field].toLocaleString("en")})`,
    bars,
  }));
}

/** The table's entries on the SPOS net's path (keys written out in the fixture). */
const oneshotBlocks = ONESHOT_KEYS.reduce((s, k) => s + (LATENCY_TABLE.entries[k] as number), 0);
/** The latency model's prediction for the pruned net, and the net's op count. */
const prunedMs = latencyModelProfiler(LATENCY_MODEL as unknown as LatencyModel).measure(PRUNED_GENOTYPE);
const prunedArchOps = (path: string) => {
  const a = resolveArch(path);
  return listOps(planOf(a), { c: a.inChannels, h: a.inputSize, w: a.inputSize }).ops.length;
};

describe("lithe report", () => {
  it("renders every chart's marks offline, names the truncated line, and is screenshotted", async (t) => {
    if (!existsSync(CHROMIUM)) return t.skip(`no Chromium at ${CHROMIUM}`);
    const root = tempDir("lithe-report-");
    const runs = writeFixtureRuns(root);
    const prunedOps = prunedArchOps(runs.pruned);
    const out = join(root, "report.html");
    const r = lithe([
      "report",
      ...runs.training,
      ...runs.searches,
      runs.arch,
      runs.oneshot,
      runs.pruned,
      runs.lut,
      runs.latencyModel,
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /train-a[/\\]log\.jsonl:7: truncated/);

    const { browser, page, problems } = await openReport(pathToFileURL(out).href);
    try {
      assert.deepEqual(problems, []);
      assert.deepEqual(await chartMarks(page), [
        { title: "loss per step", lines: 2 },
        { title: "train top-1 per step", lines: 2 },
        { title: "learning rate per step", lines: 2 },
        { title: "test top-1 per epoch", lines: 2 },
        // 4 + 3 candidates, and each search's Pareto front
        { title: "score vs flops", lines: 2, dots: 7 },
        { title: "score vs params", lines: 2, dots: 7 },
        { title: "best score so far per generation", lines: 2 },
        // the winners' two blocks, and their two channel scales each
        { title: "winner of search-evolution (evolution): choice per block", cells: 2 },
        { title: "winner of search-random (random): choice per block", cells: 2 },
        { title: "winners' numeric genes (channel scales, widths or bits)", dots: 4 },
        // the model card: one bar per conv and linear layer, two bit widths each
        { title: "FLOPs per layer (total 10,902,016)", bars: 57 },
        { title: "params per layer (total 352,042)", bars: 57 },
        { title: "MAC per layer (total 2,274,100)", bars: 57 },
        { title: "bits per layer", dots: 114 },
        // the SPOS net's card: its stem, 3 blocks and head priced by the table, of its space and input
        ...perLayer(runs.oneshot),
        {
          title: `predicted ms per block on ort-node (lut.json): total ${ms(oneshotBlocks + 0.02)} (blocks ${ms(oneshotBlocks)} + constant 0.020 ms)`,
          bars: 5,
        },
        // the pruned net's card: every op priced by the latency model, of its base net and input
        ...perLayer(runs.pruned),
        {
          title: `predicted ms per op on ort-node (latency-model.json): total ${ms(prunedMs)} (ops ${ms(prunedMs - 0.05)} + constant 0.050 ms)`,
          bars: prunedOps,
        },
        // every description's widths overlaid
        { title: "output channels per conv layer", lines: 3 },
        {
          title:
            "ms per block (constant 0.020 ms; predicted vs measured on 3 architectures: mean error 8.3%, 66.7% within 10%, worst 20.0%)",
          bars: 26,
        },
        // the table's 3 checked architectures, the y = x line and the +-10% band
        { title: "measured vs predicted ms per checked architecture", areas: 1, lines: 1, dots: 3 },
        // the latency model's 7 coefficients; its 8 + 2 networks (fitted on, checked on)
        { title: "ms per unit of each feature", bars: 7 },
        {
          title:
            "measured vs predicted ms (fitted on 8 architectures: mean error 2.0%, 100.0% within 10%, worst 5.0%; checked on 2 architectures: mean error 8.0%, 50.0% within 10%, worst 12.0%)",
          areas: 1,
          lines: 1,
          dots: 10,
        },
      ]);
      // a predictor of another space or input is named on the card (the quantized net: both; the others: one each)
      const notes = await page.$$eval(".note", (ps) => ps.map((p) => p.textContent ?? ""));
      assert.equal(notes.length, 4);
      assert.equal(
        notes.filter((n) => /^latency table lut\.json is for SPOS space tiny at 28 px/.test(n)).length,
        2,
      );
      assert.equal(
        notes.filter((n) => /^latency model latency-model\.json is for pruning space/.test(n)).length,
        2,
      );
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
    const root = tempDir("lithe-report-bad-");
    const out = join(root, "report.html");
    fails(["report", root, "--out", out], /not a lithe run/);
    fails(["report", join(root, "missing"), "--out", out], /not a lithe run directory/);
    const notArch = join(root, "other.json");
    writeFileSync(notArch, '{"a": 1}');
    fails(
      ["report", notArch, "--out", out],
      /other\.json: not a description, latency table or latency model/,
    );
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
    const root = tempDir("lithe-report-lib-");
    const runs = writeFixtureRuns(root);
    const out = join(root, "report.html");
    assert.throws(() => writeReport([...runs.training, root], out), /not a lithe run/);
    assert.equal(existsSync(out), false);
  });
});
