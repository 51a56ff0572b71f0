// One training step and one evaluation batch: forward, cross-entropy (with label smoothing, and a
// teacher's distillation term),
// backward, optional gradient-norm clipping, SGD update; top-1/top-5 counts.
import { F, noGrad, type Tensor, tidy } from "../engine/index.js";
import type { Module } from "../nn/index.js";
import { type Distillation, distillationLoss, type InplaceDistillation } from "./distill.js";
import type { SGD } from "./sgd.js";

export interface StepOptions {
  labelSmoothing?: number;
  /** Rescale gradients so their global L2 norm is at most this (torch.nn.utils.clip_grad_norm_). */
  clipGradNorm?: number | null;
  /** Knowledge distillation from a teacher network. */
  distill?: Distillation | null;
  /** In-place distillation of a weight-sharing net: its largest path teaches the sampled one. */
  inplace?: InplaceDistillation | null;
  /** Runs between backward and the update (data-parallel runs average the gradients here). */
  afterBackward?: (() => void) | null;
}

export interface BatchResult {
  /** Mean loss over the batch. */
  loss: number;
  samples: number;
  top1: number;
  top5: number;
}

/** Correct top-1 and top-k predictions of logits [N, C] against labels [N]. */
export function correctCounts(logits: Tensor, labels: Tensor, k = 5): { top1: number; top5: number } {
  return tidy(() => {
    const kk = Math.min(k, logits.shape[1] as number);
    const hits = logits.topk(kk, 1).indices.eq(labels.unsqueeze(1)).to("float32"); // [N, k]
    return { top1: hits.narrow(1, 0, 1).sum().item(), top5: hits.sum().item() };
  });
}

/** Scales every gradient by min(1, maxNorm / ||g||) where ||g|| is the norm over all of them. */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  return tidy(() => {
    const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
    if (grads.length === 0) return 0;
    const total = Math.sqrt(grads.reduce((s, g) => s + g.pow(2).sum().item(), 0));
    const scale = maxNorm / (total + 1e-6);
    if (scale < 1) {
      noGrad(() => {
        for (const g of grads) g.mul_(scale);
      });
    }
    return total;
  });
}

/** Forward, loss, backward and an optimizer step on one batch (x [N, C, H, W], y [N] int64). */
export function trainStep(
  model: Module,
  optimizer: SGD,
  x: Tensor,
  y: Tensor,
  o: StepOptions = {},
): BatchResult {
  return tidy(() => {
    optimizer.zeroGrad();
    const soft = o.inplace ? largestPathStep(model, x, y, o.inplace, o.labelSmoothing ?? 0) : null;
    const logits = model.forward(x);
    const d = o.distill;
    const task = () => F.crossEntropy(logits, y, { labelSmoothing: o.labelSmoothing ?? 0 });
    const teacher = (t: Distillation) => noGrad(() => t.teacher.forward(x));
    const loss = soft
      ? distillationLoss(logits, soft, 1)
      : d
        ? task().add(distillationLoss(logits, teacher(d), d.temperature).mul(d.weight))
        : task();
    loss.backward();
    o.afterBackward?.();
    if (o.clipGradNorm) clipGradNorm(optimizer.params(), o.clipGradNorm);
    optimizer.step();
    const lossValue = loss.item();
    return {
      loss: lossValue,
      samples: y.shape[0] as number,
      ...noGrad(() => correctCounts(logits.detach(), y)),
    };
  });
}

/**
 * In-place distillation's first half: the largest path's label loss, backpropagated, and its detached
 * outputs [N, C] (the sampled path's soft targets); the net is left on the sampled path.
 */
function largestPathStep(
  model: Module,
  x: Tensor,
  y: Tensor,
  inplace: InplaceDistillation,
  labelSmoothing: number,
): Tensor {
  inplace.largest();
  const logits = model.forward(x);
  F.crossEntropy(logits, y, { labelSmoothing }).backward();
  inplace.sampled();
  return logits.detach();
}

/** Loss and top-1/top-5 counts of one batch in the model's current mode, without gradients. */
export function evalBatch(model: Module, x: Tensor, y: Tensor, labelSmoothing = 0): BatchResult {
  return tidy(() =>
    noGrad(() => {
      const logits = model.forward(x);
      const loss = F.crossEntropy(logits, y, { labelSmoothing }).item();
      return { loss, samples: y.shape[0] as number, ...correctCounts(logits, y) };
    }),
  );
}
