// The training loop: epochs of seeded batches, the official recipe (SGD with momentum, weight decay
// on weights only, label smoothing, per-iteration LR schedule), JSONL logs, atomic checkpoints and
// exact resume: a resumed run ends with the same bytes as one that was never interrupted.
import { join } from "node:path";
import type { CommonArch } from "../arch/index.js";
import { allreduceGradients, broadcastFromRank0, type ProcessGroup } from "../dist/index.js";
import { saveSafetensors, type Tensor, tensor } from "../engine/index.js";
import type { Module } from "../nn/index.js";
import { option, optionError } from "../util/option-error.js";
import { RunDir } from "../util/run-dir.js";
import { recalibrateBatchNorm } from "./bn.js";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import type { Distillation, InplaceDistillation } from "./distill.js";
import type { RunOptions } from "./options.js";
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
  /** Knowledge distillation from a teacher (kept in evaluation mode). */
  distill?: Distillation;
  /** In-place distillation of a weight-sharing net (beforeStep sets the sampled path first). */
  inplace?: InplaceDistillation;
  recipe: TrainConfig;
  train: BatchSource;
  test: BatchSource | null;
  /** Run directory: model.safetensors, checkpoint.safetensors, run.json, log.jsonl. */
  run: RunOptions;
  onProgress?: (e: ProgressEvent) => void;
  /**
   * Data-parallel: the run's process group. Rank 0's initial weights and buffers are broadcast, the
   * gradients averaged after every backward; `train` must be this rank's shard; only rank 0 writes.
   */
  group?: ProcessGroup;
}

const toTensors = (b: HostBatch): { x: Tensor; y: Tensor } => ({
  x: tensor(b.x, { shape: b.shape }),
  y: tensor(b.y, { shape: [b.shape[0]] }),
});

/**
 * Mean loss and top-1/top-5 accuracy (fractions) of `model` in eval mode over one pass of `source`;
 * with a group, `source` is this rank's exact share and the counts are summed over the ranks.
 */
export async function evaluate(
  model: Module,
  source: BatchSource,
  group?: ProcessGroup,
): Promise<EvalResult> {
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
  const [loss, top1, top5, samples] = group
    ? (group.sumNumbers([sum.loss, sum.top1, sum.top5, sum.samples]) as [number, number, number, number])
    : [sum.loss, sum.top1, sum.top5, sum.samples];
  const n = Math.max(1, samples);
  return { loss: loss / n, top1: top1 / n, top5: top5 / n, samples };
}

/**
 * The run's test evaluation; data-parallel, every rank first takes rank 0's buffers (each kept BN
 * statistics of its own shard), so the shares are scored by one model, the one rank 0 saves.
 */
function evaluateRun(run: TrainRun, test: BatchSource): Promise<EvalResult> {
  if (run.group)
    broadcastFromRank0(
      run.group,
      run.model.namedBuffers().map(([, b]) => b),
    );
  return evaluate(run.model, test, run.group);
}

/**
 * Mean loss and top-1 from sums of loss x samples, correct top-1 and samples; data-parallel, the sums
 * are taken over the ranks first, so a log line reports the union batch (gathered once per line).
 */
function unionMeans(group: ProcessGroup | undefined, sums: number[]): { loss: number; top1: number } {
  const [loss, top1, samples] = (group ? group.sumNumbers(sums) : sums) as [number, number, number];
  return { loss: loss / Math.max(1, samples), top1: top1 / Math.max(1, samples) };
}

/** The options that must not change between a run and its resumption (steps may). */
function fingerprint(run: TrainRun): string {
  const { steps: _steps, logEvery: _l, checkpointEvery: _c, ...fixed } = run.recipe;
  return JSON.stringify({ arch: run.arch, ...fixed, ...run.extra });
}

const FILES = {
  checkpoint: "checkpoint.safetensors",
  weights: "model.safetensors",
  run: "run.json",
  log: "log.jsonl",
};

type SummaryLine = { type: "summary"; step: number } & TrainSummary;
type LogLine = ({ type: "step" | "epoch"; step: number } & Record<string, unknown>) | SummaryLine;

/** The run's directory, optimizer and step: a fresh run, or the checkpoint a resumed one restarts from. */
function openRun(run: TrainRun) {
  const { model, recipe: c, group } = run;
  const writer = (group?.rank ?? 0) === 0;
  const dir = writer ? RunDir.open(run.run, FILES.checkpoint, "a run") : null;
  // the other ranks follow rank 0's decision (it fails alone, and they with it, if it refuses the folder)
  const resuming = group
    ? (group.allgatherNumbers([dir?.resuming ? 1 : 0])[0]?.[0] ?? 0) === 1
    : (dir?.resuming ?? false);
  const optimizer = new SGD(model.parameters(), {
    lr: c.lr,
    momentum: c.momentum,
    nesterov: c.nesterov,
    weightDecay: c.weightDecay,
  });
  const print = fingerprint(run);
  let step = 0;
  let summary: SummaryLine | undefined;
  if (resuming) {
    const state = loadCheckpoint(join(run.run.out, FILES.checkpoint), model, optimizer);
    if (state.extra.fingerprint !== print)
      throw optionError`${run.run.out}: ${option("run.resume")} with different options than the run that wrote the checkpoint (only ${option("recipe.steps")} may change)`;
    step = state.step;
    // Lines past the checkpoint are redone; a summary is kept only if the run stops where it did.
    if (dir) {
      const lines = dir.readLines<LogLine>(FILES.log).filter((l) => l.step <= step);
      summary = lines.find((l): l is SummaryLine => l.type === "summary");
      dir.writeLines(
        FILES.log,
        lines.filter((l) => l.type !== "summary"),
      );
    }
  } else if (dir) {
    dir.writeJson(FILES.run, { arch: run.arch, config: c, ...run.extra });
    dir.writeLines(FILES.log, []);
  }
  if (group) broadcastFromRank0(group, [...model.parameters(), ...model.namedBuffers().map(([, b]) => b)]);
  const log = (entry: LogLine) => dir?.appendLine(FILES.log, entry);
  const checkpoint = (at: number) => {
    if (!dir) return;
    saveCheckpoint(dir.path(FILES.checkpoint), model, optimizer, {
      step: at,
      epoch: Math.floor(at / run.train.batchesPerEpoch),
      batchInEpoch: at % run.train.batchesPerEpoch,
      extra: { fingerprint: print },
    });
    saveSafetensors(dir.path(FILES.weights), model.stateDict(), { arch: JSON.stringify(run.arch) });
  };
  return { log, optimizer, step, summary, checkpoint };
}

/** Running sums of one epoch's steps and of the whole run's step and data-wait time. */
class Tally {
  waitMs = 0;
  stepMs = 0;
  images = 0;
  epochLoss = 0;
  epochTop1 = 0;
  epochSamples = 0;

  startEpoch(): void {
    this.epochLoss = 0;
    this.epochTop1 = 0;
    this.epochSamples = 0;
  }

  add(r: BatchResult): void {
    this.images += r.samples;
    this.epochLoss += r.loss * r.samples;
    this.epochTop1 += r.top1;
    this.epochSamples += r.samples;
  }

  /** The epoch's loss x samples, correct top-1 and samples, summed over its steps. */
  epochSums(): number[] {
    return [this.epochLoss, this.epochTop1, this.epochSamples];
  }
}

/** The official final pass: BN statistics recomputed cumulatively over the first batches of one more epoch. */
async function recalibrateAtEnd(run: TrainRun): Promise<void> {
  const { recipe: c } = run;
  const batches = async function* () {
    let n = 0;
    for await (const b of run.train.epoch(c.epochs)) {
      if (n++ >= c.bnRecalibrationBatches) break;
      yield tensor(b.x, { shape: b.shape });
    }
  };
  await recalibrateBatchNorm(run.model, batches());
}

/** The loop's fixed plan: batches per epoch, the schedule's length, and where this run stops. */
function planOf(run: TrainRun) {
  const c = run.recipe;
  const perEpoch = run.train.batchesPerEpoch;
  const totalSteps = perEpoch * c.epochs;
  const stopAt = Math.min(totalSteps, c.steps ?? totalSteps);
  const schedule = { kind: c.schedule, lr: c.lr, totalSteps, warmupSteps: c.warmupEpochs * perEpoch };
  return { perEpoch, totalSteps, stopAt, schedule };
}

type Opened = ReturnType<typeof openRun>;

/**
 * One epoch from the run's current step (a resumed run may start mid-epoch) to its end or the stop;
 * at an epoch end, the test evaluation, a checkpoint and the epoch's log line. Returns the new step and
 * the evaluation (null without a test set or mid-epoch).
 */
async function trainEpoch(
  run: TrainRun,
  opened: Opened,
  plan: ReturnType<typeof planOf>,
  tally: Tally,
  from: number,
): Promise<{ step: number; test: EvalResult | null }> {
  const { model, recipe: c } = run;
  const { log, optimizer, checkpoint } = opened;
  const { perEpoch, stopAt, schedule } = plan;
  const group = run.group;
  const epoch = Math.floor(from / perEpoch);
  let step = from;
  tally.startEpoch();
  const epochStart = performance.now();
  let waitStart = performance.now();
  for await (const b of run.train.epoch(epoch, step % perEpoch)) {
    const stepStart = performance.now();
    tally.waitMs += stepStart - waitStart;
    optimizer.lr = lrAt(step, schedule);
    run.beforeStep?.(step);
    const { x, y } = toTensors(b);
    const r = trainStep(model, optimizer, x, y, {
      labelSmoothing: c.labelSmoothing,
      clipGradNorm: c.clipGradNorm,
      distill: run.distill ?? null,
      inplace: run.inplace ?? null,
      afterBackward: group ? () => allreduceGradients(group, optimizer.params()) : null,
    });
    x.dispose();
    y.dispose();
    tally.stepMs += performance.now() - stepStart;
    tally.add(r);
    step++;
    if (step % c.logEvery === 0) {
      const { loss, top1 } = group
        ? unionMeans(group, [r.loss * r.samples, r.top1, r.samples])
        : { loss: r.loss, top1: r.top1 / r.samples };
      log({ type: "step", step, epoch, loss, top1, lr: optimizer.lr });
    }
    run.onProgress?.({ step, totalSteps: stopAt, epoch, loss: r.loss, lr: optimizer.lr });
    const endOfEpoch = step % perEpoch === 0;
    if (!endOfEpoch && (step % c.checkpointEvery === 0 || step === stopAt)) checkpoint(step);
    if (step === stopAt && !endOfEpoch) return { step, test: null };
    waitStart = performance.now();
  }
  if (step % perEpoch !== 0) return { step, test: null };
  const test = run.test ? await evaluateRun(run, run.test) : null;
  checkpoint(step);
  const trained = unionMeans(group, tally.epochSums());
  log({
    type: "epoch",
    step,
    epoch,
    train_loss: trained.loss,
    train_top1: trained.top1,
    ...(test ? { test_loss: test.loss, test_top1: test.top1, test_top5: test.top5 } : {}),
    seconds: (performance.now() - epochStart) / 1000,
  });
  return { step, test };
}

export async function train(run: TrainRun): Promise<TrainSummary> {
  const plan = planOf(run);
  const opened = openRun(run);
  const { log } = opened;
  let step = opened.step;
  // only rank 0 reads the log: the others take its summary, so that every rank stops or goes on
  const ended = run.group ? run.group.fromRank0(opened.summary, "the summary of the run") : opened.summary;
  if (ended && step === plan.stopAt) {
    // Resuming a run that already ended there: nothing to redo, its own summary stands.
    log(ended);
    const { type: _type, step: _step, ...summary } = ended;
    return summary;
  }

  run.model.train();
  const started = performance.now();
  const tally = new Tally();
  let lastTest: EvalResult | null = null;
  while (step < plan.stopAt) ({ step, test: lastTest } = await trainEpoch(run, opened, plan, tally, step));

  const finished = step >= plan.totalSteps;
  if (finished && run.recipe.bnRecalibrationBatches > 0) {
    await recalibrateAtEnd(run);
    // each rank recalibrated on its own shard; rank 0's statistics are the run's
    if (run.group)
      broadcastFromRank0(
        run.group,
        run.model.namedBuffers().map(([, b]) => b),
      );
    opened.checkpoint(step);
    lastTest = null;
  }
  const test = run.test && lastTest === null ? await evaluateRun(run, run.test) : lastTest;
  const trained = unionMeans(run.group, tally.epochSums());
  const busyMs = Math.max(1e-9, tally.waitMs + tally.stepMs);
  const summary: TrainSummary = {
    steps: step,
    epochs: step / plan.perEpoch,
    finished,
    trainLoss: trained.loss,
    trainTop1: trained.top1,
    test,
    seconds: (performance.now() - started) / 1000,
    imagesPerSecond: (1000 * tally.images) / busyMs,
    dataWaitShare: tally.waitMs / busyMs,
  };
  log({ type: "summary", step, ...summary });
  return summary;
}
