// Channel pruning (He, Zhang, Sun, ICCV 2017, Sec. 3; official code yihui-he/channel-pruning
// lib/decompose.py) of a plain-chain VGG, layer by layer in order: select the input channels of conv i
// by LASSO and reconstruct its weights by least squares (src/prune/channel-layer.ts), then drop the matching filters
// (and BN channels) of conv i-1. Targets are the ORIGINAL network's conv outputs; inputs come from the
// network pruned so far, so errors do not accumulate (Sec. 3.2, "accumulated error").
import { type VggArch, vggChannels } from "../arch/families/vgg.js";
import { type Arch, isFamily } from "../arch/schema.js";
import { F, noGrad, type Tensor, tidy } from "../engine/index.js";
import { buildModel } from "../models/index.js";
import { BatchNorm2d, Conv2d, type Module } from "../nn/index.js";
import { Random } from "../util/random.js";
import { type ChannelPruningConfig, type LayerReport, pruneConvInputs } from "./channel-layer.js";

export type { ChannelPruningConfig, LayerReport };

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
          wanted < (w.shape[1] as number)
            ? pruneConvInputs(
                s.name,
                s.conv,
                pruned,
                F.conv2d(original, w, null, { padding: 1 }),
                wanted,
                config,
                rng,
              )
            : null;
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
export function checkPrunedState(target: Arch, state: Map<string, Tensor>): void {
  const net = buildModel(target);
  net.loadStateDict(state);
  for (const t of net.stateDict().values()) t.dispose();
}
