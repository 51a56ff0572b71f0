// A generation's candidates scored in parallel across the ranks of a run: rank r scores candidates
// r, r + worldSize, r + 2 worldSize, ... with its own evaluator, and the scores are allgathered back
// into candidate order, so every rank's search sees the same scores and draws the same next
// generation. A candidate's score depends only on its path, the weights and the fixed scoring batches
// (the same on every rank), so the split cannot change a result.
import type { ProcessGroup } from "../dist/index.js";
import type { Evaluator, Genotype } from "./types.js";

export class DistributedEvaluator implements Evaluator {
  constructor(
    readonly inner: Evaluator,
    readonly group: Pick<ProcessGroup, "rank" | "worldSize" | "allgatherNumbers">,
  ) {}

  /** One candidate, scored on this rank alone. */
  evaluate(g: Genotype): Promise<number> {
    return this.inner.evaluate(g);
  }

  async evaluateAll(gs: readonly Genotype[]): Promise<number[]> {
    const { rank, worldSize } = this.group;
    const perRank = Math.ceil(gs.length / worldSize);
    // [perRank]: this rank's scores, NaN where its share runs past the generation
    const mine: number[] = [];
    for (let j = 0; j < perRank; j++) {
      const g = gs[rank + j * worldSize];
      mine.push(g === undefined ? Number.NaN : await this.inner.evaluate(g));
    }
    // [worldSize][perRank] -> candidate i = rank i % worldSize's score j = floor(i / worldSize)
    const all = this.group.allgatherNumbers(mine);
    return gs.map((_, i) => all[i % worldSize]?.[Math.floor(i / worldSize)] as number);
  }
}
