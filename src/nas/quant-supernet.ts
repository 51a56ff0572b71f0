// The mixed-precision supernet of SPOS (Guo et al., ECCV 2020, Sec. 4.3): the base network of a
// quantization space with, on every conv and linear layer, one LSQ weight quantizer and one input
// quantizer per bit choice of its block (fixed at the space's edge width on the first and last layer).
// A path is each block's weight and input widths; the weights are shared by every path, each width
// keeps its own steps. Its state dict is the base network's plus the quantizers', so a path's network
// takes its weights by name.
import { z } from "zod";
import { type ArchInput, type CommonArch, commonFields, inputOf } from "../arch/family.js";
import type { Genotype } from "../arch/genotype.js";
import type { Arch } from "../arch/index.js";
import { listOps, planOf } from "../arch/index.js";
import type { LayerBits, Quant } from "../arch/quant.js";
import { validateArch } from "../arch/schema.js";
import { blockOf, type QuantSpace, quantSpaceSchema } from "../arch/spaces/quant.js";
import { attachQuantizers, buildModel } from "../models/index.js";
import { Conv2d, type LayerQuantizer, Linear, type Module } from "../nn/index.js";
import type { PathNet } from "../search/method.js";
import { checkSchema } from "../util/checked-json.js";

/** A quantization supernet: its space (whole, so a user's own travels with the run) and the input. */
export interface QuantSupernetArch extends CommonArch {
  family: "quant-supernet";
  space: QuantSpace;
}

const schema = z.strictObject({
  family: z.literal("quant-supernet"),
  space: quantSpaceSchema,
  ...commonFields,
});

/** Checks a quantization supernet description (e.g. from a run.json); the error names the field. */
export const parseQuantSupernetArch = (input: unknown): QuantSupernetArch =>
  checkSchema(schema, input, "quantization supernet description") as QuantSupernetArch;

/** The space's base network for this input. */
export const baseArchOf = (space: QuantSpace, input: ArchInput): Arch =>
  validateArch({ ...space.base, ...input });

/** Each conv and linear layer of the base network with its block ("edge" for the first and last). */
export const layerBlocks = (space: QuantSpace, input: ArchInput): Map<string, string> => {
  const base = baseArchOf(space, input);
  return blockOf(listOps(planOf(base), { c: base.inChannels, h: base.inputSize, w: base.inputSize }).ops);
};

/** The genes' labels of a block. */
export const geneLabels = (block: string) => ({ weights: `${block}.w`, activations: `${block}.a` });

/** Each layer's widths on path `g`. */
export function pathBits(
  space: QuantSpace,
  blocks: ReadonlyMap<string, string>,
  g: Genotype,
): Map<string, LayerBits> {
  const out = new Map<string, LayerBits>();
  for (const [path, block] of blocks) {
    if (block === "edge") out.set(path, { weights: space.edges, activations: space.edges });
    else {
      const l = geneLabels(block);
      out.set(path, { weights: g[l.weights] as number, activations: g[l.activations] as number });
    }
  }
  return out;
}

/** The quantization-aware description of path `g`: the base network with every layer's widths. */
export function pathArch(arch: QuantSupernetArch, g: Genotype): Arch {
  const { space } = arch;
  const bits = pathBits(space, layerBlocks(space, inputOf(arch)), g);
  const quant: Quant = {
    weights: space.weights[0] as number,
    activations: space.activations[0] as number,
    edges: space.edges,
    layers: Object.fromEntries(bits),
    method: "lsq",
  };
  return validateArch({ ...baseArchOf(space, inputOf(arch)), quant });
}

export type QuantSupernet = PathNet & { readonly arch: QuantSupernetArch };

/** The supernet of `arch`: the base network with switchable quantizers on every conv and linear layer. */
export function buildQuantSupernet(arch: QuantSupernetArch): QuantSupernet {
  const { space } = arch;
  const blocks = layerBlocks(space, inputOf(arch));
  const model = buildModel(baseArchOf(space, inputOf(arch)));
  const edge = { weights: [space.edges], activations: [space.edges] };
  const choices = { weights: space.weights, activations: space.activations };
  attachQuantizers(
    model,
    new Map([...blocks].map(([path, block]) => [path, block === "edge" ? edge : choices])),
    "lsq",
  );
  const quantizers = new Map<string, LayerQuantizer>();
  for (const [path, m] of model.namedModules())
    if ((m instanceof Conv2d || m instanceof Linear) && m.quantizer) quantizers.set(path, m.quantizer);
  return Object.assign(model as Module, {
    arch,
    setPath(g: Genotype) {
      for (const [path, bits] of pathBits(space, blocks, g)) quantizers.get(path)?.select(bits);
    },
  });
}
