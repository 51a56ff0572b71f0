// Learning-rate schedules, evaluated per optimizer step (iteration), with optional linear warm-up.
// "linear" is the official Megvii recipe: lr = base * (1 - step / total), reaching 0 at the end.

export type ScheduleKind = "linear" | "cosine" | "step" | "constant";

export interface ScheduleOptions {
  kind: ScheduleKind;
  /** Base learning rate. */
  lr: number;
  /** Optimizer steps of the whole run (the schedule's length; --steps does not change it). */
  totalSteps: number;
  /** Steps of linear warm-up from lr * warmupStart to lr (0 = none). */
  warmupSteps?: number;
  warmupStart?: number;
  /** For "step": multiply by gamma every `stepEvery` steps. */
  stepEvery?: number;
  gamma?: number;
}

/** The learning rate for optimizer step `step` (0-based). */
export function lrAt(step: number, o: ScheduleOptions): number {
  const warmup = o.warmupSteps ?? 0;
  if (step < warmup) {
    const start = o.warmupStart ?? 0.1;
    return o.lr * (start + ((1 - start) * step) / warmup);
  }
  const t = Math.min(1, (step - warmup) / Math.max(1, o.totalSteps - warmup));
  switch (o.kind) {
    case "linear":
      return o.lr * (1 - t);
    case "cosine":
      return 0.5 * o.lr * (1 + Math.cos(Math.PI * t));
    case "step":
      return (
        o.lr * (o.gamma ?? 0.1) ** Math.floor((step - warmup) / Math.max(1, o.stepEvery ?? o.totalSteps))
      );
    case "constant":
      return o.lr;
  }
}
