// MetaPruning channel search spaces (Liu et al., "MetaPruning: Meta Learning for Automatic Neural
// Network Channel Pruning", ICCV 2019, Sec. 3-4; official liuzechun/MetaPruning */training/*.py),
// declared as data. A space is an unpruned network whose `channels` are the widest each layer may be,
// and labelled genes: each gene picks one scale (0.10..1.00 step 0.03 by default) and sets every
// channel slot it names to floor(base * scale). One gene per stage sets the outputs of all its blocks,
// so residual adds line up (this is how ResNet shortcut widths are searched); one gene per block sets
// its mid width. Slots no gene names keep their base width (MobileNetV1's last 1024, MobileNetV2's
// 1280, ResNet's last stage, as in the official pruned networks).
// A genotype: {"stage_1": 0.52, "mid_3": 0.7, ...}; a pruned architecture is the family description
// with explicit `channels`, which the zoo builds and the counter counts like any other.
import { z } from "zod";
import type { ArchInput } from "../family.js";
import type { Genotype } from "../genotype.js";
import { type Arch, validateArch } from "../schema.js";

/** A channel slot: a field of the family's `channels` ("stem", "last") or an entry of one ("stages.2"). */
export type Slot = string;

export interface PruningGene {
  /** Stable label used in genotypes, e.g. "stage_2", "mid_5". */
  label: string;
  /** The channel slots this gene scales (all with the same scale). */
  slots: readonly Slot[];
}

/** The family fields of the unpruned network: everything but the common (input/output) fields. */
export type PruningBase = { family: "mobilenet_v1" | "mobilenet_v2" | "resnet" } & Record<string, unknown> & {
    channels: Record<string, number | number[]>;
  };

export interface PruningSpace {
  /** Registry name, or the user's name for a space in a JSON file. */
  name: string;
  base: PruningBase;
  /** The scales every gene chooses from, ascending (official: 31 values 0.10..1.00). */
  scales: readonly number[];
  /** Hidden width of each layer's weight generator FC -> ReLU -> FC (official: 32; 64 for MobileNetV2). */
  hidden: number;
  /**
   * Pruned widths are multiples of this (official: 1, any width). Runtimes run aligned widths faster
   * (onnxruntime's depthwise convs: multiples of 4), so a search for speed may want 4 or 8.
   */
  divisor?: number;
  genes: readonly PruningGene[];
}

/** Official channel_scale: (10 + 3i) / 100 for i < 31, computed as there so floor() agrees with Python. */
export const METAPRUNING_SCALES: readonly number[] = Array.from({ length: 31 }, (_, i) => (10 + i * 3) / 100);

/**
 * A slot's width at a scale: official int(base * scale), at least one channel; with a divisor, rounded
 * down to a multiple of it (at least one divisor, at most the base). Never falls as the scale grows.
 */
export const scaledWidth = (base: number, scale: number, divisor = 1): number =>
  Math.min(base, Math.max(divisor, Math.floor((base * scale) / divisor) * divisor));

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);

/** MobileNetV1 (official mobilenetv1/training): 13 genes, stem and blocks 1-12; block 13 keeps 1024. */
const MOBILENET_V1: PruningSpace = {
  name: "mobilenet_v1",
  base: {
    family: "mobilenet_v1",
    channels: { stem: 32, blocks: [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024] },
  },
  scales: METAPRUNING_SCALES,
  hidden: 32,
  genes: [
    { label: "out_0", slots: ["stem"] },
    ...range(12, 1).map((i) => ({ label: `out_${i}`, slots: [`blocks.${i - 1}`] })),
  ],
};

/**
 * MobileNetV2 on the official 1.4x base (mobilenetv2/training: stage_out_channel = int(1.4 c)) with
 * hidden = 6 x the block's input and the last conv at 1280: stage genes stage_0 (stem) .. stage_7, mid
 * genes mid_2 .. mid_17 (features.<i>). Unlike the official PruningNet, features.1 (t = 1) has no
 * expansion conv here, as in torchvision, so it has no mid gene.
 */
const V2_STAGES = [22, 33, 44, 88, 132, 224, 448];
const V2_REPEATS = [1, 2, 3, 4, 3, 3, 1];
const V2_BLOCK_INPUTS = V2_REPEATS.flatMap((n, s) =>
  range(n).map((i) => (i === 0 ? [44, ...V2_STAGES][s] : V2_STAGES[s]) as number),
);
const MOBILENET_V2: PruningSpace = {
  name: "mobilenet_v2",
  base: {
    family: "mobilenet_v2",
    channels: { stem: 44, stages: V2_STAGES, hidden: V2_BLOCK_INPUTS.slice(1).map((c) => 6 * c), last: 1280 },
  },
  scales: METAPRUNING_SCALES,
  hidden: 64,
  genes: [
    { label: "stage_0", slots: ["stem"] },
    ...range(7).map((s) => ({ label: `stage_${s + 1}`, slots: [`stages.${s}`] })),
    ...range(16).map((i) => ({ label: `mid_${i + 2}`, slots: [`hidden.${i}`] })),
  ],
};

/**
 * ResNet-50 (official resnet/training): a gene for the stem and for stages 1-3 (shortcut widths follow
 * their stage), layer4 keeps 2048 (official evaluating/resnet.py), one mid gene per Bottleneck.
 */
const RESNET_50: PruningSpace = {
  name: "resnet50",
  base: {
    family: "resnet",
    depth: 50,
    channels: {
      stem: 64,
      stages: [256, 512, 1024, 2048],
      mid: [3, 4, 6, 3].flatMap((n, s) => Array(n).fill(64 << s)),
    },
  },
  scales: METAPRUNING_SCALES,
  hidden: 32,
  genes: [
    { label: "stage_0", slots: ["stem"] },
    ...range(3).map((s) => ({ label: `stage_${s + 1}`, slots: [`stages.${s}`] })),
    ...range(16).map((i) => ({ label: `mid_${i + 1}`, slots: [`mid.${i}`] })),
  ],
};

/** ResNet-18 like ResNet-50; layer1's identity shortcuts carry the stem, so stem and layer1 share a gene. */
const RESNET_18: PruningSpace = {
  name: "resnet18",
  base: {
    family: "resnet",
    depth: 18,
    channels: { stem: 64, stages: [64, 128, 256, 512], mid: [64, 64, 128, 128, 256, 256, 512, 512] },
  },
  scales: METAPRUNING_SCALES,
  hidden: 32,
  genes: [
    { label: "stage_1", slots: ["stem", "stages.0"] },
    ...range(2).map((s) => ({ label: `stage_${s + 2}`, slots: [`stages.${s + 1}`] })),
    ...range(8).map((i) => ({ label: `mid_${i + 1}`, slots: [`mid.${i}`] })),
  ],
};

export const PRUNING_SPACES: Record<string, PruningSpace> = Object.fromEntries(
  [MOBILENET_V1, MOBILENET_V2, RESNET_18, RESNET_50].map((s) => [s.name, s]),
);

export const pruningSpaceSchema = z
  .object({
    name: z.string().min(1),
    base: z
      .object({
        family: z.enum(["mobilenet_v1", "mobilenet_v2", "resnet"]),
        channels: z.record(z.string(), z.union([z.number().int().min(1), z.array(z.number().int().min(1))])),
      })
      .passthrough(),
    scales: z
      .array(z.number().gt(0).max(1))
      .min(1)
      .refine((s) => s.every((x, i) => i === 0 || x > (s[i - 1] as number)), "must be strictly ascending"),
    hidden: z.number().int().min(1).default(32),
    divisor: z.number().int().min(1).optional(),
    genes: z.array(z.object({ label: z.string().min(1), slots: z.array(z.string().min(1)).min(1) })).min(1),
  })
  .strict();

/** Where a slot lives in a channels object; throws naming the slot if it does not exist. */
function locate(
  channels: Record<string, number | number[]>,
  slot: Slot,
): [Record<string, unknown> | number[], string | number] {
  const [field, index, ...rest] = slot.split(".");
  const value = channels[field as string];
  if (rest.length === 0 && value !== undefined) {
    if (index === undefined && typeof value === "number") return [channels, field as string];
    if (index !== undefined && Array.isArray(value) && /^\d+$/.test(index) && Number(index) < value.length)
      return [value, Number(index)];
  }
  throw new Error(`slot "${slot}" names no single channel count of the base network`);
}

/** The base width of every slot (checks that each slot exists and no two genes share a slot). */
export function slotWidths(space: PruningSpace): Map<Slot, number> {
  const widths = new Map<Slot, number>();
  for (const gene of space.genes)
    for (const slot of gene.slots) {
      if (widths.has(slot)) throw new Error(`space ${space.name}: slot "${slot}" is set by two genes`);
      const [holder, key] = locate(space.base.channels, slot);
      widths.set(slot, (holder as Record<string | number, number>)[key] as number);
    }
  return widths;
}

/** The family description with channels from the genotype (every gene set to a positive scale <= 1). */
export function prunedArch(space: PruningSpace, g: Genotype, input: Partial<ArchInput>): Arch {
  const channels = structuredClone(space.base.channels);
  for (const gene of space.genes) {
    const scale = g[gene.label];
    if (typeof scale !== "number" || !(scale > 0 && scale <= 1))
      throw new Error(
        `genotype label "${gene.label}" is ${JSON.stringify(scale)}: expected a scale in (0, 1]`,
      );
    for (const slot of gene.slots) {
      const [holder, key] = locate(channels, slot);
      const h = holder as Record<string | number, number>;
      h[key] = scaledWidth(h[key] as number, scale, space.divisor);
    }
  }
  return validateArch({ ...space.base, channels, ...input });
}

/** The unpruned network (every gene at 1.0). */
export const baseArch = (space: PruningSpace, input: Partial<ArchInput>): Arch =>
  validateArch({ ...space.base, ...input });

/** Every gene at the same scale: the uniform-width network. */
export const uniformGenotype = (space: PruningSpace, scale: number): Genotype =>
  Object.fromEntries(space.genes.map((gene) => [gene.label, scale]));

/**
 * The same space on a narrower unpruned network: every base width scaled by `factor` (floor, at least
 * one channel), e.g. a MobileNetV2 space for 28-32 px images that trains in minutes on a CPU.
 */
export function narrowSpace(space: PruningSpace, factor: number, hidden = space.hidden): PruningSpace {
  const narrow = (c: number) => Math.max(1, Math.floor(c * factor));
  const channels = Object.fromEntries(
    Object.entries(space.base.channels).map(([k, v]) => [k, Array.isArray(v) ? v.map(narrow) : narrow(v)]),
  );
  const name = factor === 1 ? space.name : `${space.name}_x${factor}`;
  return { ...space, name, base: { ...space.base, channels }, hidden };
}
