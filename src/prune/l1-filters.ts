// The L1-norm filter pruning baseline (Li, Kadav, Durdanovic, Samet, Graf, "Pruning Filters for
// Efficient ConvNets", ICLR 2017, Sec. 3.1-3.2) at given per-layer widths: each conv keeps its
// filters with the largest sum of absolute weights, ranked on the original weights of each layer
// alone ("independent pruning"), the next conv loses the matching input channels, nothing is
// reconstructed (the paper fine-tunes afterwards). `lithe prune l1 --like DIR/best.json` uses the
// widths channel pruning chose, so the two compare at equal FLOPs. In a ResNet (Li et al. Sec. 4.2 prune
// a block's first conv only, the residual stream whole) conv1 keeps its filters of largest L1 norm and
// conv2 loses the matching inputs; where the --like net's conv1 samples its block input, the block-input
// channels kept are those of largest sum |w| in conv1's weight (lithe's extension, for equal widths).
// In a MobileNetV2 inverted residual the hidden channels kept are the expansion conv's filters of
// largest L1 norm, cut from the depthwise conv and the projection's inputs too.
import {
  type MobileNetV2Arch,
  mobilenetV2Channels,
  mobilenetV2Units,
} from "../arch/families/mobilenet-v2.js";
import { type ResNetArch, resnetBlocks, resnetChannels } from "../arch/families/resnet.js";
import { type VggArch, vggChannels } from "../arch/families/vgg.js";
import { isFamily, validateArch } from "../arch/schema.js";
import { keep, noGrad, saveSafetensors, type Tensor, tensor, tidy } from "../engine/index.js";
import type { Conv2d, Module } from "../nn/index.js";
import { archOfRun, loadModel } from "../train/setup.js";
import { readBytes } from "../util/files.js";
import { option, optionError } from "../util/option-error.js";
import { RunDir } from "../util/run-dir.js";
import { cutHidden } from "./channel-mobilenet.js";
import { checkPrunedState, prunedState, stagesOf } from "./channel-pruning.js";
import { type PrunableArch, prunable } from "./channel-widths.js";

/** The pruned state dict of `model` (of `arch`) at the widths of `target`, by filter L1 norms. */
export function l1PrunedState(arch: VggArch, model: Module, target: VggArch): Map<string, Tensor> {
  if (arch.depth !== target.depth) throw new Error("L1 pruning: widths of another VGG");
  const widths = vggChannels(target);
  const stages = stagesOf(model);
  const kept = stages.map((s, i) =>
    tidy(() => {
      const w = s.conv.weight;
      const outs = w.shape[0] as number;
      if ((widths[i] as number) >= outs) return null;
      // (n, C, k, k) -> (n): each filter's sum of |w|
      return topIndices(w.abs().sum([1, 2, 3]), widths[i] as number);
    }),
  );
  const weights = noGrad(() =>
    stages.map((s, i) => {
      const inputs = i > 0 ? kept[i - 1] : null;
      return inputs ? s.conv.weight.indexSelect(1, inputs) : s.conv.weight.clone();
    }),
  );
  return prunedState(model, stages, weights, [null, ...kept.slice(0, -1)]);
}

/** The `count` indices of the largest entries of `scores` (1-D), ascending, as int64. */
function topIndices(scores: Tensor, count: number): Tensor {
  const top = scores.topk(count, 0, true, false).indices.toList();
  return tensor(
    top.sort((a, b) => a - b),
    { dtype: "int64" },
  );
}

/** The L1 pruned description and state of a BasicBlock ResNet at the widths of `target`. */
export function l1PrunedResNet(
  arch: ResNetArch,
  model: Module,
  target: ResNetArch,
): { arch: ResNetArch; state: Map<string, Tensor> } {
  const want = resnetChannels(target);
  const blocks = resnetBlocks(arch);
  const modules = new Map(model.namedModules());
  const names = model
    .children()
    .filter(([n]) => n.startsWith("layer"))
    .flatMap(([n, layer]) => layer.children().map(([i]) => `${n}.${i}`));
  const state = new Map([...model.stateDict()].map(([k, t]) => [k, t.clone()] as const));
  // Entries made inside the per-block scope below outlive it.
  const put = (key: string, t: Tensor) => {
    state.get(key)?.dispose();
    state.set(key, keep(t));
  };
  const inputs = names.map((name, b) =>
    noGrad(() =>
      tidy(() => {
        const w1 = (modules.get(`${name}.conv1`) as Conv2d).weight;
        const w2 = (modules.get(`${name}.conv2`) as Conv2d).weight;
        // (n, C, k, k) -> (n): each filter's sum of |w|; -> (C): each input channel's
        const mid = topIndices(w1.abs().sum([1, 2, 3]), want.mid[b] as number);
        const reads = want.inputs?.[b]?.length ?? (blocks[b] as { inp: number }).inp;
        const picked =
          reads < (blocks[b] as { inp: number }).inp ? topIndices(w1.abs().sum([0, 2, 3]), reads) : null;
        const w1Kept = w1.indexSelect(0, mid);
        put(`${name}.conv1.weight`, picked ? w1Kept.indexSelect(1, picked) : w1Kept.clone());
        for (const p of ["weight", "bias", "running_mean", "running_var"]) {
          const key = `${name}.bn1.${p}`;
          const t = state.get(key);
          if (t) put(key, t.indexSelect(0, mid));
        }
        put(`${name}.conv2.weight`, w2.indexSelect(1, mid));
        return picked ? picked.toList() : null;
      }),
    ),
  );
  const widths = { stem: want.stem, stages: want.stages, mid: want.mid };
  const channels = inputs.some((l) => l) ? { ...widths, inputs } : widths;
  return { arch: validateArch({ ...target, channels }) as ResNetArch, state };
}

/** The L1 pruned state of a MobileNetV2 at the expansion widths of `target`. */
export function l1PrunedMobileNetV2(model: Module, target: MobileNetV2Arch): Map<string, Tensor> {
  const want = mobilenetV2Channels(target).hidden;
  const modules = new Map(model.namedModules());
  const state = new Map([...model.stateDict()].map(([k, t]) => [k, t.clone()] as const));
  let expanded = 0;
  mobilenetV2Units(target).forEach((u, b) => {
    if (u.hidden === null) return;
    const name = `features.${b + 1}`;
    const wanted = want[expanded++] as number;
    const expand = (modules.get(`${name}.conv.0.0`) as Conv2d).weight;
    if (wanted >= (expand.shape[0] as number)) return;
    noGrad(() => {
      // (hidden, inp, 1, 1) -> (hidden): each expansion filter's sum of |w|
      const kept = tidy(() => topIndices(expand.abs().sum([1, 2, 3]), wanted));
      const project = (modules.get(`${name}.conv.2`) as Conv2d).weight.indexSelect(1, kept);
      cutHidden(state, name, kept, project);
      kept.dispose();
    });
  });
  return state;
}

export interface L1PruningOptions {
  /** Trained weights; their run.json or metadata names the architecture. */
  weights: string;
  /** A pruned description (e.g. `lithe prune channels`' best.json) whose widths to prune to. */
  like: string;
  out: string;
}

/** Whether `target` is `arch` with no wider prunable layer (and, for a ResNet, the same residual stream). */
function narrower(arch: PrunableArch, target: PrunableArch): boolean {
  const same = (["family", "depth", "bn", "stem", "inputSize", "inChannels", "classes"] as const).every(
    (k) => (target as Record<string, unknown>)[k] === (arch as Record<string, unknown>)[k],
  );
  if (!same) return false;
  if (isFamily(arch, "vgg")) {
    const original = vggChannels(arch);
    return vggChannels(target as VggArch).every((c, i) => c <= (original[i] as number));
  }
  if (isFamily(arch, "mobilenet_v2")) {
    const [a, t] = [mobilenetV2Channels(arch), mobilenetV2Channels(target as MobileNetV2Arch)];
    const units = mobilenetV2Units(target as MobileNetV2Arch);
    return (
      a.stem === t.stem &&
      a.last === t.last &&
      a.stages.every((c, i) => c === t.stages[i]) &&
      t.hidden.every((c, i) => c <= (a.hidden[i] as number)) &&
      mobilenetV2Units(arch).every((u, i) => u.residual === units[i]?.residual)
    );
  }
  const [a, t] = [resnetChannels(arch as ResNetArch), resnetChannels(target as ResNetArch)];
  const blocks = resnetBlocks(arch as ResNetArch);
  return (
    a.stem === t.stem &&
    a.stages.every((c, i) => c === t.stages[i]) &&
    t.mid.every((c, i) => c <= (a.mid[i] as number)) &&
    (t.inputs ?? []).every((l, b) => !l || l.length <= (blocks[b] as { inp: number }).inp)
  );
}

/** `lithe prune l1`: writes DIR/best.json (the --like widths) and DIR/model.safetensors. */
export function runL1Pruning(o: L1PruningOptions): { arch: PrunableArch } {
  const arch = prunable(archOfRun(o.weights), "weights");
  let like: PrunableArch;
  try {
    like = validateArch(JSON.parse(readBytes(o.like).toString("utf8"))) as PrunableArch;
  } catch (error) {
    throw optionError`${option("like")} ${o.like}: ${(error as Error).message}`;
  }
  if (!narrower(arch, like))
    throw optionError`${option("like")} ${o.like} is not the network of ${option("weights")} with no wider layers`;
  const model = loadModel(arch, o.weights);
  const { arch: target, state } = isFamily(arch, "vgg")
    ? { arch: like, state: l1PrunedState(arch, model, like as VggArch) }
    : isFamily(arch, "mobilenet_v2")
      ? { arch: like, state: l1PrunedMobileNetV2(model, like as MobileNetV2Arch) }
      : l1PrunedResNet(arch as ResNetArch, model, like as ResNetArch);
  try {
    checkPrunedState(target, state);
    const dir = RunDir.open({ out: o.out }, "best.json", "a pruned network");
    saveSafetensors(dir.path("model.safetensors"), state, { arch: JSON.stringify(target) });
    dir.writeJson("best.json", target);
  } finally {
    for (const t of state.values()) t.dispose();
  }
  return { arch: target };
}
