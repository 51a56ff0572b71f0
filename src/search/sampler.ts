// Path samplers for supernet training (Guo et al. 2020 Sec. 3.2; official src/Supernet/train.py):
// "uniform" draws every gene uniformly (the paper); "constrained" is uniform over the paths that meet
// FLOPs/params limits (rejection); "flops-bins" is the official code's scheme: pick one of equal-width
// FLOPs bins uniformly, then draw uniformly until a path falls in it (up to 500 tries, else any path).
// A step's path depends only on (seed, step), so a resumed run samples exactly the same paths.
import { Random, seedOf } from "../util/random.js";
import { isLegal } from "./constraints.js";
import { sampleGenotype } from "./genes.js";
import type { Constraint, CostProfilers, GeneSpace, Genotype, Profiler } from "./types.js";

export type SamplerConfig =
  | { kind: "uniform" }
  | { kind: "constrained"; flops?: number; params?: number }
  /** Bins of equal width between lo and hi FLOPs (official: 290M..360M in 7 bins of 10M). */
  | { kind: "flops-bins"; lo: number; hi: number; bins: number };

/** Official train.py: tries to land in the chosen bin before falling back to any path. */
const BIN_TRIES = 500;
/** Draws the constrained sampler makes before declaring the limits too tight for training. */
const REJECTION_TRIES = 100_000;

export type PathSampler = (step: number) => Genotype;

/**
 * Default official-style bins for a space: 7 bins between the 2nd and 98th percentile of the FLOPs of
 * 4096 seeded uniform draws (the official 290M..360M spans the bulk of its space's FLOPs the same way).
 */
export function defaultFlopsBins(
  genes: GeneSpace,
  flops: Profiler,
): Extract<SamplerConfig, { kind: "flops-bins" }> {
  const random = new Random(seedOf(`flops-bins/${genes.name}`));
  const values = Array.from({ length: 4096 }, () => flops.measure(sampleGenotype(genes, random))).sort(
    (a, b) => a - b,
  );
  const at = (q: number) => values[Math.floor(q * (values.length - 1))] as number;
  return { kind: "flops-bins", lo: at(0.02), hi: at(0.98), bins: 7 };
}

export function makeSampler(
  genes: GeneSpace,
  profilers: CostProfilers,
  config: SamplerConfig,
  seed: number,
): PathSampler {
  const randomAt = (step: number) => new Random(seedOf(`path/${seed}/${step}`));
  switch (config.kind) {
    case "uniform":
      return (step) => sampleGenotype(genes, randomAt(step));
    case "constrained": {
      const constraints: Constraint[] = [];
      if (config.flops !== undefined) constraints.push({ profiler: profilers.flops, max: config.flops });
      if (config.params !== undefined) constraints.push({ profiler: profilers.params, max: config.params });
      return (step) => {
        const random = randomAt(step);
        for (let i = 0; i < REJECTION_TRIES; i++) {
          const g = sampleGenotype(genes, random);
          if (isLegal(g, constraints)) return g;
        }
        throw new Error(`constrained sampler: no path met the limits in ${REJECTION_TRIES} draws`);
      };
    }
    case "flops-bins": {
      const width = (config.hi - config.lo) / config.bins;
      return (step) => {
        const random = randomAt(step);
        const lo = config.lo + random.int(config.bins) * width;
        for (let i = 0; i < BIN_TRIES; i++) {
          const g = sampleGenotype(genes, random);
          const f = profilers.flops.measure(g);
          if (f >= lo && f <= lo + width) return g;
        }
        return sampleGenotype(genes, random);
      };
    }
  }
}
