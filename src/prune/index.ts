// MetaPruning, the one-shot core's width-search plug-in: the PruningNet, its method, the latency model,
// and the uniform-width baseline it is compared with; channel pruning (He et al., ICCV 2017) with its
// solvers and the L1-norm filter pruning baseline (Li et al., ICLR 2017).
export { type UniformBaseline, uniformBaseline } from "./baseline.js";
export { pruneMobileNetV2 } from "./channel-mobilenet.js";
export { type ChannelPruningConfig, type LayerReport, pruneChannels } from "./channel-pruning.js";
export { pruneResNet } from "./channel-resnet.js";
export { type ChannelPruningOptions, type ChannelPruningResult, runChannelPruning } from "./channel-run.js";
export {
  atLayerRatios,
  atRatios,
  type PrunableArch,
  prunable,
  uniformWidths,
  WIDTHS_RULES,
  type WidthsRule,
  widthsFor,
} from "./channel-widths.js";
export {
  type L1PruningOptions,
  l1PrunedMobileNetV2,
  l1PrunedResNet,
  l1PrunedState,
  runL1Pruning,
} from "./l1-filters.js";
export { type LassoOptions, type LassoProblem, lasso, lassoProblem } from "./lasso.js";
export {
  buildLatencyModel,
  LATENCY_FEATURES,
  type LatencyModel,
  latencyModelProfiler,
} from "./latency-model.js";
export { loadLatencyModel, saveLatencyModel } from "./latency-model-file.js";
export { leastSquares } from "./least-squares.js";
export {
  METAPRUNING,
  type PruningNetTrainingOptions,
  readPruningNetRun,
  runPruneSearch,
  runPruningNetTraining,
} from "./metapruning.js";
export { PROBE_RATIOS, paperWidths, sensitivities } from "./paper-widths.js";
export { PruningNet, type PruningNetArch, parsePruningNetArch } from "./pruning-net.js";
export { pruningGenes, pruningProfilers } from "./space.js";
