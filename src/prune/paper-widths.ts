// `--widths paper`: per-layer widths after He, Zhang, Sun (ICCV 2017) Sec. 4.1. The paper sets VGG-16's
// per-layer speed-ups by hand from its single-layer analysis (Sec. 4.1.1, Fig. 3: each layer pruned
// alone, its error measured at several speed-ups), pruning the sensitive layers and the first layers
// less (Sec. 4.1.2); the official per-layer table is not reproduced here. This automates that rule:
// 1. single-layer analysis: each prunable layer (src/prune/channel-widths.ts, prunableStages) is pruned
//    alone to each keep ratio of PROBE_RATIOS by the family's driver (LASSO + least squares) and its
//    relative reconstruction error recorded (a ResNet block's: the larger of conv1's and conv2's);
// 2. one error level e for every layer: each keeps the fewest channels whose single-layer error
//    (piecewise linear in the keep ratio through (0, 1), the probes and (1, 0), made non-increasing)
//    is at most e, so a sensitive layer stays wider; e is the smallest that meets the FLOPs target;
// 3. the first stage's layers keep at least the uniform rule's ratio (stageScale with a flat profile),
//    which alone meets the target, so a solution always exists.
import { countArch } from "../arch/count.js";
import type { Tensor } from "../engine/index.js";
import type { Module } from "../nn/index.js";
import { pruneWith } from "./channel-driver.js";
import type { ChannelPruningConfig } from "./channel-layer.js";
import {
  atLayerRatios,
  largestFitting,
  type PrunableArch,
  prunableStages,
  stageScale,
} from "./channel-widths.js";

/** Keep ratios of the single-layer analysis (the paper's Fig. 3 probes 2x-4x speed-ups of one layer). */
export const PROBE_RATIOS: readonly number[] = [0.25, 0.5, 0.75];

/** Single-layer errors of every prunable layer at PROBE_RATIOS: [layer][probe]. */
export function sensitivities(
  arch: PrunableArch,
  model: Module,
  x: Tensor,
  config: ChannelPruningConfig,
): number[][] {
  const layers = prunableStages(arch).length;
  return Array.from({ length: layers }, (_, i) =>
    PROBE_RATIOS.map((r) => {
      const ratios = Array<number>(layers).fill(1);
      ratios[i] = r;
      const { state, reports } = pruneWith(arch, model, atLayerRatios(arch, ratios), x, config);
      for (const t of state.values()) t.dispose();
      return Math.max(0, ...reports.map((l) => l.reconstructedError));
    }),
  );
}

/** A layer's single-layer error curve: at keep ratios 0, PROBE_RATIOS, 1, made non-increasing. */
function curve(errors: readonly number[]): number[] {
  const ys = [1, ...errors, 0];
  // A wider layer is never counted worse than a narrower one.
  for (let j = ys.length - 2; j >= 0; j--) ys[j] = Math.max(ys[j] as number, ys[j + 1] as number);
  return ys;
}

/** The smallest keep ratio whose interpolated error on `ys` (curve's) is at most `level`. */
function ratioAt(ys: readonly number[], level: number): number {
  const xs = [0, ...PROBE_RATIOS, 1];
  const j = ys.findIndex((y) => y <= level);
  if (j <= 0) return 0;
  const [x0, x1] = [xs[j - 1] as number, xs[j] as number];
  const [y0, y1] = [ys[j - 1] as number, ys[j] as number];
  return x0 + ((x1 - x0) * (y0 - level)) / (y0 - y1);
}

/**
 * The per-layer widths of the rule above for `maxFlops`, from the single-layer `errors`
 * (sensitivities' layout), or an OptionError naming `field` when one channel per layer cannot meet it.
 */
export function paperWidths(
  arch: PrunableArch,
  maxFlops: number,
  field: string,
  errors: readonly (readonly number[])[],
): PrunableArch {
  const stages = prunableStages(arch);
  if (errors.length !== stages.length || errors.some((e) => e.length !== PROBE_RATIOS.length))
    throw new Error(`paper widths: ${stages.length} layers x ${PROBE_RATIOS.length} probes of errors`);
  const uniform = Math.min(1, stageScale(arch, maxFlops, field));
  const curves = errors.map(curve);
  const top = Math.max(...curves.map((ys) => ys[0] as number));
  const at = (level: number) =>
    atLayerRatios(
      arch,
      stages.map((s, i) => {
        const r = ratioAt(curves[i] as number[], level);
        return s === 0 ? Math.max(uniform, r) : r;
      }),
    );
  // FLOPs fall as the level rises; at the top level every layer but the first stage's keeps one
  // channel, within the uniform rule's FLOPs. Searched as t = 1 - level / top, largest fitting.
  const t = largestFitting((t) => countArch(at(top * (1 - t))).flops <= maxFlops, 1);
  return at(top * (1 - t));
}
