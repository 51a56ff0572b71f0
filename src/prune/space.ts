// A pruning space seen by the search: its genes (one per stage output and per block mid width, each
// choosing a scale) and its analytic profilers (FLOPs and params of the pruned network a genotype
// describes, counted from its description, with the exact minimum: every width grows with its scale).
import { countArch } from "../arch/count.js";
import type { ArchInput } from "../arch/family.js";
import type { Genotype } from "../arch/genotype.js";
import {
  type PruningSpace,
  prunedArch,
  scaledWidth,
  slotWidths,
  uniformGenotype,
} from "../arch/spaces/pruning.js";
import type { CostProfilers, GeneSpace, Profiler } from "../search/types.js";

/**
 * One gene per label over the space's scales, ascending, so the space is ordered (widths grow with
 * scales). Training draws from all of them, as the official code draws scale ids. With `distinct`, a
 * gene keeps only the first scale of each different set of widths it gives its slots (int(11 * s) takes
 * 11 values over the 31 scales): the search then never spends an evaluation on the same network twice.
 */
export function pruningGenes(space: PruningSpace, { distinct = false } = {}): GeneSpace {
  const bases = slotWidths(space);
  const widthsAt = (slots: readonly string[], s: number) =>
    slots.map((slot) => scaledWidth(bases.get(slot) as number, s, space.divisor)).join(",");
  const valuesOf = (slots: readonly string[]) => {
    if (!distinct) return space.scales;
    const seen = new Set<string>();
    return space.scales.filter((s) => {
      const key = widthsAt(slots, s);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  return {
    name: space.name,
    genes: space.genes.map((g) => ({ label: g.label, values: valuesOf(g.slots) })),
    ordered: true,
  };
}

/** FLOPs (multiply-adds, the papers' convention) and params of the pruned networks of `space`. */
export function pruningProfilers(space: PruningSpace, input: ArchInput): CostProfilers {
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
