// The official Megvii training recipe as defaults (SGD momentum 0.9, weight decay 4e-5 on weights
// only, label smoothing 0.1, LR decayed linearly to 0 per iteration) at batch 128 with lr 0.1 (the
// best of 0.025-0.2 measured on Fashion-MNIST subsets; the official 0.5 is for batch 1024).
// `lithe train`'s flag defaults, the benchmarks and the tests all start from it.
import type { TrainConfig } from "./trainer.js";

export const OFFICIAL_RECIPE: Readonly<TrainConfig> = {
  epochs: 10,
  steps: null,
  batchSize: 128,
  lr: 0.1,
  momentum: 0.9,
  nesterov: false,
  weightDecay: 4e-5,
  labelSmoothing: 0.1,
  schedule: "linear",
  warmupEpochs: 0,
  clipGradNorm: null,
  seed: 0,
  bnRecalibrationBatches: 0,
  logEvery: 50,
  checkpointEvery: 500,
};

/** The official recipe with `overrides` (fields given as undefined keep the official value). */
export const recipe = (overrides: Partial<TrainConfig> = {}): TrainConfig => ({
  ...OFFICIAL_RECIPE,
  ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
});
