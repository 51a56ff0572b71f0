// Gradient checking for tests: autograd gradients versus central finite differences in float64.
import assert from "node:assert/strict";
import { noGrad, type Shape, type Tensor, tensor, tidy } from "../src/engine/index.js";
import { Random, seedOf } from "../src/util/random.js";
import { assertClose } from "./helpers.js";

/** A small deterministic generator (mulberry32), so test inputs do not depend on libtorch's RNG state. */
export const float64 = (values: Float64Array, shape: Shape) => tensor(values, { shape, dtype: "float64" });
export const numelOf = (shape: Shape) => shape.reduce((a, b) => a * b, 1);

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
}

/**
 * Asserts that the autograd gradient of L(x) = sum(f(x) * r), r a fixed random tensor of the output's
 * shape, matches the central difference (L(x + eps e_j) - L(x - eps e_j)) / 2 eps for every element of
 * every input. Inputs must be float64; every one must influence the output (else the check is vacuous).
 */
export function gradcheck(
  f: (inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  { eps = 1e-6, atol = 1e-5, rtol = 1e-4 }: GradcheckOptions = {},
): void {
  for (const [i, input] of inputs.entries())
    assert.equal(input.dtype, "float64", `input ${i} must be float64`);
  const shapes = inputs.map((input) => [...input.shape]);
  const values = inputs.map((input) => input.toTypedArray() as Float64Array);
  const build = () => values.map((v, i) => float64(v, shapes[i]));

  const outputShape = tidy(() => noGrad(() => [...f(build()).shape]));
  const random = new Random(seedOf(outputShape.join("x")));
  const weights = Float64Array.from({ length: numelOf(outputShape) }, () => random.uniform(-1, 1));
  const loss = (output: Tensor) => output.mul(float64(weights, outputShape)).sum();

  const analytic = tidy(() => {
    const leaves = build().map((leaf) => leaf.requiresGrad_());
    loss(f(leaves)).backward();
    // An input autograd never reached has no gradient: zero, which the numeric check will contradict.
    return leaves.map(
      (leaf, i) =>
        (leaf.grad?.toTypedArray() as Float64Array | undefined) ?? new Float64Array(values[i].length),
    );
  });

  const lossAt = () => tidy(() => noGrad(() => loss(f(build())).item()));
  for (const [i, v] of values.entries()) {
    const numeric = new Float64Array(v.length);
    for (let j = 0; j < v.length; j++) {
      const original = v[j];
      v[j] = original + eps;
      const above = lossAt();
      v[j] = original - eps;
      const below = lossAt();
      v[j] = original;
      numeric[j] = (above - below) / (2 * eps);
    }
    assert.ok(
      numeric.some((g) => Math.abs(g) > atol),
      `input ${i} does not affect the output, so its gradient check would prove nothing`,
    );
    assertClose(analytic[i], numeric, { atol, rtol, what: `gradient of input ${i} (shape [${shapes[i]}])` });
  }
}
