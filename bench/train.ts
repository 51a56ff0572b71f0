// The training benchmark: `lithe train`'s whole loop (worker loader, augmentation, step, logging)
// on shufflenet_v2_x1_0 at 32x32 (small stem), batch 64, against the same step in PyTorch run in
// the same bench (bench/peers/engine_step.py), plus the data pipeline alone. Prints nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getNumThreads } from "../src/engine/index.js";
import { runTraining } from "../src/train/run.js";
import { type DataBenchResult, runDataBench } from "./data.js";
import { runPeer } from "./engine.js";
import { benchProgress } from "./progress.js";

const { training } = benchProgress("train");

export interface TrainBenchResult {
  /** Training images/s of the loop (step time including any wait for data). */
  imgs_per_s: number;
  /** Share of step time spent waiting for the loader (target < 5%). */
  data_wait_share: number;
  pytorch_imgs_per_s: number | null;
  ratio: number | null;
  pytorch_skipped: string | null;
  steps: number;
  batch_size: number;
  threads: number;
  workers: number;
  data_pipeline: DataBenchResult;
}

export async function runTrainBench(
  o: { steps?: number; batchSize?: number; workers?: number; peer?: boolean } = {},
): Promise<TrainBenchResult> {
  const steps = o.steps ?? 80;
  const batchSize = o.batchSize ?? 64;
  const workers = o.workers ?? 1;
  const out = mkdtempSync(join(tmpdir(), "lithe-bench-train-"));
  let summary: Awaited<ReturnType<typeof runTraining>>;
  try {
    summary = await runTraining({
      onProgress: training("train"),
      model: "shufflenet_v2_x1_0",
      stem: "small",
      data: { source: `synthetic:${batchSize * (steps + 1)}`, augment: "cifar", workers },
      recipe: { epochs: 1, steps, batchSize, lr: 0.1, logEvery: 1000, checkpointEvery: 100000 },
      run: { out },
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const threads = getNumThreads();
  const peer = o.peer === false ? "not requested" : await runPeer(threads, batchSize, 5, 20);
  const ok = typeof peer === "string" ? null : peer;
  return {
    imgs_per_s: summary.imagesPerSecond,
    data_wait_share: summary.dataWaitShare,
    pytorch_imgs_per_s: ok?.imgs_per_s ?? null,
    ratio: ok ? summary.imagesPerSecond / ok.imgs_per_s : null,
    pytorch_skipped: typeof peer === "string" ? peer : null,
    steps,
    batch_size: batchSize,
    threads,
    workers,
    data_pipeline: await runDataBench({ batchSize, workers }),
  };
}
