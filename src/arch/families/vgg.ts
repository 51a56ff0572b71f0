// VGG-11/13/16/19 (Simonyan & Zisserman, ICLR 2015, Table 1, configurations A, B, D, E), with and
// without BN, laid out and named exactly as torchvision's VGG (torchvision/models/vgg.py make_layers:
// features.N = Conv2d 3x3 pad 1 with bias [-> BatchNorm2d] -> ReLU per width, MaxPool2d(2, 2) per "M";
// classifier = Linear(512*7*7, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Dropout, Linear(4096,
// classes)). torchvision's avgpool is AdaptiveAvgPool2d((7, 7)) on the 7x7 map a 224 px input gives, an
// identity without parameters: the standard stem needs that 7x7 map (inputs of 224-255 px) and leaves it
// out of the plan.
// Explicit `channels` (one width per conv, in order; e.g. a channel-pruned net, He et al., ICCV 2017)
// replace the configuration's widths; the classifier reads the last conv's width.
// Small stem (the CIFAR VGG of network slimming, Liu et al., ICCV 2017, Eric-mingjie/network-slimming
// models/vgg.py, also used by the L1-norm filter pruning paper's CIFAR experiments): the last maxpool is
// dropped, then a global average pool ("avgpool", their AvgPool2d(2) on the 2x2 map of a 32 px input,
// which this equals there and which also fits 28 px) and one Linear(last width, classes) named
// "classifier".
import { z } from "zod";
import { bn, conv, dropout, gap, linear, maxPool, named, relu, seq } from "../blocks.js";
import { commonFields, type FamilyDef, type ModelSpec } from "../family.js";
import type { Named, Node } from "../plan.js";

/** torchvision's cfgs: conv widths, "M" = maxpool 2x2 stride 2. */
const CONFIGS: Record<number, readonly (number | "M")[]> = {
  11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
  19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
};
const POOLS = 5;
/** The spatial size torchvision's classifier reads (AdaptiveAvgPool2d((7, 7))). */
const HEAD_SIZE = 7;

/** The configuration's conv widths, in order. */
export const vggWidths = (depth: number): number[] =>
  (CONFIGS[depth] ?? []).filter((v): v is number => v !== "M");

/** The stage (0-4: conv1_x .. conv5_x, the maxpools' spans) of each conv layer, in order. */
export function vggStages(depth: number): number[] {
  const stages: number[] = [];
  let stage = 0;
  for (const v of CONFIGS[depth] ?? []) {
    if (v === "M") stage++;
    else stages.push(stage);
  }
  return stages;
}

/** Stages of every VGG (maxpools in the configuration). */
export const VGG_STAGES = POOLS;

const schema = z
  .strictObject({
    family: z.literal("vgg"),
    depth: z.union([z.literal(11), z.literal(13), z.literal(16), z.literal(19)]),
    /** BatchNorm2d after every conv (torchvision's vgg*_bn). */
    bn: z.boolean().default(false),
    /** One output width per conv layer, in order; when present they replace the configuration's. */
    channels: z.array(z.number().int().min(1)).optional(),
    ...commonFields,
  })
  .superRefine((a, ctx) => {
    const convs = vggWidths(a.depth).length;
    if (a.channels && a.channels.length !== convs) {
      ctx.addIssue({
        code: "custom",
        path: ["channels"],
        message: `VGG-${a.depth} has ${convs} conv layers, got ${a.channels.length} widths`,
      });
    }
    if (a.stem === "standard" && Math.floor(a.inputSize / 2 ** POOLS) !== HEAD_SIZE) {
      ctx.addIssue({
        code: "custom",
        path: ["inputSize"],
        message: `VGG's standard stem reads a ${HEAD_SIZE}x${HEAD_SIZE} map, so it needs 224-255 px inputs, got ${a.inputSize} (use stem=small for 28-32 px)`,
      });
    }
  });

/** A VGG description. */
export type VggArch = z.output<typeof schema>;

/** The explicit `channels`, or the configuration's widths. */
export const vggChannels = (a: VggArch): number[] => a.channels ?? vggWidths(a.depth);

function decode(a: VggArch): Node {
  const widths = vggChannels(a);
  const config = CONFIGS[a.depth] as readonly (number | "M")[];
  const kept = a.stem === "small" ? config.slice(0, -1) : config;
  let index = 0;
  const features = kept.flatMap((v): Node[] => {
    if (v === "M") return [maxPool(2, 2, 0)];
    const c = widths[index++] as number;
    return a.bn ? [conv(c, 3, { bias: true }), bn(), relu] : [conv(c, 3, { bias: true }), relu];
  });
  const head: Named[] =
    a.stem === "small"
      ? [
          ["avgpool", gap()],
          ["classifier", linear(a.classes)],
        ]
      : [
          ["flatten", { op: "flatten" }],
          [
            "classifier",
            seq(linear(4096), relu, dropout(0.5), linear(4096), relu, dropout(0.5), linear(a.classes)),
          ],
        ];
  return named([["features", seq(...features)], ...head]);
}

/** Registered models: torchvision's names. */
export const VGG_MODELS: Record<string, ModelSpec<VggArch>> = Object.fromEntries(
  [11, 13, 16, 19].flatMap((depth) => [
    [`vgg${depth}`, { family: "vgg", depth, bn: false }],
    [`vgg${depth}_bn`, { family: "vgg", depth, bn: true }],
  ]),
) as Record<string, ModelSpec<VggArch>>;

/** torchvision VGG._initialize_weights: conv kaiming_normal_(fan_out, relu) bias 0, BN 1/0, linear N(0, 0.01) bias 0. */
export const vgg: FamilyDef<VggArch> = {
  family: "vgg",
  schema,
  decode,
  init: "kaiming-fan-out",
};
