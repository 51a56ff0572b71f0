// MetaPruning, the one-shot core's width-search plug-in: the PruningNet, its method, the latency model,
// and the uniform-width baseline it is compared with.
export { type UniformBaseline, uniformBaseline } from "./baseline.js";
export {
  buildLatencyModel,
  LATENCY_FEATURES,
  type LatencyModel,
  latencyModelProfiler,
} from "./latency-model.js";
export { loadLatencyModel, saveLatencyModel } from "./latency-model-file.js";
export {
  METAPRUNING,
  type PruningNetTrainingOptions,
  readPruningNetRun,
  runPruneSearch,
  runPruningNetTraining,
} from "./metapruning.js";
export { PruningNet, type PruningNetArch, parsePruningNetArch } from "./pruning-net.js";
export { pruningGenes, pruningProfilers } from "./space.js";
