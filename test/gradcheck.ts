// Gradient checking for tests: autograd gradients versus central finite differences in float64.
import assert from "node:assert/strict";
import { noGrad, type Shape, type Tensor, tensor, tidy } from "../src/engine/index.js";
import { assertClose } from "./helpers.js";

/** A small deterministic generator (mulberry32), so test inputs do not depend on libtorch's RNG state. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** The array shuffled in place (Fisher-Yates). */
  shuffle<T>(values: T[]): T[] {
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [values[i], values[j]] = [values[j], values[i]];
    }
    return values;
  }
}

/** A hash of a string to a 32-bit seed (FNV-1a), to give each test case its own fixed inputs. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

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
  const random = new SeededRandom(seedOf(outputShape.join("x")));
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
