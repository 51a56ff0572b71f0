// SPOS evolutionary and random search on a synthetic space: constraints never violated and nothing
// evaluated twice (property test over seeds), seeded determinism, exact resume, the official budget,
// evolution beating random search, impossible constraints failing before any evaluation, exhaustion.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkFeasible,
  costLimits,
  describeConstraints,
  isLegal,
  violations,
} from "../../src/search/constraints.js";
import {
  type Candidate,
  EVOLUTION_DEFAULTS,
  type EvolutionOptions,
  evolve,
  randomSearch,
  type SearchSetup,
  type SearchState,
} from "../../src/search/evolution.js";
import { genotypeKey, sampleGenotype } from "../../src/search/genes.js";
import type { Constraint, GeneSpace, Genotype, Profiler } from "../../src/search/types.js";
import { Random } from "../../src/util/random.js";

/** 10 genes alternating 4 block labels and 8 channel scales: 4^5 * 8^5 architectures. */
const SPACE: GeneSpace = {
  name: "synthetic",
  genes: Array.from({ length: 10 }, (_, i) =>
    i % 2 === 0
      ? { label: `block_${i + 1}`, values: ["shuffle3x3", "shuffle5x5", "shuffle7x7", "xception"] }
      : { label: `mid_${i + 1}`, values: [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6] },
  ),
};

/** 3 genes of 2 values: 8 architectures. */
const TINY: GeneSpace = {
  name: "tiny",
  genes: ["a", "b", "c"].map((label) => ({ label, values: [0, 1] })),
};

/** A cost that adds a fixed random weight per (gene, value); its exact minimum is known. */
function additive(name: string, space: GeneSpace, seed: number, scale = 1e6): Profiler {
  const random = new Random(seed);
  const weights = space.genes.map(
    (gene) => new Map(gene.values.map((v) => [v, scale * (0.1 + random.next())])),
  );
  return {
    name,
    unit: "si",
    measure: (g) =>
      space.genes.reduce(
        (sum, gene, i) => sum + (weights[i]?.get(g[gene.label] as string | number) ?? Number.NaN),
        0,
      ),
    minimum: () => weights.reduce((sum, w) => sum + Math.min(...w.values()), 0),
  };
}

/** Score = how many genes equal a hidden target (optimum: all 10), recording every call. */
function matchEvaluator(space: GeneSpace, target: Genotype) {
  const calls: Genotype[] = [];
  return {
    calls,
    evaluate: async (g: Genotype) => {
      calls.push(g);
      return space.genes.filter((gene) => g[gene.label] === target[gene.label]).length;
    },
  };
}

/** A limit at quantile q of the cost over random architectures (so it binds but some are legal). */
function quantileLimit(profiler: Profiler, q: number, random: Random): Constraint {
  const costs = Array.from({ length: 200 }, () => profiler.measure(sampleGenotype(SPACE, random))).sort(
    (a, b) => a - b,
  );
  return { profiler, max: costs[Math.floor(q * costs.length)] as number };
}

const SMALL: Partial<EvolutionOptions> = {
  population: 12,
  topK: 4,
  mutations: 5,
  mutationProb: 0.2,
  crossovers: 5,
  generations: 6,
};
const FLOPS = additive("flops", SPACE, 1);
const PARAMS = additive("params", SPACE, 2, 1e5);
const TARGET = sampleGenotype(SPACE, new Random(99));

const trace = (candidates: readonly Candidate[]) =>
  candidates.map((c) => [genotypeKey(SPACE, c.genotype), c.score, c.origin, c.generation]);

describe("constraints", () => {
  it("describes limits with short SI numbers and units", () => {
    const fixed = (name: string, unit: Profiler["unit"]): Profiler => ({ name, unit, measure: () => 0 });
    assert.equal(
      describeConstraints([
        { profiler: fixed("flops", "si"), max: 30e6 },
        { profiler: fixed("params", "si"), max: 1.2e6 },
        { profiler: fixed("mac", "si"), max: 850e3 },
        { profiler: fixed("latency", "ms"), max: 8 },
      ]),
      "flops <= 30M, params <= 1.2M, mac <= 850k, latency <= 8ms",
    );
  });

  it("lists exactly the violated constraints", () => {
    const g = sampleGenotype(SPACE, new Random(3));
    const f = FLOPS.measure(g);
    const constraints = [
      { profiler: FLOPS, max: f - 1 },
      { profiler: PARAMS, max: PARAMS.measure(g) },
    ];
    assert.deepEqual(violations(g, constraints), [{ name: "flops", value: f, max: f - 1 }]);
    assert.equal(isLegal(g, constraints), false);
    assert.equal(isLegal(g, constraints.slice(1)), true);
  });

  it("with a floor: a genotype below it breaks the constraint, and a floor above its limit is refused", () => {
    const g = sampleGenotype(SPACE, new Random(3));
    const f = FLOPS.measure(g);
    const floored = { profiler: FLOPS, max: f + 10, min: f + 1 };
    assert.deepEqual(violations(g, [floored]), [{ name: "flops", value: f, max: f + 10, min: f + 1 }]);
    assert.equal(isLegal(g, [floored]), false);
    assert.equal(isLegal(g, [{ ...floored, min: f }]), true, "the floor itself is legal");
    assert.equal(describeConstraints([{ profiler: FLOPS, max: 30e6, min: 27e6 }]), "27M <= flops <= 30M");
    const profilers = { flops: FLOPS, params: PARAMS };
    assert.deepEqual(costLimits(profilers, { flops: 9, min: { flops: 5 } }).constraints, [
      { profiler: FLOPS, max: 9, min: 5 },
    ]);
    assert.throws(
      () => costLimits(profilers, { params: 9, min: { flops: 5 } }),
      /a floor \(option limits\.min\.flops\) needs its limit \(option limits\.flops\)/,
    );
    assert.throws(
      () => checkFeasible(SPACE, [{ profiler: FLOPS, max: 2e6, min: 3e6 }], new Random(0)),
      /^Error: 3M <= flops <= 2M is impossible: the floor is above the limit$/,
    );
  });

  it("finds no legal draw for a limit below every cost and names the number of draws", () => {
    const noMinimum: Profiler = { name: "latency", unit: "ms", measure: () => 3 };
    assert.throws(
      () => checkFeasible(SPACE, [{ profiler: noMinimum, max: 2 }], new Random(0), 500),
      /^Error: no architecture in synthetic meets latency <= 2ms \(none in 500 random draws\)$/,
    );
  });
});

describe("evolutionary search", () => {
  it("never evaluates an illegal or already evaluated genotype (30 seeds, random limits)", async () => {
    let rejected = 0;
    for (let seed = 0; seed < 30; seed++) {
      const random = new Random(1000 + seed);
      const constraints = [
        quantileLimit(FLOPS, random.uniform(0.3, 0.8), random),
        quantileLimit(PARAMS, random.uniform(0.3, 0.8), random),
      ];
      const counting = constraints.map((c) => ({
        max: c.max,
        profiler: {
          ...c.profiler,
          measure: (g: Genotype) => {
            const v = c.profiler.measure(g);
            if (v > c.max) rejected++;
            return v;
          },
        },
      }));
      const evaluator = matchEvaluator(SPACE, TARGET);
      const run = seed % 2 === 0 ? evolve : randomSearch;
      const { state } = await run({
        space: SPACE,
        evaluator,
        constraints: counting,
        options: { ...SMALL, seed },
      });
      for (const g of evaluator.calls) assert.deepEqual(violations(g, constraints), [], `seed ${seed}`);
      const keys = evaluator.calls.map((g) => genotypeKey(SPACE, g));
      assert.equal(new Set(keys).size, keys.length, `seed ${seed}: a genotype was evaluated twice`);
      assert.equal(state.candidates.length, evaluator.calls.length);
    }
    assert.ok(rejected > 0, "the limits never rejected a drawn genotype, so the test proved nothing");
  });

  it("with a floor, evaluates only candidates between floor and limit, for both methods", async () => {
    const random = new Random(7);
    const limit = quantileLimit(FLOPS, 0.7, random);
    const floor = quantileLimit(FLOPS, 0.4, random).max;
    for (const run of [evolve, randomSearch]) {
      const evaluator = matchEvaluator(SPACE, TARGET);
      await run({ space: SPACE, evaluator, constraints: [{ ...limit, min: floor }], options: SMALL });
      assert.ok(evaluator.calls.length > 0);
      for (const g of evaluator.calls) {
        const f = FLOPS.measure(g);
        assert.ok(f >= floor && f <= limit.max, `${f} outside [${floor}, ${limit.max}]`);
      }
    }
  });

  it("replays exactly from a seed and differs across seeds", async () => {
    const constraints = [{ profiler: FLOPS, max: FLOPS.measure(TARGET) * 1.1 }];
    const runOf = async (seed: number) =>
      trace(
        (
          await evolve({
            space: SPACE,
            evaluator: matchEvaluator(SPACE, TARGET),
            constraints,
            options: { ...SMALL, seed },
          })
        ).state.candidates,
      );
    const first = await runOf(7);
    assert.deepEqual(await runOf(7), first);
    assert.notDeepEqual(await runOf(8), first);
  });

  it("resumes from a JSON copy of generation 3 to the same final state as an uninterrupted run", async () => {
    for (const run of [evolve, randomSearch]) {
      const setup = (): SearchSetup => ({
        space: SPACE,
        evaluator: matchEvaluator(SPACE, TARGET),
        constraints: [{ profiler: FLOPS, max: FLOPS.measure(TARGET) * 1.1 }],
        report: [PARAMS],
        options: { ...SMALL, seed: 5 },
      });
      const whole = await run(setup());
      let saved: SearchState | undefined;
      const stop = new Error("stopped");
      await assert.rejects(
        run({
          ...setup(),
          onGeneration: (state) => {
            if (state.generation < 3) return;
            saved = JSON.parse(JSON.stringify(state)) as SearchState;
            throw stop;
          },
        }),
        stop,
      );
      assert.equal(saved?.generation, 3);
      const after: Candidate[] = [];
      const resumed = await run({ ...setup(), resume: saved, onCandidate: (c) => void after.push(c) });
      assert.deepEqual(resumed.state, whole.state);
      assert.deepEqual(resumed.best, whole.best);
      assert.equal(after.length, whole.evaluated - (saved?.candidates.length ?? 0));
      assert.ok(Object.keys(whole.best.costs).includes("params"), "reported profilers are logged in costs");
    }
  });

  it("refuses to resume with different options, space or constraints", async () => {
    const base = {
      space: SPACE,
      evaluator: matchEvaluator(SPACE, TARGET),
      options: { ...SMALL, generations: 2 },
    };
    const { state } = await evolve(base);
    await assert.rejects(
      evolve({ ...base, options: { ...base.options, population: 13 }, resume: state }),
      /^Error: cannot resume: the checkpoint's population is 12, this search's is 13$/,
    );
    await assert.rejects(randomSearch({ ...base, resume: state }), /method is "evolution"/);
    await assert.rejects(evolve({ ...base, space: { ...SPACE, name: "other" }, resume: state }), /space/);
    await assert.rejects(
      evolve({ ...base, constraints: [{ profiler: FLOPS, max: 1e9 }], resume: state }),
      /constraint set is "no constraints", this search's is "flops <= 1G"/,
    );
  });

  it("evaluates population * generations = 1000 with the official options, as does random search", async () => {
    const { population, generations } = EVOLUTION_DEFAULTS;
    const evo = await evolve({ space: SPACE, evaluator: matchEvaluator(SPACE, TARGET) });
    const rnd = await randomSearch({ space: SPACE, evaluator: matchEvaluator(SPACE, TARGET) });
    assert.equal(evo.evaluated, 1000);
    assert.equal(evo.evaluated, population * generations);
    assert.equal(rnd.evaluated, evo.evaluated);
    assert.equal(evo.top.length, EVOLUTION_DEFAULTS.topK);
    for (let g = 0; g < generations; g++) {
      const origins = evo.state.candidates.filter((c) => c.generation === g).map((c) => c.origin);
      assert.equal(origins.length, population, `generation ${g}`);
      const bred = origins.filter((o) => o !== "random").length;
      assert.ok(g === 0 ? bred === 0 : bred > 0, `generation ${g}: ${bred} children of parents`);
    }
    const first = evo.state.candidates.filter((c) => c.generation === 1).map((c) => c.origin);
    assert.deepEqual(
      [first.filter((o) => o === "mutation").length, first.filter((o) => o === "crossover").length],
      [EVOLUTION_DEFAULTS.mutations, EVOLUTION_DEFAULTS.crossovers],
    );
    assert.ok(rnd.state.candidates.every((c) => c.origin === "random"));
    assert.equal(evo.exhausted, false);
  });

  it("finds better architectures than random search on a structured objective (mean best over 8 seeds)", async () => {
    const options = { population: 20, topK: 5, mutations: 8, crossovers: 8, generations: 10 };
    const meanBest = async (run: typeof evolve) => {
      let sum = 0;
      for (let seed = 0; seed < 8; seed++) {
        const target = sampleGenotype(SPACE, new Random(500 + seed));
        const evaluator = matchEvaluator(SPACE, target);
        sum += (await run({ space: SPACE, evaluator, options: { ...options, seed } })).best.score;
      }
      return sum / 8;
    };
    const evo = await meanBest(evolve);
    const rnd = await meanBest(randomSearch);
    assert.ok(evo > rnd, `evolution ${evo} vs random ${rnd}`);
  });

  it("fails before any evaluation when a limit is below the space's minimum", async () => {
    const evaluator = matchEvaluator(SPACE, TARGET);
    const minimum = FLOPS.minimum?.() as number;
    await assert.rejects(
      evolve({ space: SPACE, evaluator, constraints: [{ profiler: FLOPS, max: minimum * 0.9 }] }),
      (e: Error) => {
        assert.match(
          e.message,
          /^flops <= \S+ is impossible in synthetic: its smallest architecture has \S+$/,
        );
        assert.ok(e.message.endsWith(`has ${Number((minimum / 1e6).toPrecision(3))}M`), e.message);
        return true;
      },
    );
    assert.equal(evaluator.calls.length, 0);
  });

  it("fails before any evaluation when no random draw meets a limit without a known minimum", async () => {
    const evaluator = matchEvaluator(SPACE, TARGET);
    const latency: Profiler = { name: "latency", unit: "ms", measure: (g) => 5 + Number(g.mid_2) };
    await assert.rejects(
      randomSearch({ space: SPACE, evaluator, constraints: [{ profiler: latency, max: 5 }] }),
      /^Error: no architecture in synthetic meets latency <= 5ms \(none in 100000 random draws\)$/,
    );
    assert.equal(evaluator.calls.length, 0);
  });

  it("evaluates each legal genotype of a tiny space once, then reports exhaustion", async () => {
    const sum: Profiler = {
      name: "ones",
      unit: "si",
      measure: (g) => Number(g.a) + Number(g.b) + Number(g.c),
    };
    for (const [constraints, legal] of [
      [[], 8],
      [[{ profiler: sum, max: 2 }], 7],
    ] as const) {
      for (const run of [evolve, randomSearch]) {
        const evaluator = matchEvaluator(TINY, { a: 1, b: 1, c: 1 });
        const generations: SearchState[] = [];
        const result = await run({
          space: TINY,
          evaluator,
          constraints,
          options: { population: 5, topK: 2, mutations: 2, crossovers: 2, generations: 5 },
          onGeneration: (s) => void generations.push(s),
        });
        const keys = evaluator.calls.map((g) => genotypeKey(TINY, g));
        assert.equal(keys.length, legal);
        assert.equal(new Set(keys).size, legal);
        assert.equal(result.exhausted, true);
        assert.equal(result.state.generation, 2);
        assert.equal(generations.at(-1)?.exhausted, true);
      }
    }
  });
});
