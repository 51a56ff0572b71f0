// A SPOS space seen by the search: its genes (one block gene and, when the space has channel scales,
// one mid gene per position) and its analytic profilers (FLOPs and params of a genotype by table
// lookup, with the exact minimum over the space so an impossible limit fails before any evaluation).
import type { CommonArch } from "../arch/family.js";
import { makeGenotypeCounter } from "../arch/genotype-counter.js";
import { positions, type SposSpace } from "../arch/spaces/spos.js";
import type { GeneSpace, Profiler } from "./types.js";

export function geneSpaceOf(space: SposSpace): GeneSpace {
  const labels = space.choices.map((c) => c.label);
  return {
    name: space.name,
    genes: positions(space).flatMap((p) => [
      { label: p.block, values: labels },
      ...(space.scales.length > 1 ? [{ label: p.mid, values: space.scales }] : []),
    ]),
  };
}

export interface SposProfilers {
  flops: Profiler;
  params: Profiler;
}

/** FLOPs (multiply-adds, the papers' convention) and params of genotypes of `space` for this input. */
export function sposProfilers(space: SposSpace, common: Partial<Omit<CommonArch, "family">>): SposProfilers {
  const count = makeGenotypeCounter(space, common);
  return {
    flops: { name: "flops", unit: "si", measure: (g) => count(g).flops, minimum: () => count.minimum.flops },
    params: {
      name: "params",
      unit: "si",
      measure: (g) => count(g).params,
      minimum: () => count.minimum.params,
    },
  };
}
