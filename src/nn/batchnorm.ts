// BatchNorm2d (torch.nn.BatchNorm2d): affine weight/bias optional (SPOS supernets use affine=False),
// running statistics with momentum or, with momentum null, a cumulative average over every batch
// seen since resetRunningStats() (the official final BN pass and SPOS's BN recalibration); in training,
// optionally on the statistics of every rank's batch (SyncBN, given a reducer by src/dist).
import { cat, F, full, noGrad, type Tensor, zeros } from "../engine/index.js";
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

/**
 * Sums a rank's per-channel batch statistics with every other rank's, differentiably (the backward sums
 * the gradients over the ranks too): [2C + 1] (sum, sum of squares, count) -> the same over all ranks.
 */
export type BatchStatsReducer = (local: Tensor) => Tensor;

/**
 * Training-mode batch norm on the union of the ranks' batches (torch.nn.SyncBatchNorm; Peng et al.,
 * "MegDet", CVPR 2018, cross-GPU batch norm): mean = sum / n, biased variance = sum of squares / n - mean^2 over
 * the reduced statistics; running statistics take the unbiased variance, as F.batchNorm does.
 */
function syncBatchNorm(
  x: Tensor,
  o: {
    weight: Tensor | null;
    bias: Tensor | null;
    runningMean: Tensor | null;
    runningVar: Tensor | null;
    momentum: number;
    eps: number;
  },
  reduce: BatchStatsReducer,
): Tensor {
  const c = x.shape[1] as number;
  // [2C + 1]: this rank's per-channel sums and sums of squares, and its values per channel
  const local = cat([x.sum([0, 2, 3]), x.mul(x).sum([0, 2, 3]), full([1], x.numel / c)]);
  const total = reduce(local);
  const n = total.narrow(0, 2 * c, 1).item();
  const mean = total.narrow(0, 0, c).div(n);
  const variance = total.narrow(0, c, c).div(n).sub(mean.mul(mean));
  const m = o.momentum;
  noGrad(() => {
    o.runningMean?.mul_(1 - m).add_(mean.mul(m));
    o.runningVar?.mul_(1 - m).add_(variance.mul((m * n) / Math.max(1, n - 1)));
  });
  const shape = [1, c, 1, 1];
  const y = x.sub(mean.view(...shape)).div(
    variance
      .add(o.eps)
      .sqrt()
      .view(...shape),
  );
  const scaled = o.weight ? y.mul(o.weight.view(...shape)) : y;
  return o.bias ? scaled.add(o.bias.view(...shape)) : scaled;
}

export class BatchNorm2d extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  eps: number;
  momentum: number | null;
  /** In training, normalize with every rank's batch statistics through this (SyncBN); null: this batch's. */
  syncStats: BatchStatsReducer | null = null;

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
    const y =
      this.training && this.syncStats
        ? syncBatchNorm(x, { weight, bias, runningMean, runningVar, momentum, eps: this.eps }, this.syncStats)
        : F.batchNorm(x, {
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
