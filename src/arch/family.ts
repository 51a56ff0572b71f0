// What every model family provides: a schema for its architecture description (common fields plus
// its own hyper-parameters) and a decoder to a layer plan. Families are pure data and code: no
// tensors, no modules (the builder in src/models turns plans into modules).
import { z } from "zod";
import type { Node } from "./plan.js";
import { type Quant, quantSchema } from "./quant.js";

/** Fields every architecture description has. */
export const commonFields = {
  /** Input height and width in pixels (square). */
  inputSize: z.number().int().min(28).default(224),
  /** Input channels (3 for RGB, 1 for grayscale). */
  inChannels: z.number().int().min(1).default(3),
  /** Output classes. */
  classes: z.number().int().min(1).default(1000),
  /**
   * "standard": the ImageNet stem of the paper. "small": for 28-32 px images, the stem keeps full
   * resolution; each family documents exactly what it changes.
   */
  stem: z.enum(["standard", "small"]).default("standard"),
  /** Quantization-aware training's bit widths (src/arch/quant.ts); absent: a float network. */
  quant: quantSchema.optional(),
};

/** Fields every architecture description has: its family's name and the values of commonFields. */
export type CommonArch = { family: string } & {
  -readonly [K in Exclude<keyof typeof commonFields, "quant">]: z.output<(typeof commonFields)[K]>;
} & { quant?: Quant };

/** The input and output fields of a description, which every network of a search space shares. */
export type ArchInput = Omit<CommonArch, "family">;

/** The input and output fields of a description (e.g. of a supernet, shared by all its paths). */
export const inputOf = ({ inputSize, inChannels, classes, stem }: CommonArch): ArchInput => ({
  inputSize,
  inChannels,
  classes,
  stem,
});

/**
 * How the builder initialises weights (src/models/init.ts implements each recipe):
 * - "megvii": the official Megvii code (ShuffleNet V1/V2+/SPOS): conv N(0, 0.01) for the first
 *   conv and SE convs, else N(0, 1/fan-in channels), BN weight 1 bias 1e-4, linear N(0, 0.01) bias 0;
 * - "torchvision-shufflenet": PyTorch defaults (what torchvision's ShuffleNetV2 uses);
 * - "kaiming-fan-out": conv He-normal fan-out, BN 1/0, linear N(0, 0.01) bias 0 (torchvision
 *   MobileNetV2; ResNet uses the same conv/BN rule with PyTorch's default linear).
 */
export const INIT_RECIPES = [
  "megvii",
  "torchvision-shufflenet",
  "kaiming-fan-out",
  "torchvision-resnet",
] as const;
export type InitRecipe = (typeof INIT_RECIPES)[number];

/** A named model's description: its family and the fields it fixes (the others take the schema's defaults). */
export type ModelSpec<A extends CommonArch> = Partial<A> & Pick<A, "family">;

export interface FamilyDef<A extends CommonArch = CommonArch> {
  family: A["family"];
  /**
   * The full description schema, a z.strictObject (unknown fields are errors) of the family literal,
   * commonFields and the family's own fields, all with defaults; the family's type is its output.
   */
  schema: z.ZodType<A>;
  /** The layer plan, its module names matching torchvision (or the official code) where they exist. */
  decode(arch: A): Node;
  init: InitRecipe;
}
