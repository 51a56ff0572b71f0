// The built-in model families, their description types and their registered model names (names
// follow torchvision/timm). src/arch/schema.ts registers them; users add their own there.
import type { FamilyDef, ModelSpec } from "../family.js";
import { MOBILENET_V1_MODELS, type MobileNetV1Arch, mobilenetV1 } from "./mobilenet-v1.js";
import { MOBILENET_V2_MODELS, type MobileNetV2Arch, mobilenetV2 } from "./mobilenet-v2.js";
import { ONESHOT_MODELS, type OneshotArch, oneshot } from "./oneshot.js";
import { RESNET_MODELS, type ResNetArch, resnet } from "./resnet.js";
import { SHUFFLENET_V1_MODELS, type ShuffleNetV1Arch, shufflenetV1 } from "./shufflenet-v1.js";
import { SHUFFLENET_V2_MODELS, type ShuffleNetV2Arch, shufflenetV2 } from "./shufflenet-v2.js";
import {
  SHUFFLENET_V2_PLUS_MODELS,
  type ShuffleNetV2PlusArch,
  shufflenetV2Plus,
} from "./shufflenet-v2-plus.js";
import { VGG_MODELS, type VggArch, vgg } from "./vgg.js";

export type {
  MobileNetV1Arch,
  MobileNetV2Arch,
  OneshotArch,
  ResNetArch,
  ShuffleNetV1Arch,
  ShuffleNetV2Arch,
  ShuffleNetV2PlusArch,
  VggArch,
};

/** A description of one of the built-in families, discriminated by `family`. */
export type BuiltinArch =
  | ShuffleNetV1Arch
  | ShuffleNetV2Arch
  | ShuffleNetV2PlusArch
  | OneshotArch
  | MobileNetV1Arch
  | MobileNetV2Arch
  | ResNetArch
  | VggArch;

export const BUILTIN_FAMILIES: readonly FamilyDef[] = [
  shufflenetV1,
  shufflenetV2,
  shufflenetV2Plus,
  oneshot,
  mobilenetV1,
  mobilenetV2,
  resnet,
  vgg,
];

/** Model name -> architecture description (defaults filled in by the schema). */
export const BUILTIN_MODELS: Readonly<Record<string, ModelSpec<BuiltinArch>>> = {
  ...SHUFFLENET_V1_MODELS,
  ...SHUFFLENET_V2_MODELS,
  ...SHUFFLENET_V2_PLUS_MODELS,
  ...ONESHOT_MODELS,
  ...MOBILENET_V1_MODELS,
  ...MOBILENET_V2_MODELS,
  ...RESNET_MODELS,
  ...VGG_MODELS,
};
