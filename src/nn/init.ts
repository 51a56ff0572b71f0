// Weight initialisers (torch.nn.init), in place and without recording gradients.
import { noGrad, type Tensor } from "../engine/index.js";

/** fan_in and fan_out of a [out, in, ...kernel] weight. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: (shape[1] ?? 1) * receptive, fanOut: (shape[0] ?? 1) * receptive };
}

export function uniform_(t: Tensor, from: number, to: number): Tensor {
  return noGrad(() => t.uniform_(from, to));
}

export function normal_(t: Tensor, mean: number, std: number): Tensor {
  return noGrad(() => t.normal_(mean, std));
}

export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

/** He normal: std = gain / sqrt(fan) with gain sqrt(2) for ReLU (torch.nn.init.kaiming_normal_). */
export function kaimingNormal_(t: Tensor, mode: "fanIn" | "fanOut" = "fanIn"): Tensor {
  return normal_(t, 0, Math.sqrt(2) / Math.sqrt(fans(t.shape)[mode]));
}

/**
 * PyTorch's default for Conv2d and Linear: kaiming_uniform_(a = sqrt(5)) on the weight, which is
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias.
 */
export function defaultWeightInit_(weight: Tensor, bias: Tensor | null): void {
  const bound = 1 / Math.sqrt(fans(weight.shape).fanIn);
  uniform_(weight, -bound, bound);
  if (bias) uniform_(bias, -bound, bound);
}
