// Path samplers, search-space genes and profilers, and Kendall tau: paths replay from (seed, step),
// the constrained sampler never breaks its limits, the FLOPs-bin sampler spreads paths over its bins,
// profiler minima are the true minima (checked exhaustively on a small space), and tau-b matches
// hand-computed values.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SPOS_SMALL, type SposSpace } from "../../src/arch/spaces/spos.js";
import { sposGenes, sposProfilers } from "../../src/nas/spos.js";
import { sampleGenotype } from "../../src/search/genes.js";
import { kendallTau } from "../../src/search/ranking.js";
import { defaultFlopsBins, makeSampler } from "../../src/search/sampler.js";
import type { Genotype } from "../../src/search/types.js";
import { Random } from "../../src/util/random.js";

const common = { inputSize: 28, inChannels: 1, classes: 10, stem: "small" as const };
const genes = sposGenes(SPOS_SMALL);
const profilers = sposProfilers(SPOS_SMALL, common);

describe("path samplers", () => {
  it("draw the same path for the same (seed, step) and different paths otherwise", () => {
    const a = makeSampler(genes, profilers, { kind: "uniform" }, 7);
    const b = makeSampler(genes, profilers, { kind: "uniform" }, 7);
    const c = makeSampler(genes, profilers, { kind: "uniform" }, 8);
    assert.deepEqual(a(123), b(123));
    assert.notDeepEqual(a(123), a(124));
    assert.notDeepEqual(a(123), c(123));
  });

  it("uniform: every choice and scale appears at every position, each about equally often", () => {
    const sample = makeSampler(genes, profilers, { kind: "uniform" }, 1);
    const counts = new Map<string, number>();
    const n = 4000;
    for (let step = 0; step < n; step++) {
      for (const [label, value] of Object.entries(sample(step))) {
        const key = `${label}=${value}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    for (const gene of genes.genes) {
      for (const value of gene.values) {
        const share = (counts.get(`${gene.label}=${value}`) ?? 0) / n;
        const expected = 1 / gene.values.length;
        assert.ok(Math.abs(share - expected) < 0.03, `${gene.label}=${value}: ${share} vs ${expected}`);
      }
    }
  });

  it("constrained: no path breaks the limits", () => {
    const limit = 5e6;
    const sample = makeSampler(genes, profilers, { kind: "constrained", flops: limit, params: 7e5 }, 3);
    for (let step = 0; step < 300; step++) {
      const g = sample(step);
      assert.ok(profilers.flops.measure(g) <= limit);
      assert.ok(profilers.params.measure(g) <= 7e5);
    }
  });

  it("flops-bins: paths fall into every bin, roughly uniformly, unlike uniform sampling", () => {
    const bins = defaultFlopsBins(genes, profilers.flops);
    assert.ok(bins.lo < bins.hi && bins.bins === 7);
    const width = (bins.hi - bins.lo) / bins.bins;
    const histogram = (sample: (step: number) => Genotype) => {
      const h = new Array<number>(bins.bins).fill(0);
      for (let step = 0; step < 1400; step++) {
        const f = profilers.flops.measure(sample(step));
        const i = Math.min(bins.bins - 1, Math.max(0, Math.floor((f - bins.lo) / width)));
        h[i] = (h[i] as number) + 1;
      }
      return h;
    };
    const binned = histogram(makeSampler(genes, profilers, bins, 5));
    const uniform = histogram(makeSampler(genes, profilers, { kind: "uniform" }, 5));
    for (const count of binned) assert.ok(count > 120 && count < 280, `bin counts ${binned}`);
    // Uniform sampling piles up in the middle bins (a sum of independent block costs); the bins flatten it.
    const spread = (h: number[]) => Math.max(...h) / Math.min(...h);
    assert.ok(spread(binned) < 1.6 && spread(uniform) > 2.5, `binned ${binned}, uniform ${uniform}`);
  });
});

describe("SPOS genes and profilers", () => {
  it("have one block gene and one mid gene per position", () => {
    assert.equal(genes.genes.length, 20);
    assert.deepEqual(genes.genes[0], {
      label: "block_1",
      values: ["shuffle3x3", "shuffle5x5", "shuffle7x7", "xception"],
    });
    assert.deepEqual(genes.genes[1], { label: "mid_1", values: SPOS_SMALL.scales });
  });

  it("know the exact minimum FLOPs and params of a space (checked against every genotype)", () => {
    const tiny: SposSpace = {
      ...SPOS_SMALL,
      name: "tiny",
      stages: [
        { repeats: 1, out: 24, stride: 2 },
        { repeats: 1, out: 48, stride: 2 },
      ],
      last: 64,
    };
    const p = sposProfilers(tiny, common);
    const space = sposGenes(tiny);
    let minFlops = Number.POSITIVE_INFINITY;
    let minParams = Number.POSITIVE_INFINITY;
    const walk = (i: number, g: Record<string, string | number>) => {
      if (i === space.genes.length) {
        minFlops = Math.min(minFlops, p.flops.measure(g));
        minParams = Math.min(minParams, p.params.measure(g));
        return;
      }
      const gene = space.genes[i] as (typeof space.genes)[0];
      for (const v of gene.values) walk(i + 1, { ...g, [gene.label]: v });
    };
    walk(0, {}); // 4 x 8 x 4 x 8 = 1024 genotypes
    assert.equal(p.flops.minimum?.(), minFlops);
    assert.equal(p.params.minimum?.(), minParams);
    assert.ok(p.flops.measure(sampleGenotype(space, new Random(1))) >= minFlops);
  });
});

describe("kendallTau", () => {
  it("is 1 for the same order, -1 for the reverse, and tau-b with ties", () => {
    assert.equal(kendallTau([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(kendallTau([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    // pairs of [1,2,3,4] vs [1,3,2,4]: 5 concordant, 1 discordant -> 4/6
    assert.ok(Math.abs(kendallTau([1, 2, 3, 4], [1, 3, 2, 4]) - 4 / 6) < 1e-12);
    // [1,1,2,3] vs [1,2,2,3]: 4 concordant, one tie in each -> 4 / sqrt(5 * 5)
    assert.ok(Math.abs(kendallTau([1, 1, 2, 3], [1, 2, 2, 3]) - 0.8) < 1e-12);
    assert.throws(() => kendallTau([1, 2], [1]), /do not pair up/);
  });
});
