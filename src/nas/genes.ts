// Genotypes of a GeneSpace as plain data: uniform sampling and a canonical key, shared by the
// constraint check and the search (no tensors, no architecture knowledge).
import type { Random } from "../util/random.js";
import type { GeneSpace, Genotype } from "./types.js";

/** Every gene independently uniform over its values. */
export function sampleGenotype(space: GeneSpace, random: Random): Genotype {
  return Object.fromEntries(space.genes.map((gene) => [gene.label, random.pick(gene.values)]));
}

/** The same string for the same architecture whatever the key order: values in the space's gene order. */
export function genotypeKey(space: GeneSpace, g: Genotype): string {
  return JSON.stringify(space.genes.map((gene) => g[gene.label] ?? null));
}
