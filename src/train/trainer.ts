// The training loop: epochs of seeded batches, the official recipe (SGD with momentum, weight decay
// on weights only, label smoothing, per-iteration LR schedule), JSONL logs, atomic checkpoints and
// exact resume: a resumed run ends with the same bytes as one that was never interrupted.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CommonArch } from "../arch/index.js";
import { saveSafetensors, type Tensor, tensor } from "../engine/index.js";
import type { Module } from "../nn/index.js";
import { writeFileAtomic } from "../util/files.js";
import { recalibrateBatchNorm } from "./bn.js";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { lrAt, type ScheduleKind } from "./schedule.js";
import { SGD } from "./sgd.js";
import { type BatchResult, evalBatch, trainStep } from "./step.js";

/** One batch as a loader yields it. */
export interface HostBatch {
  /** [B, C, H, W] */
  x: Float32Array;
  /** [B] */
  y: BigInt64Array;
  shape: readonly [number, number, number, number];
}

/** What the trainer needs from a data loader (src/data/loader.ts). */
export interface BatchSource {
  readonly batchesPerEpoch: number;
  epoch(epoch: number, startBatch?: number): AsyncIterable<HostBatch>;
}

export interface TrainConfig {
  epochs: number;
  /** Stop once the run has made this many optimizer steps in total (the schedule still follows epochs). */
  steps: number | null;
  batchSize: number;
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  labelSmoothing: number;
  schedule: ScheduleKind;
  warmupEpochs: number;
  clipGradNorm: number | null;
  seed: number;
  /** Batches of the official final pass that recomputes BN statistics cumulatively (0 = skip). */
  bnRecalibrationBatches: number;
  /** Write a step line to log.jsonl every this many steps. */
  logEvery: number;
  /** Also checkpoint every this many steps (checkpoints are always written at epoch ends and at stop). */
  checkpointEvery: number;
}

export interface TrainSummary {
  steps: number;
  epochs: number;
  finished: boolean;
  trainLoss: number;
  trainTop1: number;
  test: EvalResult | null;
  /** Wall time of the whole run (evaluation and checkpoints included). */
  seconds: number;
  /** Training images per second of step time (waiting for data included; evaluation excluded). */
  imagesPerSecond: number;
  /** Share of step time spent waiting for the data loader. */
  dataWaitShare: number;
}

export interface EvalResult {
  loss: number;
  top1: number;
  top5: number;
  samples: number;
}

export interface ProgressEvent {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  lr: number;
}

export interface TrainRun {
  /** The description saved in run.json and the weights' metadata (a zoo architecture or a supernet). */
  arch: CommonArch;
  model: Module;
  /** More settings a resumed run must share, saved in run.json (e.g. a supernet's sampler and hold-out). */
  extra?: Record<string, unknown>;
  /** Called before each optimizer step with the run's step number (a supernet samples its path here). */
  beforeStep?: (step: number) => void;
  config: TrainConfig;
  train: BatchSource;
  test: BatchSource | null;
  /** Run directory: model.safetensors, checkpoint.safetensors, run.json, log.jsonl. */
  out: string;
  resume: boolean;
  onProgress?: (e: ProgressEvent) => void;
}

const toTensors = (b: HostBatch): { x: Tensor; y: Tensor } => ({
  x: tensor(b.x, { shape: b.shape }),
  y: tensor(b.y, { shape: [b.shape[0]] }),
});

/** Mean loss and top-1/top-5 accuracy (fractions) of `model` in eval mode over one pass of `source`. */
export async function evaluate(model: Module, source: BatchSource): Promise<EvalResult> {
  const wasTraining = model.training;
  model.eval();
  const sum: BatchResult = { loss: 0, samples: 0, top1: 0, top5: 0 };
  try {
    for await (const b of source.epoch(0)) {
      const { x, y } = toTensors(b);
      const r = evalBatch(model, x, y);
      x.dispose();
      y.dispose();
      sum.loss += r.loss * r.samples;
      sum.samples += r.samples;
      sum.top1 += r.top1;
      sum.top5 += r.top5;
    }
  } finally {
    model.train(wasTraining);
  }
  const n = Math.max(1, sum.samples);
  return { loss: sum.loss / n, top1: sum.top1 / n, top5: sum.top5 / n, samples: sum.samples };
}

/** The options that must not change between a run and its resumption (steps may). */
function fingerprint(run: TrainRun): string {
  const { steps: _steps, logEvery: _l, checkpointEvery: _c, ...fixed } = run.config;
  return JSON.stringify({ arch: run.arch, ...fixed, ...run.extra });
}

/** Drops log lines past `step` (written after the checkpoint a resumed run restarts from). */
function truncateLog(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && (JSON.parse(line) as { step: number }).step <= step);
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(""));
}

export async function train(run: TrainRun): Promise<TrainSummary> {
  const { model, config: c, out } = run;
  mkdirSync(out, { recursive: true });
  const paths = {
    checkpoint: join(out, "checkpoint.safetensors"),
    weights: join(out, "model.safetensors"),
    run: join(out, "run.json"),
    log: join(out, "log.jsonl"),
  };
  const optimizer = new SGD(model.parameters(), {
    lr: c.lr,
    momentum: c.momentum,
    nesterov: c.nesterov,
    weightDecay: c.weightDecay,
  });
  const perEpoch = run.train.batchesPerEpoch;
  const totalSteps = perEpoch * c.epochs;
  const stopAt = Math.min(totalSteps, c.steps ?? totalSteps);
  const schedule = { kind: c.schedule, lr: c.lr, totalSteps, warmupSteps: c.warmupEpochs * perEpoch };
  const print = fingerprint(run);

  let step = 0;
  if (run.resume && existsSync(paths.checkpoint)) {
    const state = loadCheckpoint(paths.checkpoint, model, optimizer);
    if (state.extra.fingerprint !== print) {
      throw new Error(
        `${out}: --resume with different options than the run that wrote the checkpoint (only --steps may change)`,
      );
    }
    step = state.step;
    truncateLog(paths.log, step);
  } else {
    if (existsSync(paths.checkpoint) && !run.resume) {
      throw new Error(`${out} already holds a run; pass --resume to continue it or choose another --out`);
    }
    writeFileAtomic(paths.run, `${JSON.stringify({ arch: run.arch, config: c, ...run.extra }, null, 2)}\n`);
    writeFileAtomic(paths.log, "");
  }
  const log = (entry: Record<string, unknown>) => appendFileSync(paths.log, `${JSON.stringify(entry)}\n`);
  const checkpoint = (epoch: number, batchInEpoch: number) => {
    saveCheckpoint(paths.checkpoint, model, optimizer, {
      step,
      epoch,
      batchInEpoch,
      extra: { fingerprint: print },
    });
    saveSafetensors(paths.weights, model.stateDict(), { arch: JSON.stringify(run.arch) });
  };

  model.train();
  const started = performance.now();
  let waitMs = 0;
  let stepMs = 0;
  let images = 0;
  let epochLoss = 0;
  let epochTop1 = 0;
  let epochSamples = 0;
  let lastTest: EvalResult | null = null;
  while (step < stopAt) {
    const epoch = Math.floor(step / perEpoch);
    const firstBatch = step % perEpoch;
    epochLoss = 0;
    epochTop1 = 0;
    epochSamples = 0;
    const epochStart = performance.now();
    let waitStart = performance.now();
    for await (const b of run.train.epoch(epoch, firstBatch)) {
      const stepStart = performance.now();
      waitMs += stepStart - waitStart;
      optimizer.lr = lrAt(step, schedule);
      run.beforeStep?.(step);
      const { x, y } = toTensors(b);
      const r = trainStep(model, optimizer, x, y, {
        labelSmoothing: c.labelSmoothing,
        clipGradNorm: c.clipGradNorm,
      });
      x.dispose();
      y.dispose();
      stepMs += performance.now() - stepStart;
      step++;
      images += r.samples;
      epochLoss += r.loss * r.samples;
      epochTop1 += r.top1;
      epochSamples += r.samples;
      if (step % c.logEvery === 0) {
        log({ type: "step", step, epoch, loss: r.loss, top1: r.top1 / r.samples, lr: optimizer.lr });
      }
      run.onProgress?.({ step, totalSteps: stopAt, epoch, loss: r.loss, lr: optimizer.lr });
      const endOfEpoch = step % perEpoch === 0;
      if (!endOfEpoch && (step % c.checkpointEvery === 0 || step === stopAt))
        checkpoint(epoch, step % perEpoch);
      if (step === stopAt && !endOfEpoch) break;
      waitStart = performance.now();
    }
    if (step % perEpoch === 0) {
      const test = run.test ? await evaluate(model, run.test) : null;
      lastTest = test;
      checkpoint(epoch + 1, 0);
      log({
        type: "epoch",
        step,
        epoch,
        train_loss: epochLoss / Math.max(1, epochSamples),
        train_top1: epochTop1 / Math.max(1, epochSamples),
        ...(test ? { test_loss: test.loss, test_top1: test.top1, test_top5: test.top5 } : {}),
        seconds: (performance.now() - epochStart) / 1000,
      });
    }
  }

  const finished = step >= totalSteps;
  if (finished && c.bnRecalibrationBatches > 0) {
    const batches = async function* () {
      let n = 0;
      for await (const b of run.train.epoch(c.epochs)) {
        if (n++ >= c.bnRecalibrationBatches) break;
        yield tensor(b.x, { shape: b.shape });
      }
    };
    await recalibrateBatchNorm(model, batches());
    checkpoint(c.epochs, 0);
    lastTest = null;
  }
  const stoppedMidEpoch = step % perEpoch !== 0;
  const test =
    run.test && (lastTest === null || stoppedMidEpoch) ? await evaluate(model, run.test) : lastTest;
  const seconds = (performance.now() - started) / 1000;
  const summary: TrainSummary = {
    steps: step,
    epochs: step / perEpoch,
    finished,
    trainLoss: epochLoss / Math.max(1, epochSamples),
    trainTop1: epochTop1 / Math.max(1, epochSamples),
    test,
    seconds,
    imagesPerSecond: (1000 * images) / Math.max(1e-9, waitMs + stepMs),
    dataWaitShare: waitMs / Math.max(1e-9, waitMs + stepMs),
  };
  log({ type: "summary", step, ...summary });
  return summary;
}
