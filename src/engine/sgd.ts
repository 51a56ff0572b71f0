// The fused multi-tensor SGD update (one addon call for a whole parameter group), matching
// torch.optim.SGD with dampening 0. Parameters without a gradient are skipped entirely.
import { native } from "./native.js";
import type { Tensor } from "./tensor.js";

export interface SgdStepOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * For each parameter p with gradient g (buffers zero-initialised, same shapes as the parameters):
 *   d = g + weightDecay * p;  buf = momentum * buf + d;  d = nesterov ? d + momentum * buf : buf;  p -= lr * d
 */
export function sgdStep(params: readonly Tensor[], buffers: readonly Tensor[], o: SgdStepOptions): void {
  native.sgdStep(
    params.map((p) => p.h),
    buffers.map((b) => b.h),
    o.lr,
    o.momentum ?? 0,
    o.weightDecay ?? 0,
    o.nesterov ?? false,
  );
}
