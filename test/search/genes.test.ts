// Ordered gene spaces (channel widths): a draw repaired under a tight limit is always legal when the
// cheapest architecture is, the feasibility check is exact (the cheapest architecture decides), and the
// search fills whole generations where rejection alone finds nothing; unordered spaces are untouched.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkFeasible, isLegal } from "../../src/search/constraints.js";
import { evolve } from "../../src/search/evolution.js";
import { cheapestGenotype, sampleGenotype, sampleLegal } from "../../src/search/genes.js";
import type { Constraint, GeneSpace, Genotype, Profiler } from "../../src/search/types.js";
import { Random } from "../../src/util/random.js";

/** 24 genes over the 31 MetaPruning scales, cheapest first. */
const SCALES = Array.from({ length: 31 }, (_, i) => (10 + 3 * i) / 100);
const ORDERED: GeneSpace = {
  name: "widths",
  genes: Array.from({ length: 24 }, (_, i) => ({ label: `g${i}`, values: SCALES })),
  ordered: true,
};

/** A FLOPs-like cost: the sum of products of neighbouring scales, growing with every gene. */
const cost: Profiler = {
  name: "flops",
  unit: "si",
  measure: (g: Genotype) =>
    1e6 *
    ORDERED.genes.reduce(
      (s, gene, i) => s + (g[gene.label] as number) * ((g[`g${i + 1}`] as number) ?? 1),
      0,
    ),
};
/** About what every gene at 0.25 costs: far in the tail of uniform draws (mean scale 0.55). */
const tight: Constraint = { profiler: cost, max: 1.6e6 };

describe("ordered gene spaces", () => {
  it("rejection alone almost never meets the tight limit", () => {
    const random = new Random(1);
    const legal = Array.from({ length: 20000 }, () => sampleGenotype(ORDERED, random)).filter((g) =>
      isLegal(g, [tight]),
    );
    assert.equal(legal.length, 0);
  });

  it("a repaired draw is always legal and made of the space's values", () => {
    const random = new Random(2);
    for (let i = 0; i < 200; i++) {
      const g = sampleLegal(ORDERED, [tight], random);
      assert.ok(isLegal(g, [tight]), JSON.stringify(g));
      assert.ok(ORDERED.genes.every((gene) => SCALES.includes(g[gene.label] as number)));
    }
  });

  it("the feasibility check is exact: the cheapest architecture decides", () => {
    assert.ok(Math.abs(cost.measure(cheapestGenotype(ORDERED)) - 1e6 * (23 * 0.01 + 0.1)) < 1e-6);
    assert.doesNotThrow(() => checkFeasible(ORDERED, [tight], new Random(3), 10));
    assert.throws(
      () => checkFeasible(ORDERED, [{ profiler: cost, max: 3e5 }], new Random(3)),
      /flops <= 300k is impossible in widths: its cheapest architecture has 330k/,
    );
  });

  it("the search fills every generation under the tight limit", async () => {
    const r = await evolve({
      space: ORDERED,
      evaluator: {
        evaluate: async (g) => ORDERED.genes.reduce((s, gene) => s + (g[gene.label] as number), 0),
      },
      constraints: [tight],
      options: { population: 10, generations: 3, topK: 3, seed: 4 },
    });
    assert.equal(r.evaluated, 30);
    assert.ok(r.state.candidates.every((c) => isLegal(c.genotype, [tight])));
  });

  it("an unordered space's draw is the uniform draw, untouched", () => {
    const unordered = { ...ORDERED, ordered: false };
    const [a, b] = [new Random(5), new Random(5)];
    assert.deepEqual(sampleLegal(unordered, [tight], a), sampleGenotype(unordered, b));
  });
});
