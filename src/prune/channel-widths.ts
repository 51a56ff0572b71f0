// The per-layer widths channel pruning aims at. Each stage s (VGG: conv1_x .. conv5_x; ResNet:
// layer1 .. layer4) keeps ratio r_s = min(1, k * p_s) of its prunable channels (max(1, round(c * r_s))),
// where p is a per-stage profile (uniform by default, or given by the user) and k the largest factor
// whose network meets a FLOPs target (the original's FLOPs / speedup; He et al. ICCV 2017 report
// speed-ups as FLOPs ratios). FLOPs grow with k, so k is found by bisection on the counter.
// Prunable: every VGG conv but the last (the classifier reads it); in a ResNet BasicBlock the inner
// width (conv1's outputs = conv2's inputs) and the block-input channels conv1 samples (Sec. 3.3), the
// residual stream (stem and stage outputs) never.
import { countArch } from "../arch/count.js";
import {
  isBottleneck,
  RESNET_STAGES,
  type ResNetArch,
  resnetBlocks,
  resnetChannels,
} from "../arch/families/resnet.js";
import { VGG_STAGES, type VggArch, vggChannels, vggStages } from "../arch/families/vgg.js";
import { type Arch, isFamily, validateArch } from "../arch/schema.js";
import { option, optionError } from "../util/option-error.js";

/** The families channel pruning handles. */
export type PrunableArch = VggArch | ResNetArch;

/** Bisection steps: 2^-40 is far below one channel of any layer. */
const STEPS = 40;

const keep = (c: number, r: number) => Math.max(1, Math.round(c * r));

/** The description if channel pruning can prune it, else an OptionError naming `field`. */
export function prunable(arch: Arch, field: string): PrunableArch {
  if (isFamily(arch, "vgg")) return arch;
  if (isFamily(arch, "resnet")) {
    if (isBottleneck(arch))
      throw optionError`${option(field)}: channel pruning prunes ResNet BasicBlocks (resnet18, resnet34), not the Bottlenecks of ResNet-${arch.depth}`;
    if (arch.channels?.inputs)
      throw optionError`${option(field)}: this ResNet's blocks already sample their inputs; prune the unpruned network`;
    return arch;
  }
  throw optionError`${option(field)}: channel pruning prunes the vgg and resnet families, not ${arch.family}`;
}

/** Stages a per-stage profile has for `arch`. */
export const stageCount = (arch: PrunableArch): number =>
  isFamily(arch, "vgg") ? VGG_STAGES : RESNET_STAGES;

/** The description with stage s's prunable layers at keep ratio `ratios[s]`. */
export function atRatios(arch: PrunableArch, ratios: readonly number[]): PrunableArch {
  if (isFamily(arch, "vgg")) {
    const widths = vggChannels(arch);
    const stages = vggStages(arch.depth);
    const channels = widths.map((c, i) =>
      i === widths.length - 1 ? c : keep(c, ratios[stages[i] as number] as number),
    );
    return validateArch({ ...arch, channels }) as VggArch;
  }
  const ch = resnetChannels(arch);
  const blocks = resnetBlocks(arch);
  const mid = ch.mid.map((c, b) => keep(c, ratios[(blocks[b] as { stage: number }).stage] as number));
  // The sampled channels' count fixes the FLOPs; which ones the LASSO decides (first ones as placeholders).
  const inputs = blocks.map(({ stage, inp }) => {
    const n = keep(inp, ratios[stage] as number);
    return n < inp ? Array.from({ length: n }, (_, i) => i) : null;
  });
  const channels = { ...ch, mid, ...(inputs.some((l) => l) ? { inputs } : {}) };
  return validateArch({ ...arch, channels }) as ResNetArch;
}

/**
 * The pruned description meeting `maxFlops` with the stage profile `profile` (all 1 by default), or
 * an OptionError when one channel per prunable layer cannot (named `field`).
 */
export function widthsFor(
  arch: PrunableArch,
  maxFlops: number,
  field: string,
  profile: readonly number[] = Array<number>(stageCount(arch)).fill(1),
): PrunableArch {
  if (profile.length !== stageCount(arch) || profile.some((p) => !(p > 0 && p <= 1)))
    throw optionError`${option("stageRatios")} needs ${stageCount(arch)} ratios in (0, 1] for ${arch.family}, got ${profile.join(",")}`;
  const at = (k: number) =>
    atRatios(
      arch,
      profile.map((p) => Math.min(1, k * p)),
    );
  const fits = (k: number) => countArch(at(k)).flops <= maxFlops;
  if (!fits(0))
    throw optionError`${option(field)}: even one channel per prunable layer needs ${countArch(at(0)).flops} FLOPs, above the target ${Math.floor(maxFlops)}`;
  let lo = 0;
  let hi = 1 / Math.min(...profile);
  for (let i = 0; i < STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return at(lo);
}
