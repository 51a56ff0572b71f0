// Neural-network building blocks on the engine.
export {
  AdaptiveAvgPool2d,
  AvgPool2d,
  Dropout,
  Flatten,
  GlobalAvgPool,
  Hardsigmoid,
  Hardswish,
  Identity,
  MaxPool2d,
  ReLU,
  ReLU6,
  Sigmoid,
} from "./activation.js";
export { BatchNorm2d, type BatchNorm2dOptions } from "./batchnorm.js";
export { Conv2d, type Conv2dOptions } from "./conv.js";
export { type ActiveWidth, ElasticBatchNorm2d, ElasticConv2d, ElasticLinear } from "./elastic.js";
export {
  type BitChoices,
  type Bits,
  InputQuantizer,
  type InputQuantMethod,
  LayerQuantizer,
} from "./fake-quant.js";
export { channelShuffle, channelSplit, concatShuffle } from "./functional.js";
export {
  GeneratedConv2d,
  type GeneratedConvOptions,
  type GeneratedWidth,
  PerWidthBatchNorm2d,
} from "./generated.js";
export * as init from "./init.js";
export { Linear } from "./linear.js";
export { Module, type StateDict } from "./module.js";
export { Parameter } from "./parameter.js";
export { type LsqOptions, LsqQuantizer, type PactOptions, PactQuantizer } from "./quantizer.js";
export { Sequential } from "./sequential.js";
export { isTracing, record, type TraceAttrs, type TraceRecord, trace } from "./trace.js";
