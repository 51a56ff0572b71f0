// The engine benchmark: a ShuffleNet V2 CIFAR training step in lithe, then in PyTorch; per-op overhead.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  buildInfo,
  F,
  getNumThreads,
  keep,
  manualSeed,
  noGrad,
  randint,
  randn,
  setNumThreads,
  sgdStep,
  tidy,
  zeros,
  zerosLike,
} from "../src/engine/index.js";
import { ShuffleNetV2Cifar } from "./shufflenet-v2-cifar.js";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const DISPATCH_CALLS = 100_000;
const DISPATCH_BATCH = 1_000;

export interface EngineBenchOptions {
  steps?: number;
  warmup?: number;
  batchSize?: number;
  /** Intra-op threads for both lithe and the peer; default getNumThreads(). */
  threads?: number;
  /** Run the PyTorch peer (default true). */
  peer?: boolean;
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

/** Step times in ms of forward + cross-entropy + backward + fused SGD (momentum 0.9) on fixed random data. */
function timeLitheSteps(batchSize: number, warmup: number, steps: number): number[] {
  manualSeed(0);
  const model = new ShuffleNetV2Cifar(10).train();
  const params = model.parameters();
  const momentum = params.map((p) => keep(zerosLike(p)));
  const x = keep(randn([batchSize, 3, 32, 32]));
  const y = keep(randint(0, 10, [batchSize]));
  const step = () =>
    tidy(() => {
      model.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      sgdStep(params, momentum, { lr: 0.01, momentum: 0.9 });
    });
  try {
    for (let i = 0; i < warmup; i++) step();
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const start = performance.now();
      step();
      times.push(performance.now() - start);
    }
    return times;
  } finally {
    for (const t of [...model.stateDict().values(), ...momentum, x, y]) t.dispose();
  }
}

/**
 * Microseconds per SGD update of every ShuffleNet parameter (momentum 0.9, weight decay 4e-5): the
 * fused addon call against the same update written as per-parameter in-place ops in TypeScript.
 */
function sgdUpdateUs(repeats: number): { fused: number; unfused: number } {
  const model = new ShuffleNetV2Cifar(10);
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
  let times: number[];
  let dispatchUs: number;
  let sgdUs: { fused: number; unfused: number };
  try {
    times = timeLitheSteps(batchSize, warmup, steps);
    dispatchUs = dispatchOverheadUs();
    sgdUs = sgdUpdateUs(50);
  } finally {
    setNumThreads(previousThreads);
  }
  const peer = options.peer === false ? "not requested" : await runPeer(threads, batchSize, warmup, steps);

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
