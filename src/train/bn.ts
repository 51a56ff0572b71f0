// Batch-norm statistics recomputation: reset every BN's running statistics and re-estimate them as
// a cumulative average over the given batches in train mode without gradients. It is the official
// Megvii final pass after training and SPOS's BN recalibration before scoring a path.
import { noGrad, type Tensor, tidy } from "../engine/index.js";
import { BatchNorm2d, type Module } from "../nn/index.js";

/** Recomputes BN running statistics of `model` from `batches` (each [N, C, H, W]); returns the count used. */
export async function recalibrateBatchNorm(
  model: Module,
  batches: AsyncIterable<Tensor> | Iterable<Tensor>,
): Promise<number> {
  const norms = model.namedModules().flatMap(([, m]) => (m instanceof BatchNorm2d ? [m] : []));
  const momenta = norms.map((bn) => bn.momentum);
  const wasTraining = model.training;
  for (const bn of norms) {
    bn.resetRunningStats();
    bn.momentum = null;
  }
  model.train();
  let used = 0;
  try {
    for await (const x of batches) {
      tidy(() => noGrad(() => model.forward(x)));
      used++;
    }
  } finally {
    norms.forEach((bn, i) => {
      bn.momentum = momenta[i] as number | null;
    });
    model.train(wasTraining);
  }
  return used;
}
