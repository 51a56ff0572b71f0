// Single Path One-Shot networks (Guo et al., ECCV 2020): one path of a SPOS search space, chosen by a
// labelled genotype, laid out and named as the official evaluation network (megvii-model/SinglePathOneShot
// src/Evaluation network.py / blocks.py: first_conv, features.N with branch_main / branch_proj,
// conv_last, globalpool, dropout, classifier). The fixed 7x7 average pool is a global pool here, so any
// input size works. Small stem: first_conv has stride 1 (32x32 input -> 32x32 into the first stage;
// there is no max-pool to drop); nothing else changes.
import { z } from "zod";
import { bn, conv, dropout, gap, linear, megviiChoiceUnit, named, relu, seq } from "../blocks.js";
import { type ArchInput, type CommonArch, commonFields, type FamilyDef, type ModelSpec } from "../family.js";
import type { Genotype } from "../genotype.js";
import type { Named, Node } from "../plan.js";
import {
  type BlockPosition,
  type ChoiceBlock,
  DEFAULT_SCALE,
  fromOfficial,
  genotypeIssues,
  midChannels,
  positions,
  SPOS_IMAGENET,
  SPOS_SPACES,
  type SposSpace,
  spaceOf,
  sposSpaceSchema,
} from "../spaces/spos.js";

const schema = z
  .strictObject({
    family: z.literal("oneshot"),
    /** The search space: a registered name (a key of SPOS_SPACES) or a whole space (a user's own, inline). */
    space: z.union([z.enum(Object.keys(SPOS_SPACES) as [string, ...string[]]), sposSpaceSchema]),
    /** Every block label with a choice label; mid labels optional (1.0). */
    genotype: z.record(z.string(), z.union([z.string(), z.number()])),
    ...commonFields,
  })
  .superRefine((a, ctx) => {
    const space = spaceOf(a.space);
    for (const { label, message } of genotypeIssues(space, a.genotype)) {
      ctx.addIssue({ code: "custom", path: ["genotype", label], message });
    }
  });

/** A SPOS network description: a space and a genotype in it. */
export type OneshotArch = z.output<typeof schema>;

/** The common fields the decoder reads. */
type Common = Pick<CommonArch, "inChannels" | "classes" | "stem">;

/** first_conv: conv3x3 -> BN -> ReLU (official network.py). */
export const oneshotStem = (space: SposSpace, a: Common): Named[] => [
  ["first_conv", seq(conv(space.stem, 3, { stride: a.stem === "small" ? 1 : space.stemStride }), bn(), relu)],
];

/** The unit at `p` for one choice and mid scale (features.<p.index>). */
export const oneshotUnit = (p: BlockPosition, choice: ChoiceBlock, scale: number): Node =>
  megviiChoiceUnit({
    ...p,
    mid: midChannels(p.out, scale),
    kind: choice.kind,
    k: choice.k,
    act: "relu",
    se: false,
  });

/** conv_last, globalpool, dropout, classifier (official network.py; a global pool instead of AvgPool2d(7)). */
export const oneshotHead = (space: SposSpace, a: Common): Named[] => [
  ["conv_last", seq(conv(space.last, 1), bn(), relu)],
  ["globalpool", gap()],
  ["dropout", dropout(space.dropout)],
  ["classifier", seq(linear(a.classes, false))],
];

function decode(a: OneshotArch): Node {
  const space = spaceOf(a.space);
  const units = positions(space).map((p) => {
    const choice = space.choices.find((c) => c.label === a.genotype[p.block]) as ChoiceBlock;
    return oneshotUnit(p, choice, (a.genotype[p.mid] as number | undefined) ?? DEFAULT_SCALE);
  });
  return named([...oneshotStem(space, a), ["features", seq(...units)], ...oneshotHead(space, a)]);
}

/**
 * The oneshot description of genotype `g` in `space` for the given input: the space by name when it is
 * the registered one, else inline (a user's own space travels with the architecture).
 */
export function oneshotArchOf(space: SposSpace, common: ArchInput, g: Genotype): OneshotArch {
  const registered = SPOS_SPACES[space.name];
  const sameAsRegistered = registered !== undefined && JSON.stringify(registered) === JSON.stringify(space);
  const genotype: Record<string, string | number> = {};
  for (const p of positions(space)) {
    genotype[p.block] = g[p.block] as string;
    if (g[p.mid] !== undefined) genotype[p.mid] = g[p.mid] as number;
  }
  const { inputSize, inChannels, classes, stem } = common;
  return {
    family: "oneshot",
    space: sameAsRegistered ? space.name : space,
    genotype,
    inputSize,
    inChannels,
    classes,
    stem,
  };
}

/** The searched models of the paper (its ImageNet results; official README), from their official tuples. */
export const ONESHOT_MODELS: Record<string, ModelSpec<OneshotArch>> = {
  // Block and channel search: 328M FLOPs, 3.4M params, 25.1% top-1 error.
  oneshot_block_channel: {
    family: "oneshot",
    space: SPOS_IMAGENET.name,
    genotype: fromOfficial(
      SPOS_IMAGENET,
      [0, 0, 3, 1, 1, 1, 0, 0, 2, 0, 2, 1, 1, 0, 2, 0, 2, 1, 3, 2],
      [6, 5, 3, 5, 2, 6, 3, 4, 2, 5, 7, 5, 4, 6, 7, 4, 4, 5, 4, 3],
    ),
  },
  // Block search only (all scales 1.0): 323M FLOPs, 3.5M params, 25.6% top-1 error.
  oneshot_block: {
    family: "oneshot",
    space: SPOS_IMAGENET.name,
    genotype: fromOfficial(SPOS_IMAGENET, [2, 1, 0, 1, 2, 0, 2, 0, 2, 0, 2, 3, 0, 0, 0, 0, 3, 2, 3, 3]),
  },
};

export const oneshot: FamilyDef<OneshotArch> = {
  family: "oneshot",
  schema,
  decode,
  init: "megvii",
};
