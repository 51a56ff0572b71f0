// One step of channel pruning (He, Zhang, Sun, ICCV 2017, Sec. 3.1-3.2; official code
// yihui-he/channel-pruning lib/decompose.py), shared by every family's driver: sample output points of
// one conv, select `wanted` of its input channels by LASSO (lambda raised until the kept count is in
// [c', 1.1c']), and reconstruct its weights from the kept channels by least squares towards a target
// (the ORIGINAL network's output, plus the shortcut's correction in a residual block).
import { F, stack, type Tensor, tensor } from "../engine/index.js";
import type { BatchNorm2d, Conv2d } from "../nn/index.js";
import type { Random } from "../util/random.js";
import { lasso, lassoProblem } from "./lasso.js";
import { leastSquares } from "./least-squares.js";

/** The reconstruction's relative ridge (src/prune/least-squares.ts), far below any real curvature. */
const RIDGE = 1e-6;

/** BN scales below this count as zero (the channel's output does not depend on its conv). */
const DEAD_SCALE = 1e-12;

/** Coefficients below this share of the largest count as zero in the channel selection. */
const NEGLIGIBLE = 1e-9;

export interface ChannelPruningConfig {
  /** Feature-map points sampled per image and layer (official 10). */
  points: number;
  /** Sampled points the LASSO is fitted on (official 400 of 50,000; all when fewer). */
  lassoRows: number;
  /** Seed of the point sampling. */
  seed: number;
}

/** One pruned layer's outcome: relative reconstruction errors ||Y - Y'||^2 / ||Y||^2 on the samples. */
export interface LayerReport {
  /** The conv whose input channels were selected (its state-dict prefix, e.g. "features.3"). */
  layer: string;
  channels: number;
  kept: number;
  /** The final LASSO penalty. */
  alpha: number;
  /** Keeping the LASSO's channels with the original weights (naive removal). */
  removedError: number;
  /** After the least-squares reconstruction. */
  reconstructedError: number;
}

/** conv with a replacement weight (same stride, padding and groups, no bias: ResNet and MobileNet convs have none). */
export const convWith = (c: Conv2d, x: Tensor, w: Tensor): Tensor =>
  F.conv2d(x, w, null, { stride: c.stride, padding: c.padding, groups: c.groups });

/** A BN's per-channel scale in eval mode, gamma / sqrt(var + eps): (C). */
function bnScale(bn: BatchNorm2d): Tensor {
  const std = (bn.runningVar as Tensor).add(bn.eps).sqrt();
  return bn.weight ? bn.weight.div(std) : std.pow(-1);
}

/** 1 / a per channel, 0 where a is (nearly) zero, shaped to scale a (N, C, H, W) map. */
function inverseScale(a: Tensor): Tensor {
  const inv = a.toList().map((v) => (Math.abs(v) > DEAD_SCALE ? 1 / v : 0));
  return tensor(inv).reshape(1, -1, 1, 1);
}

/**
 * The conv-space target of the last conv of a residual branch (Sec. 3.3, Y1 - Y1' + Y2): the branch
 * ends in a BN, per-channel affine in eval mode (y = a z + b), so the block output's fit is the conv's
 * fit to z + (Y1 - Y1') / a, z the original conv output and Y1, Y1' the original and pruned shortcut
 * outputs. Least squares solves each output channel on its own, so this is exactly the fit of the
 * block output (a channel with a = 0 outputs a constant; it gets no correction).
 */
export const correctedTarget = (z: Tensor, y1: Tensor, y1Pruned: Tensor, bn: BatchNorm2d): Tensor =>
  z.add(y1.sub(y1Pruned).mul(inverseScale(bnScale(bn))));

/** Each image's `points` sampled output positions, as row indices into (N*H*W). */
function samplePoints(n: number, h: number, w: number, points: number, rng: Random): Tensor {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) for (let p = 0; p < points; p++) rows.push(i * h * w + rng.int(h * w));
  return tensor(rows, { dtype: "int64" });
}

/**
 * The k x k input patches of `conv` (its stride and zero padding) at sampled output rows:
 * (N, C, H, W) -> (S, C, k*k), the weight's [in, kh, kw] order; `out` is the output map (H', W').
 */
function patches(x: Tensor, rows: Tensor, conv: Conv2d, out: readonly [number, number]): Tensor {
  const c = x.shape[1] as number;
  const { kernelSize: k, stride, padding: p } = conv;
  const padded = p > 0 ? F.pad(x, [p, p, p, p]) : x;
  const [h, w] = out;
  const shifts: Tensor[] = [];
  for (let dy = 0; dy < k; dy++)
    for (let dx = 0; dx < k; dx++) {
      // (N, C, H+2p, W+2p) -> (N, C, H', W') -> (N*H'*W', C) -> (S, C)
      const shifted = padded
        .slice(2, dy, dy + stride * (h - 1) + 1, stride)
        .slice(3, dx, dx + stride * (w - 1) + 1, stride)
        .permute(0, 2, 3, 1)
        .reshape(-1, c);
      shifts.push(shifted.indexSelect(0, rows));
    }
  return stack(shifts, 2);
}

/** A feature map at sampled rows: (N, n, H, W) -> (S, n). */
const atRows = (y: Tensor, rows: Tensor) =>
  y
    .permute(0, 2, 3, 1)
    .reshape(-1, y.shape[1] as number)
    .indexSelect(0, rows);

export const relativeError = (y: Tensor, approx: Tensor): number =>
  y.sub(approx).pow(2).sum().item() / y.pow(2).sum().item();

/** Nonzero coefficients of the LASSO at `alpha`, warm-started from `init`. */
type Selector = (alpha: number) => Float64Array;

/**
 * The official channel selection (lib/decompose.py): alpha from 1e-3 doubles until at most 1.1 c' channels
 * stay, then bisection until the count is in [c', 1.1 c']. The c' largest |beta| of that set are kept,
 * so the widths are exactly the planned ones.
 */
function selectChannels(select: Selector, keepCount: number): { kept: number[]; alpha: number } {
  const upper = Math.floor(1.1 * keepCount);
  // Rounding leaves ~1e-17 on a column identical to a chosen one; such a channel is not kept.
  const count = (b: Float64Array) => {
    const top = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    return b.reduce((s, v) => s + (Math.abs(v) > NEGLIGIBLE * top ? 1 : 0), 0);
  };
  let alpha = 1e-3;
  let lo = 0;
  let beta = select(alpha);
  while (count(beta) > upper && alpha < 1e12) {
    lo = alpha;
    alpha *= 2;
    beta = select(alpha);
  }
  let hi = alpha;
  const inRange = (b: Float64Array) => count(b) >= keepCount && count(b) <= upper;
  for (let i = 0; i < 60 && !inRange(beta); i++) {
    alpha = (lo + hi) / 2;
    beta = select(alpha);
    if (count(beta) > upper) lo = alpha;
    else if (count(beta) < keepCount) hi = alpha;
  }
  // The count can jump over the range (ties); then the last alpha keeping too many is used.
  if (count(beta) < keepCount) {
    alpha = lo;
    beta = select(lo);
  }
  const order = [...beta.keys()].sort((a, b) => Math.abs(beta[b] as number) - Math.abs(beta[a] as number));
  return { kept: order.slice(0, keepCount).sort((a, b) => a - b), alpha };
}

/**
 * Selects `wanted` of `conv`'s input channels by LASSO on sampled points of `input` (the pruned
 * network's input to it, (N, C, H, W)) and reconstructs its weight from them towards `target`
 * ((N, n, H', W'), the conv's output without bias that the original network gives, or a corrected one).
 * The weight is [n, wanted, k, k]; call inside a tidy scope.
 */
export function pruneConvInputs(
  name: string,
  conv: Conv2d,
  input: Tensor,
  target: Tensor,
  wanted: number,
  config: ChannelPruningConfig,
  rng: Random,
): { kept: Tensor; weight: Tensor; report: LayerReport } {
  const w = conv.weight;
  const [outs, ins, k] = w.shape as [number, number, number];
  const [n, , h, wd] = target.shape as [number, number, number, number];
  const rows = samplePoints(n, h, wd, config.points, rng);
  const xs = patches(input, rows, conv, [h, wd]); // (S, C, k*k)
  const y = atRows(target, rows); // (S, n)
  const samples = xs.shape[0] as number;
  // LASSO on the first lassoRows samples: column j = vec(X_j W_j^T), (C, S', k*k) x (C, k*k, n) -> (C, S' * n)
  const fit = Math.min(config.lassoRows, samples);
  const wj = w.reshape(outs, ins, k * k).permute(1, 2, 0);
  const z = xs.narrow(0, 0, fit).permute(1, 0, 2).matmul(wj).reshape(ins, -1);
  const yFit = y.narrow(0, 0, fit).reshape(-1);
  // One scale on both sides (the selection does not change) keeps alpha's range the same for every layer.
  const scale = Math.sqrt(yFit.pow(2).mean().item()) || 1;
  const problem = lassoProblem(z.transpose(0, 1).div(scale), yFit.div(scale));
  let warm: Float64Array | undefined;
  const select: Selector = (alpha) => {
    warm = lasso(problem, { alpha, tol: 1e-6, maxIter: 2000, ...(warm ? { init: warm } : {}) });
    return warm;
  };
  const { kept: channels, alpha } = selectChannels(select, wanted);
  const kept = tensor(channels, { dtype: "int64" });
  // Reconstruction from the kept channels: (S, C', k*k) -> (S, C' * k*k); W' (C' * k*k, n) -> (n, C', k, k)
  const xk = xs.indexSelect(1, kept).reshape(samples, -1);
  const solved = leastSquares(xk, y, RIDGE).to("float32");
  const weight = solved.transpose(0, 1).reshape(outs, wanted, k, k).contiguous();
  const naive = xk.matmul(w.indexSelect(1, kept).reshape(outs, -1).transpose(0, 1));
  const report: LayerReport = {
    layer: name,
    channels: ins,
    kept: wanted,
    alpha,
    removedError: relativeError(y, naive),
    reconstructedError: relativeError(y, xk.matmul(solved)),
  };
  return { kept, weight, report };
}
