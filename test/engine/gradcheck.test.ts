// Float64 finite-difference gradient checks of every differentiable engine op, one table row per case.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cat,
  F,
  manualSeed,
  ones,
  type Shape,
  setNumThreads,
  stack,
  type Tensor,
  tensor,
  tidy,
  where,
  zeros,
} from "../../src/engine/index.js";
import { Random as SeededRandom, seedOf } from "../../src/util/random.js";
import { float64, type GradcheckOptions, gradcheck, numelOf } from "../gradcheck.js";
import { assertClose } from "../helpers.js";

// Thousands of evaluations on tensors of a few dozen elements: parallelism only adds overhead (and
// OpenMP threads spin badly when other processes share the cores).
setNumThreads(1);

/** Float64 inputs drawn from one case's own generator. */
class Draw {
  readonly #random: SeededRandom;

  constructor(seed: number) {
    this.#random = new SeededRandom(seed);
  }

  uniform(shape: Shape, lo = -1, hi = 1): Tensor {
    return float64(
      Float64Array.from({ length: numelOf(shape) }, () => this.#random.uniform(lo, hi)),
      shape,
    );
  }

  /** Magnitudes in [0.2, 1.5] with random signs: far from the kink at 0 of relu, abs and the like. */
  awayFromZero(shape: Shape): Tensor {
    const magnitude = () => this.#random.uniform(0.2, 1.5);
    return float64(
      Float64Array.from({ length: numelOf(shape) }, () =>
        this.#random.next() < 0.5 ? -magnitude() : magnitude(),
      ),
      shape,
    );
  }

  /**
   * The midpoints of numel equal steps of (lo, hi), shuffled: no two values closer than a step, so max,
   * topk and pooling have no ties, and every value half a step from the step boundaries, so a kink that
   * lo and hi put on a boundary is never near an input.
   */
  spread(shape: Shape, lo: number, hi: number): Tensor {
    const n = numelOf(shape);
    const step = (hi - lo) / n;
    return float64(
      Float64Array.from(this.#random.shuffle(Array.from({ length: n }, (_, k) => lo + (k + 0.5) * step))),
      shape,
    );
  }
}

const int64 = (values: number[], shape: Shape = [values.length]) => tensor(values, { shape, dtype: "int64" });
const bool = (values: number[], shape: Shape) => tensor(values, { shape, dtype: "bool" });

interface GradCase {
  name: string;
  inputs: (draw: Draw) => Tensor[];
  f: (inputs: Tensor[]) => Tensor;
  options?: GradcheckOptions;
}

const ELEMENTWISE: GradCase[] = [
  { name: "add [2,3] + [3]", inputs: (d) => [d.uniform([2, 3]), d.uniform([3])], f: ([a, b]) => a.add(b) },
  {
    name: "add [2,1] + [1,3]",
    inputs: (d) => [d.uniform([2, 1]), d.uniform([1, 3])],
    f: ([a, b]) => a.add(b),
  },
  { name: "add scalar", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.add(2.5) },
  { name: "sub [2,3] - [3]", inputs: (d) => [d.uniform([2, 3]), d.uniform([3])], f: ([a, b]) => a.sub(b) },
  { name: "sub [3] - [2,3]", inputs: (d) => [d.uniform([3]), d.uniform([2, 3])], f: ([a, b]) => a.sub(b) },
  { name: "sub scalar", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.sub(0.75) },
  { name: "mul [2,3] * [3]", inputs: (d) => [d.uniform([2, 3]), d.uniform([3])], f: ([a, b]) => a.mul(b) },
  {
    name: "mul [2,1] * [1,3]",
    inputs: (d) => [d.uniform([2, 1]), d.uniform([1, 3])],
    f: ([a, b]) => a.mul(b),
  },
  { name: "mul scalar", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.mul(-3) },
  {
    name: "div [2,3] / [3]",
    inputs: (d) => [d.uniform([2, 3]), d.uniform([3], 0.5, 2)],
    f: ([a, b]) => a.div(b),
  },
  {
    name: "div [3] / [2,3]",
    inputs: (d) => [d.uniform([3]), d.uniform([2, 3], 0.5, 2)],
    f: ([a, b]) => a.div(b),
  },
  { name: "div scalar", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.div(4) },
  { name: "neg", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.neg() },
  { name: "exp", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.exp() },
  { name: "log", inputs: (d) => [d.uniform([2, 3], 0.2, 3)], f: ([a]) => a.log() },
  { name: "sqrt", inputs: (d) => [d.uniform([2, 3], 0.2, 3)], f: ([a]) => a.sqrt() },
  { name: "pow 2", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.pow(2) },
  { name: "pow 3", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.pow(3) },
  { name: "pow 0.5", inputs: (d) => [d.uniform([2, 3], 0.2, 3)], f: ([a]) => a.pow(0.5) },
  { name: "pow -1.5", inputs: (d) => [d.uniform([2, 3], 0.2, 3)], f: ([a]) => a.pow(-1.5) },
  {
    name: "pow tensor exponent [2,3] ** [3]",
    inputs: (d) => [d.uniform([2, 3], 0.2, 3), d.uniform([3], -2, 2)],
    f: ([a, b]) => a.pow(b),
  },
  { name: "abs", inputs: (d) => [d.awayFromZero([2, 4])], f: ([a]) => a.abs() },
  { name: "tanh", inputs: (d) => [d.uniform([2, 3], -2, 2)], f: ([a]) => a.tanh() },
  { name: "sigmoid", inputs: (d) => [d.uniform([2, 3], -3, 3)], f: ([a]) => a.sigmoid() },
  { name: "relu", inputs: (d) => [d.awayFromZero([2, 4])], f: ([a]) => a.relu() },
  { name: "clamp min and max", inputs: (d) => [d.spread([12], -1.5, 1.5)], f: ([a]) => a.clamp(-0.5, 0.5) },
  { name: "clamp min only", inputs: (d) => [d.spread([12], -1.5, 1.5)], f: ([a]) => a.clamp(-0.5) },
  { name: "clamp max only", inputs: (d) => [d.spread([12], -1.5, 1.5)], f: ([a]) => a.clamp(null, 0.5) },
  {
    name: "maximum [2,3] with [2,3]",
    inputs: (d) => [d.uniform([2, 3]), d.uniform([2, 3])],
    f: ([a, b]) => a.maximum(b),
  },
  {
    name: "maximum [2,3] with [3]",
    inputs: (d) => [d.uniform([2, 3]), d.uniform([3])],
    f: ([a, b]) => a.maximum(b),
  },
  {
    name: "minimum [2,3] with [2,3]",
    inputs: (d) => [d.spread([2, 3], -1.5, 1.5), d.spread([2, 3], -1.4, 1.6)],
    f: ([a, b]) => a.minimum(b),
  },
  {
    name: "minimum [2,1] with [1,3]",
    inputs: (d) => [d.uniform([2, 1]), d.uniform([1, 3])],
    f: ([a, b]) => a.minimum(b),
  },
  {
    name: "where [2,3]",
    inputs: (d) => [d.uniform([2, 3]), d.uniform([2, 3])],
    f: ([a, b]) => where(bool([1, 0, 0, 1, 1, 0], [2, 3]), a, b),
  },
  {
    name: "where broadcasting [2,3] condition, [3] and [2,1] branches",
    inputs: (d) => [d.uniform([3]), d.uniform([2, 1])],
    f: ([a, b]) => where(bool([1, 0, 1, 0, 1, 0], [2, 3]), a, b),
  },
  {
    name: "to float32 and back (eps 0.1: float32 rounding would swamp a 1e-6 step)",
    inputs: (d) => [d.uniform([2, 3])],
    f: ([a]) => a.to("float32").to("float64"),
    options: { eps: 0.1 },
  },
];

const MATMUL: GradCase[] = [
  {
    name: "matmul [2,3] @ [3,4]",
    inputs: (d) => [d.uniform([2, 3]), d.uniform([3, 4])],
    f: ([a, b]) => a.matmul(b),
  },
  {
    name: "matmul batched [2,2,3] @ [3,2]",
    inputs: (d) => [d.uniform([2, 2, 3]), d.uniform([3, 2])],
    f: ([a, b]) => a.matmul(b),
  },
  {
    name: "matmul [3] @ [3,2]",
    inputs: (d) => [d.uniform([3]), d.uniform([3, 2])],
    f: ([a, b]) => a.matmul(b),
  },
  {
    name: "matmul [2,3] @ [3]",
    inputs: (d) => [d.uniform([2, 3]), d.uniform([3])],
    f: ([a, b]) => a.matmul(b),
  },
];

type Reduction = "sum" | "mean" | "max" | "min";
const REDUCTION_DIMS: { label: string; dim: number | number[] | undefined; keepdim: boolean }[] = [
  { label: "over all", dim: undefined, keepdim: false },
  { label: "over all, keepdim", dim: undefined, keepdim: true },
  { label: "over dim 1", dim: 1, keepdim: false },
  { label: "over dim -1, keepdim", dim: -1, keepdim: true },
  { label: "over dims [0,2]", dim: [0, 2], keepdim: false },
  { label: "over dims [0,2], keepdim", dim: [0, 2], keepdim: true },
];
const REDUCTIONS: GradCase[] = (["sum", "mean", "max", "min"] as Reduction[]).flatMap((op) =>
  REDUCTION_DIMS.map(({ label, dim, keepdim }) => ({
    name: `${op} ${label}`,
    // max and min need distinct values: a tie splits the gradient, which finite differences cannot see.
    inputs: (d: Draw) => [d.spread([2, 3, 4], -2, 2)],
    f: ([a]: Tensor[]) => a[op](dim, keepdim),
  })),
);

const SHAPE: GradCase[] = [
  { name: "view [2,6] -> [3,4]", inputs: (d) => [d.uniform([2, 6])], f: ([a]) => a.view(3, 4) },
  { name: "view -1", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.view(-1) },
  { name: "reshape [6,-1]", inputs: (d) => [d.uniform([2, 3, 2])], f: ([a]) => a.reshape(6, -1) },
  {
    name: "reshape of a non-contiguous transpose",
    inputs: (d) => [d.uniform([2, 3, 4])],
    f: ([a]) => a.transpose(0, 2).reshape(4, 6),
  },
  { name: "permute (2,0,1)", inputs: (d) => [d.uniform([2, 3, 4])], f: ([a]) => a.permute(2, 0, 1) },
  { name: "transpose (0,2)", inputs: (d) => [d.uniform([2, 3, 4])], f: ([a]) => a.transpose(0, 2) },
  {
    name: "contiguous after transpose",
    inputs: (d) => [d.uniform([2, 3])],
    f: ([a]) => a.transpose(0, 1).contiguous(),
  },
  { name: "clone", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.clone() },
  { name: "narrow dim 1", inputs: (d) => [d.uniform([3, 4])], f: ([a]) => a.narrow(1, 1, 2) },
  { name: "slice step 2", inputs: (d) => [d.uniform([3, 5])], f: ([a]) => a.slice(1, 0, 5, 2) },
  { name: "slice dim -1 step 3", inputs: (d) => [d.uniform([2, 7])], f: ([a]) => a.slice(-1, 1, 7, 3) },
  { name: "slice dim 0 step 1", inputs: (d) => [d.uniform([4, 2])], f: ([a]) => a.slice(0, 1, 3) },
  {
    name: "chunk into 3 uneven pieces, reassembled in reverse",
    inputs: (d) => [d.uniform([2, 7])],
    f: ([a]) => cat(a.chunk(3, 1).reverse(), 1),
  },
  {
    name: "split sizes [1,3,2], reassembled in reverse",
    inputs: (d) => [d.uniform([2, 6])],
    f: ([a]) => cat(a.split([1, 3, 2], 1).reverse(), 1),
  },
  {
    name: "split equal size 2 (last smaller), reassembled in reverse",
    inputs: (d) => [d.uniform([5, 2])],
    f: ([a]) => cat(a.split(2).reverse()),
  },
  {
    name: "cat dim 1",
    inputs: (d) => [d.uniform([2, 1]), d.uniform([2, 3]), d.uniform([2, 2])],
    f: (parts) => cat(parts, 1),
  },
  { name: "cat dim 0", inputs: (d) => [d.uniform([1, 3]), d.uniform([2, 3])], f: (parts) => cat(parts, 0) },
  {
    name: "stack dim 1",
    inputs: (d) => [d.uniform([2, 3]), d.uniform([2, 3]), d.uniform([2, 3])],
    f: (parts) => stack(parts, 1),
  },
  {
    name: "stack dim -1",
    inputs: (d) => [d.uniform([2, 3]), d.uniform([2, 3])],
    f: (parts) => stack(parts, -1),
  },
  { name: "flatten all", inputs: (d) => [d.uniform([2, 3, 2])], f: ([a]) => a.flatten() },
  { name: "flatten from dim 1", inputs: (d) => [d.uniform([2, 3, 2])], f: ([a]) => a.flatten(1) },
  { name: "flatten dims 0..1", inputs: (d) => [d.uniform([2, 3, 2])], f: ([a]) => a.flatten(0, 1) },
  { name: "squeeze dim 1", inputs: (d) => [d.uniform([2, 1, 3])], f: ([a]) => a.squeeze(1) },
  { name: "squeeze all", inputs: (d) => [d.uniform([1, 3, 1])], f: ([a]) => a.squeeze() },
  { name: "unsqueeze 0", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.unsqueeze(0) },
  { name: "unsqueeze -1", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => a.unsqueeze(-1) },
  { name: "expand [3,1] -> [3,4]", inputs: (d) => [d.uniform([3, 1])], f: ([a]) => a.expand(3, 4) },
  { name: "expand [3] -> [2,3]", inputs: (d) => [d.uniform([3])], f: ([a]) => a.expand(2, 3) },
  { name: "expand [2,1] -> [-1,3]", inputs: (d) => [d.uniform([2, 1])], f: ([a]) => a.expand(-1, 3) },
  { name: "flip dim 0", inputs: (d) => [d.uniform([3, 2])], f: ([a]) => a.flip(0) },
  { name: "flip dims 0 and 2", inputs: (d) => [d.uniform([2, 3, 2])], f: ([a]) => a.flip(0, 2) },
  {
    name: "indexSelect dim 0 with a repeated index",
    inputs: (d) => [d.uniform([3, 4])],
    f: ([a]) => a.indexSelect(0, int64([2, 0, 2])),
  },
  {
    name: "indexSelect dim 1",
    inputs: (d) => [d.uniform([2, 4])],
    f: ([a]) => a.indexSelect(1, int64([1, 1, 3, 0])),
  },
  {
    name: "gather dim 1 with repeated indices",
    inputs: (d) => [d.uniform([2, 4])],
    f: ([a]) => a.gather(1, int64([0, 0, 2, 1, 3, 1], [2, 3])),
  },
  {
    name: "gather dim 0",
    inputs: (d) => [d.uniform([3, 2])],
    f: ([a]) => a.gather(0, int64([2, 0, 1, 1], [2, 2])),
  },
  {
    name: "topk values k=2 largest, dim -1",
    inputs: (d) => [d.spread([2, 5], -2, 2)],
    f: ([a]) => a.topk(2).values,
  },
  {
    name: "topk values k=3 smallest, dim 0",
    inputs: (d) => [d.spread([4, 3], -2, 2)],
    f: ([a]) => a.topk(3, 0, false).values,
  },
];

const CONV: GradCase[] = [
  {
    name: "F.conv2d groups 1, padding 1, with bias",
    inputs: (d) => [d.uniform([1, 2, 4, 4]), d.uniform([3, 2, 3, 3]), d.uniform([3])],
    f: ([a, b, c]) => F.conv2d(a, b, c, { padding: 1 }),
  },
  {
    name: "F.conv2d batch 2, no bias",
    inputs: (d) => [d.uniform([2, 2, 3, 3]), d.uniform([2, 2, 2, 2])],
    f: ([a, b]) => F.conv2d(a, b),
  },
  {
    name: "F.conv2d groups 2, with bias",
    inputs: (d) => [d.uniform([1, 4, 3, 3]), d.uniform([4, 2, 2, 2]), d.uniform([4])],
    f: ([a, b, c]) => F.conv2d(a, b, c, { groups: 2 }),
  },
  {
    name: "F.conv2d depthwise (groups = channels), padding 1, with bias",
    inputs: (d) => [d.uniform([1, 3, 4, 4]), d.uniform([3, 1, 3, 3]), d.uniform([3])],
    f: ([a, b, c]) => F.conv2d(a, b, c, { padding: 1, groups: 3 }),
  },
  {
    name: "F.conv2d stride 2, padding 1, with bias",
    inputs: (d) => [d.uniform([1, 2, 5, 5]), d.uniform([2, 2, 3, 3]), d.uniform([2])],
    f: ([a, b, c]) => F.conv2d(a, b, c, { stride: 2, padding: 1 }),
  },
  {
    name: "F.conv2d dilation 2, with bias",
    inputs: (d) => [d.uniform([1, 1, 6, 6]), d.uniform([2, 1, 3, 3]), d.uniform([2])],
    f: ([a, b, c]) => F.conv2d(a, b, c, { dilation: 2 }),
  },
  {
    name: "F.conv2d stride [2,1], padding [1,0], with bias",
    inputs: (d) => [d.uniform([1, 2, 5, 4]), d.uniform([2, 2, 3, 2]), d.uniform([2])],
    f: ([a, b, c]) => F.conv2d(a, b, c, { stride: [2, 1], padding: [1, 0] }),
  },
];

const NORM: GradCase[] = [
  {
    name: "F.batchNorm training, affine, 4-D",
    inputs: (d) => [d.uniform([3, 2, 2, 2], -2, 2), d.uniform([2], 0.5, 1.5), d.uniform([2])],
    f: ([a, b, c]) =>
      F.batchNorm(a, {
        weight: b,
        bias: c,
        runningMean: zeros([2], "float64"),
        runningVar: ones([2], "float64"),
        training: true,
      }),
  },
  {
    name: "F.batchNorm training, no affine or running stats, 2-D",
    inputs: (d) => [d.uniform([4, 3], -2, 2)],
    f: ([a]) => F.batchNorm(a, { training: true }),
  },
  {
    name: "F.batchNorm eval with running stats, affine",
    inputs: (d) => [d.uniform([2, 2, 2, 2], -2, 2), d.uniform([2], 0.5, 1.5), d.uniform([2])],
    f: ([a, b, c]) =>
      F.batchNorm(a, {
        weight: b,
        bias: c,
        runningMean: float64(Float64Array.of(-0.3, 0.5), [2]),
        runningVar: float64(Float64Array.of(0.8, 1.7), [2]),
        training: false,
      }),
  },
];

const POOL: GradCase[] = [
  {
    name: "F.maxPool2d kernel 2",
    inputs: (d) => [d.spread([1, 2, 4, 4], -2, 2)],
    f: ([a]) => F.maxPool2d(a, 2),
  },
  {
    name: "F.maxPool2d kernel 3, stride 2, padding 1",
    inputs: (d) => [d.spread([1, 1, 5, 5], -2, 2)],
    f: ([a]) => F.maxPool2d(a, 3, { stride: 2, padding: 1 }),
  },
  {
    name: "F.maxPool2d kernel 2, ceil mode",
    inputs: (d) => [d.spread([1, 1, 5, 5], -2, 2)],
    f: ([a]) => F.maxPool2d(a, 2, { ceilMode: true }),
  },
  { name: "F.avgPool2d kernel 2", inputs: (d) => [d.uniform([1, 2, 4, 4])], f: ([a]) => F.avgPool2d(a, 2) },
  {
    name: "F.avgPool2d kernel 3, stride 2, padding 1, padding excluded from the count",
    inputs: (d) => [d.uniform([1, 1, 5, 5])],
    f: ([a]) => F.avgPool2d(a, 3, { stride: 2, padding: 1, countIncludePad: false }),
  },
  {
    name: "F.avgPool2d kernel 2, ceil mode",
    inputs: (d) => [d.uniform([1, 1, 5, 5])],
    f: ([a]) => F.avgPool2d(a, 2, { ceilMode: true }),
  },
  {
    name: "F.adaptiveAvgPool2d 5x5 -> 3x3 (overlapping bins)",
    inputs: (d) => [d.uniform([1, 2, 5, 5])],
    f: ([a]) => F.adaptiveAvgPool2d(a, 3),
  },
  {
    name: "F.adaptiveAvgPool2d -> 1x1",
    inputs: (d) => [d.uniform([2, 2, 3, 3])],
    f: ([a]) => F.adaptiveAvgPool2d(a, 1),
  },
  {
    name: "F.adaptiveAvgPool2d 4x5 -> [2,3]",
    inputs: (d) => [d.uniform([1, 1, 4, 5])],
    f: ([a]) => F.adaptiveAvgPool2d(a, [2, 3]),
  },
];

const LAYERS: GradCase[] = [
  {
    name: "F.linear with bias",
    inputs: (d) => [d.uniform([2, 3]), d.uniform([4, 3]), d.uniform([4])],
    f: ([a, b, c]) => F.linear(a, b, c),
  },
  {
    name: "F.linear without bias",
    inputs: (d) => [d.uniform([2, 3]), d.uniform([4, 3])],
    f: ([a, b]) => F.linear(a, b),
  },
  {
    name: "F.linear 3-D input with bias",
    inputs: (d) => [d.uniform([2, 2, 3]), d.uniform([2, 3]), d.uniform([2])],
    f: ([a, b, c]) => F.linear(a, b, c),
  },
  { name: "F.relu", inputs: (d) => [d.awayFromZero([2, 4])], f: ([a]) => F.relu(a) },
  // Kinks at 0 and 6: twelve midpoints of (-3, 9) are -2.5, -1.5, ..., 8.5.
  { name: "F.relu6", inputs: (d) => [d.spread([12], -3, 9)], f: ([a]) => F.relu6(a) },
  // Kinks at -3 and 3: twenty midpoints of (-5, 5) are -4.75, -4.25, ..., 4.75.
  { name: "F.hardswish", inputs: (d) => [d.spread([20], -5, 5)], f: ([a]) => F.hardswish(a) },
  { name: "F.hardsigmoid", inputs: (d) => [d.spread([20], -5, 5)], f: ([a]) => F.hardsigmoid(a) },
  { name: "F.sigmoid", inputs: (d) => [d.uniform([2, 3], -3, 3)], f: ([a]) => F.sigmoid(a) },
  { name: "F.logSoftmax dim -1", inputs: (d) => [d.uniform([3, 4], -2, 2)], f: ([a]) => F.logSoftmax(a) },
  { name: "F.logSoftmax dim 0", inputs: (d) => [d.uniform([3, 4], -2, 2)], f: ([a]) => F.logSoftmax(a, 0) },
  { name: "F.softmax dim -1", inputs: (d) => [d.uniform([3, 4], -2, 2)], f: ([a]) => F.softmax(a) },
  {
    name: "F.softmax dim 1 of 3-D",
    inputs: (d) => [d.uniform([2, 3, 2], -2, 2)],
    f: ([a]) => F.softmax(a, 1),
  },
  {
    name: "F.crossEntropy mean, no label smoothing",
    inputs: (d) => [d.uniform([4, 3], -2, 2)],
    f: ([a]) => F.crossEntropy(a, int64([0, 2, 1, 2])),
  },
  {
    name: "F.crossEntropy mean, label smoothing 0.1",
    inputs: (d) => [d.uniform([4, 3], -2, 2)],
    f: ([a]) => F.crossEntropy(a, int64([0, 2, 1, 2]), { labelSmoothing: 0.1 }),
  },
  {
    name: "F.crossEntropy sum, label smoothing 0.1",
    inputs: (d) => [d.uniform([4, 3], -2, 2)],
    f: ([a]) => F.crossEntropy(a, int64([1, 1, 0, 2]), { labelSmoothing: 0.1, reduction: "sum" }),
  },
  {
    name: "F.crossEntropy none, no label smoothing",
    inputs: (d) => [d.uniform([4, 3], -2, 2)],
    f: ([a]) => F.crossEntropy(a, int64([2, 0, 1, 0]), { reduction: "none" }),
  },
  { name: "F.pad last dim [1,2]", inputs: (d) => [d.uniform([2, 3])], f: ([a]) => F.pad(a, [1, 2]) },
  {
    name: "F.pad last two dims [1,0,2,1], value 0.5",
    inputs: (d) => [d.uniform([1, 2, 3, 3])],
    f: ([a]) => F.pad(a, [1, 0, 2, 1], 0.5),
  },
  { name: "F.pad negative (crop) [-1,1]", inputs: (d) => [d.uniform([2, 4])], f: ([a]) => F.pad(a, [-1, 1]) },
  {
    name: "F.resizeBilinear 3x3 -> 5x5",
    inputs: (d) => [d.uniform([1, 2, 3, 3])],
    f: ([a]) => F.resizeBilinear(a, 5),
  },
  {
    name: "F.resizeBilinear 4x6 -> [3,4]",
    inputs: (d) => [d.uniform([1, 1, 4, 6])],
    f: ([a]) => F.resizeBilinear(a, [3, 4]),
  },
  {
    name: "F.dropout training with the seed reset before each evaluation",
    inputs: (d) => [d.uniform([4, 5])],
    f: ([a]) => {
      manualSeed(11);
      return F.dropout(a, 0.3, true);
    },
  },
  { name: "F.dropout eval", inputs: (d) => [d.uniform([4, 5])], f: ([a]) => F.dropout(a, 0.3, false) },
];

for (const { name, inputs, f, options } of [
  ...ELEMENTWISE,
  ...MATMUL,
  ...REDUCTIONS,
  ...SHAPE,
  ...CONV,
  ...NORM,
  ...POOL,
  ...LAYERS,
]) {
  test(`gradcheck: ${name}`, () => tidy(() => gradcheck(f, inputs(new Draw(seedOf(name))), options)));
}

test("F.dropout training: the gradient is the mask / (1 - p) the output shows", () =>
  tidy(() => {
    const p = 0.3;
    const x = new Draw(seedOf("dropout mask")).awayFromZero([8, 10]).requiresGrad_();
    manualSeed(5);
    const y = F.dropout(x, p, true);
    y.sum().backward();
    const ratio = y.detach().div(x.detach()).toList();
    const grad = x.grad?.toList();
    assert.ok(grad, "dropout passes a gradient back to its input");
    assertClose(grad, ratio, { atol: 1e-12, what: "gradient against output / input" });
    const kept = 1 / (1 - p);
    for (const [i, r] of ratio.entries())
      assert.ok(r === 0 || Math.abs(r - kept) < 1e-12, `ratio ${i} is ${r}`);
    assert.ok(
      ratio.includes(0) && ratio.some((r) => r !== 0),
      "a mask of 80 elements should drop some and keep some",
    );
    manualSeed(5);
    assert.ok(F.dropout(x.detach(), p, true).equal(y.detach()), "the same seed gives the same mask");
  }));

test("F.dropout eval: the identity, with a gradient of ones", () =>
  tidy(() => {
    const x = new Draw(seedOf("dropout eval")).uniform([4, 5]).requiresGrad_();
    const y = F.dropout(x, 0.3, false);
    assert.ok(y.detach().equal(x.detach()), "eval dropout changes nothing");
    y.sum().backward();
    assert.deepEqual(x.grad?.toList(), new Array(20).fill(1));
  }));
