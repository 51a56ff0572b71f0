// The engine's public face: tensors, ops, autograd scopes, memory scopes, runtime settings, I/O.
export { isGradEnabled, noGrad, withGradMode } from "./autograd.js";
export { type GlooDevice, Group, type ReduceOp, Store, Work } from "./c10d.js";
export { type DoctorReport, runDoctor } from "./doctor.js";
export { type DType, isFloating, type TypedArray } from "./dtype.js";
export * as F from "./functional.js";
export { type OpTime, profileOps } from "./profile.js";
export {
  type FakeQuantOptions,
  fakeQuantize,
  fakeQuantizeLearnable,
  type QuantRange,
  quantRange,
} from "./quantize.js";
export {
  type BuildInfo,
  buildInfo,
  defaultNumThreads,
  getNumThreads,
  getRngState,
  manualSeed,
  setNumThreads,
  setRngState,
  withNumThreads,
} from "./runtime.js";
export {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  type Safetensors,
  saveSafetensors,
} from "./safetensors.js";
export { keep, liveTensors, scopeDepth, tidy } from "./scope.js";
export { type SgdStepOptions, sgdStep } from "./sgd.js";
export {
  arange,
  cat,
  full,
  linalgSolve,
  ones,
  rand,
  randint,
  randn,
  randperm,
  type Shape,
  stack,
  Tensor,
  tensor,
  where,
  zeros,
  zerosLike,
} from "./tensor.js";
