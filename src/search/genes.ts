// Genotypes of a GeneSpace as plain data: uniform sampling (repaired to meet the limits in an ordered
// space) and a canonical key, shared by the constraint check and the search (no tensors, no
// architecture knowledge).
import type { Random } from "../util/random.js";
import type { Constraint, GeneSpace, Genotype } from "./types.js";

/** Every gene independently uniform over its values. */
export function sampleGenotype(space: GeneSpace, random: Random): Genotype {
  return Object.fromEntries(space.genes.map((gene) => [gene.label, random.pick(gene.values)]));
}

/** The same string for the same architecture whatever the key order: values in the space's gene order. */
export function genotypeKey(space: GeneSpace, g: Genotype): string {
  return JSON.stringify(space.genes.map((gene) => g[gene.label] ?? null));
}

/** Every gene at its first value: in an ordered space, the cheapest architecture by every cost. */
export function cheapestGenotype(space: GeneSpace): Genotype {
  return Object.fromEntries(space.genes.map((gene) => [gene.label, gene.values[0] as string | number]));
}

/** Every gene at its last value: in an ordered space, the largest architecture by every cost. */
export function largestGenotype(space: GeneSpace): Genotype {
  return Object.fromEntries(space.genes.map((gene) => [gene.label, gene.values.at(-1) as string | number]));
}

const isUnderLimits = (g: Genotype, constraints: readonly Constraint[]) =>
  constraints.every((c) => c.profiler.measure(g) <= c.max);

/**
 * A uniform draw; in an ordered space, repaired while it breaks a limit: one gene chosen at random
 * among those not yet at their first value steps down one value. Under a tight limit, where rejection
 * alone would almost never succeed (24 MobileNetV2 width genes all small), this still ends at a legal
 * architecture near the limit whenever the cheapest one is legal. Elsewhere the draw is returned as is.
 * Floors (Constraint.min) are not repaired: a draw under one is for the caller's legality check to refuse.
 */
export function sampleLegal(space: GeneSpace, constraints: readonly Constraint[], random: Random): Genotype {
  const drawn = sampleGenotype(space, random);
  if (!space.ordered) return drawn;
  const g: Record<string, string | number> = { ...drawn };
  const index = space.genes.map((gene) => gene.values.indexOf(g[gene.label] as string | number));
  while (!isUnderLimits(g, constraints)) {
    const movable = index.flatMap((i, gene) => (i > 0 ? [gene] : []));
    if (movable.length === 0) break;
    const gene = random.pick(movable);
    const spec = space.genes[gene] as (typeof space.genes)[number];
    index[gene] = (index[gene] as number) - 1;
    g[spec.label] = spec.values[index[gene] as number] as string | number;
  }
  return g;
}
