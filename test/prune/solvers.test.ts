// The channel-pruning solvers against scikit-learn 1.2 (test/fixtures/lasso-golden.safetensors from
// scripts/gen-lasso-golden.py): LASSO by coordinate descent on the Gram matrix equals
// Lasso(fit_intercept=False), plain and positive; least squares equals LinearRegression(fit_intercept=False).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Tensor, tidy } from "../../src/engine/index.js";
import { lasso, lassoProblem } from "../../src/prune/lasso.js";
import { leastSquares } from "../../src/prune/least-squares.js";
import { goldenFixture } from "../golden.js";
import { assertClose } from "../helpers.js";

const golden = goldenFixture("lasso-golden.safetensors");
const values = (t: Tensor) => Array.from(t.toTypedArray() as Float64Array);

describe("channel-pruning solvers", () => {
  const lassoCases = golden.cases().filter((c) => c.startsWith("lasso"));

  it("the fixture has plain and positive LASSO cases", () => {
    assert.equal(lassoCases.length, 5);
  });

  for (const name of lassoCases) {
    it(`${name}: coordinate descent equals sklearn Lasso(fit_intercept=False)`, () => {
      const o = golden.options<{ alpha: number; positive: boolean }>(name);
      const problem = tidy(() => lassoProblem(golden.get("lasso.x"), golden.get("lasso.y")));
      const b = lasso(problem, { ...o, tol: 1e-12, maxIter: 1_000_000 });
      assertClose(Array.from(b), values(golden.get(`${name}.coef`)), { rtol: 1e-6, atol: 1e-8, what: name });
      if (o.positive) assert.ok(b.every((v) => v >= 0));
    });
  }

  it("a warm start reaches the same solution", () => {
    const problem = tidy(() => lassoProblem(golden.get("lasso.x"), golden.get("lasso.y")));
    const o = golden.options<{ alpha: number; positive: boolean }>("lasso2");
    const warm = lasso(problem, { alpha: 0.05, tol: 1e-12, maxIter: 1_000_000 });
    const b = lasso(problem, { ...o, tol: 1e-12, maxIter: 1_000_000, init: warm });
    assertClose(Array.from(b), values(golden.get("lasso2.coef")), { rtol: 1e-6, atol: 1e-8 });
  });

  it("least squares equals sklearn LinearRegression(fit_intercept=False)", () => {
    const w = leastSquares(golden.get("lstsq.x"), golden.get("lstsq.y"));
    assert.deepEqual(w.shape, golden.get("lstsq.coef").shape);
    assertClose(values(w), values(golden.get("lstsq.coef")), { rtol: 1e-9, atol: 1e-10 });
  });

  it("refuses mismatched shapes", () => {
    assert.throws(() => leastSquares(golden.get("lstsq.x"), golden.get("lasso.y")), /rows of x/);
    assert.throws(
      () => lasso({ gram: new Float64Array(3), xty: new Float64Array(2), rows: 1 }, { alpha: 1 }),
      /Gram matrix has 3 entries, expected 4/,
    );
  });
});
