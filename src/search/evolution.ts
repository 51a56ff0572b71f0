// Single Path One-Shot evolutionary architecture search and its random-search baseline (Guo et al.,
// "Single Path One-Shot NAS with Uniform Sampling", ECCV 2020, Sec. 3.4; megvii-model/SinglePathOneShot
// src/Search/search.py): parents are the top-k of everything evaluated, children come from mutation and
// crossover, the rest is random; only legal, never-seen architectures reach the evaluator.
import { Random } from "../util/random.js";
import { checkFeasible, describeConstraints, isLegal } from "./constraints.js";
import { genotypeKey, sampleLegal } from "./genes.js";
import {
  type Candidate,
  checkResume,
  type EvolutionOptions,
  type Origin,
  resolveOptions,
  type SearchMethod,
  type SearchState,
  topOf,
} from "./search-state.js";
import type { Constraint, Evaluator, GeneSpace, Genotype, Profiler } from "./types.js";

export type { Candidate, EvolutionOptions, Origin, SearchState } from "./search-state.js";
export { EVOLUTION_DEFAULTS } from "./search-state.js";

export interface SearchSetup {
  space: GeneSpace;
  evaluator: Evaluator;
  /** Hard limits: a genotype breaking any of them is never evaluated. */
  constraints?: readonly Constraint[];
  /** More profilers whose values are only logged in each candidate's costs. */
  report?: readonly Profiler[];
  /** EVOLUTION_DEFAULTS where not given. */
  options?: Partial<EvolutionOptions>;
  /** A state from onGeneration to continue from; refused if options, space or constraints differ. */
  resume?: SearchState;
  /** After each evaluation (in evaluation order). */
  onCandidate?(candidate: Candidate): void | Promise<void>;
  /** After each fully evaluated generation, and once more if the search runs out of architectures. */
  onGeneration?(state: SearchState): void | Promise<void>;
}

export interface SearchResult {
  best: Candidate;
  /** The topK best candidates, best first. */
  top: Candidate[];
  evaluated: number;
  state: SearchState;
  /** The space ran out of legal unseen architectures before the last generation. */
  exhausted: boolean;
}

interface Drawn {
  genotype: Genotype;
  origin: Origin;
}

/** Tries of the random fill per wanted candidate before a generation is left smaller. */
const FILL_TRIES = 1000;
/** Offsets the seed of the feasibility check's own generator from the search's. */
const FEASIBILITY_SALT = 0x5eed;

export const evolve = (setup: SearchSetup): Promise<SearchResult> => search("evolution", setup);

/** The baseline with the same budget: the same generations with every candidate drawn at random. */
export const randomSearch = (setup: SearchSetup): Promise<SearchResult> => search("random", setup);

async function search(method: SearchMethod, setup: SearchSetup): Promise<SearchResult> {
  const { space, constraints = [], report = [] } = setup;
  const options = resolveOptions(method, setup.options);
  const random = new Random(options.seed);
  let state = startState(method, options, space, constraints, random, setup.resume);
  const profilers = [...constraints.map((c) => c.profiler), ...report];
  const seen = new Set(state.candidates.map((c) => genotypeKey(space, c.genotype)));
  while (!state.exhausted && state.generation < options.generations) {
    const drawn = drawGeneration(space, constraints, options, random, seen, state.candidates);
    const candidates = [...state.candidates];
    const { evaluator } = setup;
    const scores =
      evaluator.evaluateAll && drawn.length > 0
        ? await evaluator.evaluateAll(drawn.map((d) => d.genotype))
        : null;
    if (scores && scores.length !== drawn.length)
      throw new Error(`the evaluator returned ${scores.length} scores for ${drawn.length} candidates`);
    for (const [i, { genotype, origin }] of drawn.entries()) {
      const score = scores ? (scores[i] as number) : await evaluator.evaluate(genotype);
      if (!Number.isFinite(score))
        throw new Error(`the evaluator returned ${score} for ${JSON.stringify(genotype)}`);
      const costs = Object.fromEntries(profilers.map((p) => [p.name, p.measure(genotype)]));
      const candidate = { genotype, score, costs, generation: state.generation, origin };
      candidates.push(candidate);
      await setup.onCandidate?.(candidate);
    }
    const exhausted = drawn.length === 0;
    const generation = state.generation + (exhausted ? 0 : 1);
    state = { ...state, generation, random: random.state, exhausted, candidates };
    await setup.onGeneration?.(state);
  }
  const top = topOf(state.candidates, options.topK);
  const { candidates, exhausted } = state;
  return { best: top[0] as Candidate, top, evaluated: candidates.length, state, exhausted };
}

/** A new search's state after the feasibility check, or a checked resume state with `random` restored. */
function startState(
  method: SearchMethod,
  options: EvolutionOptions,
  space: GeneSpace,
  constraints: readonly Constraint[],
  random: Random,
  resume: SearchState | undefined,
): SearchState {
  const fresh: SearchState = {
    version: 1,
    method,
    options,
    space: space.name,
    constraints: describeConstraints(constraints),
    limits: constraints.map((c) => ({
      name: c.profiler.name,
      max: c.max,
      ...(c.min === undefined ? {} : { min: c.min }),
    })),
    generation: 0,
    random: random.state,
    exhausted: false,
    candidates: [],
  };
  if (!resume) {
    checkFeasible(space, constraints, new Random(options.seed ^ FEASIBILITY_SALT));
    return fresh;
  }
  checkResume(resume, fresh);
  random.setState(resume.random);
  return { ...resume, candidates: [...resume.candidates] };
}

/** One generation, drawn whole before any evaluation: mutations, crossovers, then random fill. */
function drawGeneration(
  space: GeneSpace,
  constraints: readonly Constraint[],
  options: EvolutionOptions,
  random: Random,
  seen: Set<string>,
  evaluated: readonly Candidate[],
): Drawn[] {
  const drawn: Drawn[] = [];
  const draw = (count: number, tries: number, origin: Origin, make: () => Genotype) => {
    for (let kept = 0, i = 0; kept < count && i < tries; i++) {
      const genotype = make();
      const key = genotypeKey(space, genotype);
      if (seen.has(key) || !isLegal(genotype, constraints)) continue;
      seen.add(key);
      drawn.push({ genotype, origin });
      kept++;
    }
  };
  const parents = topOf(evaluated, options.topK).map((c) => c.genotype);
  if (parents.length > 0) {
    draw(options.mutations, options.mutations * 10, "mutation", () =>
      mutate(space, random.pick(parents), options.mutationProb, random),
    );
    draw(options.crossovers, options.crossovers * 10, "crossover", () =>
      crossover(space, random.pick(parents), random.pick(parents), random),
    );
  }
  const fill = options.population - drawn.length;
  draw(fill, options.population * FILL_TRIES, "random", () => sampleLegal(space, constraints, random));
  return drawn;
}

/** Each gene redrawn uniformly with probability `prob` (official get_mutation). */
function mutate(space: GeneSpace, parent: Genotype, prob: number, random: Random): Genotype {
  return Object.fromEntries(
    space.genes.map((gene) => [
      gene.label,
      random.next() < prob ? random.pick(gene.values) : parent[gene.label],
    ]),
  );
}

/** Each gene from either parent with probability 1/2 (official get_crossover). */
function crossover(space: GeneSpace, a: Genotype, b: Genotype, random: Random): Genotype {
  return Object.fromEntries(
    space.genes.map((gene) => [gene.label, random.next() < 0.5 ? a[gene.label] : b[gene.label]]),
  );
}
