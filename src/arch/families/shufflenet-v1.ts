// ShuffleNet V1 (Zhang et al., CVPR 2018, Table 1), laid out and named as the official code
// megvii-model/ShuffleNet-Series ShuffleNetV1/network.py + blocks.py (first_conv, maxpool,
// features.N.branch_main_1 / branch_main_2 / branch_proj, classifier).
// Small stem: first_conv has stride 1 and the max-pool is dropped (32x32 input -> 32x32 into
// features, so the three stages run at 16, 8 and 4 px); nothing else changes.
import { z } from "zod";
import {
  avgPool,
  bn,
  conv,
  dwConv,
  gap,
  linear,
  makeDivisible,
  maxPool,
  named,
  relu,
  seq,
} from "../blocks.js";
import { commonFields, type FamilyDef, type ModelSpec } from "../family.js";
import type { Named, Node } from "../plan.js";

/** Stage-2 output channels of ShuffleNet 1x per group count (Table 1); stages 3 and 4 double it. */
export const SHUFFLENET_V1_STAGE2: Readonly<Record<number, number>> = {
  1: 144,
  2: 200,
  3: 240,
  4: 272,
  8: 384,
};
/**
 * Stem channels per width before rounding to the groups: the official network.py uses 12/24/24/48
 * at 0.5x/1.0x/1.5x/2.0x (not 24 * width: 1.5x keeps 24). 0.25x, absent there, keeps the 0.5x
 * stem: that reproduces the paper's 13M level for g = 1..4 (Table 2), 24 * 0.25 = 6 gives 10-11M.
 */
const STEM: Readonly<Record<number, number>> = { 0.25: 12, 0.5: 12, 1: 24, 1.5: 24, 2: 48 };
const REPEATS = [4, 8, 4];

const schema = z.strictObject({
  family: z.literal("shufflenet_v1"),
  /** Width multiplier s ("ShuffleNet s x"): scales every stage's channels. */
  width: z.union([z.literal(0.25), z.literal(0.5), z.literal(1), z.literal(1.5), z.literal(2)]),
  /** Groups g of the pointwise convolutions (Table 1 columns). */
  groups: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(8)]),
  ...commonFields,
});

/** A ShuffleNet V1 description. */
export type ShuffleNetV1Arch = z.output<typeof schema>;

/**
 * [stem, stage2, stage3, stage4] channels. Stage widths are rounded to a multiple of 4g so that
 * mid = out/4 splits into g groups; the stem is rounded to a multiple of g so that the first unit's
 * main branch (out - stem channels) does too. This reproduces every width of the official code
 * (e.g. stem 16 and stages 192/384/768 at 0.5x g8) and fills in the widths it lacks.
 */
export function shufflenetV1Channels(width: number, groups: number): number[] {
  const stage2 = makeDivisible(width * (SHUFFLENET_V1_STAGE2[groups] as number), 4 * groups);
  return [makeDivisible(STEM[width] as number, groups), stage2, 2 * stage2, 4 * stage2];
}

/**
 * ShuffleV1Block(inp, oup, group, first_group, mid = oup // 4, ksize 3, stride) of blocks.py; inp is
 * implied by the incoming shape. Main: 1x1 (ungrouped in the very first unit) -> BN -> ReLU -> dw3x3
 * -> BN, shuffle (only when g > 1), 1x1 -> BN. Stride 1: relu(main + x). Stride 2:
 * cat(avgpool(x), relu(main)), main giving oup - inp channels (the paper puts the ReLU after the
 * concat; the same function, since a unit's input is non-negative).
 */
function unit(inp: number, oup: number, groups: number, stride: number, firstGroup: boolean): Node {
  const mid = oup / 4;
  const outputs = stride === 2 ? oup - inp : oup;
  const main: Named[] = [
    [
      "branch_main_1",
      seq(conv(mid, 1, { groups: firstGroup ? 1 : groups }), bn(), relu, dwConv(mid, 3, stride), bn()),
    ],
  ];
  // blocks.py's channel_shuffle views (C/g, g) and transposes: the paper's shuffle with C/g groups,
  // which keeps the official checkpoints' channel order.
  if (groups > 1) main.push(["channel_shuffle", { op: "shuffle", groups: mid / groups }]);
  main.push(["branch_main_2", seq(conv(outputs, 1, { groups }), bn())]);
  return stride === 2
    ? { op: "concat", main, shortcut: ["branch_proj", avgPool(3, 2, 1)], mainAct: "relu" }
    : { op: "add", main, shortcut: null, after: "relu" };
}

function decode(a: ShuffleNetV1Arch): Node {
  const [stem, ...stages] = shufflenetV1Channels(a.width, a.groups) as [number, ...number[]];
  const small = a.stem === "small";
  const layers: Named[] = [["first_conv", seq(conv(stem, 3, { stride: small ? 1 : 2 }), bn(), relu)]];
  if (!small) layers.push(["maxpool", maxPool(3, 2, 1)]);
  const units: Node[] = [];
  let inp = stem;
  REPEATS.forEach((repeats, s) => {
    const oup = stages[s] as number;
    for (let i = 0; i < repeats; i++) {
      units.push(unit(i === 0 ? inp : oup, oup, a.groups, i === 0 ? 2 : 1, s === 0 && i === 0));
    }
    inp = oup;
  });
  // The official AvgPool2d(7) becomes a global pool so any input size >= 28 works.
  layers.push(
    ["features", seq(...units)],
    ["globalpool", gap()],
    ["classifier", seq(linear(a.classes, false))],
  );
  return named(layers);
}

const WIDTH_NAMES: Readonly<Record<string, ShuffleNetV1Arch["width"]>> = {
  "0_25": 0.25,
  "0_5": 0.5,
  "1_0": 1,
  "1_5": 1.5,
  "2_0": 2,
};

/** Registered models: shufflenet_v1_g{groups}_x{width}, every Table 1 group count at every width. */
export const SHUFFLENET_V1_MODELS: Record<string, ModelSpec<ShuffleNetV1Arch>> = Object.fromEntries(
  ([1, 2, 3, 4, 8] as const).flatMap((groups) =>
    Object.entries(WIDTH_NAMES).map(([w, width]) => [
      `shufflenet_v1_g${groups}_x${w}`,
      { family: "shufflenet_v1", width, groups },
    ]),
  ),
);

export const shufflenetV1: FamilyDef<ShuffleNetV1Arch> = {
  family: "shufflenet_v1",
  schema,
  decode,
  init: "megvii",
};
