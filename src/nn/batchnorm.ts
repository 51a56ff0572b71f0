// BatchNorm2d (torch.nn.BatchNorm2d): affine weight/bias optional (SPOS supernets use affine=False),
// running statistics with momentum or, with momentum null, a cumulative average over every batch
// seen since resetRunningStats() (the official final BN pass and SPOS's BN recalibration).
import { F, full, noGrad, type Tensor, zeros } from "../engine/index.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";
import { isTracing, record } from "./trace.js";

export interface BatchNorm2dOptions {
  eps?: number;
  /** Weight of the newest batch in the running statistics; null = cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

export class BatchNorm2d extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  eps: number;
  momentum: number | null;

  constructor(
    readonly numFeatures: number,
    o: BatchNorm2dOptions = {},
  ) {
    super();
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    const affine = o.affine ?? true;
    this.weight = this.registerParameter("weight", affine ? new Parameter(full([numFeatures], 1)) : null);
    this.bias = this.registerParameter("bias", affine ? new Parameter(zeros([numFeatures])) : null);
    const track = o.trackRunningStats ?? true;
    this.runningMean = this.registerBuffer("running_mean", track ? zeros([numFeatures]) : null);
    this.runningVar = this.registerBuffer("running_var", track ? full([numFeatures], 1) : null);
    this.numBatchesTracked = this.registerBuffer("num_batches_tracked", track ? zeros([], "int64") : null);
  }

  /** Running mean 0, variance 1, batch count 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  /** [N, C, H, W] -> [N, C, H, W] */
  forward(x: Tensor): Tensor {
    return this.normalize(x, this.weight, this.bias, this.runningMean, this.runningVar);
  }

  /** Batch norm with these parameters and statistics (all of this layer's, or a leading slice of them). */
  protected normalize(
    x: Tensor,
    weight: Tensor | null,
    bias: Tensor | null,
    runningMean: Tensor | null,
    runningVar: Tensor | null,
  ): Tensor {
    const useBatchStats = this.training || runningMean === null;
    let momentum = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked) {
      const counter = this.numBatchesTracked;
      noGrad(() => counter.add_(1));
      if (this.momentum === null) momentum = 1 / counter.item();
    }
    const y = F.batchNorm(x, {
      weight,
      bias,
      runningMean,
      runningVar,
      training: useBatchStats,
      momentum,
      eps: this.eps,
    });
    if (isTracing()) {
      const params = (weight?.numel ?? 0) + (bias?.numel ?? 0);
      record(this, "bn", [x], y, { affine: weight !== null }, { params });
    }
    return y;
  }
}
