// The L1-norm filter pruning baseline (Li, Kadav, Durdanovic, Samet, Graf, "Pruning Filters for
// Efficient ConvNets", ICLR 2017, Sec. 3.1-3.2) at given per-layer widths: each conv keeps its
// filters with the largest sum of absolute weights, ranked on the original weights of each layer
// alone ("independent pruning"), the next conv loses the matching input channels, nothing is
// reconstructed (the paper fine-tunes afterwards). `lithe prune l1 --like DIR/best.json` uses the
// widths channel pruning chose, so the two compare at equal FLOPs.
import { type VggArch, vggChannels } from "../arch/families/vgg.js";
import { isFamily, validateArch } from "../arch/schema.js";
import { noGrad, saveSafetensors, type Tensor, tensor, tidy } from "../engine/index.js";
import type { Module } from "../nn/index.js";
import { archOfRun, loadModel } from "../train/setup.js";
import { readBytes } from "../util/files.js";
import { option, optionError } from "../util/option-error.js";
import { RunDir } from "../util/run-dir.js";
import { checkPrunedState, prunedState, stagesOf } from "./channel-pruning.js";

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
      const norms = w.abs().sum([1, 2, 3]);
      const top = norms.topk(widths[i] as number, 0, true, false).indices.toList();
      return tensor(
        top.sort((a, b) => a - b),
        { dtype: "int64" },
      );
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

export interface L1PruningOptions {
  /** Trained weights; their run.json or metadata names the architecture. */
  weights: string;
  /** A pruned description (e.g. `lithe prune channels`' best.json) whose widths to prune to. */
  like: string;
  out: string;
}

/** `lithe prune l1`: writes DIR/best.json (the --like widths) and DIR/model.safetensors. */
export function runL1Pruning(o: L1PruningOptions): { arch: VggArch } {
  const arch = archOfRun(o.weights);
  if (!isFamily(arch, "vgg"))
    throw optionError`${option("weights")}: L1 filter pruning here prunes the vgg family, not ${arch.family}`;
  let target: VggArch;
  try {
    target = validateArch(JSON.parse(readBytes(o.like).toString("utf8"))) as VggArch;
  } catch (error) {
    throw optionError`${option("like")} ${o.like}: ${(error as Error).message}`;
  }
  const same = (["family", "depth", "bn", "stem", "inputSize", "inChannels", "classes"] as const).every(
    (k) => (target as Record<string, unknown>)[k] === (arch as Record<string, unknown>)[k],
  );
  const original = vggChannels(arch);
  if (!same || vggChannels(target).some((c, i) => c > (original[i] as number)))
    throw optionError`${option("like")} ${o.like} is not the network of ${option("weights")} with no wider layers`;
  const model = loadModel(arch, o.weights);
  const state = l1PrunedState(arch, model, target);
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
