// Single Path One-Shot search spaces (Guo et al., ECCV 2020, Table 1: the supernet), declared once as data
// with stable labels, after the official evaluation network (megvii-model/SinglePathOneShot,
// src/Evaluation/*/network.py). A genotype names every choice, {"block_1": "shuffle5x5", "mid_1": 0.8, ...};
// the official positional tuples (block ids + channel-scale ids) are an input format read by fromOfficial.
import { z } from "zod";
import type { Random } from "../../util/random.js";
import type { Genotype } from "../genotype.js";

/** One candidate block (official blocks.py: Shufflenet with ksize k, or Shuffle_Xception). */
export interface ChoiceBlock {
  /** Stable label used in genotypes. */
  label: string;
  /** "shuffle": pw -> dw k x k -> pw (ShuffleNet V2 unit); "xception": three dw3x3 + pw pairs. */
  kind: "shuffle" | "xception";
  /** Depthwise kernel of branch_main's (first) dw conv and of branch_proj at stride 2. */
  k: number;
}

/** A SPOS-style space: a stem, stages of choice blocks, a 1x1 conv, global pool, dropout, FC. */
export interface SposSpace {
  /** Registry name: the value of the oneshot family's `space` field. */
  name: string;
  /** first_conv: conv3x3 with this stride (no max-pool) -> BN -> ReLU, to `stem` channels. */
  stem: number;
  stemStride: number;
  /** Stages of choice blocks; the first block of a stage has `stride`, the others stride 1. */
  stages: readonly { repeats: number; out: number; stride: number }[];
  /** conv_last: conv1x1 to this width -> BN -> ReLU. */
  last: number;
  /** Dropout probability before the classifier (a linear layer without bias). */
  dropout: number;
  /** Candidate blocks per position; the index is the official id. */
  choices: readonly ChoiceBlock[];
  /** Scales of a block's mid width (see midChannels); the index is the official id. */
  scales: readonly number[];
}

/** The ImageNet space of the paper: 4^20 block paths, 8^20 channel settings on top. */
export const SPOS_IMAGENET: SposSpace = {
  name: "spos_imagenet",
  stem: 16,
  stemStride: 2,
  stages: [
    { repeats: 4, out: 64, stride: 2 },
    { repeats: 4, out: 160, stride: 2 },
    { repeats: 8, out: 320, stride: 2 },
    { repeats: 4, out: 640, stride: 2 },
  ],
  last: 1024,
  dropout: 0.1,
  choices: [
    { label: "shuffle3x3", kind: "shuffle", k: 3 },
    { label: "shuffle5x5", kind: "shuffle", k: 5 },
    { label: "shuffle7x7", kind: "shuffle", k: 7 },
    { label: "xception", kind: "xception", k: 3 },
  ],
  // Literal values as in the official scale list, so mid widths round exactly like Python's.
  scales: [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6],
};

/**
 * The space for 28-32 px images (Fashion-MNIST, CIFAR): the same four choices and eight channel scales,
 * 10 blocks in stages [2, 2, 4, 2] (half the paper's depth) at widths 48/96/192/384 (0.6-0.75x the
 * paper's), a stride-1 stem (28 -> 14 -> 7 -> 4 -> 2 px through the stages) and a 768-wide last conv.
 * 4^10 block paths, 8^10 channel settings; 2.6M-10.3M FLOPs (median 6.1M) at 28x28x1, 10 classes.
 */
export const SPOS_SMALL: SposSpace = {
  ...SPOS_IMAGENET,
  name: "spos_small",
  stemStride: 1,
  stages: [
    { repeats: 2, out: 48, stride: 2 },
    { repeats: 2, out: 96, stride: 2 },
    { repeats: 4, out: 192, stride: 2 },
    { repeats: 2, out: 384, stride: 2 },
  ],
  last: 768,
};

/** Every registered space by name. */
export const SPOS_SPACES: Readonly<Record<string, SposSpace>> = {
  [SPOS_IMAGENET.name]: SPOS_IMAGENET,
  [SPOS_SMALL.name]: SPOS_SMALL,
};

/** The space an architecture's `space` field names or holds. */
export function spaceOf(space: string | SposSpace): SposSpace {
  if (typeof space !== "string") return space;
  const found = SPOS_SPACES[space];
  if (!found)
    throw new Error(`unknown search space "${space}" (registered: ${Object.keys(SPOS_SPACES).join(", ")})`);
  return found;
}

const positiveInt = z.number().int().min(1);

/**
 * A user's own space as JSON (the SposSpace fields). Every block must be able to split its input in half
 * (even widths) and every channel scale must leave at least one mid channel.
 */
export const sposSpaceSchema: z.ZodType<SposSpace> = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, "expected letters, digits, '_', '.' or '-'"),
    stem: positiveInt,
    stemStride: z.union([z.literal(1), z.literal(2)]),
    stages: z
      .array(
        z
          .object({ repeats: positiveInt, out: positiveInt, stride: z.union([z.literal(1), z.literal(2)]) })
          .strict(),
      )
      .min(1),
    last: positiveInt,
    dropout: z.number().min(0).lt(1),
    choices: z
      .array(
        z
          .object({
            label: z.string().min(1),
            kind: z.enum(["shuffle", "xception"]),
            k: positiveInt.refine((k) => k % 2 === 1, "expected an odd kernel size"),
          })
          .strict(),
      )
      .min(1),
    scales: z.array(z.number().positive()).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const labels = s.choices.map((c) => c.label);
    labels.forEach((l, i) => {
      if (labels.indexOf(l) !== i) issue(["choices", i, "label"], `duplicate choice label "${l}"`);
    });
    s.scales.forEach((v, i) => {
      if (s.scales.indexOf(v) !== i) issue(["scales", i], `duplicate scale ${v}`);
    });
    let inp = s.stem;
    s.stages.forEach((stage, i) => {
      if (stage.out % 2 !== 0)
        issue(["stages", i, "out"], `${stage.out} is odd: a block splits its channels in half`);
      if (stage.stride === 1 && inp % 2 !== 0)
        issue(["stages", i], `a stride-1 block needs an even input width, got ${inp}`);
      if (stage.stride === 1 && stage.out <= inp / 2)
        issue(["stages", i, "out"], `a stride-1 block must widen past half its input (${inp / 2})`);
      if (stage.stride === 2 && stage.out <= inp)
        issue(["stages", i, "out"], `a stride-2 block must widen past its input (${inp})`);
      const smallest = Math.min(...s.scales);
      if (midChannels(stage.out, smallest) < 1)
        issue(["scales"], `scale ${smallest} leaves no mid channels in a ${stage.out}-wide block`);
      inp = stage.out;
    });
  });

/** The channel scale of a position whose mid label a genotype leaves out. */
export const DEFAULT_SCALE = 1.0;

/** One choice block's place in the network. */
export interface BlockPosition {
  /** 0-based position (features.<index>). */
  index: number;
  /** Genotype labels: "block_<index + 1>", "mid_<index + 1>". */
  block: string;
  mid: string;
  /** Channels entering and leaving the unit, and its stride. */
  inp: number;
  out: number;
  stride: number;
}

/** The positions of a space's choice blocks, in order. */
export function positions(space: SposSpace): BlockPosition[] {
  const list: BlockPosition[] = [];
  let inp = space.stem;
  for (const stage of space.stages) {
    for (let i = 0; i < stage.repeats; i++) {
      const n = list.length + 1;
      list.push({
        index: n - 1,
        block: `block_${n}`,
        mid: `mid_${n}`,
        inp,
        out: stage.out,
        stride: i === 0 ? stage.stride : 1,
      });
      inp = stage.out;
    }
  }
  return list;
}

/** Official network.py: base_mid_channels = outp // 2; mid_channels = int(base_mid_channels * scale). */
export const midChannels = (out: number, scale: number): number => Math.floor(Math.floor(out / 2) * scale);

const quoteList = (values: readonly (string | number)[]) => values.map((v) => JSON.stringify(v)).join(", ");

/** What is wrong with a genotype: one entry per offending label (empty if it is legal). */
export function genotypeIssues(space: SposSpace, g: Genotype): { label: string; message: string }[] {
  const issues: { label: string; message: string }[] = [];
  const known = new Set<string>();
  const labels = space.choices.map((c) => c.label);
  for (const p of positions(space)) {
    known.add(p.block).add(p.mid);
    const choice = g[p.block];
    if (typeof choice !== "string" || !labels.includes(choice)) {
      issues.push({
        label: p.block,
        message: `expected a block of ${space.name}: one of ${quoteList(labels)}`,
      });
    }
    const scale = g[p.mid];
    if (scale !== undefined && (typeof scale !== "number" || !space.scales.includes(scale))) {
      issues.push({
        label: p.mid,
        message: `expected a channel scale of ${space.name}: one of ${quoteList(space.scales)}`,
      });
    }
  }
  const n = known.size / 2;
  for (const label of Object.keys(g)) {
    if (!known.has(label)) {
      issues.push({
        label,
        message: `${space.name} has no such label (its labels are block_1..block_${n}, mid_1..mid_${n})`,
      });
    }
  }
  return issues;
}

function officialIds(space: SposSpace, what: string, ids: readonly number[], count: number): void {
  const n = positions(space).length;
  if (ids.length !== n) throw new Error(`${space.name}: expected ${n} ${what} ids, got ${ids.length}`);
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= count) {
      throw new Error(
        `${space.name}: ${what} id ${JSON.stringify(id)} at position ${i} is not in 0..${count - 1}`,
      );
    }
  });
}

/**
 * Reads the official positional format: block ids (0 shuffle3x3, 1 shuffle5x5, 2 shuffle7x7, 3 xception)
 * and, optionally, channel-scale ids (0 -> 0.2 ... 7 -> 1.6). Without scale ids the mids stay 1.0 (unset).
 */
export function fromOfficial(
  space: SposSpace,
  blockIds: readonly number[],
  scaleIds?: readonly number[],
): Genotype {
  officialIds(space, "block", blockIds, space.choices.length);
  if (scaleIds) officialIds(space, "channel-scale", scaleIds, space.scales.length);
  const g: Record<string, string | number> = {};
  for (const p of positions(space)) {
    g[p.block] = (space.choices[blockIds[p.index] as number] as ChoiceBlock).label;
    if (scaleIds) g[p.mid] = space.scales[scaleIds[p.index] as number] as number;
  }
  return g;
}

/** The official positional format of a legal genotype (unset mids -> the id of 1.0). */
export function toOfficial(space: SposSpace, g: Genotype): { blockIds: number[]; scaleIds: number[] } {
  const ps = positions(space);
  return {
    blockIds: ps.map((p) => space.choices.findIndex((c) => c.label === g[p.block])),
    scaleIds: ps.map((p) => space.scales.indexOf((g[p.mid] as number | undefined) ?? DEFAULT_SCALE)),
  };
}

/** A uniformly random genotype with every label set, drawn from the seeded `random`. */
export function randomGenotype(space: SposSpace, random: Random): Genotype {
  const g: Record<string, string | number> = {};
  for (const p of positions(space)) {
    g[p.block] = random.pick(space.choices).label;
    g[p.mid] = random.pick(space.scales);
  }
  return g;
}
