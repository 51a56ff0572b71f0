// The per-layer widths channel pruning aims at. Each stage s (VGG: conv1_x .. conv5_x; ResNet:
// layer1 .. layer4) keeps ratio r_s = min(1, k * p_s) of its prunable channels (max(1, round(c * r_s))),
// where p is a per-stage profile (uniform by default, or given by the user) and k the largest factor
// whose network meets a FLOPs target (the original's FLOPs / speedup; He et al. ICCV 2017 report
// speed-ups as FLOPs ratios). FLOPs grow with k, so k is found by bisection on the counter.
// Prunable: every VGG conv but the last (the classifier reads it); in a ResNet BasicBlock the inner
// width (conv1's outputs = conv2's inputs) and the block-input channels conv1 samples (Sec. 3.3), the
// residual stream (stem and stage outputs) never; in a MobileNetV2 inverted residual its expansion
// width (the expansion conv's outputs = the depthwise channels = the projection's inputs), the
// residual stream (stem and stage outputs) and features.18 never. MobileNetV2's stage profile has one
// ratio per expanding stage (Table 2's rows t = 6, features.2 .. features.17).
// Also here: per-layer ratios (atLayerRatios, which --widths paper sets, src/prune/paper-widths.ts) and
// the uniform-width net (every width, residual stream included, times one factor) the bench trains.
import { countArch } from "../arch/count.js";
import {
  MOBILENET_V2_STAGES,
  type MobileNetV2Arch,
  mobilenetV2Channels,
  mobilenetV2Units,
} from "../arch/families/mobilenet-v2.js";
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
export type PrunableArch = VggArch | ResNetArch | MobileNetV2Arch;

/** The per-layer widths rules of `lithe prune channels --widths`: these stage ratios, or src/prune/paper-widths.ts. */
export const WIDTHS_RULES = ["stages", "paper"] as const;
export type WidthsRule = (typeof WIDTHS_RULES)[number];

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
  if (isFamily(arch, "mobilenet_v2")) {
    // Pruned widths are explicit channels, whose residual rule differs from width_mult's below 0.28.
    const explicit = validateArch({ ...arch, channels: mobilenetV2Channels(arch) }) as MobileNetV2Arch;
    const [now, then] = [mobilenetV2Units(arch), mobilenetV2Units(explicit)];
    if (now.some((u, i) => u.residual !== then[i]?.residual))
      throw optionError`${option(field)}: at width ${arch.width} this MobileNetV2 adds a residual its pruned widths (explicit channels) would not; train it with explicit channels`;
    return arch;
  }
  throw optionError`${option(field)}: channel pruning prunes the vgg, resnet and mobilenet_v2 families, not ${arch.family}`;
}

/** Stages a per-stage profile has for `arch`. */
export const stageCount = (arch: PrunableArch): number =>
  isFamily(arch, "vgg") ? VGG_STAGES : isFamily(arch, "resnet") ? RESNET_STAGES : MOBILENET_V2_STAGES - 1;

/**
 * The stage of each prunable layer of `arch`, in order: VGG's convs but the last, ResNet's blocks (inner
 * width and sampled inputs together), MobileNetV2's expanding blocks.
 */
export function prunableStages(arch: PrunableArch): number[] {
  if (isFamily(arch, "vgg")) return vggStages(arch.depth).slice(0, -1);
  if (isFamily(arch, "mobilenet_v2"))
    return mobilenetV2Units(arch)
      .filter((u) => u.hidden !== null)
      .map((u) => u.stage - 1);
  return resnetBlocks(arch as ResNetArch).map((b) => b.stage);
}

/** The description with prunable layer i (prunableStages' order) at keep ratio `ratios[i]`. */
export function atLayerRatios(arch: PrunableArch, ratios: readonly number[]): PrunableArch {
  const r = (i: number) => ratios[i] as number;
  if (isFamily(arch, "vgg")) {
    const widths = vggChannels(arch);
    const channels = widths.map((c, i) => (i === widths.length - 1 ? c : keep(c, r(i))));
    return validateArch({ ...arch, channels }) as VggArch;
  }
  if (isFamily(arch, "mobilenet_v2")) {
    const ch = mobilenetV2Channels(arch);
    const hidden = ch.hidden.map((c, i) => keep(c, r(i)));
    return validateArch({ ...arch, channels: { ...ch, hidden } }) as MobileNetV2Arch;
  }
  const ch = resnetChannels(arch as ResNetArch);
  const mid = ch.mid.map((c, b) => keep(c, r(b)));
  // The sampled channels' count fixes the FLOPs; which ones the LASSO decides (first ones as placeholders).
  const inputs = resnetBlocks(arch as ResNetArch).map(({ inp }, b) => {
    const n = keep(inp, r(b));
    return n < inp ? Array.from({ length: n }, (_, i) => i) : null;
  });
  const channels = { ...ch, mid, ...(inputs.some((l) => l) ? { inputs } : {}) };
  return validateArch({ ...arch, channels }) as ResNetArch;
}

/** The description with stage s's prunable layers at keep ratio `ratios[s]`. */
export const atRatios = (arch: PrunableArch, ratios: readonly number[]): PrunableArch =>
  atLayerRatios(
    arch,
    prunableStages(arch).map((s) => ratios[s] as number),
  );

/** The largest x in [0, hi] (to 2^-40 of it) with fits(x), for fits true at 0 and false from some point on. */
export function largestFitting(fits: (x: number) => boolean, hi: number): number {
  if (fits(hi)) return hi;
  let lo = 0;
  for (let i = 0; i < STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Stage keep ratios min(1, k * p_s) of the profile p. */
const scaled = (profile: readonly number[], k: number) => profile.map((p) => Math.min(1, k * p));

/**
 * The largest k whose stage ratios min(1, k * p_s) meet `maxFlops` with the stage profile `profile`
 * (all 1 by default), or an OptionError when one channel per prunable layer cannot (named `field`).
 */
export function stageScale(
  arch: PrunableArch,
  maxFlops: number,
  field: string,
  profile: readonly number[] = Array<number>(stageCount(arch)).fill(1),
): number {
  if (profile.length !== stageCount(arch) || profile.some((p) => !(p > 0 && p <= 1)))
    throw optionError`${option("stageRatios")} needs ${stageCount(arch)} ratios in (0, 1] for ${arch.family}, got ${profile.join(",")}`;
  const flops = (k: number) => countArch(atRatios(arch, scaled(profile, k))).flops;
  if (flops(0) > maxFlops)
    throw optionError`${option(field)}: even one channel per prunable layer needs ${flops(0)} FLOPs, above the target ${Math.floor(maxFlops)}`;
  return largestFitting((k) => flops(k) <= maxFlops, 1 / Math.min(...profile));
}

/** The pruned description of stageScale's k: the widest one of that stage profile meeting `maxFlops`. */
export function widthsFor(
  arch: PrunableArch,
  maxFlops: number,
  field: string,
  profile: readonly number[] = Array<number>(stageCount(arch)).fill(1),
): PrunableArch {
  return atRatios(arch, scaled(profile, stageScale(arch, maxFlops, field, profile)));
}

/** Every channel count of `arch` times `s` (at least 1): the residual stream and the last layers too. */
function scaledWidths(arch: PrunableArch, s: number): PrunableArch {
  const k = (c: number) => keep(c, s);
  if (isFamily(arch, "vgg")) return validateArch({ ...arch, channels: vggChannels(arch).map(k) }) as VggArch;
  if (isFamily(arch, "mobilenet_v2")) {
    const ch = mobilenetV2Channels(arch);
    const channels = {
      stem: k(ch.stem),
      stages: ch.stages.map(k),
      hidden: ch.hidden.map(k),
      last: k(ch.last),
    };
    return validateArch({ ...arch, channels }) as MobileNetV2Arch;
  }
  const ch = resnetChannels(arch as ResNetArch);
  const channels = { stem: k(ch.stem), stages: ch.stages.map(k), mid: ch.mid.map(k) };
  return validateArch({ ...arch, channels }) as ResNetArch;
}

/**
 * The uniform-width net at `maxFlops` (Liu et al., ICLR 2019, "Rethinking the Value of Network
 * Pruning": the whole network narrowed by one factor and trained from scratch): every channel count
 * of `arch` times the largest s in (0, 1] meeting the target, or an OptionError naming `field`.
 */
export function uniformWidths(arch: PrunableArch, maxFlops: number, field: string): PrunableArch {
  const flops = (s: number) => countArch(scaledWidths(arch, s)).flops;
  if (flops(0) > maxFlops)
    throw optionError`${option(field)}: even one channel per layer needs ${flops(0)} FLOPs, above the target ${Math.floor(maxFlops)}`;
  return scaledWidths(
    arch,
    largestFitting((s) => flops(s) <= maxFlops, 1),
  );
}
