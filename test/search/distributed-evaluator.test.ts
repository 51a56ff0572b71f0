// The distributed evaluator: a rank scores only its share of a generation (candidates rank,
// rank + worldSize, ...) and returns every candidate's score in candidate order, for generations that do
// and do not divide by the world size. The other ranks are stood in for by a group whose allgather
// returns what they would score.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DistributedEvaluator } from "../../src/search/distributed-evaluator.js";
import type { Genotype } from "../../src/search/types.js";

const score = (g: Genotype) => (g.x as number) * 10 + 1;

describe("DistributedEvaluator", () => {
  for (const [worldSize, count] of [
    [2, 5],
    [3, 6],
    [3, 2],
    [4, 9],
  ] as const) {
    it(`returns every score in candidate order (${count} candidates on ${worldSize} ranks)`, async () => {
      const gs: Genotype[] = Array.from({ length: count }, (_, i) => ({ x: (i * 7) % count }));
      for (let rank = 0; rank < worldSize; rank++) {
        const scored: Genotype[] = [];
        const group = {
          rank,
          worldSize,
          // rank q of the run scored candidates q, q + worldSize, ... (NaN past the end)
          allgatherNumbers: (mine: readonly number[]) =>
            Array.from({ length: worldSize }, (_, q) =>
              q === rank
                ? [...mine]
                : mine.map((_, j) => {
                    const g = gs[q + j * worldSize];
                    return g ? score(g) : Number.NaN;
                  }),
            ),
        };
        const evaluator = new DistributedEvaluator(
          {
            evaluate: async (g) => {
              scored.push(g);
              return score(g);
            },
          },
          group,
        );
        assert.deepEqual(await evaluator.evaluateAll(gs), gs.map(score));
        assert.deepEqual(
          scored,
          gs.filter((_, i) => i % worldSize === rank),
        );
      }
    });
  }
});
