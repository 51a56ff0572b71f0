// Every model family and every registered model name (names follow torchvision/timm).
import type { CommonArch, FamilyDef } from "../family.js";
import { MOBILENET_V1_MODELS, mobilenetV1 } from "./mobilenet-v1.js";
import { MOBILENET_V2_MODELS, mobilenetV2 } from "./mobilenet-v2.js";
import { ONESHOT_MODELS, oneshot } from "./oneshot.js";
import { RESNET_MODELS, resnet } from "./resnet.js";
import { SHUFFLENET_V1_MODELS, shufflenetV1 } from "./shufflenet-v1.js";
import { SHUFFLENET_V2_MODELS, shufflenetV2 } from "./shufflenet-v2.js";
import { SHUFFLENET_V2_PLUS_MODELS, shufflenetV2Plus } from "./shufflenet-v2-plus.js";

export const FAMILIES: readonly FamilyDef<CommonArch>[] = [
  shufflenetV1,
  shufflenetV2,
  shufflenetV2Plus,
  oneshot,
  mobilenetV1,
  mobilenetV2,
  resnet,
] as unknown as FamilyDef<CommonArch>[];

/** Registry: model name -> architecture description (defaults filled in by the schema). */
export const MODELS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  ...SHUFFLENET_V1_MODELS,
  ...SHUFFLENET_V2_MODELS,
  ...SHUFFLENET_V2_PLUS_MODELS,
  ...ONESHOT_MODELS,
  ...MOBILENET_V1_MODELS,
  ...MOBILENET_V2_MODELS,
  ...RESNET_MODELS,
};
