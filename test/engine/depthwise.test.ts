// lithe's depthwise conv (native/depthwise.cc) against the same conv written as a dense one with a
// block-diagonal filter (ATen's dense path, an independent computation): values and both gradients in
// float64 over strides, paddings and kernel shapes; float64 finite differences; the routing of F.conv2d.
import assert from "node:assert/strict";
import { test } from "node:test";
import { F, type Tensor, tensor, tidy } from "../../src/engine/index.js";
import { Random } from "../../src/util/random.js";
import { float64, gradcheck, numelOf } from "../gradcheck.js";
import { assertClose } from "../helpers.js";

type Pair = [number, number];

const random = new Random(7);
const randomTensor = (shape: number[]) =>
  float64(
    Float64Array.from({ length: numelOf(shape) }, () => random.uniform(-1, 1)),
    shape,
  );

/** The depthwise conv of x [N, C, H, W] by w [C, 1, kh, kw] as a dense conv by the [C, C, kh, kw] filter
 * whose (o, i) block is w[o] when o = i and zero elsewhere. */
function denseDepthwise(x: Tensor, w: Tensor, stride: Pair, padding: Pair): Tensor {
  const c = w.shape[0] as number;
  const eye = tensor(
    Float64Array.from({ length: c * c }, (_, k) => (Math.floor(k / c) === k % c ? 1 : 0)),
    { shape: [c, c, 1, 1], dtype: w.dtype },
  );
  return F.conv2d(x, w.mul(eye), null, { stride, padding });
}

/** Output and gradients of sum(conv(x, w) * r) for a fixed r. */
function withGrads(conv: (x: Tensor, w: Tensor) => Tensor, x0: Tensor, w0: Tensor, r: Tensor) {
  return tidy(() => {
    const x = x0.detach().requiresGrad_();
    const w = w0.detach().requiresGrad_();
    const y = conv(x, w);
    y.mul(r).sum().backward();
    return {
      y: y.toTypedArray() as Float64Array,
      gx: (x.grad as Tensor).toTypedArray() as Float64Array,
      gw: (w.grad as Tensor).toTypedArray() as Float64Array,
    };
  });
}

const CASES: { name: string; x: number[]; k: Pair; stride: Pair; padding: Pair }[] = [
  { name: "3x3, stride 1, padding 1", x: [2, 3, 7, 6], k: [3, 3], stride: [1, 1], padding: [1, 1] },
  { name: "5x5, stride 1, padding 2", x: [2, 3, 7, 6], k: [5, 5], stride: [1, 1], padding: [2, 2] },
  { name: "7x7, stride 1, padding 3", x: [3, 2, 5, 9], k: [7, 7], stride: [1, 1], padding: [3, 3] },
  {
    name: "3x3, stride 2, padding 1 (odd size)",
    x: [2, 3, 7, 7],
    k: [3, 3],
    stride: [2, 2],
    padding: [1, 1],
  },
  {
    name: "5x5, stride 2, padding 2 (even size)",
    x: [2, 3, 8, 6],
    k: [5, 5],
    stride: [2, 2],
    padding: [2, 2],
  },
  { name: "7x7, stride 2, padding 3", x: [1, 2, 9, 10], k: [7, 7], stride: [2, 2], padding: [3, 3] },
  { name: "3x5, stride (2, 1), padding (0, 2)", x: [2, 2, 7, 6], k: [3, 5], stride: [2, 1], padding: [0, 2] },
  { name: "5x3, stride 3, no padding", x: [2, 2, 11, 8], k: [5, 3], stride: [3, 3], padding: [0, 0] },
];

for (const c of CASES)
  test(`depthwiseConv2d ${c.name}: values and gradients equal the block-diagonal dense conv's`, () => {
    tidy(() => {
      const x = randomTensor(c.x);
      const w = randomTensor([c.x[1] as number, 1, ...c.k]);
      const ours = (a: Tensor, b: Tensor) =>
        F.depthwiseConv2d(a, b, { stride: c.stride, padding: c.padding });
      const dense = (a: Tensor, b: Tensor) => denseDepthwise(a, b, c.stride, c.padding);
      const r = randomTensor([...tidy(() => ours(x, w)).shape]);
      const got = withGrads(ours, x, w, r);
      const want = withGrads(dense, x, w, r);
      for (const key of ["y", "gx", "gw"] as const)
        assertClose(got[key], want[key], { rtol: 1e-12, atol: 1e-12, what: key });
    });
  });

test("depthwiseConv2d gradients match float64 finite differences at strides 1 and 2", () => {
  for (const stride of [1, 2])
    tidy(() =>
      gradcheck(
        ([x, w]) => F.depthwiseConv2d(x as Tensor, w as Tensor, { stride, padding: 2 }),
        [randomTensor([2, 2, 6, 5]), randomTensor([2, 1, 5, 5])],
      ),
    );
});

test("float32: lithe's depthwise backward agrees with ATen's to float rounding", () => {
  tidy(() => {
    const x = randomTensor([8, 16, 14, 14]).to("float32");
    const w = randomTensor([16, 1, 7, 7]).to("float32");
    const r = randomTensor([8, 16, 7, 7]).to("float32");
    const got = withGrads((a, b) => F.depthwiseConv2d(a, b, { stride: 2, padding: 3 }), x, w, r);
    const want = withGrads((a, b) => denseDepthwise(a, b, [2, 2], [3, 3]), x, w, r);
    for (const key of ["y", "gx", "gw"] as const)
      assertClose(got[key], want[key], { rtol: 1e-4, atol: 1e-4, what: key });
  });
});

test("conv2d routes depthwise convs to lithe's kernel where it wins, and others to ATen", () => {
  assert.equal(F.litheDepthwiseWins([3, 3]), false);
  assert.equal(F.litheDepthwiseWins([5, 5]), true);
  assert.equal(F.litheDepthwiseWins([1, 7]), true);
  // Either route gives the same values: the dense equivalent's.
  tidy(() => {
    const x = randomTensor([2, 4, 9, 9]);
    for (const [k, stride] of [
      [3, 1],
      [5, 1],
      [7, 2],
    ] as const) {
      const w = randomTensor([4, 1, k, k]);
      const got = F.conv2d(x, w, null, { stride, padding: k >> 1, groups: 4 }).toTypedArray() as Float64Array;
      const want = denseDepthwise(x, w, [stride, stride], [k >> 1, k >> 1]).toTypedArray() as Float64Array;
      assertClose(got, want, { rtol: 1e-12, atol: 1e-12, what: `k${k} s${stride}` });
    }
  });
});

test("depthwiseConv2d refuses a filter that is not one per channel, naming the op", () => {
  tidy(() => {
    const x = randomTensor([1, 4, 5, 5]);
    assert.throws(
      () => F.depthwiseConv2d(x, randomTensor([4, 2, 3, 3])),
      /^Error: depthwiseConv2d: needs x \(N, C, H, W\)/,
    );
    assert.throws(
      () => F.depthwiseConv2d(x, randomTensor([4, 1, 3, 3]), { stride: 0 }),
      /depthwiseConv2d: needs two positive strides/,
    );
  });
});
