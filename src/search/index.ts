// The one-shot core: the method interface, genes and constraints, path samplers, candidate scoring,
// evolution and random search with their resumable state, and the shared training and search runs.
export { type CostLimits, checkFeasible, costLimits, describeConstraints, isLegal } from "./constraints.js";
export { RECALIBRATION_SHARE, SEARCH_HOLDOUT_SHARE } from "./defaults.js";
export {
  type Candidate,
  EVOLUTION_DEFAULTS,
  type EvolutionOptions,
  evolve,
  randomSearch,
  type SearchResult,
  type SearchSetup,
  type SearchState,
} from "./evolution.js";
export { cheapestGenotype, genotypeKey, sampleGenotype, sampleLegal } from "./genes.js";
export type { OneShotArch, OneShotMethod, PathNet, PredictorTarget } from "./method.js";
export { kendallTau } from "./ranking.js";
export { makeSampler, type PathSampler, type SamplerConfig } from "./sampler.js";
export { PathEvaluator } from "./scoring.js";
export {
  readOneShotRun,
  type ScoringOptions,
  type SearchOptions,
  type SearchRunResult,
  searchOneShot,
} from "./search-run.js";
export {
  type OneShotData,
  type OneShotTrainingOptions,
  type SamplerChoice,
  trainOneShot,
} from "./train-run.js";
export type { Constraint, CostProfilers, Evaluator, Gene, GeneSpace, Genotype, Profiler } from "./types.js";
