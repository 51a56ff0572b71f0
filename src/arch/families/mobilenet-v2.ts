// MobileNetV2 (Sandler et al., CVPR 2018, Table 2), laid out, rounded and named as torchvision's
// MobileNetV2 (features.0 stem, features.1-17 InvertedResidual with a `conv` Sequential, features.18
// conv1x1 to the last width, global pool, classifier = dropout + linear).
// Explicit `channels` (MetaPruning, Liu et al., ICCV 2019: a pruned net's arbitrary per-layer widths)
// replace the width multiplier; both decode the same way. The residual add: with a width multiplier,
// torchvision's rule (stride 1 and inp == oup); with `channels`, every block but the first of its stage,
// as in MetaPruning's PruningNet (mobilenetv2/training/mobilenet_v2.py, `max_inp == max_oup` on the
// unpruned widths), so a pruned first block whose widths happen to match gets none. The two agree at
// every width >= 0.28; below it torchvision's rounding can make a stride-1 first block's widths equal.
// Small stem: features.0 has stride 1 instead of 2 (nothing else changes; 32x32 input -> 4x4 into
// features.18 instead of 1x1).
import { z } from "zod";
import { bn, conv, convBnAct, dropout, gap, linear, makeDivisible, named, seq } from "../blocks.js";
import { commonFields, type FamilyDef, type ModelSpec } from "../family.js";
import type { Named, Node } from "../plan.js";

/** Inverted residual settings [expansion t, channels c, repeats n, first stride s] (Table 2). */
const SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];
/** Blocks with an expansion conv (t != 1): features.2 .. features.17. */
const EXPANDED = SETTINGS.reduce((sum, [t, , n]) => sum + (t === 1 ? 0 : n), 0);

const channelCount = z.number().int().min(1);

const channelsSchema = z.strictObject({
  /** Output of features.0. */
  stem: channelCount,
  /** Output of each of the 7 stages, shared by all its blocks (so the residual adds line up). */
  stages: z.array(channelCount).length(SETTINGS.length, `MobileNetV2 has ${SETTINGS.length} stages`),
  /**
   * Expansion width (the 1x1 expansion conv's output = the depthwise width) of every block that has one,
   * features.2 .. features.17 (16 entries); features.1 (t = 1) runs its depthwise on the stem width.
   */
  hidden: z
    .array(channelCount)
    .length(EXPANDED, `MobileNetV2 has ${EXPANDED} expanding blocks (features.2 .. features.17)`),
  /** Output of features.18 (1280 at width <= 1). */
  last: channelCount,
});

/** Per-layer widths, e.g. of a MetaPruning pruned net. */
export type MobileNetV2Channels = z.output<typeof channelsSchema>;

const schema = z.strictObject({
  family: z.literal("mobilenet_v2"),
  /** Width multiplier (torchvision's width_mult); channels rounded to multiples of 8. Ignored when `channels` is set. */
  width: z.number().min(0.1).max(2).default(1),
  /** Explicit per-layer widths; when present they replace `width`. */
  channels: channelsSchema.optional(),
  ...commonFields,
});

/** A MobileNet V2 description. */
export type MobileNetV2Arch = z.output<typeof schema>;

interface Block {
  inp: number;
  oup: number;
  stride: number;
  t: number;
  first: boolean;
  /** Its stage, 0-6 (Table 2's bottleneck rows). */
  stage: number;
}

/** Every inverted residual block in order (features.1 .. features.17) with its widths. */
function blocksOf(stem: number, stages: readonly number[]): Block[] {
  let inp = stem;
  return SETTINGS.flatMap(([t, , n, s], stage) =>
    Array.from({ length: n }, (_, i) => {
      const oup = stages[stage] as number;
      const block = { inp, oup, stride: i === 0 ? s : 1, t, first: i === 0, stage };
      inp = oup;
      return block;
    }),
  );
}

/** One inverted residual as built: its widths, its expansion width (null for t = 1) and whether it adds its input. */
export interface MobileNetV2Unit extends Block {
  hidden: number | null;
  residual: boolean;
}

/** Stages of Table 2 (bottleneck rows); the first (t = 1) has no expansion. */
export const MOBILENET_V2_STAGES = SETTINGS.length;

/** The inverted residuals features.1 .. features.17 of `a`, in order. */
export function mobilenetV2Units(a: MobileNetV2Arch): MobileNetV2Unit[] {
  const { stem, stages, hidden } = mobilenetV2Channels(a);
  let expanded = 0;
  const residual = (b: Block) => (a.channels ? !b.first : b.stride === 1 && b.inp === b.oup);
  return blocksOf(stem, stages).map((b) => ({
    ...b,
    hidden: b.t === 1 ? null : (hidden[expanded++] as number),
    residual: residual(b),
  }));
}

/** The explicit `channels`, or the widths torchvision's width_mult gives. */
export function mobilenetV2Channels(a: MobileNetV2Arch): MobileNetV2Channels {
  if (a.channels) return a.channels;
  const stem = makeDivisible(32 * a.width);
  const stages = SETTINGS.map(([, c]) => makeDivisible(c * a.width));
  const hidden = blocksOf(stem, stages)
    .filter((b) => b.t !== 1)
    .map((b) => Math.round(b.inp * b.t));
  return { stem, stages, hidden, last: makeDivisible(1280 * Math.max(1, a.width)) };
}

/** torchvision InvertedResidual: [expansion 1x1 when hidden is given,] depthwise 3x3, linear 1x1. */
function invertedResidual(b: Block, hidden: number | null, residual: boolean): Node {
  const dw = hidden ?? b.inp;
  const layers: Node[] = [];
  if (hidden !== null) layers.push(seq(...convBnAct(hidden, 1, "relu6")));
  layers.push(seq(...convBnAct(dw, 3, "relu6", { stride: b.stride, groups: dw })), conv(b.oup, 1), bn());
  const body: Named[] = [["conv", seq(...layers)]];
  return residual ? { op: "add", main: body, shortcut: null, after: null } : named(body);
}

function decode(a: MobileNetV2Arch): Node {
  const { stem, last } = mobilenetV2Channels(a);
  const blocks = mobilenetV2Units(a).map((b) => invertedResidual(b, b.hidden, b.residual));
  const features: Node[] = [
    seq(...convBnAct(stem, 3, "relu6", { stride: a.stem === "small" ? 1 : 2 })),
    ...blocks,
    seq(...convBnAct(last, 1, "relu6")),
  ];
  return named([
    ["features", seq(...features)],
    ["pool", gap()],
    ["classifier", seq(dropout(0.2), linear(a.classes))],
  ]);
}

/** Registered models: torchvision's naming (mobilenet_v2 is x1_0 there). */
export const MOBILENET_V2_MODELS: Record<string, ModelSpec<MobileNetV2Arch>> = {
  mobilenet_v2_x0_35: { family: "mobilenet_v2", width: 0.35 },
  mobilenet_v2_x0_5: { family: "mobilenet_v2", width: 0.5 },
  mobilenet_v2_x0_75: { family: "mobilenet_v2", width: 0.75 },
  mobilenet_v2_x1_0: { family: "mobilenet_v2", width: 1 },
  mobilenet_v2_x1_4: { family: "mobilenet_v2", width: 1.4 },
};

export const mobilenetV2: FamilyDef<MobileNetV2Arch> = {
  family: "mobilenet_v2",
  schema,
  decode,
  init: "kaiming-fan-out",
};
