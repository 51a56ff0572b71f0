// `lithe prune channels` as a library call: load a trained VGG, ResNet or MobileNetV2 and its data, plan the widths
// for a speed-up or FLOPs target (src/prune/channel-widths.ts; --widths paper: paper-widths.ts), prune and reconstruct layer by layer
// (src/prune/channel-pruning.ts, channel-resnet.ts, channel-mobilenet.ts) and write DIR/best.json (the pruned description), DIR/model.safetensors
// (its weights, which `lithe eval` and `lithe train --init` read) and DIR/layers.jsonl (per-layer errors).
// Everything is checked before anything is written; each file is written atomically.
import { countArch } from "../arch/count.js";
import { saveSafetensors, type Tensor, tensor, withNumThreads } from "../engine/index.js";
import type { DataOptions } from "../train/options.js";
import { openTrainedModel } from "../train/run.js";
import { makeLoader } from "../train/setup.js";
import { option, optionError } from "../util/option-error.js";
import { RunDir } from "../util/run-dir.js";
import { pruneWith } from "./channel-driver.js";
import type { ChannelPruningConfig, LayerReport } from "./channel-layer.js";
import { checkPrunedState } from "./channel-pruning.js";
import { type PrunableArch, prunable, type WidthsRule, widthsFor } from "./channel-widths.js";
import { PROBE_RATIOS, paperWidths, sensitivities } from "./paper-widths.js";

export interface ChannelPruningOptions {
  /** A trained model's weights (its run.json or metadata names the architecture unless `model` does). */
  weights: string;
  model?: string;
  data: DataOptions;
  /** FLOPs ratio original / pruned (> 1); or `flops`, the pruned network's FLOPs. */
  speedup?: number;
  flops?: number;
  /** Per-stage keep-ratio profile (VGG 5 stages, ResNet 4, MobileNetV2 6 expanding ones), scaled to the target; uniform when absent. */
  stageRatios?: number[];
  /**
   * The per-layer widths rule: "stages" (one keep ratio per stage, the default) or "paper" (single-layer
   * analysis and equal-error allocation, src/prune/paper-widths.ts; writes DIR/sensitivity.json).
   */
  widths?: WidthsRule;
  out: string;
  /** Training images whose feature maps are sampled (official 5,000). */
  images: number;
  /** Points per image and layer (official 10). */
  points: number;
  /** Samples the LASSO is fitted on (official 400). */
  lassoRows: number;
  seed: number;
  threads?: number;
  onLayer?: (r: LayerReport) => void;
}

export interface ChannelPruningResult {
  arch: PrunableArch;
  flops: number;
  originalFlops: number;
  params: number;
  originalParams: number;
  reports: LayerReport[];
}

/** The first `count` training images in order, prepared as for testing: [N, C, H, W]. */
async function firstImages(
  view: Parameters<typeof makeLoader>[0],
  data: Parameters<typeof makeLoader>[1],
  count: number,
  seed: number,
): Promise<Tensor> {
  const loader = makeLoader(view, data, { batchSize: 64, seed }, false);
  const parts: Float32Array[] = [];
  let shape: number[] = [];
  let taken = 0;
  try {
    for await (const b of loader.epoch(0)) {
      const n = Math.min(b.shape[0], count - taken);
      const per = b.x.length / b.shape[0];
      parts.push(b.x.subarray(0, n * per));
      shape = b.shape;
      taken += n;
      if (taken >= count) break;
    }
  } finally {
    await loader.close();
  }
  const x = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    x.set(p, at);
    at += p.length;
  }
  return tensor(x, { shape: [taken, ...shape.slice(1)] });
}

export function runChannelPruning(o: ChannelPruningOptions): Promise<ChannelPruningResult> {
  return withNumThreads(o.threads, async () => {
    if (o.speedup === undefined && o.flops === undefined)
      throw optionError`channel pruning needs a target: ${option("speedup")} or ${option("flops")}`;
    if (o.speedup !== undefined && !(o.speedup > 1))
      throw optionError`${option("speedup")} must be above 1, got ${o.speedup}`;
    const paper = (o.widths ?? "stages") === "paper";
    if (paper && o.stageRatios)
      throw optionError`${option("stageRatios")} sets the stage widths rule, not ${option("widths")} paper`;
    const opened = await openTrainedModel({ ...o, seed: o.seed });
    const { model, data, train } = opened;
    const arch = prunable(opened.arch, "weights");
    const originalFlops = countArch(arch).flops;
    const maxFlops = o.flops ?? originalFlops / (o.speedup as number);
    const field = o.flops === undefined ? "speedup" : "flops";
    // The uniform rule's plan first: it refuses an impossible target before any sampling.
    const uniform = widthsFor(arch, maxFlops, field, o.stageRatios);
    const x = await firstImages(train, data, o.images, o.seed);
    const config: ChannelPruningConfig = { points: o.points, lassoRows: o.lassoRows, seed: o.seed };
    const errors = paper ? sensitivities(arch, model, x, config) : null;
    const planned = errors ? paperWidths(arch, maxFlops, field, errors) : uniform;
    const { arch: target, state, reports } = pruneWith(arch, model, planned, x, config, o.onLayer);
    x.dispose();
    try {
      checkPrunedState(target, state);
      const dir = RunDir.open({ out: o.out }, "best.json", "a pruned network");
      dir.writeLines("layers.jsonl", reports);
      if (errors) dir.writeJson("sensitivity.json", { keepRatios: PROBE_RATIOS, errors });
      saveSafetensors(dir.path("model.safetensors"), state, { arch: JSON.stringify(target) });
      dir.writeJson("best.json", target);
    } finally {
      for (const t of state.values()) t.dispose();
    }
    const after = countArch(target);
    const originalParams = countArch(arch).params;
    return { arch: target, flops: after.flops, originalFlops, params: after.params, originalParams, reports };
  });
}
