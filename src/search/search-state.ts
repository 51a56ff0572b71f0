// The options and the whole resumable state of the SPOS evolutionary / random search (megvii-model/
// SinglePathOneShot src/Search/search.py keeps the same in its checkpoint): JSON-able, checked on resume.
import type { Genotype } from "./types.js";

export interface EvolutionOptions {
  /** Candidates per generation (official population_num). */
  population: number;
  /** Parents: the best topK of all candidates evaluated so far (official select_num). */
  topK: number;
  /** Children by mutation per generation (official mutation_num). */
  mutations: number;
  /** Probability that a mutation redraws each gene (official m_prob). */
  mutationProb: number;
  /** Children by uniform crossover of two parents per generation (official crossover_num). */
  crossovers: number;
  /** Generations, the first one random: population * generations evaluations (official max_epochs). */
  generations: number;
  /** Seed of the search's random generator. */
  seed: number;
}

/** The official search.py values: about 1,000 evaluated architectures. */
export const EVOLUTION_DEFAULTS: Readonly<EvolutionOptions> = {
  population: 50,
  topK: 10,
  mutations: 25,
  mutationProb: 0.1,
  crossovers: 25,
  generations: 20,
  seed: 0,
};

export type SearchMethod = "evolution" | "random";
export type Origin = "random" | "mutation" | "crossover";

/** One evaluated architecture. */
export interface Candidate {
  genotype: Genotype;
  score: number;
  /** Every constraint profiler's and reported profiler's value, by profiler name. */
  costs: Record<string, number>;
  /** The generation that drew it (0 is the random first one). */
  generation: number;
  origin: Origin;
}

export interface SearchState {
  version: 1;
  method: SearchMethod;
  options: EvolutionOptions;
  /** The GeneSpace's name. */
  space: string;
  /** describeConstraints() of the constraints, for people; `limits` holds the exact values. */
  constraints: string;
  limits: { name: string; max: number; min?: number }[];
  /** Generations fully evaluated. */
  generation: number;
  /** The search Random's state after drawing the last completed generation. */
  random: number;
  /** True once a generation found no new legal architecture: the search ended early. */
  exhausted: boolean;
  /** Every evaluated candidate in evaluation order. */
  candidates: Candidate[];
}

/**
 * Defaults filled in and checked; a random search has no mutations or crossovers. Unset mutation and
 * crossover counts are half the population each, the official 25 + 25 of 50 at any population size.
 */
export function resolveOptions(
  method: SearchMethod,
  given: Partial<EvolutionOptions> = {},
): EvolutionOptions {
  const population = given.population ?? EVOLUTION_DEFAULTS.population;
  const half = Math.floor(population / 2);
  const options = { ...EVOLUTION_DEFAULTS, mutations: half, crossovers: half, ...given };
  if (method === "random") Object.assign(options, { mutations: 0, crossovers: 0 });
  for (const key of ["population", "topK", "generations"] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1)
      throw new Error(`${key} must be a positive integer, got ${options[key]}`);
  }
  for (const key of ["mutations", "crossovers", "seed"] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 0)
      throw new Error(`${key} must be a non-negative integer, got ${options[key]}`);
  }
  if (!(options.mutationProb >= 0 && options.mutationProb <= 1))
    throw new Error(`mutationProb must be in [0, 1], got ${options.mutationProb}`);
  if (options.mutations + options.crossovers > options.population)
    throw new Error(
      `mutations + crossovers (${options.mutations + options.crossovers}) exceed population (${options.population})`,
    );
  return options;
}

/** Throws a one-line error naming the first thing in which a checkpoint differs from this search. */
export function checkResume(saved: SearchState, fresh: SearchState): void {
  const fail = (what: string, a: unknown, b: unknown) => {
    throw new Error(
      `cannot resume: the checkpoint's ${what} is ${JSON.stringify(a)}, this search's is ${JSON.stringify(b)}`,
    );
  };
  if (saved.version !== fresh.version) fail("version", saved.version, fresh.version);
  if (saved.method !== fresh.method) fail("method", saved.method, fresh.method);
  if (saved.space !== fresh.space) fail("space", saved.space, fresh.space);
  for (const key of Object.keys(fresh.options) as (keyof EvolutionOptions)[]) {
    if (saved.options?.[key] !== fresh.options[key]) fail(key, saved.options?.[key], fresh.options[key]);
  }
  if (saved.constraints !== fresh.constraints) fail("constraint set", saved.constraints, fresh.constraints);
  if (JSON.stringify(saved.limits) !== JSON.stringify(fresh.limits))
    fail("constraint limits", saved.limits, fresh.limits);
}

/** The k best candidates, best first; equal scores keep evaluation order (as the official stable sort). */
export function topOf(candidates: readonly Candidate[], k: number): Candidate[] {
  return [...candidates].sort((a, b) => b.score - a.score).slice(0, k);
}
