// ResNet-18/34/50 (He et al., CVPR 2016, Table 1), laid out and named exactly as torchvision's ResNet
// (conv1, bn1, relu, maxpool, layer1-4 of BasicBlock/Bottleneck, avgpool, fc), Bottleneck with the
// stride on its 3x3 conv (torchvision's "ResNet v1.5"). A width multiplier scales the stem and every
// stage's planes (64/128/256/512) as int(c * width), the Bottleneck output being planes * 4. The
// MetaPruning paper's uniform ResNet-50 baselines (0.75x 2.3G, 0.5x 1.1G) match scaling every
// layer (2.32G, 1.05G); its pruned nets keep layer4's 2048 outputs unscaled instead
// (liuzechun/MetaPruning resnet/evaluating/resnet.py), which would give 2.39G and 1.14G.
// Explicit `channels` (MetaPruning, Liu et al., ICCV 2019: a pruned net's arbitrary per-layer widths)
// replace the multiplier; both decode the same way. The `downsample` shortcut sits on the first block
// of a stage when the stride or the width changes, and always on a Bottleneck's (as torchvision's rule
// gives for the unpruned net and MetaPruning's resnet.py `is_downsample` does for pruned ones).
// torchvision reuses one parameterless ReLU module; here the block's second ReLU is `relu2` and the
// ReLU after the residual add is the add node's own.
// Channel pruning (He, Zhang, Sun, ICCV 2017, Sec. 3.3) keeps the residual stream whole and lets a
// block's first conv read only some of the block input's channels: `channels.inputs` gives, per block,
// the channel indices a sampler ("sample", before conv1) picks, or null for all of them.
// Small stem (the common CIFAR variant): conv1 is 3x3 stride 1 (padding 1) and the maxpool is dropped;
// names stay conv1/bn1/relu.
import { z } from "zod";
import { bn, conv, gap, linear, maxPool, named, pick, relu, seq } from "../blocks.js";
import { commonFields, type FamilyDef, type ModelSpec } from "../family.js";
import type { Named, Node } from "../plan.js";

/** Blocks per stage (Table 1) and whether the block is the Bottleneck (expansion 4) or BasicBlock. */
const DEPTHS: Record<number, { repeats: readonly number[]; bottleneck: boolean }> = {
  18: { repeats: [2, 2, 2, 2], bottleneck: false },
  34: { repeats: [3, 4, 6, 3], bottleneck: false },
  50: { repeats: [3, 4, 6, 3], bottleneck: true },
};
const PLANES = [64, 128, 256, 512];

const channelCount = z.number().int().min(1);
const blockCount = (depth: number) => (DEPTHS[depth]?.repeats ?? []).reduce((sum, n) => sum + n, 0);

const channelsSchema = z.strictObject({
  /** Output of conv1. */
  stem: channelCount,
  /** Output of each of the 4 stages (Bottleneck: conv3, planes * 4 unpruned; BasicBlock: conv2). */
  stages: z.array(channelCount).length(PLANES.length, `ResNet has ${PLANES.length} stages`),
  /** One entry per block over all stages (BasicBlock: conv1 output; Bottleneck: conv1 and conv2 output). */
  mid: z.array(channelCount),
  /** Per block, the block-input channels its first conv reads (ascending), or null for all. */
  inputs: z.array(z.array(z.number().int().min(0)).min(1).nullable()).optional(),
});

/** Per-layer widths, e.g. of a MetaPruning pruned net. */
export type ResNetChannels = z.output<typeof channelsSchema>;

const schema = z
  .strictObject({
    family: z.literal("resnet"),
    depth: z.union([z.literal(18), z.literal(34), z.literal(50)]),
    /** Width multiplier on the stem and every stage's planes; channels int(c * width). Ignored when `channels` is set. */
    width: z.number().min(0.1).max(2).default(1),
    /** Explicit per-layer widths; when present they replace `width`. */
    channels: channelsSchema.optional(),
    ...commonFields,
  })
  .superRefine((a, ctx) => {
    const blocks = blockCount(a.depth);
    if (a.channels && a.channels.mid.length !== blocks) {
      ctx.addIssue({
        code: "custom",
        path: ["channels", "mid"],
        message: `ResNet-${a.depth} has ${blocks} blocks, got ${a.channels.mid.length}`,
      });
    }
    if (a.channels?.inputs && a.channels.inputs.length !== blocks) {
      ctx.addIssue({
        code: "custom",
        path: ["channels", "inputs"],
        message: `ResNet-${a.depth} has ${blocks} blocks, got ${a.channels.inputs.length} input selections`,
      });
    }
  });

/** A ResNet description. */
export type ResNetArch = z.output<typeof schema>;

/** The explicit `channels`, or the widths the multiplier gives. */
export function resnetChannels(a: ResNetArch): ResNetChannels {
  if (a.channels) return a.channels;
  const { repeats, bottleneck } = DEPTHS[a.depth] as (typeof DEPTHS)[number];
  const planes = PLANES.map((c) => Math.floor(c * a.width));
  return {
    stem: Math.floor(64 * a.width),
    stages: planes.map((p) => (bottleneck ? p * 4 : p)),
    mid: repeats.flatMap((n, s) => Array<number>(n).fill(planes[s] as number)),
  };
}

/** Every block's stage (0-3) and input width, in order. */
export function resnetBlocks(a: ResNetArch): { stage: number; inp: number }[] {
  const { stem, stages } = resnetChannels(a);
  const { repeats } = DEPTHS[a.depth] as (typeof DEPTHS)[number];
  return repeats.flatMap((n, s) =>
    Array.from({ length: n }, (_, i) => ({
      stage: s,
      inp: i === 0 ? (s === 0 ? stem : (stages[s - 1] as number)) : (stages[s] as number),
    })),
  );
}

/** Whether the family's blocks are Bottlenecks (ResNet-50). */
export const isBottleneck = (a: ResNetArch): boolean =>
  (DEPTHS[a.depth] as (typeof DEPTHS)[number]).bottleneck;

/** Stages of every ResNet (layer1 .. layer4). */
export const RESNET_STAGES = PLANES.length;

/** One residual block's widths and place; only a stage's first block may change them. */
interface Block {
  inp: number;
  /** The block-input channels conv1 reads, or null for all. */
  picked: readonly number[] | null;
  mid: number;
  oup: number;
  stride: number;
  first: boolean;
}

/**
 * torchvision BasicBlock / Bottleneck with `mid` inner and `oup` output channels; `downsample` (conv1x1
 * stride + BN) on a stage's first block when the stride or the width changes, and always on a Bottleneck's.
 */
function block({ inp, picked, mid, oup, stride, first }: Block, bottleneck: boolean): Node {
  const layers: Named[] = bottleneck
    ? [
        ["conv1", conv(mid, 1)],
        ["bn1", bn()],
        ["relu", relu],
        ["conv2", conv(mid, 3, { stride })],
        ["bn2", bn()],
        ["relu2", relu],
        ["conv3", conv(oup, 1)],
        ["bn3", bn()],
      ]
    : [
        ["conv1", conv(mid, 3, { stride })],
        ["bn1", bn()],
        ["relu", relu],
        ["conv2", conv(oup, 3)],
        ["bn2", bn()],
      ];
  const main: Named[] = picked ? [["sample", pick(picked)], ...layers] : layers;
  const shortcut: Named | null =
    first && (stride !== 1 || inp !== oup || bottleneck)
      ? ["downsample", seq(conv(oup, 1, { stride }), bn())]
      : null;
  return { op: "add", main, shortcut, after: "relu" };
}

function decode(a: ResNetArch): Node {
  const { repeats, bottleneck } = DEPTHS[a.depth] as (typeof DEPTHS)[number];
  const { stem, stages, mid, inputs } = resnetChannels(a);
  let inp = stem;
  let index = 0;
  const layers: Named[] =
    a.stem === "small"
      ? [
          ["conv1", conv(stem, 3)],
          ["bn1", bn()],
          ["relu", relu],
        ]
      : [
          ["conv1", conv(stem, 7, { stride: 2 })],
          ["bn1", bn()],
          ["relu", relu],
          ["maxpool", maxPool(3, 2, 1)],
        ];
  repeats.forEach((n, s) => {
    const oup = stages[s] as number;
    const blocks = Array.from({ length: n }, (_, i) => {
      const stride = i === 0 && s > 0 ? 2 : 1;
      const picked = inputs?.[index] ?? null;
      const b = block({ inp, picked, mid: mid[index++] as number, oup, stride, first: i === 0 }, bottleneck);
      inp = oup;
      return b;
    });
    layers.push([`layer${s + 1}`, seq(...blocks)]);
  });
  layers.push(["avgpool", gap()], ["fc", linear(a.classes)]);
  return named(layers);
}

/** Registered models: torchvision's names; the x0_75/x0_5 ResNet-50 are MetaPruning's uniform baselines. */
export const RESNET_MODELS: Record<string, ModelSpec<ResNetArch>> = {
  resnet18: { family: "resnet", depth: 18 },
  resnet34: { family: "resnet", depth: 34 },
  resnet50: { family: "resnet", depth: 50 },
  resnet50_x0_75: { family: "resnet", depth: 50, width: 0.75 },
  resnet50_x0_5: { family: "resnet", depth: 50, width: 0.5 },
};

export const resnet: FamilyDef<ResNetArch> = {
  family: "resnet",
  schema,
  decode,
  init: "torchvision-resnet",
};
