// The model zoo: architecture description (or registered name) -> initialised nn module.
import { archLayerBits, countArch, planOf } from "../arch/count.js";
import type { CommonArch } from "../arch/family.js";
import { type Arch, archOf, familyDef, listModels, validateArch } from "../arch/schema.js";
import type { Module } from "../nn/index.js";
import { buildNode } from "./build.js";
import { initialize } from "./init.js";
import { attachQuantizers, fixedChoices } from "./quantize.js";

export { attachQuantizers, fixedChoices } from "./quantize.js";
export { tracedCount, tracedOps } from "./traced-count.js";
export { type Arch, archOf, countArch, listModels, validateArch };

/** Builds and initialises the network an architecture description defines (fake-quantized if it has `quant`). */
export function buildModel(arch: Arch): Module {
  const model = buildNode(planOf(arch), { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize });
  initialize(model, familyDef(arch).init);
  const bits = archLayerBits(arch);
  if (arch.quant && bits) attachQuantizers(model, fixedChoices(bits), arch.quant.method);
  return model;
}

/** A registered model by name, e.g. createModel("shufflenet_v2_x1_0", { classes: 10, inputSize: 32 }). */
export function createModel(
  name: string,
  overrides: Partial<CommonArch> = {},
): { arch: Arch; model: Module } {
  const arch = archOf(name, overrides);
  return { arch, model: buildModel(arch) };
}
