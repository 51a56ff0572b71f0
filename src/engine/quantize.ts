// Fake quantization over Tensor (libtorch's fake_quantize_* ops: quantize and dequantize in float, so a
// network trains with the rounding it will run with): integer ranges of 1 to 8 bits, fixed scales with
// the straight-through estimator, and learnable scales (LSQ, Esser et al., ICLR 2020).
import { native } from "./native.js";
import { Tensor, zeros } from "./tensor.js";

/** How a b-bit integer grid is laid out: signed [-2^(b-1), 2^(b-1) - 1] or unsigned [0, 2^b - 1]. */
export interface QuantRange {
  bits: number;
  signed: boolean;
}

/** The integer range of `bits` bits; 1 bit signed is the binary grid {-1, 0}, as 2^(b-1) levels each side. */
export function quantRange({ bits, signed }: QuantRange): { qmin: number; qmax: number } {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8)
    throw new Error(`quantization: bits must be an integer from 1 to 8, got ${bits}`);
  return signed ? { qmin: -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 } : { qmin: 0, qmax: 2 ** bits - 1 };
}

/** Where a tensor's integer grid sits: scales (and zero points) per tensor, or per slice along `axis`. */
export interface FakeQuantOptions extends QuantRange {
  /** [1] for one scale, or [C] for one per slice along `axis`. */
  scale: Tensor;
  /** Same shape as `scale`; int32 for fixed scales, float for learnable ones. Default: zeros. */
  zeroPoint?: Tensor;
  /** With a per-channel scale: the dimension the channels are on (0 for conv and linear weights). */
  axis?: number;
}

function zeroPointOf(o: FakeQuantOptions, dtype: "int32" | "float32"): Tensor {
  return o.zeroPoint ?? zeros(o.scale.shape, dtype);
}

/**
 * y = (clamp(round(x / s) + z, qmin, qmax) - z) * s with a fixed scale; the gradient passes straight
 * through inside the range and is 0 where x was clipped.
 */
export function fakeQuantize(x: Tensor, o: FakeQuantOptions): Tensor {
  const { qmin, qmax } = quantRange(o);
  const zp = zeroPointOf(o, "int32");
  const perChannel = o.axis !== undefined;
  const h = perChannel
    ? native.fakeQuantizePerChannel(x.h, o.scale.h, zp.h, o.axis as number, qmin, qmax)
    : native.fakeQuantizePerTensor(x.h, o.scale.h, zp.h, qmin, qmax);
  if (!o.zeroPoint) zp.dispose();
  return new Tensor(h);
}

/**
 * The same rounding with a learnable scale (and zero point, if it requires grad): the scale's gradient
 * is LSQ's step gradient times `gradFactor` (LSQ: 1 / sqrt(N * qmax), N the elements per scale).
 */
export function fakeQuantizeLearnable(x: Tensor, o: FakeQuantOptions & { gradFactor: number }): Tensor {
  const { qmin, qmax } = quantRange(o);
  const zp = zeroPointOf(o, "float32");
  const h =
    o.axis !== undefined
      ? native.fakeQuantizeLearnablePerChannel(x.h, o.scale.h, zp.h, o.axis, qmin, qmax, o.gradFactor)
      : native.fakeQuantizeLearnablePerTensor(x.h, o.scale.h, zp.h, qmin, qmax, o.gradFactor);
  if (!o.zeroPoint) zp.dispose();
  return new Tensor(h);
}
