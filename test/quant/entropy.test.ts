// The entropy calibration threshold against an independent numpy/scipy computation of the same
// definition (scripts/gen-entropy-golden.py), and the entropy observer's clipped ranges: outliers are
// cut, while values that fill their range evenly keep (almost) all of it.
import assert from "node:assert/strict";
import { it } from "node:test";
import { entropyThreshold } from "../../src/quant/entropy.js";
import { rangeObserver } from "../../src/quant/observers.js";
import { goldenFixture } from "../golden.js";

const golden = goldenFixture("entropy-golden.safetensors");

for (const name of golden.cases()) {
  it(`the KL threshold of ${name} equals numpy's`, () => {
    const { levels } = golden.options<{ levels: number }>(name);
    const x = golden.get(`${name}.x`).toList();
    const expected = golden.get(`${name}.threshold`).toList() as number[];
    const got = entropyThreshold(x, levels);
    // Same bin: the thresholds are bin edges, so they agree to rounding unless an argmin tie breaks differently.
    let maxAbs = 0;
    for (const v of x) maxAbs = Math.max(maxAbs, Math.abs(v));
    assert.ok(Math.abs(got - (expected[0] as number)) < 1e-6 * maxAbs, `${got} vs ${expected[0]}`);
    assert.ok(got > 0 && got <= maxAbs);
  });
}

it("the entropy observer clips a Gaussian's outliers and keeps a uniform value's range", () => {
  const o = rangeObserver("entropy");
  const g = golden.get("gaussian_outliers.x").toList();
  o.observe("g", g.slice(0, 10_000));
  o.observe("g", g.slice(10_000));
  o.observe("u", golden.get("uniform.x").toList());
  const r = o.ranges();
  const gr = r.get("g") as { min: number; max: number };
  assert.ok(gr.max < 10 && gr.min > -10 && gr.max > 3, JSON.stringify(gr)); // outliers at 25..40 cut
  const ur = r.get("u") as { min: number; max: number };
  assert.ok(ur.min >= 0 && ur.max > 2.95, JSON.stringify(ur)); // within 2% of the uniform [0, 3)
  assert.equal(entropyThreshold(new Float32Array(10), 128), 0, "all zeros: no range to clip");
});
