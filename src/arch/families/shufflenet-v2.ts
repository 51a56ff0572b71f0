// ShuffleNet V2 (Ma et al., ECCV 2018, Table 5), laid out and named as torchvision's ShuffleNetV2
// (conv1, maxpool, stage2-4 of InvertedResidual units with branch1/branch2, conv5, fc).
// Small stem: conv1 has stride 1 and the max-pool is dropped (32x32 input -> 32x32 into stage2).
import { z } from "zod";
import { bn, conv, dropout, dwConv, gap, linear, maxPool, named, relu, seq } from "../blocks.js";
import { commonFields, type FamilyDef, type ModelSpec } from "../family.js";
import type { Named, Node } from "../plan.js";

/** Channels [stem, stage2, stage3, stage4, conv5] per width (Table 5). */
export const SHUFFLENET_V2_CHANNELS: Record<string, readonly number[]> = {
  "0.5": [24, 48, 96, 192, 1024],
  "1": [24, 116, 232, 464, 1024],
  "1.5": [24, 176, 352, 704, 1024],
  "2": [24, 244, 488, 976, 2048],
};
const REPEATS = [4, 8, 4];

const schema = z.strictObject({
  family: z.literal("shufflenet_v2"),
  /** Width multiplier (Table 5 columns). */
  width: z.union([z.literal(0.5), z.literal(1), z.literal(1.5), z.literal(2)]),
  ...commonFields,
});

/** A ShuffleNet V2 description. */
export type ShuffleNetV2Arch = z.output<typeof schema>;

/** torchvision InvertedResidual(inp, oup, stride); inp is implied by the incoming shape. */
function unit(inp: number, oup: number, stride: number): Node {
  const half = oup / 2;
  const branch2 = seq(conv(half, 1), bn(), relu, dwConv(half, 3, stride), bn(), conv(half, 1), bn(), relu);
  const branch1 = stride > 1 ? seq(dwConv(inp, 3, stride), bn(), conv(half, 1), bn(), relu) : null;
  return {
    op: "split-unit",
    style: "torchvision",
    proj: branch1 ? ["branch1", branch1] : null,
    main: ["branch2", branch2],
  };
}

function decode(a: ShuffleNetV2Arch): Node {
  const channels = SHUFFLENET_V2_CHANNELS[String(a.width)] as readonly number[];
  const small = a.stem === "small";
  const layers: Named[] = [
    ["conv1", seq(conv(channels[0] as number, 3, { stride: small ? 1 : 2 }), bn(), relu)],
  ];
  if (!small) layers.push(["maxpool", maxPool(3, 2, 1)]);
  let inp = channels[0] as number;
  REPEATS.forEach((repeats, s) => {
    const oup = channels[s + 1] as number;
    const units = Array.from({ length: repeats }, (_, i) => unit(i === 0 ? inp : oup, oup, i === 0 ? 2 : 1));
    layers.push([`stage${s + 2}`, seq(...units)]);
    inp = oup;
  });
  const last = channels[4] as number;
  layers.push(["conv5", seq(conv(last, 1), bn(), relu)], ["pool", gap()]);
  if (a.width === 2) layers.push(["dropout", dropout(0.2)]);
  layers.push(["fc", linear(a.classes)]);
  return named(layers);
}

/** Registered models: torchvision's names. */
export const SHUFFLENET_V2_MODELS: Record<string, ModelSpec<ShuffleNetV2Arch>> = {
  shufflenet_v2_x0_5: { family: "shufflenet_v2", width: 0.5 },
  shufflenet_v2_x1_0: { family: "shufflenet_v2", width: 1 },
  shufflenet_v2_x1_5: { family: "shufflenet_v2", width: 1.5 },
  shufflenet_v2_x2_0: { family: "shufflenet_v2", width: 2 },
};

export const shufflenetV2: FamilyDef<ShuffleNetV2Arch> = {
  family: "shufflenet_v2",
  schema,
  decode,
  init: "torchvision-shufflenet",
};
