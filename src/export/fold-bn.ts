// Folds an inference-mode BatchNorm into the convolution before it:
//   bn(conv(x)) = s * (W x + b - mean) + beta,  s = gamma / sqrt(var + eps)
//   => W' = s * W (per output channel), b' = s * (b - mean) + beta.
// The arithmetic is float64; only the results are rounded to float32.

/** BN parameters and running statistics, one entry per channel (gamma 1 / beta 0 when not affine). */
export interface BnParams {
  gamma: ArrayLike<number>;
  beta: ArrayLike<number>;
  mean: ArrayLike<number>;
  variance: ArrayLike<number>;
  eps: number;
}

/**
 * The folded weight and bias of a conv with weight [out, ...] (flat, row-major) and optional bias
 * [out], followed by `bn` over its `out` channels.
 */
export function foldConvBn(
  weight: Float32Array,
  bias: Float32Array | null,
  bn: BnParams,
): { weight: Float32Array; bias: Float32Array } {
  const out = bn.mean.length;
  if (weight.length % out !== 0)
    throw new Error(`foldConvBn: ${weight.length} weights do not split into ${out} channels`);
  const perChannel = weight.length / out;
  const w = new Float32Array(weight.length);
  const b = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const s = (bn.gamma[o] as number) / Math.sqrt((bn.variance[o] as number) + bn.eps);
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) w[i] = (weight[i] as number) * s;
    b[o] = ((bias ? (bias[o] as number) : 0) - (bn.mean[o] as number)) * s + (bn.beta[o] as number);
  }
  return { weight: w, bias: b };
}
