// MobileNetV1 (Howard et al., 2017, Table 1) as in MetaPruning's PyTorch code
// (liuzechun/MetaPruning mobilenetv1/evaluating/mobilenet_v1.py): feature.0 = conv3x3 s2 (conv1, bn1),
// feature.1-13 = depthwise-separable blocks (dwconv_3x3, bn1, pwconv_1x1, bn2, each BN followed by
// ReLU), global pool (pool1), fc. Width multiplier alpha: channels int(c * alpha) for every layer,
// the last 1024 included (the paper's uniform baselines; MetaPruning's pruned nets keep it at 1024).
// Explicit `channels` (MetaPruning, Liu et al., ICCV 2019: a pruned net's arbitrary per-layer widths)
// replace the multiplier; both decode the same way.
// The paper's Table 1 lists the 13th block as s2 on a 7x7 map (a known typo): as in every
// implementation, the 12th block (512 -> 1024) has stride 2 and the 13th stride 1.
// Small stem: feature.0 has stride 1 instead of 2 (nothing else changes).
import { z } from "zod";
import { bn, conv, dwConv, gap, linear, named, relu } from "../blocks.js";
import { commonFields, type FamilyDef, type ModelSpec } from "../family.js";
import type { Named, Node } from "../plan.js";

/** [output channels, stride] of the stem and the 13 depthwise-separable blocks (Table 1). */
const LAYERS: readonly (readonly [number, number])[] = [
  [32, 2],
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];
const BLOCKS = LAYERS.length - 1;

const channelCount = z.number().int().min(1);

const channelsSchema = z.strictObject({
  /** Output of feature.0 (conv1). */
  stem: channelCount,
  /** pwconv_1x1 output of feature.1 .. feature.13 (13 entries); each dwconv_3x3 keeps its input width. */
  blocks: z.array(channelCount).length(BLOCKS, `MobileNetV1 has ${BLOCKS} blocks (feature.1 .. feature.13)`),
});

/** Per-layer widths, e.g. of a MetaPruning pruned net. */
export type MobileNetV1Channels = z.output<typeof channelsSchema>;

const schema = z.strictObject({
  family: z.literal("mobilenet_v1"),
  /** Width multiplier alpha (Sec. 3.3); every layer gets int(channels * alpha). Ignored when `channels` is set. */
  width: z.number().min(0.1).max(2).default(1),
  /** Explicit per-layer widths; when present they replace `width`. */
  channels: channelsSchema.optional(),
  ...commonFields,
});

/** A MobileNet V1 description. */
export type MobileNetV1Arch = z.output<typeof schema>;

/** The explicit `channels`, or the widths the multiplier gives. */
function channelsOf(a: MobileNetV1Arch): MobileNetV1Channels {
  if (a.channels) return a.channels;
  const [stem, ...blocks] = LAYERS.map(([c]) => Math.floor(c * a.width));
  return { stem: stem as number, blocks };
}

/** MetaPruning dw3x3_pw1x1: depthwise 3x3 (stride) -> BN -> ReLU -> pointwise 1x1 -> BN -> ReLU. */
function separable(inp: number, oup: number, stride: number): Node {
  return named([
    ["dwconv_3x3", dwConv(inp, 3, stride)],
    ["bn1", bn()],
    ["relu1", relu],
    ["pwconv_1x1", conv(oup, 1)],
    ["bn2", bn()],
    ["relu2", relu],
  ]);
}

function decode(a: MobileNetV1Arch): Node {
  const { stem, blocks } = channelsOf(a);
  const widths = [stem, ...blocks];
  const feature: Named[] = LAYERS.map(([, s], i) => {
    const stride = i === 0 && a.stem === "small" ? 1 : s;
    const c = widths[i] as number;
    const block =
      i === 0
        ? named([
            ["conv1", conv(c, 3, { stride })],
            ["bn1", bn()],
            ["relu", relu],
          ])
        : separable(widths[i - 1] as number, c, stride);
    return [String(i), block];
  });
  return named([
    ["feature", named(feature)],
    ["pool1", gap()],
    ["fc", linear(a.classes)],
  ]);
}

/** Registered models: the paper's uniform width multipliers (MetaPruning's baselines). */
export const MOBILENET_V1_MODELS: Record<string, ModelSpec<MobileNetV1Arch>> = {
  mobilenet_v1_x0_25: { family: "mobilenet_v1", width: 0.25 },
  mobilenet_v1_x0_5: { family: "mobilenet_v1", width: 0.5 },
  mobilenet_v1_x0_75: { family: "mobilenet_v1", width: 0.75 },
  mobilenet_v1_x1_0: { family: "mobilenet_v1", width: 1 },
};

export const mobilenetV1: FamilyDef<MobileNetV1Arch> = {
  family: "mobilenet_v1",
  schema,
  decode,
  init: "kaiming-fan-out",
};
