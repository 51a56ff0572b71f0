// The per-layer widths channel pruning aims at: one keep ratio r for every prunable conv (each keeps
// max(1, round(c * r)) of its c outputs; the last conv, which the classifier reads, stays whole), the
// largest r whose network meets a FLOPs target (the original's FLOPs / speedup, He et al. ICCV 2017
// report speed-ups as FLOPs ratios). FLOPs grow with r, so r is found by bisection on the counter.
import { countArch } from "../arch/count.js";
import { type VggArch, vggChannels } from "../arch/families/vgg.js";
import { validateArch } from "../arch/schema.js";
import { option, optionError } from "../util/option-error.js";

/** Bisection steps: 2^-40 is far below one channel of any layer. */
const STEPS = 40;

/** The description with every prunable conv at ratio r of its width. */
export function vggAtRatio(arch: VggArch, r: number): VggArch {
  const widths = vggChannels(arch);
  const channels = widths.map((c, i) => (i === widths.length - 1 ? c : Math.max(1, Math.round(c * r))));
  return validateArch({ ...arch, channels }) as VggArch;
}

/** The pruned description meeting `maxFlops`, or an OptionError when one channel per layer cannot. */
export function vggWidthsFor(arch: VggArch, maxFlops: number, field: string): VggArch {
  const fits = (r: number) => countArch(vggAtRatio(arch, r)).flops <= maxFlops;
  if (!fits(0))
    throw optionError`${option(field)}: even one channel per prunable layer needs ${countArch(vggAtRatio(arch, 0)).flops} FLOPs, above the target ${Math.floor(maxFlops)}`;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return vggAtRatio(arch, lo);
}
