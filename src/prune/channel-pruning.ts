// Channel pruning (He, Zhang, Sun, ICCV 2017, Sec. 3; official code yihui-he/channel-pruning
// lib/decompose.py) of a plain-chain VGG, layer by layer in order: sample feature-map points, select
// the input channels of conv i by LASSO (lambda raised until the kept count is in [c', 1.1c']), then
// reconstruct conv i's weights from the kept channels by least squares and drop the matching filters
// (and BN channels) of conv i-1. Targets are the ORIGINAL network's conv outputs; inputs come from the
// network pruned so far, so errors do not accumulate (Sec. 3.2, "accumulated error").
import { type VggArch, vggChannels } from "../arch/families/vgg.js";
import { isFamily } from "../arch/schema.js";
import { F, noGrad, stack, type Tensor, tensor, tidy } from "../engine/index.js";
import { buildModel } from "../models/index.js";
import { BatchNorm2d, Conv2d, type Module } from "../nn/index.js";
import { Random } from "../util/random.js";
import { lasso, lassoProblem } from "./lasso.js";
import { leastSquares } from "./least-squares.js";

/** The reconstruction's relative ridge (src/prune/least-squares.ts), far below any real curvature. */
const RIDGE = 1e-6;

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

/** The conv layers of features with the modules up to the next conv (BN, ReLU, maxpool). */
export interface Stage {
  name: string;
  conv: Conv2d;
  bn: { name: string; module: BatchNorm2d } | null;
  post: Module[];
}

/** The stages of a built VGG, in order (its `features` children grouped from each conv on). */
export function stagesOf(model: Module): Stage[] {
  const features = model.children().find(([n]) => n === "features")?.[1];
  if (!features) throw new Error("channel pruning: the model has no features");
  const stages: Stage[] = [];
  for (const [name, m] of features.children()) {
    const last = stages.at(-1);
    if (m instanceof Conv2d) stages.push({ name: `features.${name}`, conv: m, bn: null, post: [] });
    else if (last) {
      if (m instanceof BatchNorm2d) last.bn = { name: `features.${name}`, module: m };
      last.post.push(m);
    }
  }
  return stages;
}

/** Each image's `points` sampled output positions, as row indices into (N*H*W). */
function samplePoints(n: number, h: number, w: number, points: number, rng: Random): Tensor {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) for (let p = 0; p < points; p++) rows.push(i * h * w + rng.int(h * w));
  return tensor(rows, { dtype: "int64" });
}

/** The 3x3 (pad 1) input patches at sampled rows: (N, C, H, W) -> (S, C, 9), the weight's [in, kh, kw] order. */
function patches(x: Tensor, rows: Tensor): Tensor {
  const [, c, h, w] = x.shape as [number, number, number, number];
  const padded = F.pad(x, [1, 1, 1, 1]);
  const shifts: Tensor[] = [];
  for (let dy = 0; dy < 3; dy++)
    for (let dx = 0; dx < 3; dx++) {
      // (N, C, H, W) -> (N*H*W, C) -> (S, C)
      const shifted = padded.narrow(2, dy, h).narrow(3, dx, w).permute(0, 2, 3, 1).reshape(-1, c);
      shifts.push(shifted.indexSelect(0, rows));
    }
  return stack(shifts, 2);
}

/** A conv output at sampled rows: (N, n, H, W) -> (S, n). */
const atRows = (y: Tensor, rows: Tensor) =>
  y
    .permute(0, 2, 3, 1)
    .reshape(-1, y.shape[1] as number)
    .indexSelect(0, rows);

const relativeError = (y: Tensor, approx: Tensor) =>
  tidy(() => y.sub(approx).pow(2).sum().item() / y.pow(2).sum().item());

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

/** Runs one stage's conv and post modules (eval mode) with the given weights. */
const runStage = (s: Stage, x: Tensor, weight: Tensor) =>
  s.post.reduce((y, m) => m.forward(y), F.conv2d(x, weight, s.conv.bias, { padding: 1 }));

/**
 * Prunes `model` (a VGG with weights, described by `arch`) to the conv widths of `target` on the
 * images `x` [N, C, H, W]; returns the pruned weights (state-dict names of `target`) and one report per
 * pruned layer. `onLayer` hears each report as it is made.
 */
export function pruneChannels(
  arch: VggArch,
  model: Module,
  target: VggArch,
  x: Tensor,
  config: ChannelPruningConfig,
  onLayer: (r: LayerReport) => void = () => {},
): { state: Map<string, Tensor>; reports: LayerReport[] } {
  if (!isFamily(arch, "vgg") || arch.stem !== target.stem || arch.depth !== target.depth)
    throw new Error("channel pruning: a VGG and pruned widths of that same VGG");
  const widths = vggChannels(target);
  const stages = stagesOf(model);
  const rng = new Random(config.seed);
  const reports: LayerReport[] = [];
  const weights: Tensor[] = [];
  const keptInputs: (Tensor | null)[] = [];
  model.eval();
  let original = x;
  let pruned = x;
  noGrad(() => {
    stages.forEach((s, i) => {
      const step = tidy(() => {
        const w = s.conv.weight;
        const wanted = i === 0 ? (w.shape[1] as number) : (widths[i - 1] as number);
        const layer =
          wanted < (w.shape[1] as number) ? pruneInputs(s, w, original, pruned, wanted, config, rng) : null;
        const weight = layer ? layer.weight : w.clone();
        return {
          layer,
          weight,
          original: runStage(s, original, w),
          pruned: runStage(s, layer ? pruned.indexSelect(1, layer.kept) : pruned, weight),
        };
      });
      if (original !== x) original.dispose();
      if (pruned !== x) pruned.dispose();
      ({ original, pruned } = step);
      weights.push(step.weight);
      keptInputs.push(step.layer?.kept ?? null);
      if (step.layer) {
        reports.push(step.layer.report);
        onLayer(step.layer.report);
      }
    });
  });
  if (original !== x) original.dispose();
  if (pruned !== x) pruned.dispose();
  return { state: prunedState(model, stages, weights, keptInputs), reports };
}

/**
 * Selects `wanted` of conv s's input channels by LASSO on sampled points of the pruned network's input
 * and reconstructs its weight from them towards the original network's output.
 */
function pruneInputs(
  s: Stage,
  w: Tensor,
  original: Tensor,
  pruned: Tensor,
  wanted: number,
  config: ChannelPruningConfig,
  rng: Random,
): { kept: Tensor; weight: Tensor; report: LayerReport } {
  const [outs, ins] = w.shape as [number, number];
  const [n, , h, wd] = pruned.shape as [number, number, number, number];
  const rows = samplePoints(n, h, wd, config.points, rng);
  const xs = patches(pruned, rows); // (S, C, 9)
  const y = atRows(F.conv2d(original, w, null, { padding: 1 }), rows); // (S, n), without the bias
  const samples = xs.shape[0] as number;
  // LASSO on the first lassoRows samples: column j = vec(X_j W_j^T), (C, S', 9) x (C, 9, n) -> (C, S' * n)
  const fit = Math.min(config.lassoRows, samples);
  const wj = w.reshape(outs, ins, 9).permute(1, 2, 0);
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
  // Reconstruction from the kept channels: (S, C', 9) -> (S, C' * 9); W' (C' * 9, n) -> (n, C', 3, 3)
  const xk = xs.indexSelect(1, kept).reshape(samples, -1);
  const solved = leastSquares(xk, y, RIDGE).to("float32");
  const weight = solved.transpose(0, 1).reshape(outs, wanted, 3, 3).contiguous();
  const naive = xk.matmul(w.indexSelect(1, kept).reshape(outs, -1).transpose(0, 1));
  const report: LayerReport = {
    layer: s.name,
    channels: ins,
    kept: wanted,
    alpha,
    removedError: relativeError(y, naive),
    reconstructedError: relativeError(y, xk.matmul(solved)),
  };
  return { kept, weight, report };
}

/**
 * The pruned state dict: conv i gets `weights[i]` (its input channels already cut), its filters, bias
 * and BN channels cut to `keptInputs[i + 1]` (the kept inputs of conv i+1). Takes over `weights` and `keptInputs`.
 */
export function prunedState(
  model: Module,
  stages: Stage[],
  weights: Tensor[],
  keptInputs: (Tensor | null)[],
): Map<string, Tensor> {
  const state = new Map([...model.stateDict()].map(([k, t]) => [k, t.clone()] as const));
  const put = (key: string, t: Tensor) => {
    state.get(key)?.dispose();
    state.set(key, t);
  };
  stages.forEach((s, i) => {
    const outputs = keptInputs[i + 1] ?? null;
    const cut = (t: Tensor) => (outputs ? t.indexSelect(0, outputs) : t.clone());
    put(`${s.name}.weight`, cut(weights[i] as Tensor));
    if (s.conv.bias) put(`${s.name}.bias`, cut(s.conv.bias));
    if (s.bn)
      for (const p of ["weight", "bias", "running_mean", "running_var"]) {
        const key = `${s.bn.name}.${p}`;
        const t = state.get(key);
        if (t) put(key, cut(t));
      }
  });
  for (const w of weights) w.dispose();
  for (const k of keptInputs) k?.dispose();
  return state;
}

/** Whether the pruned state loads into a fresh network of `target` (names and shapes). */
export function checkPrunedState(target: VggArch, state: Map<string, Tensor>): void {
  const net = buildModel(target);
  net.loadStateDict(state);
  for (const t of net.stateDict().values()) t.dispose();
}
