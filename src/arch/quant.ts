// Quantization as part of an architecture description: the bit widths of every conv and linear layer's
// weights and input activations (the `quant` field), their short string form ("w4a4"), and the BitOps
// they cost: sum over those layers of FLOPs x weight bits x activation bits (the count of DNAS, Wu et
// al. 2018, and SPOS, Guo et al. 2020, Sec. 4.3), analytic like FLOPs.
import { z } from "zod";
import { opCost } from "./cost.js";
import type { LayerOp } from "./plan.js";

export const MIN_BITS = 1;
export const MAX_BITS = 8;
/** Bits a layer without quantization counts with in BitOps (float32). */
export const FLOAT_BITS = 32;

const bits = z.number().int().min(MIN_BITS).max(MAX_BITS);

/** One layer's widths. */
export const layerBitsSchema = z.strictObject({ weights: bits, activations: bits });
export type LayerBits = z.output<typeof layerBitsSchema>;

export const quantSchema = z.strictObject({
  /** Bits of every conv and linear weight (per output channel, symmetric). */
  weights: bits,
  /** Bits of every conv and linear input (per tensor). */
  activations: bits,
  /**
   * Bits of the first conv and the last linear layer, weights and inputs (LSQ, PACT and DoReFa keep
   * these at 8 bits: they hold a small share of the compute and much of the accuracy).
   */
  edges: bits.default(8),
  /** Widths by layer path (a conv or linear's dotted module name), over the above. */
  layers: z.record(z.string(), layerBitsSchema).default({}),
  /**
   * How inputs are quantized: "lsq", the learned step size (Esser et al. 2020); "pact", a learned
   * clipping level (Choi et al. 2018) for inputs that are never negative, LSQ for the others.
   */
  method: z.enum(["lsq", "pact"]).default("lsq"),
});
export type Quant = z.output<typeof quantSchema>;

const SHORT_FORM = /^w(\d+)a(\d+)$/;

/** "w4a4" -> weights 4, activations 4 (the other fields at their defaults); an Error names a bad form. */
export function parseQuant(text: string): Quant {
  const m = SHORT_FORM.exec(text);
  if (!m) throw new Error(`quantization: expected the form w<bits>a<bits>, e.g. w4a4, got "${text}"`);
  const parsed = quantSchema.safeParse({ weights: Number(m[1]), activations: Number(m[2]) });
  if (!parsed.success)
    throw new Error(`quantization: bits must be integers from ${MIN_BITS} to ${MAX_BITS}, got "${text}"`);
  return parsed.data;
}

const quantized = (o: LayerOp) => o.op === "conv" || o.op === "linear";

/** Each conv and linear layer's widths under `quant`, by path, in execution order. */
export function layerBits(quant: Quant, ops: readonly LayerOp[]): Map<string, LayerBits> {
  const layers = ops.filter(quantized);
  const first = layers.find((o) => o.op === "conv")?.name;
  const last = layers.filter((o) => o.op === "linear").at(-1)?.name;
  const unknown = Object.keys(quant.layers).filter((path) => !layers.some((o) => o.name === path));
  if (unknown.length > 0)
    throw new Error(`quantization: layers."${unknown[0]}" is not a conv or linear layer of this network`);
  const out = new Map<string, LayerBits>();
  for (const o of layers) {
    const edge = o.name === first || o.name === last;
    const uniform = edge
      ? { weights: quant.edges, activations: quant.edges }
      : { weights: quant.weights, activations: quant.activations };
    out.set(o.name, quant.layers[o.name] ?? uniform);
  }
  return out;
}

/** BitOps of `ops`: FLOPs x weight bits x input bits per conv and linear layer, float ones at 32 x 32. */
export function bitOps(ops: readonly LayerOp[], bitsOf: ReadonlyMap<string, LayerBits> | null): number {
  let total = 0;
  for (const o of ops) {
    if (!quantized(o)) continue;
    const b = bitsOf?.get(o.name) ?? { weights: FLOAT_BITS, activations: FLOAT_BITS };
    total += opCost(o).flops * b.weights * b.activations;
  }
  return total;
}
