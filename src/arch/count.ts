// The analytic counter: FLOPs (papers' convention), full op count, params, MAC and activation
// memory of an architecture description, per op and in total, and its BitOps when it is quantized,
// without building anything.
import { type CountResult, summarize } from "./cost.js";
import type { LayerOp, Node } from "./plan.js";
import { bitOps, type LayerBits, layerBits } from "./quant.js";
import { type Arch, familyDef } from "./schema.js";
import { listOps } from "./walk.js";

/** The layer plan of a validated description. */
export function planOf(arch: Arch): Node {
  return familyDef(arch).decode(arch);
}

const opsOf = (arch: Arch): LayerOp[] =>
  listOps(planOf(arch), { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize }).ops;

export function countArch(arch: Arch): CountResult {
  return summarize(opsOf(arch));
}

/** Each conv and linear layer's bit widths, by path; null for a float network. */
export const archLayerBits = (arch: Arch): Map<string, LayerBits> | null =>
  arch.quant ? layerBits(arch.quant, opsOf(arch)) : null;

/** BitOps of a description: its FLOPs weighted by its layers' bits (32 x 32 where it has none). */
export function countBitOps(arch: Arch): number {
  const ops = opsOf(arch);
  return bitOps(ops, arch.quant ? layerBits(arch.quant, ops) : null);
}
