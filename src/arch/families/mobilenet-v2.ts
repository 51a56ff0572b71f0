// MobileNetV2 (Sandler et al., CVPR 2018, Table 2), laid out, rounded and named exactly as
// torchvision's MobileNetV2 (features.0 stem, features.1-17 InvertedResidual with a `conv`
// Sequential, features.18 conv1x1 to the last width, global pool, classifier = dropout + linear).
// Small stem: features.0 has stride 1 instead of 2 (nothing else changes; 32x32 input -> 4x4 into
// features.18 instead of 1x1).
import { z } from "zod";
import { bn, conv, convBnAct, dropout, gap, linear, makeDivisible, named, seq } from "../blocks.js";
import { type CommonArch, commonFields, type FamilyDef } from "../family.js";
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

export interface MobileNetV2Arch extends CommonArch {
  family: "mobilenet_v2";
  /** Width multiplier (torchvision's width_mult); channels rounded to multiples of 8. */
  width: number;
}

const schema = z.object({
  family: z.literal("mobilenet_v2"),
  width: z.number().min(0.1).max(2).default(1),
  ...commonFields,
});

/** torchvision InvertedResidual(inp, oup, stride, t): residual only when stride 1 and inp == oup. */
function invertedResidual(inp: number, oup: number, stride: number, t: number): Node {
  const hidden = Math.round(inp * t);
  const layers: Node[] = [];
  if (t !== 1) layers.push(seq(...convBnAct(hidden, 1, "relu6")));
  layers.push(seq(...convBnAct(hidden, 3, "relu6", { stride, groups: hidden })), conv(oup, 1), bn());
  const body: Named[] = [["conv", seq(...layers)]];
  return stride === 1 && inp === oup ? { op: "add", main: body, shortcut: null, after: null } : named(body);
}

function decode(a: MobileNetV2Arch): Node {
  let inp = makeDivisible(32 * a.width);
  const last = makeDivisible(1280 * Math.max(1, a.width));
  const features: Node[] = [seq(...convBnAct(inp, 3, "relu6", { stride: a.stem === "small" ? 1 : 2 }))];
  for (const [t, c, n, s] of SETTINGS) {
    const oup = makeDivisible(c * a.width);
    for (let i = 0; i < n; i++) {
      features.push(invertedResidual(inp, oup, i === 0 ? s : 1, t));
      inp = oup;
    }
  }
  features.push(seq(...convBnAct(last, 1, "relu6")));
  return named([
    ["features", seq(...features)],
    ["pool", gap()],
    ["classifier", seq(dropout(0.2), linear(a.classes))],
  ]);
}

/** Registered models: torchvision's naming (mobilenet_v2 is x1_0 there). */
export const MOBILENET_V2_MODELS: Record<string, Partial<MobileNetV2Arch>> = {
  mobilenet_v2_x0_35: { family: "mobilenet_v2", width: 0.35 },
  mobilenet_v2_x0_5: { family: "mobilenet_v2", width: 0.5 },
  mobilenet_v2_x0_75: { family: "mobilenet_v2", width: 0.75 },
  mobilenet_v2_x1_0: { family: "mobilenet_v2", width: 1 },
  mobilenet_v2_x1_4: { family: "mobilenet_v2", width: 1.4 },
};

export const mobilenetV2: FamilyDef<MobileNetV2Arch> = {
  family: "mobilenet_v2",
  schema: schema as z.ZodType<MobileNetV2Arch>,
  decode,
  init: "kaiming-fan-out",
};
