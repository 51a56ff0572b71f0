// Architecture descriptions as data: schema, string form, layer plans, the analytic counter.
export { type Cost, type CountResult, type LayerCount, opCost, summarize } from "./cost.js";
export { countArch, planOf } from "./count.js";
export type { CommonArch, FamilyDef, InitRecipe } from "./family.js";
export { parseArch, printArch } from "./format.js";
export type { Act, LayerOp, Named, Node, Shape } from "./plan.js";
export { resolveArch } from "./resolve.js";
export { type Arch, archOf, familyDef, modelNames, validateArch } from "./schema.js";
export { listOps, outputShape } from "./walk.js";
