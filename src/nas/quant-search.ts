// SPOS mixed-precision quantization search (Guo et al., ECCV 2020, Sec. 4.3) as a plug-in of the
// one-shot core: genes are every block's weight and input bit widths (cheapest first), profilers count
// FLOPs and params (the same for every path) and BitOps by table lookup, and the winner is the base
// network's quantization-aware description with the supernet's weights and its widths' steps.
import { inputOf } from "../arch/family.js";
import type { Genotype } from "../arch/genotype.js";
import { countArch, listOps, planOf } from "../arch/index.js";
import { bitOps } from "../arch/quant.js";
import type { QuantSpace } from "../arch/spaces/quant.js";
import { buildModel } from "../models/index.js";
import type { OneShotMethod } from "../search/method.js";
import type { CostProfilers, GeneSpace } from "../search/types.js";
import {
  baseArchOf,
  buildQuantSupernet,
  geneLabels,
  layerBlocks,
  parseQuantSupernetArch,
  pathArch,
  pathBits,
  type QuantSupernet,
  type QuantSupernetArch,
} from "./quant-supernet.js";

export function quantGenes(arch: QuantSupernetArch): GeneSpace {
  const blocks = [...new Set(layerBlocks(arch.space, inputOf(arch)).values())].filter((b) => b !== "edge");
  return {
    name: arch.space.name,
    genes: blocks.flatMap((b) => {
      const l = geneLabels(b);
      return [
        { label: l.weights, values: arch.space.weights },
        { label: l.activations, values: arch.space.activations },
      ];
    }),
    ordered: true,
  };
}

/** FLOPs and params of the base network (every path has them) and BitOps of a path. */
export function quantProfilers(arch: QuantSupernetArch): CostProfilers {
  const space: QuantSpace = arch.space;
  const base = baseArchOf(space, inputOf(arch));
  const { ops } = listOps(planOf(base), { c: base.inChannels, h: base.inputSize, w: base.inputSize });
  const blocks = layerBlocks(space, inputOf(arch));
  const { flops, params } = countArch(base);
  const measure = (g: Genotype) => bitOps(ops, pathBits(space, blocks, g));
  const cheapest = Object.fromEntries(
    quantGenes(arch).genes.map((gene) => [gene.label, gene.values[0] as number]),
  );
  return {
    flops: { name: "flops", unit: "si", measure: () => flops, minimum: () => flops },
    params: { name: "params", unit: "si", measure: () => params, minimum: () => params },
    bitops: { name: "bitops", unit: "si", measure, minimum: () => measure(cheapest) },
  };
}

export const QUANT_SEARCH: OneShotMethod<QuantSupernetArch, QuantSupernet> = {
  netName: "quantization supernet",
  trainCommand: "lithe supernet train --space quant_resnet18",
  predictorCommand: "lithe latency-table",
  parseArch: parseQuantSupernetArch,
  build: buildQuantSupernet,
  genes: quantGenes,
  profilers: quantProfilers,
  loadLatencyPredictor: (path) => {
    throw new Error(`${path}: quantization spaces have no latency predictor; limit them by BitOps`);
  },
  winner: (net, g) => {
    const arch = pathArch(net.arch, g);
    const keys = new Set(buildModel(arch).stateDict().keys());
    return { arch, weights: new Map([...net.stateDict()].filter(([k]) => keys.has(k))) };
  },
};
