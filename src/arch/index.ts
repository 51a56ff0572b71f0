// Architecture descriptions as data: schema, the family and model registry, string form, layer plans,
// the analytic counter.
export * as blocks from "./blocks.js";
export { type Cost, type CountResult, type LayerCount, opCost, summarize } from "./cost.js";
export { countArch, planOf } from "./count.js";
export type {
  BuiltinArch,
  MobileNetV1Arch,
  MobileNetV2Arch,
  OneshotArch,
  ResNetArch,
  ShuffleNetV1Arch,
  ShuffleNetV2Arch,
  ShuffleNetV2PlusArch,
  VggArch,
} from "./families/index.js";
export {
  type ArchInput,
  type CommonArch,
  commonFields,
  type FamilyDef,
  INIT_RECIPES,
  type InitRecipe,
  type ModelSpec,
} from "./family.js";
export { parseArch, printArch } from "./format.js";
export type { Act, LayerOp, Named, Node, Shape } from "./plan.js";
export { resolveArch } from "./resolve.js";
export {
  type Arch,
  archOf,
  type CustomArch,
  familyDef,
  isFamily,
  listModels,
  registerFamily,
  registerModel,
  validateArch,
} from "./schema.js";
export { listOps, outputShape } from "./walk.js";
