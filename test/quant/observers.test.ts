// Calibration range observers: min-max keeps the extremes of every batch; the percentile observer
// reports the 0.01st and 99.99th percentiles, so one outlier no longer sets the range, exactly while
// a value has fewer elements than its sample holds, and close to them from a seeded sample beyond.
import assert from "node:assert/strict";
import { it } from "node:test";
import { PERCENTILE, rangeObserver } from "../../src/quant/observers.js";
import { Random } from "../../src/util/random.js";

it("min-max keeps the extremes over all batches", () => {
  const o = rangeObserver("minmax");
  o.observe("a", [1, -2, 3]);
  o.observe("a", [0.5, 7]);
  o.observe("b", [4]);
  assert.deepEqual(
    o.ranges(),
    new Map([
      ["a", { min: -2, max: 7 }],
      ["b", { min: 4, max: 4 }],
    ]),
  );
});

it("percentiles ignore a rare outlier: exact on a small value, within 1% on a sampled large one", () => {
  const small = Float32Array.from({ length: 20_001 }, (_, i) => i);
  small[7] = 1e6; // one outlier replaces 7
  const o = rangeObserver("percentile");
  o.observe("small", small.subarray(0, 10_000));
  o.observe("small", small.subarray(10_000));
  const sorted = Float32Array.from(small).sort();
  const at = (q: number) => {
    const i = q * (sorted.length - 1);
    const lo = Math.floor(i);
    return (sorted[lo] as number) + ((sorted[lo + 1] as number) - (sorted[lo] as number)) * (i - lo);
  };
  const r = o.ranges().get("small");
  assert.deepEqual(r, { min: at(1 - PERCENTILE / 100), max: at(PERCENTILE / 100) });
  assert.ok((r?.max as number) < 20_000, "the outlier does not set the range");
  assert.equal(rangeObserver("minmax").ranges().size, 0);

  const random = new Random(5);
  const large = Float32Array.from({ length: 400_000 }, () => random.uniform(0, 100));
  o.observe("large", large);
  const lr = o.ranges().get("large") as { min: number; max: number };
  assert.ok(Math.abs(lr.max - 99.99) < 1 && Math.abs(lr.min - 0.01) < 1, JSON.stringify(lr));
});
