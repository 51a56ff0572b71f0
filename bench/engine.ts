// The engine benchmark: a ShuffleNet V2 CIFAR training step in lithe, then in PyTorch; lithe's time per op
// kind for that step and for an SPOS supernet step; per-op overhead.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { resolveArch } from "../src/arch/index.js";
import { randomGenotype, SPOS_IMAGENET } from "../src/arch/spaces/spos.js";
import {
  buildInfo,
  F,
  getNumThreads,
  keep,
  manualSeed,
  noGrad,
  profileOps,
  randint,
  randn,
  setNumThreads,
  sgdStep,
  tidy,
  zeros,
  zerosLike,
} from "../src/engine/index.js";
import { buildModel } from "../src/models/index.js";
import { Supernet } from "../src/nas/supernet.js";
import type { Module } from "../src/nn/index.js";
import { Random } from "../src/util/random.js";
import { type DepthwiseTiming, depthwiseTimings } from "./depthwise.js";
import { type OpKindShare, opKindShares } from "./op-kinds.js";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const DISPATCH_CALLS = 100_000;
const DISPATCH_BATCH = 1_000;
/** Steps run under the op profiler, after the timed ones (the profiler's callbacks slow each op a little). */
const PROFILED_STEPS = 3;

export interface EngineBenchOptions {
  steps?: number;
  warmup?: number;
  batchSize?: number;
  /** Intra-op threads for both lithe and the peer; default getNumThreads(). */
  threads?: number;
  /** Run the PyTorch peer (default true). */
  peer?: boolean;
  /** Called with a line as each phase starts. */
  progress?: (line: string) => void;
}

export interface EngineBenchResult {
  /** batch_size / mean step time */
  imgs_per_s: number;
  median_imgs_per_s: number;
  mean_step_ms: number;
  median_step_ms: number;
  pytorch_imgs_per_s: number | null;
  pytorch_median_imgs_per_s: number | null;
  pytorch_mean_step_ms: number | null;
  pytorch_median_step_ms: number | null;
  /** imgs_per_s / pytorch_imgs_per_s */
  ratio: number | null;
  /** median_imgs_per_s / pytorch_median_imgs_per_s: robust to steps slowed by other processes. */
  median_ratio: number | null;
  /** lithe's time per op kind in the CIFAR step (profiled steps, so slightly slower than the timed ones). */
  op_kinds: OpKindShare[];
  /** Mean step time of the SPOS supernet (official space, small stem, 32x32x3, a new path each step). */
  supernet_step_ms: number;
  supernet_op_kinds: OpKindShare[];
  /** lithe's depthwise conv against ATen's, forward + backward, per shape at this batch. */
  depthwise: DepthwiseTiming[];
  /** Why the PyTorch columns are null, if they are. */
  pytorch_skipped: string | null;
  /** Microseconds per SGD update of all ShuffleNet parameters: one fused addon call, and per-parameter ops. */
  sgd_fused_us: number;
  sgd_unfused_us: number;
  /** Microseconds per tiny op (add on [1] tensors, inside tidy batches). */
  dispatch_overhead_us: number;
  pytorch_dispatch_overhead_us: number | null;
  threads: number;
  batch_size: number;
  steps: number;
  warmup: number;
  torch_version: string;
  pytorch_torch_version: string | null;
  /** 1-minute load average before the run: other processes on the cores distort both numbers. */
  load_avg_1m: number;
}

interface PeerResult {
  imgs_per_s: number;
  median_imgs_per_s: number;
  mean_step_ms: number;
  median_step_ms: number;
  dispatch_overhead_us: number;
  threads: number;
  torch: string;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** torchvision's shufflenet_v2_x1_0 with the CIFAR stem (stride-1 conv1, no max-pool), from the zoo. */
const cifarShuffleNet = () =>
  buildModel(resolveArch("shufflenet_v2_x1_0", { inputSize: 32, stem: "small", classes: 10 }));

interface StepTimes {
  /** ms per timed step */
  times: number[];
  kinds: OpKindShare[];
}

/**
 * Times forward + cross-entropy + backward + fused SGD (momentum 0.9) steps on fixed random data, then
 * profiles PROFILED_STEPS more. `beforeStep(i)` runs untimed before each step (a supernet's path).
 */
function timeSteps(
  model: Module,
  batchSize: number,
  warmup: number,
  steps: number,
  beforeStep: (i: number) => void = () => {},
): StepTimes {
  model.train();
  const params = model.parameters();
  const momentum = params.map((p) => keep(zerosLike(p)));
  const x = keep(randn([batchSize, 3, 32, 32]));
  const y = keep(randint(0, 10, [batchSize]));
  let count = 0;
  const step = () => {
    beforeStep(count++);
    const start = performance.now();
    tidy(() => {
      model.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      sgdStep(params, momentum, { lr: 0.01, momentum: 0.9 });
    });
    return performance.now() - start;
  };
  try {
    for (let i = 0; i < warmup; i++) step();
    const times = Array.from({ length: steps }, step);
    const { result: profiled, ops } = profileOps(() => Array.from({ length: PROFILED_STEPS }, step));
    const wall = profiled.reduce((s, t) => s + t, 0);
    return { times, kinds: opKindShares(ops, PROFILED_STEPS, wall) };
  } finally {
    for (const t of [...model.stateDict().values(), ...momentum, x, y]) t.dispose();
  }
}

/** The SPOS supernet (official ImageNet space, small stem, 10 classes), a uniformly drawn path per step. */
function timeSupernetSteps(batchSize: number, warmup: number, steps: number): StepTimes {
  const arch = {
    family: "spos-supernet" as const,
    space: SPOS_IMAGENET,
    inputSize: 32,
    inChannels: 3,
    classes: 10,
    stem: "small" as const,
  };
  const supernet = new Supernet(arch);
  const random = new Random(1);
  return timeSteps(supernet, batchSize, warmup, steps, () =>
    supernet.setPath(randomGenotype(SPOS_IMAGENET, random)),
  );
}

/**
 * Microseconds per SGD update of every ShuffleNet parameter (momentum 0.9, weight decay 4e-5): the
 * fused addon call against the same update written as per-parameter in-place ops in TypeScript.
 */
function sgdUpdateUs(repeats: number): { fused: number; unfused: number } {
  const model = cifarShuffleNet();
  const params = model.parameters();
  const buffers = params.map((p) => keep(zerosLike(p)));
  const o = { lr: 0.01, momentum: 0.9, weightDecay: 4e-5 };
  const fused = () => sgdStep(params, buffers, o);
  const unfused = () =>
    tidy(() =>
      noGrad(() => {
        params.forEach((p, i) => {
          const g = p.grad;
          const buf = buffers[i];
          if (!g || !buf) return;
          buf.mul_(o.momentum).add_(g.add(p.mul(o.weightDecay)));
          p.add_(buf, -o.lr);
        });
      }),
    );
  const time = (update: () => void) => {
    update();
    const start = performance.now();
    for (let i = 0; i < repeats; i++) update();
    return ((performance.now() - start) * 1000) / repeats;
  };
  try {
    for (const p of params) p.grad = keep(randn(p.shape));
    return { fused: time(fused), unfused: time(unfused) };
  } finally {
    for (const t of [...model.stateDict().values(), ...buffers]) t.dispose();
  }
}

/** Microseconds per `a.add(b)` on [1] tensors, including handle creation and the tidy that frees it. */
function dispatchOverheadUs(): number {
  const a = keep(zeros([1]));
  const b = keep(zeros([1]));
  const batch = () =>
    tidy(() => {
      for (let i = 0; i < DISPATCH_BATCH; i++) a.add(b);
    });
  try {
    batch();
    const start = performance.now();
    for (let done = 0; done < DISPATCH_CALLS; done += DISPATCH_BATCH) batch();
    return ((performance.now() - start) * 1000) / DISPATCH_CALLS;
  } finally {
    a.dispose();
    b.dispose();
  }
}

// bench/peers/engine_step.py, found from bench/ (source) or dist/bench/ (compiled).
function peerScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "bench", "peers", "engine_step.py");
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error("engine bench: cannot find bench/peers/engine_step.py");
    dir = up;
  }
}

export async function runPeer(
  threads: number,
  batchSize: number,
  warmup: number,
  steps: number,
): Promise<PeerResult | string> {
  try {
    await run(PYTHON, ["-c", "import torch, torchvision"]);
  } catch {
    return `${PYTHON} cannot import torch and torchvision`;
  }
  // Inherits this process's environment, so OpenBLAS gets the same OPENBLAS_CORETYPE as lithe.
  const args = [peerScript(), String(threads), String(steps), String(warmup), String(batchSize)];
  const { stdout } = await run(PYTHON, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as PeerResult;
}

export async function runEngineBench(options: EngineBenchOptions = {}): Promise<EngineBenchResult> {
  const steps = options.steps ?? 20;
  const warmup = options.warmup ?? 5;
  const batchSize = options.batchSize ?? 64;
  if (steps < 1) throw new Error(`runEngineBench: steps must be at least 1, got ${steps}`);
  const previousThreads = getNumThreads();
  const threads = options.threads ?? previousThreads;
  const loadAvg = loadavg()[0] as number;

  // lithe first, then the peer: never both at once on the same cores.
  setNumThreads(threads);
  let cifar: StepTimes;
  let supernet: StepTimes;
  let dispatchUs: number;
  let sgdUs: { fused: number; unfused: number };
  let depthwise: DepthwiseTiming[];
  try {
    manualSeed(0);
    options.progress?.(`lithe: ${warmup} + ${steps} ShuffleNet V2 CIFAR steps`);
    cifar = timeSteps(cifarShuffleNet(), batchSize, warmup, steps);
    options.progress?.(`lithe: ${warmup} + ${steps} SPOS supernet steps`);
    supernet = timeSupernetSteps(batchSize, warmup, steps);
    options.progress?.("lithe: per-op overhead and SGD update");
    dispatchUs = dispatchOverheadUs();
    sgdUs = sgdUpdateUs(50);
    options.progress?.("lithe: depthwise convs against ATen's");
    depthwise = depthwiseTimings(batchSize, steps);
  } finally {
    setNumThreads(previousThreads);
  }
  if (options.peer !== false) options.progress?.(`PyTorch: ${warmup} + ${steps} ShuffleNet V2 CIFAR steps`);
  const peer = options.peer === false ? "not requested" : await runPeer(threads, batchSize, warmup, steps);

  const times = cifar.times;
  const meanMs = times.reduce((s, t) => s + t, 0) / times.length;
  const medianMs = median(times);
  const ok = typeof peer === "string" ? null : peer;
  return {
    imgs_per_s: (batchSize * 1000) / meanMs,
    median_imgs_per_s: (batchSize * 1000) / medianMs,
    mean_step_ms: meanMs,
    median_step_ms: medianMs,
    pytorch_imgs_per_s: ok?.imgs_per_s ?? null,
    pytorch_median_imgs_per_s: ok?.median_imgs_per_s ?? null,
    pytorch_mean_step_ms: ok?.mean_step_ms ?? null,
    pytorch_median_step_ms: ok?.median_step_ms ?? null,
    ratio: ok ? (batchSize * 1000) / meanMs / ok.imgs_per_s : null,
    median_ratio: ok ? (batchSize * 1000) / medianMs / ok.median_imgs_per_s : null,
    op_kinds: cifar.kinds,
    supernet_step_ms: supernet.times.reduce((s, t) => s + t, 0) / supernet.times.length,
    supernet_op_kinds: supernet.kinds,
    depthwise,
    pytorch_skipped: typeof peer === "string" ? peer : null,
    sgd_fused_us: sgdUs.fused,
    sgd_unfused_us: sgdUs.unfused,
    dispatch_overhead_us: dispatchUs,
    pytorch_dispatch_overhead_us: ok?.dispatch_overhead_us ?? null,
    threads,
    batch_size: batchSize,
    steps,
    warmup,
    torch_version: buildInfo().torchVersion,
    pytorch_torch_version: ok?.torch ?? null,
    load_avg_1m: loadAvg,
  };
}
