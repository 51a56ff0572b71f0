// Knowledge distillation (Hinton, Vinyals and Dean, 2015): the student also matches the teacher's
// softened class distribution, loss = CE(student, labels) + weight * T^2 * KL(softmax(t / T) || softmax(s / T)),
// the KL averaged over the batch; timm's defaults are T = 1 and weights 1 : 1.
import { F, type Tensor } from "../engine/index.js";
import type { Module } from "../nn/index.js";

export interface Distillation {
  /** The teacher network, run in evaluation mode without gradients. */
  teacher: Module;
  /** Softening temperature T (default 1). */
  temperature: number;
  /** Weight of the distillation term against the task loss's 1 (default 1). */
  weight: number;
}

/**
 * In-place distillation (Yu and Huang's slimmable networks; BigNAS, AttentiveNAS): each step the
 * weight-sharing net's largest path trains on the labels (with the recipe's label smoothing), and its
 * detached outputs teach the sampled path through KL at T = 1; both gradients go into one step.
 */
export interface InplaceDistillation {
  /** Puts the net on its largest path. */
  largest(): void;
  /** Puts the net back on the step's sampled path. */
  sampled(): void;
}

export const DISTILLATION_DEFAULTS = { temperature: 1, weight: 1 } as const;

/** T^2 KL(softmax(teacher / T) || softmax(student / T)), averaged over the batch: student [N, C], teacher [N, C]. */
export function distillationLoss(student: Tensor, teacher: Tensor, temperature: number): Tensor {
  const n = student.shape[0] as number;
  const t = teacher.detach().div(temperature);
  const logP = F.logSoftmax(t, 1);
  const logQ = F.logSoftmax(student.div(temperature), 1);
  return logP
    .exp()
    .mul(logP.sub(logQ))
    .sum()
    .mul((temperature * temperature) / n);
}
