// Scores a path with a one-shot network's weights (SPOS, Guo et al. 2020 Sec. 3.4, official
// src/Search/tester.py; MetaPruning's generated weights, Liu et al. 2019 Sec. 3.3, official search.py):
// reset BN running statistics, recompute them on a fixed set of training
// images (train mode, no gradients), then top-1 accuracy on the hold-out split in eval mode. The
// images are decoded once and kept as tensors, so every candidate sees exactly the same data and a
// score depends only on the path and the weights.
import { keep, type Tensor, tensor } from "../engine/index.js";
import { recalibrateBatchNorm } from "../train/bn.js";
import { evalBatch } from "../train/step.js";
import type { BatchSource } from "../train/trainer.js";
import type { PathNet } from "./method.js";
import type { Evaluator, Genotype } from "./types.js";

export interface LabelledBatch {
  x: Tensor;
  y: Tensor;
}

/** The first `images` images (whole batches, at least one) of a source's first epoch as kept tensors. */
export async function collectBatches(source: BatchSource, images: number): Promise<LabelledBatch[]> {
  const batches: LabelledBatch[] = [];
  let seen = 0;
  for await (const b of source.epoch(0)) {
    batches.push({
      x: keep(tensor(b.x, { shape: b.shape })),
      y: keep(tensor(b.y, { shape: [b.shape[0]] })),
    });
    seen += b.shape[0];
    if (seen >= images) break;
  }
  return batches;
}

export class PathEvaluator implements Evaluator {
  constructor(
    readonly net: PathNet,
    /** Training images for BN recalibration (official: 200 batches of 128 training images). */
    readonly recalibration: readonly LabelledBatch[],
    /** Hold-out images the score is the top-1 accuracy on. */
    readonly holdout: readonly LabelledBatch[],
  ) {}

  async evaluate(g: Genotype): Promise<number> {
    // A turn of the event loop per candidate: scoring is synchronous tensor work, and without it a
    // whole search runs in microtasks, starving timers and child-process events (progress lines,
    // signals, a benchmark's worker queue) until it ends.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.net.setPath(g);
    await recalibrateBatchNorm(
      this.net,
      this.recalibration.map((b) => b.x),
    );
    this.net.eval();
    let correct = 0;
    let seen = 0;
    for (const { x, y } of this.holdout) {
      const r = evalBatch(this.net, x, y);
      correct += r.top1;
      seen += r.samples;
    }
    return correct / seen;
  }
}
