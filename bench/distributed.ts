// The distributed benchmark: 2 ranks x 1 thread (c10d Gloo on 127.0.0.1, gradients averaged after
// backward) against 1 process x 2 threads on the same model and global batch; the allreduce's time per
// step and its share; allreduces of several sizes alone, from which the per-message latency and the
// bandwidth of a ring allreduce are read; and a projection to more machines with that model (Thakur
// et al., "Optimization of Collective Communication Operations in MPICH", IJHPCA 2005, Sec. 4.5:
// 2(p-1)/p * bytes / bandwidth + 2(p-1) * latency), each rank keeping the measured compute per step.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../src/dist/index.js";
import type { WorkerResult, WorkerSettings } from "./distributed-worker.js";

const WORKER = join(dirname(fileURLToPath(import.meta.url)), "distributed-worker.js");
/** Allreduce sizes timed alone, as multiples of the model's gradients (besides one element). */
const SIZE_FACTORS = [1 / 16, 1 / 4, 1, 4];
const RANKS = 2;

export interface DistributedBenchOptions {
  /** Timed steps (default 20) after `warmup` untimed ones (default 3). */
  steps?: number;
  warmup?: number;
  /** Images per step over all ranks (default 128; even). */
  batchSize?: number;
  /** Timed allreduces per size (default 20). */
  reps?: number;
  /** Machine counts of the projection (default 8, 16, 32, 64). */
  machines?: number[];
  /** The link of the projection, where not the measured loopback's: bytes/s and seconds per message. */
  bandwidth?: number;
  latency?: number;
}

export interface RingModel {
  /** Seconds per message. */
  latency: number;
  /** Bytes per second. */
  bandwidth: number;
}

export interface DistributedBenchResult {
  model: string;
  input: string;
  global_batch: number;
  gradient_bytes: number;
  single: { processes: 1; threads: 2; step_ms: number; imgs_per_s: number };
  ranks: {
    processes: 2;
    threads_per_rank: 1;
    step_ms: number;
    imgs_per_s: number;
    /** The gradient allreduce in a step (packing the buckets and waiting for the slower rank included). */
    allreduce_ms: number;
    allreduce_share: number;
    /** step_ms - allreduce_ms: what the projection keeps per rank. */
    compute_ms: number;
  };
  /** ranks.imgs_per_s / single.imgs_per_s: the same 2 cores as 2 ranks or as 2 threads of one process. */
  ranks_vs_single: number;
  /**
   * Allreduce alone on the 2 ranks: the bandwidth the ring model reads from each size (with the
   * one-element message's latency), and the time the model predicts with `link`'s measured values.
   */
  allreduce: { bytes: number; ms: number; bandwidth_bytes_per_s: number | null; predicted_ms: number }[];
  /** The ring model's link: measured (latency from the one-element message, bandwidth at the gradients' size) or given. */
  link: RingModel & { source: "loopback" | "given" };
  projection: {
    machines: number;
    per_rank_batch: number;
    allreduce_ms: number;
    step_ms: number;
    imgs_per_s: number;
    /** compute_ms / step_ms: img/s against `machines` ranks that never communicate. */
    efficiency: number;
  }[];
}

/** Seconds of a ring allreduce of `bytes` over `p` ranks (2(p-1) steps, each moving bytes/p). */
export const ringAllreduceSeconds = (p: number, bytes: number, link: RingModel): number =>
  p <= 1 ? 0 : ((2 * (p - 1)) / p) * (bytes / link.bandwidth) + 2 * (p - 1) * link.latency;

/** The link a measured allreduce of one tiny and one `bytes`-sized message on `p` ranks implies. */
export function fitRing(p: number, tinySeconds: number, bytes: number, seconds: number): RingModel {
  const latency = tinySeconds / (2 * (p - 1));
  const transfer = Math.max(seconds - 2 * (p - 1) * latency, Number.EPSILON);
  return { latency, bandwidth: ((2 * (p - 1)) / p) * (bytes / transfer) };
}

/** Runs processes of the worker with these environments, all at once; every one is killed at the end. */
async function runWorkers(envs: NodeJS.ProcessEnv[], settings: WorkerSettings): Promise<WorkerResult[]> {
  const children: ChildProcess[] = [];
  try {
    const base = { ...process.env };
    for (const k of ["RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"]) delete base[k];
    return await Promise.all(
      envs.map((env) => {
        const child = spawn(process.execPath, [WORKER, JSON.stringify(settings)], {
          env: { ...base, ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        children.push(child);
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", (d) => {
          stdout += d;
        });
        child.stderr?.on("data", (d) => {
          stderr += d;
        });
        return new Promise<WorkerResult>((resolve, reject) =>
          child.on("close", (code) =>
            code === 0
              ? resolve(JSON.parse(stdout) as WorkerResult)
              : reject(new Error(`bench distributed: a worker failed (${stderr.trim() || `exit ${code}`})`)),
          ),
        );
      }),
    );
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
}

const threads = (n: number) => ({ LITHE_NUM_THREADS: String(n), OMP_NUM_THREADS: String(n) });

export async function runDistributedBench(o: DistributedBenchOptions = {}): Promise<DistributedBenchResult> {
  const batch = o.batchSize ?? 128;
  if (batch % RANKS !== 0) throw new Error(`bench distributed: batch size ${batch} must be even`);
  const settings = {
    warmup: o.warmup ?? 3,
    steps: o.steps ?? 20,
    sizeFactors: SIZE_FACTORS,
    reps: o.reps ?? 20,
  };
  const [single] = (await runWorkers([threads(2)], { ...settings, batch })) as [WorkerResult];
  const port = await freePort();
  const rankEnv = (rank: number) => ({
    ...threads(1),
    RANK: String(rank),
    WORLD_SIZE: String(RANKS),
    LOCAL_RANK: String(rank),
    MASTER_ADDR: "127.0.0.1",
    MASTER_PORT: String(port),
  });
  const [r0] = (await runWorkers([rankEnv(0), rankEnv(1)], { ...settings, batch: batch / RANKS })) as [
    WorkerResult,
  ];
  const gradientBytes = 4 * r0.gradientElements;
  const sizes = r0.allreduceSeconds.map((s) => ({ bytes: 4 * s.elements, seconds: s.seconds }));
  const tiny = sizes[0] as { bytes: number; seconds: number };
  const atGradients = sizes.find((s) => s.bytes === gradientBytes) as { bytes: number; seconds: number };
  const measured = fitRing(RANKS, tiny.seconds, atGradients.bytes, atGradients.seconds);
  const link = {
    latency: o.latency ?? measured.latency,
    bandwidth: o.bandwidth ?? measured.bandwidth,
    source: o.latency === undefined && o.bandwidth === undefined ? ("loopback" as const) : ("given" as const),
  };
  const computeMs = r0.meanStepMs - r0.meanAllreduceMs;
  const perRank = batch / RANKS;
  return {
    model: "shufflenet_v2_x0_5 (small stem)",
    input: "1x28x28, 10 classes (random Fashion-MNIST-shaped batches)",
    global_batch: batch,
    gradient_bytes: gradientBytes,
    single: {
      processes: 1,
      threads: 2,
      step_ms: single.meanStepMs,
      imgs_per_s: (1000 * batch) / single.meanStepMs,
    },
    ranks: {
      processes: 2,
      threads_per_rank: 1,
      step_ms: r0.meanStepMs,
      imgs_per_s: (1000 * batch) / r0.meanStepMs,
      allreduce_ms: r0.meanAllreduceMs,
      allreduce_share: r0.meanAllreduceMs / r0.meanStepMs,
      compute_ms: computeMs,
    },
    ranks_vs_single: single.meanStepMs / r0.meanStepMs,
    allreduce: sizes.map((s, i) => ({
      bytes: s.bytes,
      ms: 1000 * s.seconds,
      bandwidth_bytes_per_s: i === 0 ? null : fitRing(RANKS, tiny.seconds, s.bytes, s.seconds).bandwidth,
      predicted_ms: 1000 * ringAllreduceSeconds(RANKS, s.bytes, measured),
    })),
    link,
    projection: (o.machines ?? [8, 16, 32, 64]).map((p) => {
      const allreduceMs = 1000 * ringAllreduceSeconds(p, gradientBytes, link);
      const stepMs = computeMs + allreduceMs;
      return {
        machines: p,
        per_rank_batch: perRank,
        allreduce_ms: allreduceMs,
        step_ms: stepMs,
        imgs_per_s: (1000 * p * perRank) / stepMs,
        efficiency: computeMs / stepMs,
      };
    }),
  };
}
