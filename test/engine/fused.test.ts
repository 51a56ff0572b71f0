// The fused ShuffleNet V2 channel ops (native/fused.cc) against the unfused ATen compositions they
// replace (values and gradients exactly, with one output left out of the loss too), and float64 finite
// differences.
import assert from "node:assert/strict";
import { test } from "node:test";
import { arange, cat, F, randn, type Tensor, tidy } from "../../src/engine/index.js";
import { channelShuffle } from "../../src/nn/index.js";
import { Random } from "../../src/util/random.js";
import { float64, gradcheck, numelOf } from "../gradcheck.js";

const SHAPE = [2, 6, 3, 4] as const;

const values = (t: Tensor) => Array.from(t.toTypedArray() as Float32Array);

/** Gradients of sum(f(inputs) . r) with a distinct weight r for every output element (so a permuted
 * gradient shows), `used` choosing the outputs in the loss. */
function gradsOf(f: (xs: Tensor[]) => Tensor[], inputs: Tensor[], used: boolean[]): number[][] {
  return tidy(() => {
    const leaves = inputs.map((x) => x.detach().requiresGrad_());
    const terms = f(leaves)
      .map((o, i) =>
        o
          .mul(
            arange(0, o.numel, 1)
              .reshape(...o.shape)
              .mul(0.01)
              .add(i),
          )
          .sum(),
      )
      .filter((_, i) => used[i]);
    terms.reduce((s, t) => s.add(t)).backward();
    return leaves.map((l) => values(l.grad as Tensor));
  });
}

/** Same values and the same gradients (for every choice of outputs in the loss) as the reference. */
function assertSameAs(
  fused: (xs: Tensor[]) => Tensor[],
  reference: (xs: Tensor[]) => Tensor[],
  inputs: Tensor[],
) {
  tidy(() => {
    const got = fused(inputs);
    const want = reference(inputs);
    got.forEach((g, i) => {
      assert.deepEqual([...g.shape], [...(want[i] as Tensor).shape]);
      assert.deepEqual(values(g), values(want[i] as Tensor));
    });
    const choices =
      got.length === 1
        ? [[true]]
        : [
            [true, true],
            [true, false],
            [false, true],
          ];
    for (const used of choices)
      assert.deepEqual(gradsOf(fused, inputs, used), gradsOf(reference, inputs, used));
  });
}

const evenOdd = (x: Tensor): Tensor[] => {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return [0, 1].map((i) =>
    x
      .view(n, c / 2, 2, h, w)
      .narrow(2, i, 1)
      .reshape(n, c / 2, h, w),
  );
};

test("interleaveChannels equals channelShuffle(cat(a, b), 2), forward and backward", () => {
  const inputs = [randn([...SHAPE]), randn([...SHAPE])];
  assertSameAs(
    ([a, b]) => [F.interleaveChannels(a as Tensor, b as Tensor)],
    ([a, b]) => [channelShuffle(cat([a as Tensor, b as Tensor], 1), 2)],
    inputs,
  );
});

test("deinterleaveChannels equals the strided even/odd split, forward and backward", () => {
  assertSameAs(
    ([x]) => F.deinterleaveChannels(x as Tensor),
    ([x]) => evenOdd(x as Tensor),
    [randn([...SHAPE])],
  );
});

test("splitChannels equals two narrow views, forward and backward, at an even and an uneven split", () => {
  for (const k of [3, 2])
    assertSameAs(
      ([x]) => F.splitChannels(x as Tensor, k),
      ([x]) => [(x as Tensor).narrow(1, 0, k), (x as Tensor).narrow(1, k, 6 - k)],
      [randn([...SHAPE])],
    );
});

test("fused channel ops: float64 gradients match central differences", () => {
  const random = new Random(3);
  const draw = () =>
    float64(
      Float64Array.from({ length: numelOf([1, 4, 2, 3]) }, () => random.uniform(-1, 1)),
      [1, 4, 2, 3],
    );
  gradcheck(([a, b]) => F.interleaveChannels(a as Tensor, b as Tensor), [draw(), draw()]);
  // Weight the two outputs differently so that mixing them up shows.
  gradcheck(
    ([x]) => {
      const [e, o] = F.deinterleaveChannels(x as Tensor);
      return e.add(o.mul(3));
    },
    [draw()],
  );
  gradcheck(
    ([x]) => {
      const [h, t] = F.splitChannels(x as Tensor, 1);
      return cat([h.mul(2), t], 1);
    },
    [draw()],
  );
});

test("fused channel ops refuse shapes they cannot take, naming the op", () => {
  assert.throws(
    () => F.interleaveChannels(randn([1, 2, 3, 3]), randn([1, 4, 3, 3])),
    /^Error: interleave: .*one shape/,
  );
  assert.throws(() => F.deinterleaveChannels(randn([1, 3, 2, 2])), /deinterleave: .*even channel count/);
  assert.throws(() => F.splitChannels(randn([1, 3, 2, 2]), 3), /splitHalves: cannot split/);
});
