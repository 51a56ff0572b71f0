// Training: the user-level runs (runTraining, runEvaluation; what `lithe train` / `lithe eval` call),
// the loop over any batch source (train, evaluate), the official recipe, SGD with its parameter
// groups, schedules, BN recalibration and checkpoints.
export { recalibrateBatchNorm } from "./bn.js";
export { loadCheckpoint, type RunState, saveCheckpoint } from "./checkpoint.js";
export { DATA_DEFAULTS, type DataOptions, type RunOptions } from "./options.js";
export { OFFICIAL_RECIPE, recipe } from "./recipe.js";
export { type EvaluationOptions, runEvaluation, runTraining, type TrainingOptions } from "./run.js";
export { lrAt, type ScheduleKind, type ScheduleOptions } from "./schedule.js";
export { archForData, archOfRun, inputForData, loadModel, loadWeights, type StemChoice } from "./setup.js";
export { SGD, type SgdOptions } from "./sgd.js";
export {
  type BatchResult,
  clipGradNorm,
  correctCounts,
  evalBatch,
  type StepOptions,
  trainStep,
} from "./step.js";
export {
  type BatchSource,
  type EvalResult,
  evaluate,
  type HostBatch,
  type ProgressEvent,
  type TrainConfig,
  type TrainRun,
  type TrainSummary,
  train,
} from "./trainer.js";
