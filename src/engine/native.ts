// Loads the libtorch addon (native/, built by `npm ci`) and types its functions. Only src/engine
// imports this file; everything else goes through Tensor.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BlasEnvChoice, configureBlasEnv } from "./blas-env.js";
import { defaultNumThreads } from "./threads.js";

/** Opaque handle to one at::Tensor reference held by the addon. */
export type Handle = { readonly __brand: "TensorHandle" };
type H = Handle;
type Operand = H | number | boolean;

/** The BLAS library libtorch loaded, as reported by native/blas.cc (OpenBLAS fields when it is OpenBLAS). */
export interface BlasRuntime {
  library?: string;
  openblasCore?: string;
  openblasConfig?: string;
  openblasThreads?: number;
}

/** Opaque c10d handles (native/dist.cc): a TCPStore, a process group, a collective in flight. */
export type StoreHandle = { readonly __brand: "StoreHandle" };
export type GroupHandle = { readonly __brand: "GroupHandle" };
export type WorkHandle = { readonly __brand: "WorkHandle" };

export interface NativeAddon {
  fromBuffer(data: ArrayBufferView | ArrayBuffer, shape: number[], dtype: number): H;
  zeros(shape: number[], dtype: number): H;
  ones(shape: number[], dtype: number): H;
  full(shape: number[], value: number | boolean, dtype: number): H;
  rand(shape: number[], dtype: number): H;
  randn(shape: number[], dtype: number): H;
  randint(low: number, high: number, shape: number[], dtype: number): H;
  randperm(n: number): H;
  arange(start: number, end: number, step: number, dtype: number): H;
  zerosLike(t: H): H;
  shape(t: H): number[];
  dtype(t: H): number;
  toBuffer(t: H): ArrayBuffer;
  item(t: H): number;
  dispose(t: H): void;
  setReportExternalMemory(on: boolean): void;
  isDisposed(t: H): boolean;
  liveHandles(): number;
  requiresGrad(t: H): boolean;
  setRequiresGrad(t: H, on: boolean): void;
  isLeaf(t: H): boolean;
  backward(t: H, grad: H | null, retainGraph: boolean): void;
  grad(t: H): H | null;
  setGrad(t: H, g: H | null): void;
  setData(t: H, src: H): void;
  detach(t: H): H;
  gradEnabled(): boolean;
  setGradEnabled(on: boolean): void;
  manualSeed(seed: number): void;
  getRngState(): H;
  setRngState(state: H): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  showConfig(): string;
  blasRuntime(): BlasRuntime | null;

  neg(x: H): H;
  exp(x: H): H;
  log(x: H): H;
  sqrt(x: H): H;
  abs(x: H): H;
  tanh(x: H): H;
  sigmoid(x: H): H;
  relu(x: H): H;
  relu6(x: H): H;
  hardswish(x: H): H;
  hardsigmoid(x: H): H;
  contiguous(x: H): H;
  clone(x: H): H;
  add(a: H, b: Operand): H;
  sub(a: H, b: Operand): H;
  mul(a: H, b: Operand): H;
  div(a: H, b: Operand): H;
  pow(a: H, b: Operand): H;
  eq(a: H, b: Operand): H;
  ne(a: H, b: Operand): H;
  lt(a: H, b: Operand): H;
  le(a: H, b: Operand): H;
  gt(a: H, b: Operand): H;
  ge(a: H, b: Operand): H;
  maximum(a: H, b: H): H;
  minimum(a: H, b: H): H;
  matmul(a: H, b: H): H;
  linalgSolve(a: H, b: H): H;
  where(cond: H, a: H, b: H): H;
  clamp(x: H, min: number | null, max: number | null): H;
  to(x: H, dtype: number): H;
  equal(a: H, b: H): boolean;
  sum(x: H, dims: number[], keepdim: boolean): H;
  mean(x: H, dims: number[], keepdim: boolean): H;
  amax(x: H, dims: number[], keepdim: boolean): H;
  amin(x: H, dims: number[], keepdim: boolean): H;
  argmax(x: H, dim: number | null, keepdim: boolean): H;
  topk(x: H, k: number, dim: number, largest: boolean, sorted: boolean): [H, H];
  view(x: H, shape: number[]): H;
  reshape(x: H, shape: number[]): H;
  permute(x: H, dims: number[]): H;
  expand(x: H, shape: number[]): H;
  flip(x: H, dims: number[]): H;
  transpose(x: H, d0: number, d1: number): H;
  narrow(x: H, dim: number, start: number, length: number): H;
  slice(x: H, dim: number, start: number, end: number, step: number): H;
  chunk(x: H, chunks: number, dim: number): H[];
  split(x: H, sizes: number[], dim: number): H[];
  cat(xs: H[], dim: number): H;
  stack(xs: H[], dim: number): H;
  flatten(x: H, start: number, end: number): H;
  squeeze(x: H, dim: number | null): H;
  unsqueeze(x: H, dim: number): H;
  indexSelect(x: H, dim: number, index: H): H;
  gather(x: H, dim: number, index: H): H;
  pad(x: H, pads: number[], value: number): H;
  add_(x: H, other: Operand, alpha: number): void;
  mul_(x: H, other: Operand): void;
  copy_(x: H, src: H): void;
  zero_(x: H): void;
  fill_(x: H, value: number | boolean): void;
  uniform_(x: H, from: number, to: number): void;
  normal_(x: H, mean: number, std: number): void;

  conv2d(x: H, w: H, b: H | null, stride: number[], padding: number[], dilation: number[], groups: number): H;
  depthwiseConv2d(x: H, w: H, stride: number[], padding: number[]): H;
  batchNorm(
    x: H,
    w: H | null,
    b: H | null,
    runningMean: H | null,
    runningVar: H | null,
    training: boolean,
    momentum: number,
    eps: number,
  ): H;
  maxPool2d(x: H, kernel: number[], stride: number[], padding: number[], ceilMode: boolean): H;
  avgPool2d(
    x: H,
    kernel: number[],
    stride: number[],
    padding: number[],
    ceilMode: boolean,
    countIncludePad: boolean,
  ): H;
  adaptiveAvgPool2d(x: H, size: number[]): H;
  linear(x: H, w: H, b: H | null): H;
  dropout(x: H, p: number, training: boolean): H;
  logSoftmax(x: H, dim: number): H;
  softmax(x: H, dim: number): H;
  crossEntropy(logits: H, target: H, labelSmoothing: number, reduction: number): H;
  oneHot(index: H, classes: number): H;
  upsampleBilinear(x: H, size: number[], alignCorners: boolean): H;
  fakeQuantizePerTensor(x: H, scale: H, zeroPoint: H, qmin: number, qmax: number): H;
  fakeQuantizePerChannel(x: H, scale: H, zeroPoint: H, axis: number, qmin: number, qmax: number): H;
  fakeQuantizeLearnablePerTensor(
    x: H,
    scale: H,
    zeroPoint: H,
    qmin: number,
    qmax: number,
    gradFactor: number,
  ): H;
  fakeQuantizeLearnablePerChannel(
    x: H,
    scale: H,
    zeroPoint: H,
    axis: number,
    qmin: number,
    qmax: number,
    gradFactor: number,
  ): H;
  /** Fused ShuffleNet V2 channel ops (native/fused.cc). */
  interleave(a: H, b: H): H;
  deinterleave(x: H): [H, H];
  splitHalves(x: H, first: number): [H, H];
  /** Starts the op profiler (native/profile.cc); profileStop returns [key, self microseconds, calls] rows. */
  profileStart(): void;
  profileStop(): [string, number, number][];
  sgdStep(
    params: H[],
    buffers: H[],
    lr: number,
    momentum: number,
    weightDecay: number,
    nesterov: boolean,
  ): void;

  tcpStore(host: string, port: number, isServer: boolean, worldSize: number, timeoutMs: number): StoreHandle;
  storeSet(store: StoreHandle, key: string, value: string): void;
  storeGet(store: StoreHandle, key: string, timeoutMs: number): string;
  storeAdd(store: StoreHandle, key: string, n: number): number;
  gloo(
    store: StoreHandle,
    rank: number,
    worldSize: number,
    timeoutMs: number,
    iface: string,
    host: string,
  ): GroupHandle;
  nccl(): GroupHandle;
  allreduce(group: GroupHandle, tensors: H[], op: "sum" | "max" | "min"): WorkHandle;
  broadcast(group: GroupHandle, tensor: H, root: number): WorkHandle;
  allgather(group: GroupHandle, tensor: H): WorkHandle;
  barrier(group: GroupHandle): WorkHandle;
  workWait(work: WorkHandle, timeoutMs: number): H[];
  allreduceAutograd(group: GroupHandle, x: H, timeoutMs: number): H;
  workDone(work: WorkHandle): boolean;
}

function findPackageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "binding.gyp"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`lithe: cannot find the package root above ${from}`);
    dir = up;
  }
  return dir;
}

function load(): NativeAddon {
  const root = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  const path = join(root, "build", "Release", "lithe_native.node");
  if (!existsSync(path)) {
    throw new Error(
      `lithe: the native addon is not built (${path} is missing); run \`npm ci\` or \`npm rebuild\``,
    );
  }
  return createRequire(import.meta.url)(path) as NativeAddon;
}

// c10d's TCPStore logs through glog, which warns on stderr that nobody initialised it; errors reach
// JS as exceptions (one line each), so only its fatal messages are kept unless the user sets the level.
process.env.GLOG_minloglevel ??= "3";

/** What lithe did about OpenBLAS before loading libtorch (see blas-env.ts). */
export const blasEnv: BlasEnvChoice = configureBlasEnv();
export const native: NativeAddon = load();
native.setNumThreads(defaultNumThreads());
