// lithe's main surface (`import ... from "lithe"`): the model zoo and its registry, counting, training,
// ONNX export and the engine pieces a forward pass needs. The subpaths lithe/arch, lithe/models,
// lithe/nn, lithe/engine, lithe/data, lithe/train, lithe/export, lithe/latency, lithe/search (the
// one-shot core), lithe/nas (SPOS) and lithe/prune (MetaPruning) hold the rest.
export {
  type Arch,
  type ArchInput,
  type BuiltinArch,
  blocks,
  type CommonArch,
  type CountResult,
  type CustomArch,
  commonFields,
  countArch as count,
  type FamilyDef,
  type InitRecipe,
  isFamily,
  listModels,
  type MobileNetV1Arch,
  type MobileNetV2Arch,
  type ModelSpec,
  type OneshotArch,
  parseArch,
  printArch,
  type ResNetArch,
  registerFamily,
  registerModel,
  resolveArch,
  type ShuffleNetV1Arch,
  type ShuffleNetV2Arch,
  type ShuffleNetV2PlusArch,
  type VggArch,
  validateArch,
} from "./arch/index.js";
export { manualSeed, noGrad, randn, Tensor, tensor, tidy } from "./engine/index.js";
export { type ExportOptions, exportOnnx, type ModelSummary, summarizeModel } from "./export/index.js";
export { buildModel, createModel, tracedCount } from "./models/index.js";
export { Module } from "./nn/index.js";
export {
  type DataOptions,
  OFFICIAL_RECIPE,
  type RunOptions,
  recipe,
  runTraining as train,
  type TrainingOptions,
  type TrainSummary,
} from "./train/index.js";
