// Neural-network ops over Tensor (convolution, normalisation, pooling, activations, losses), with
// PyTorch's argument conventions: a number where torch takes an int-or-pair means both dimensions.
import { native } from "./native.js";
import { Tensor } from "./tensor.js";

export type Pair = number | readonly [number, number];
const pair = (v: Pair): number[] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

/** x [N, Cin, H, W], weight [Cout, Cin/groups, kh, kw], bias [Cout] | null -> [N, Cout, H', W'].
 * Depthwise convs whose backward oneDNN is slow at run as depthwiseConv2d (see usesLitheDepthwise). */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: Conv2dOptions = {}): Tensor {
  const groups = o.groups ?? 1;
  const stride = pair(o.stride ?? 1);
  const dilation = pair(o.dilation ?? 1);
  if (bias === null && usesLitheDepthwise(x, weight, groups, dilation))
    return depthwiseConv2d(x, weight, { stride: o.stride, padding: o.padding });
  return new Tensor(
    native.conv2d(x.h, weight.h, bias?.h ?? null, stride, pair(o.padding ?? 0), dilation, groups),
  );
}

/**
 * Whether lithe's depthwise backward beats oneDNN's for this filter: with a kernel over 3 it is 2-3.7x as
 * fast (oneDNN's 5x5 and 7x7 filter gradients are slow), at 3x3 oneDNN's is as fast or faster (0.5-1x, at
 * stride 2 too). Measured by `lithe bench engine` (its depthwise rows; AVX2, 2 threads, batch 64).
 */
export const litheDepthwiseWins = (kernel: readonly number[]) => kernel.some((k) => k > 3);

/** A depthwise conv (groups = Cin = Cout, no dilation) that lithe's kernel runs faster than ATen's. */
function usesLitheDepthwise(x: Tensor, weight: Tensor, groups: number, dilation: number[]) {
  const [c, perGroup, kh = 0, kw = 0] = weight.shape;
  const depthwise = groups > 1 && x.ndim === 4 && x.shape[1] === groups && c === groups && perGroup === 1;
  return depthwise && dilation[0] === 1 && dilation[1] === 1 && litheDepthwiseWins([kh, kw]);
}

/** x [N, C, H, W], weight [C, 1, kh, kw] -> [N, C, H', W'], no bias (native/depthwise.cc): the forward and
 * the stride-1 input gradient are ATen's (oneDNN), the filter gradient and strided input gradients lithe's. */
export function depthwiseConv2d(
  x: Tensor,
  weight: Tensor,
  o: Omit<Conv2dOptions, "groups" | "dilation"> = {},
): Tensor {
  return new Tensor(native.depthwiseConv2d(x.h, weight.h, pair(o.stride ?? 1), pair(o.padding ?? 0)));
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  training: boolean;
  /** Running-statistics update: r = (1 - momentum) r + momentum * batch. 1/n gives a cumulative average. */
  momentum?: number;
  eps?: number;
}

/** x [N, C, ...]; in training mode normalises by batch statistics and updates the running ones in place. */
export function batchNorm(x: Tensor, o: BatchNormOptions): Tensor {
  return new Tensor(
    native.batchNorm(
      x.h,
      o.weight?.h ?? null,
      o.bias?.h ?? null,
      o.runningMean?.h ?? null,
      o.runningVar?.h ?? null,
      o.training,
      o.momentum ?? 0.1,
      o.eps ?? 1e-5,
    ),
  );
}

export interface PoolOptions {
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
}

export function maxPool2d(x: Tensor, kernel: Pair, o: PoolOptions = {}): Tensor {
  return new Tensor(
    native.maxPool2d(x.h, pair(kernel), pair(o.stride ?? kernel), pair(o.padding ?? 0), o.ceilMode ?? false),
  );
}

export function avgPool2d(
  x: Tensor,
  kernel: Pair,
  o: PoolOptions & { countIncludePad?: boolean } = {},
): Tensor {
  return new Tensor(
    native.avgPool2d(
      x.h,
      pair(kernel),
      pair(o.stride ?? kernel),
      pair(o.padding ?? 0),
      o.ceilMode ?? false,
      o.countIncludePad ?? true,
    ),
  );
}

/** [N, C, H, W] -> [N, C, size, size] */
export function adaptiveAvgPool2d(x: Tensor, size: Pair): Tensor {
  return new Tensor(native.adaptiveAvgPool2d(x.h, pair(size)));
}

/** x [..., in], weight [out, in], bias [out] | null -> [..., out] */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return new Tensor(native.linear(x.h, weight.h, bias?.h ?? null));
}

export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  return new Tensor(native.dropout(x.h, p, training));
}

export const relu = (x: Tensor) => new Tensor(native.relu(x.h));
export const relu6 = (x: Tensor) => new Tensor(native.relu6(x.h));
export const hardswish = (x: Tensor) => new Tensor(native.hardswish(x.h));
export const hardsigmoid = (x: Tensor) => new Tensor(native.hardsigmoid(x.h));
export const sigmoid = (x: Tensor) => new Tensor(native.sigmoid(x.h));
export const logSoftmax = (x: Tensor, dim = -1) => new Tensor(native.logSoftmax(x.h, dim));
export const softmax = (x: Tensor, dim = -1) => new Tensor(native.softmax(x.h, dim));

const REDUCTIONS = { none: 0, mean: 1, sum: 2 } as const;

export interface CrossEntropyOptions {
  /** Mixes the one-hot target with a uniform one: (1 - s) * onehot + s / C (Szegedy et al., 2016). */
  labelSmoothing?: number;
  reduction?: keyof typeof REDUCTIONS;
}

/** logits [N, C], target [N] int64 class indices -> scalar (or [N] with reduction "none") */
export function crossEntropy(logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  return new Tensor(
    native.crossEntropy(logits.h, target.h, o.labelSmoothing ?? 0, REDUCTIONS[o.reduction ?? "mean"]),
  );
}

/** index [...] int64 -> [..., classes] int64 */
export function oneHot(index: Tensor, classes: number): Tensor {
  return new Tensor(native.oneHot(index.h, classes));
}

/** Constant padding, `pads` as in torch.nn.functional.pad: last dimension first, (before, after) pairs. */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  return new Tensor(native.pad(x.h, [...pads], value));
}

/** [N, C, H, W] -> [N, C, size] by bilinear interpolation (align_corners = false). */
export function resizeBilinear(x: Tensor, size: Pair): Tensor {
  return new Tensor(native.upsampleBilinear(x.h, pair(size), false));
}

/** Fused concat + channel shuffle(2) (native/fused.cc): a, b [N, C, H, W] -> [N, 2C, H, W] with channel
 * 2i = a's i and 2i + 1 = b's i; equals channelShuffle(cat([a, b], 1), 2) in one pass, forward and back. */
export function interleaveChannels(a: Tensor, b: Tensor): Tensor {
  return new Tensor(native.interleave(a.h, b.h));
}

/** The inverse of interleaveChannels: x [N, 2C, H, W] -> (x[:, 0::2], x[:, 1::2]), each contiguous. */
export function deinterleaveChannels(x: Tensor): [Tensor, Tensor] {
  const [even, odd] = native.deinterleave(x.h);
  return [new Tensor(even), new Tensor(odd)];
}

/** x [N, C, H, W] -> (x[:, :first], x[:, first:]), each contiguous; the backward is one concat. */
export function splitChannels(x: Tensor, first: number): [Tensor, Tensor] {
  const [head, tail] = native.splitHalves(x.h, first);
  return [new Tensor(head), new Tensor(tail)];
}
