// ResNet-18/34/50 (He et al., CVPR 2016, Table 1), laid out and named exactly as torchvision's ResNet
// (conv1, bn1, relu, maxpool, layer1-4 of BasicBlock/Bottleneck, avgpool, fc), Bottleneck with the
// stride on its 3x3 conv (torchvision's "ResNet v1.5"). A width multiplier scales the stem and every
// stage's planes (64/128/256/512) as int(c * width), the Bottleneck output being planes * 4. The
// MetaPruning paper's uniform ResNet-50 baselines (0.75x 2.3G, 0.5x 1.1G) match scaling every
// layer (2.32G, 1.05G); its pruned nets keep layer4's 2048 outputs unscaled instead
// (liuzechun/MetaPruning resnet/evaluating/resnet.py), which would give 2.39G and 1.14G.
// torchvision reuses one parameterless ReLU module; here the block's second ReLU is `relu2` and the
// ReLU after the residual add is the add node's own.
// Small stem (the common CIFAR variant): conv1 is 3x3 stride 1 (padding 1) and the maxpool is dropped;
// names stay conv1/bn1/relu.
import { z } from "zod";
import { bn, conv, gap, linear, maxPool, named, relu, seq } from "../blocks.js";
import { type CommonArch, commonFields, type FamilyDef } from "../family.js";
import type { Named, Node } from "../plan.js";

/** Blocks per stage (Table 1) and whether the block is the Bottleneck (expansion 4) or BasicBlock. */
const DEPTHS: Record<number, { repeats: readonly number[]; bottleneck: boolean }> = {
  18: { repeats: [2, 2, 2, 2], bottleneck: false },
  34: { repeats: [3, 4, 6, 3], bottleneck: false },
  50: { repeats: [3, 4, 6, 3], bottleneck: true },
};
const PLANES = [64, 128, 256, 512];

export interface ResNetArch extends CommonArch {
  family: "resnet";
  depth: 18 | 34 | 50;
  /** Width multiplier on the stem and every stage's planes; channels int(c * width). */
  width: number;
}

const schema = z.object({
  family: z.literal("resnet"),
  depth: z.union([z.literal(18), z.literal(34), z.literal(50)]),
  width: z.number().min(0.1).max(2).default(1),
  ...commonFields,
});

/** torchvision BasicBlock / Bottleneck; `downsample` (conv1x1 stride + BN) when the shape changes. */
function block(inp: number, planes: number, stride: number, bottleneck: boolean): Node {
  const oup = bottleneck ? planes * 4 : planes;
  const main: Named[] = bottleneck
    ? [
        ["conv1", conv(planes, 1)],
        ["bn1", bn()],
        ["relu", relu],
        ["conv2", conv(planes, 3, { stride })],
        ["bn2", bn()],
        ["relu2", relu],
        ["conv3", conv(oup, 1)],
        ["bn3", bn()],
      ]
    : [
        ["conv1", conv(planes, 3, { stride })],
        ["bn1", bn()],
        ["relu", relu],
        ["conv2", conv(planes, 3)],
        ["bn2", bn()],
      ];
  const shortcut: Named | null =
    stride !== 1 || inp !== oup ? ["downsample", seq(conv(oup, 1, { stride }), bn())] : null;
  return { op: "add", main, shortcut, after: "relu" };
}

function decode(a: ResNetArch): Node {
  const { repeats, bottleneck } = DEPTHS[a.depth] as (typeof DEPTHS)[number];
  const scaled = (c: number) => Math.floor(c * a.width);
  let inp = scaled(64);
  const layers: Named[] =
    a.stem === "small"
      ? [
          ["conv1", conv(inp, 3)],
          ["bn1", bn()],
          ["relu", relu],
        ]
      : [
          ["conv1", conv(inp, 7, { stride: 2 })],
          ["bn1", bn()],
          ["relu", relu],
          ["maxpool", maxPool(3, 2, 1)],
        ];
  repeats.forEach((n, s) => {
    const planes = scaled(PLANES[s] as number);
    const blocks = Array.from({ length: n }, (_, i) => {
      const b = block(inp, planes, i === 0 && s > 0 ? 2 : 1, bottleneck);
      inp = bottleneck ? planes * 4 : planes;
      return b;
    });
    layers.push([`layer${s + 1}`, seq(...blocks)]);
  });
  layers.push(["avgpool", gap()], ["fc", linear(a.classes)]);
  return named(layers);
}

/** Registered models: torchvision's names; the x0_75/x0_5 ResNet-50 are MetaPruning's uniform baselines. */
export const RESNET_MODELS: Record<string, Partial<ResNetArch>> = {
  resnet18: { family: "resnet", depth: 18 },
  resnet34: { family: "resnet", depth: 34 },
  resnet50: { family: "resnet", depth: 50 },
  resnet50_x0_75: { family: "resnet", depth: 50, width: 0.75 },
  resnet50_x0_5: { family: "resnet", depth: 50, width: 0.5 },
};

export const resnet: FamilyDef<ResNetArch> = {
  family: "resnet",
  schema: schema as z.ZodType<ResNetArch>,
  decode,
  init: "torchvision-resnet",
};
