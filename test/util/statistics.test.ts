// Seed statistics against SciPy 1.10 (test/fixtures/statistics-golden.json, from
// scripts/gen-statistics-golden.py): mean, sample SD and Student's t interval of a mean; Kendall's tau-b
// with ties and its percentile-bootstrap interval (SciPy's from 200,000 resamples; ours from 20,000, so
// they agree to the bootstrap's own Monte Carlo error).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { kendallTauInterval } from "../../src/search/ranking.js";
import { bootstrap95, quantile, summarize, tQuantile975 } from "../../src/util/statistics.js";

interface Golden {
  means: { values: number[]; mean: number; sd: number; ci95: [number, number] }[];
  kendall: { a: number[]; b: number[]; tau: number; ci95: [number, number] }[];
}
const golden = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/statistics-golden.json", import.meta.url), "utf8"),
) as Golden;

describe("summarize", () => {
  it("gives SciPy's mean, SD and t interval for 2 to 40 values", () => {
    for (const g of golden.means) {
      const s = summarize(g.values);
      assert.ok(Math.abs(s.mean - g.mean) < 1e-9);
      assert.ok(Math.abs(s.sd - g.sd) < 1e-9);
      const half = (g.ci95[1] - g.ci95[0]) / 2;
      // The t table has 3 decimals: the half-width agrees to 0.02%.
      for (const k of [0, 1] as const)
        assert.ok(Math.abs((s.ci95[k] as number) - g.ci95[k]) < 2e-4 * half, `n=${g.values.length}`);
    }
  });
  it("has a zero-width interval for one value and refuses none", () => {
    assert.deepEqual(summarize([3]).ci95, [3, 3]);
    assert.throws(() => summarize([]), /no values/);
    assert.throws(() => tQuantile975(0), /degrees of freedom/);
  });
  it("extends the t table smoothly beyond 30 degrees of freedom", () => {
    // t(0.975, 40) = 2.0211, t(0.975, 120) = 1.9799 (any t table).
    assert.ok(Math.abs(tQuantile975(40) - 2.0211) < 2e-4);
    assert.ok(Math.abs(tQuantile975(120) - 1.9799) < 2e-4);
  });
});

describe("quantile and bootstrap95", () => {
  it("interpolates quantiles as numpy does", () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.ok(Math.abs(quantile([0, 10, 20], 0.025) - 0.5) < 1e-12);
  });
  it("replays from its seed and gives a degenerate interval for a constant statistic", () => {
    const stat = (idx: readonly number[]) => idx.reduce((s, i) => s + i, 0);
    assert.deepEqual(bootstrap95(10, stat, { seed: 3 }), bootstrap95(10, stat, { seed: 3 }));
    assert.deepEqual(
      bootstrap95(5, () => 1),
      [1, 1],
    );
  });
});

describe("kendallTauInterval", () => {
  it("gives SciPy's tau-b and, within Monte Carlo error, its bootstrap interval", () => {
    for (const g of golden.kendall) {
      const r = kendallTauInterval(g.a, g.b, { resamples: 20_000, seed: 1 });
      assert.ok(Math.abs(r.tau - g.tau) < 1e-12, `tau ${r.tau} vs ${g.tau}`);
      for (const k of [0, 1] as const)
        assert.ok(
          Math.abs((r.ci95[k] as number) - g.ci95[k]) < 0.02,
          `n=${g.a.length}: ${r.ci95} vs SciPy ${g.ci95}`,
        );
    }
  });
});
