// A pruning space seen by the search: its genes (one per stage output and per block mid width, each
// choosing a scale) and its analytic profilers (FLOPs and params of the pruned network a genotype
// describes, counted from its description, with the exact minimum: every width grows with its scale).
import { countArch } from "../arch/count.js";
import type { ArchInput } from "../arch/family.js";
import { type PruningSpace, prunedArch, uniformGenotype } from "../arch/spaces/pruning.js";
import type { GeneSpace, Genotype, Profiler } from "../nas/types.js";

/** One gene per label over the space's scales, ascending, so the space is ordered (widths grow with scales). */
export function pruningGenes(space: PruningSpace): GeneSpace {
  return {
    name: space.name,
    genes: space.genes.map((g) => ({ label: g.label, values: space.scales })),
    ordered: true,
  };
}

export interface PruningProfilers {
  flops: Profiler;
  params: Profiler;
}

/** FLOPs (multiply-adds, the papers' convention) and params of the pruned networks of `space`. */
export function pruningProfilers(space: PruningSpace, input: ArchInput): PruningProfilers {
  const count = (g: Genotype) => countArch(prunedArch(space, g, input));
  const smallest = uniformGenotype(space, Math.min(...space.scales));
  const profiler = (name: "flops" | "params"): Profiler => ({
    name,
    unit: "si",
    measure: (g) => count(g)[name],
    minimum: () => count(smallest)[name],
  });
  return { flops: profiler("flops"), params: profiler("params") };
}
