// ShuffleNetV2+ (megvii-model/ShuffleNet-Series, ShuffleNetV2+/network.py and blocks.py): the searched
// SPOS path [0,0,3,1,1,1,0,0,2,0,2,1,1,0,2,0,2,1,3,2] at scale 1.0 with hard-swish after stage 1, SE in
// stages 3-4, conv_last 1280, a last SE, FC 1280 + h-swish, dropout 0.2 and a classifier without bias;
// names as the official code (first_conv, features.N.branch_main / branch_proj, conv_last, globalpool,
// LastSE.SE_opr, fc, dropout, classifier). The fixed 7x7 average pool is a global pool here, so any input
// size works. Small stem: first_conv has stride 1 (32x32 input -> 32x32 into stage 1; there is no max-pool
// to drop); nothing else changes.
import { z } from "zod";
import { act, bn, conv, dropout, gap, linear, megviiChoiceUnit, megviiSE, named, seq } from "../blocks.js";
import { commonFields, type FamilyDef, type ModelSpec } from "../family.js";
import type { Node } from "../plan.js";
import { type ChoiceBlock, fromOfficial, midChannels, positions, SPOS_IMAGENET } from "../spaces/spos.js";

/** Stage widths (official network.py stage_out_channels). */
export const SHUFFLENET_V2_PLUS_WIDTHS: Record<ShuffleNetV2PlusArch["size"], readonly number[]> = {
  small: [36, 104, 208, 416],
  medium: [48, 128, 256, 512],
  large: [68, 168, 336, 672],
};

/** The fixed genotype (official network.py __main__), labelled like SPOS; every mid is 1.0 (out / 2). */
export const SHUFFLENET_V2_PLUS_GENOTYPE = fromOfficial(
  SPOS_IMAGENET,
  [0, 0, 3, 1, 1, 1, 0, 0, 2, 0, 2, 1, 1, 0, 2, 0, 2, 1, 3, 2],
);

const STEM = 16;
const LAST = 1280;

const schema = z.strictObject({
  family: z.literal("shufflenet_v2_plus"),
  /** The official Small, Medium or Large widths (SHUFFLENET_V2_PLUS_WIDTHS). */
  size: z.enum(["small", "medium", "large"]),
  ...commonFields,
});

/** A ShuffleNetV2+ description. */
export type ShuffleNetV2PlusArch = z.output<typeof schema>;

function decode(a: ShuffleNetV2PlusArch): Node {
  const widths = SHUFFLENET_V2_PLUS_WIDTHS[a.size];
  // The SPOS ImageNet layout (stages [4, 4, 8, 4], first block of each with stride 2) at this size's widths.
  const space = {
    ...SPOS_IMAGENET,
    stem: STEM,
    stages: SPOS_IMAGENET.stages.map((s, i) => ({ ...s, out: widths[i] as number })),
  };
  const stageOf = space.stages.flatMap((s, i) => Array<number>(s.repeats).fill(i));
  const units = positions(space).map((p) => {
    const stage = stageOf[p.index] as number;
    const choice = space.choices.find((c) => c.label === SHUFFLENET_V2_PLUS_GENOTYPE[p.block]) as ChoiceBlock;
    const fn = stage >= 1 ? "hswish" : "relu";
    return megviiChoiceUnit({
      ...p,
      mid: midChannels(p.out, 1),
      kind: choice.kind,
      k: choice.k,
      act: fn,
      se: stage >= 2,
    });
  });
  return named([
    ["first_conv", seq(conv(STEM, 3, { stride: a.stem === "small" ? 1 : 2 }), bn(), act("hswish"))],
    ["features", seq(...units)],
    ["conv_last", seq(conv(LAST, 1), bn(), act("hswish"))],
    ["globalpool", gap(true)],
    ["LastSE", megviiSE(LAST)],
    // forward(): x.contiguous().view(-1, 1280)
    ["flatten", { op: "flatten" }],
    ["fc", seq(linear(LAST, false), act("hswish"))],
    ["dropout", dropout(0.2)],
    ["classifier", seq(linear(a.classes, false))],
  ]);
}

/** Registered models (official README: Large 360M/6.7M, Medium 222M/5.6M, Small 156M/5.1M). */
export const SHUFFLENET_V2_PLUS_MODELS: Record<string, ModelSpec<ShuffleNetV2PlusArch>> = {
  shufflenet_v2_plus_small: { family: "shufflenet_v2_plus", size: "small" },
  shufflenet_v2_plus_medium: { family: "shufflenet_v2_plus", size: "medium" },
  shufflenet_v2_plus_large: { family: "shufflenet_v2_plus", size: "large" },
};

export const shufflenetV2Plus: FamilyDef<ShuffleNetV2PlusArch> = {
  family: "shufflenet_v2_plus",
  schema,
  decode,
  init: "megvii",
};
