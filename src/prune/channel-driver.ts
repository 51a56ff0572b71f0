// The channel-pruning driver of each family (He, Zhang, Sun, ICCV 2017): VGG (src/prune/channel-pruning.ts),
// ResNet BasicBlocks (channel-resnet.ts), MobileNetV2 (channel-mobilenet.ts), behind one call.
import type { MobileNetV2Arch } from "../arch/families/mobilenet-v2.js";
import type { ResNetArch } from "../arch/families/resnet.js";
import type { VggArch } from "../arch/families/vgg.js";
import { isFamily } from "../arch/schema.js";
import type { Tensor } from "../engine/index.js";
import type { Module } from "../nn/index.js";
import type { ChannelPruningConfig, LayerReport } from "./channel-layer.js";
import { pruneMobileNetV2 } from "./channel-mobilenet.js";
import { pruneChannels } from "./channel-pruning.js";
import { pruneResNet } from "./channel-resnet.js";
import type { PrunableArch } from "./channel-widths.js";

/** The family's driver; the description comes back with what the driver chose (ResNet: the sampled channels). */
export function pruneWith(
  arch: PrunableArch,
  model: Module,
  planned: PrunableArch,
  x: Tensor,
  config: ChannelPruningConfig,
  onLayer?: (r: LayerReport) => void,
): { arch: PrunableArch; state: Map<string, Tensor>; reports: LayerReport[] } {
  if (isFamily(arch, "vgg"))
    return { arch: planned, ...pruneChannels(arch, model, planned as VggArch, x, config, onLayer) };
  if (isFamily(arch, "mobilenet_v2"))
    return pruneMobileNetV2(arch, model, planned as MobileNetV2Arch, x, config, onLayer);
  return pruneResNet(arch as ResNetArch, model, planned as ResNetArch, x, config, onLayer);
}
