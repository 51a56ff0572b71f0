// The fast genotype counter against the full analytic count (countArch) on random SPOS ImageNet genotypes:
// throughput of each and the ratio. Prints nothing; `lithe bench` reports the numbers.
import { countArch } from "../src/arch/count.js";
import { makeGenotypeCounter } from "../src/arch/genotype-counter.js";
import { validateArch } from "../src/arch/schema.js";
import { randomGenotype, SPOS_IMAGENET } from "../src/arch/spaces/spos.js";
import { Random } from "../src/util/random.js";

export interface CounterBench {
  /** Genotypes per second priced by the lookup tables (building the tables excluded). */
  genotypes_per_s: number;
  /** Validated descriptions per second counted by countArch (decode, walk, sum). */
  full_count_per_s: number;
  speedup: number;
}

/** Items per second of `count` over `items`, repeated for at least `minMs` milliseconds. */
function rate<T>(items: readonly T[], count: (item: T) => number, minMs: number): number {
  let done = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (const item of items) sink += count(item);
    done += items.length;
    elapsed = performance.now() - start;
  }
  if (Number.isNaN(sink)) throw new Error("counter bench: a count was NaN");
  return (done / elapsed) * 1000;
}

export function runCounterBench(): CounterBench {
  const random = new Random(1);
  const genotypes = Array.from({ length: 1000 }, () => randomGenotype(SPOS_IMAGENET, random));
  const archs = genotypes
    .slice(0, 100)
    .map((genotype) => validateArch({ family: "oneshot", space: SPOS_IMAGENET.name, genotype }));
  const counter = makeGenotypeCounter(SPOS_IMAGENET);
  rate(genotypes, (g) => counter(g).flops, 100); // warm-up
  const genotypes_per_s = rate(genotypes, (g) => counter(g).flops, 1000);
  const full_count_per_s = rate(archs, (a) => countArch(a).flops, 1000);
  return { genotypes_per_s, full_count_per_s, speedup: genotypes_per_s / full_count_per_s };
}
