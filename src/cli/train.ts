// `lithe train` and `lithe eval`: flag parsing and output around src/train (which does the work).
import { join } from "node:path";
import { type Command, Option } from "commander";
import { parseQuant, type Quant } from "../arch/quant.js";
import type { DataOptions } from "../train/options.js";
import { OFFICIAL_RECIPE as R } from "../train/recipe.js";
import type { StemChoice } from "../train/setup.js";
import type { TrainConfig } from "../train/trainer.js";
import { nonNegativeInt, nonNegativeNumber, parsedBy, positiveInt, positiveNumber } from "./args.js";
import { type Progress, progressBar } from "./progress.js";

/** The data flags (dataOptions) as commander delivers them. */
export interface DataFlags {
  data: string;
  imageSize?: number;
  augment: string;
  workers: number;
  batchSize: number;
  seed: number;
  threads?: number;
  json?: boolean;
}

/** The recipe flags (recipeOptions) as commander delivers them: optional flags are absent rather than null. */
export interface RecipeFlags
  extends Omit<
    TrainConfig,
    "steps" | "clipGradNorm" | "nesterov" | "bnRecalibrationBatches" | "batchSize" | "seed"
  > {
  steps?: number;
  clipGradNorm?: number;
  nesterov?: boolean;
  resume?: boolean;
  quiet?: boolean;
}

interface TrainFlags extends DataFlags, RecipeFlags {
  model: string;
  syncBn?: boolean;
  stem: StemChoice;
  quant?: Quant;
  init?: string;
  teacher?: string;
  kdTemperature?: number;
  kdWeight?: number;
  bnRecalibrationBatches: number;
  out?: string;
}

interface EvalFlags extends DataFlags {
  weights: string;
  model?: string;
}

export const percent = (x: number) => `${(100 * x).toFixed(2)}%`;

export function dataOptions(cmd: Command): Command {
  const ranks = cmd.options.some((o) => o.long === "--nproc") ? "; 1 per rank with --nproc" : "";
  return cmd
    .option(
      "--data <spec>",
      "fashion-mnist, synthetic, or a folder: MNIST-format IDX files, CIFAR binary files, or an image folder",
      "fashion-mnist",
    )
    .option(
      "--image-size <px>",
      "image side for image folders (resize + center crop; default 224) and synthetic data (default 32)",
      positiveInt,
    )
    .option(
      "--augment <preset>",
      "augmentation: auto (from the data), fashion-mnist, cifar, imagenet, imagenet-bgr255, none",
      "auto",
    )
    .option("--workers <n>", "data-loading worker threads (0: on the main thread)", nonNegativeInt, 1)
    .option("--batch-size <n>", "images per step", positiveInt, R.batchSize)
    .option("--seed <n>", "seed of initialisation, data order and augmentation", nonNegativeInt, R.seed)
    .option("--threads <n>", `libtorch intra-op threads (default: one per core${ranks})`, positiveInt)
    .option("--json", "print one JSON object at the end instead of text");
}

/** --epochs/--steps and the official recipe's flags, shared with `lithe supernet train`. */
export function recipeOptions(cmd: Command): Command {
  return cmd
    .option("--epochs <n>", "epochs (the LR schedule spans them)", positiveInt, R.epochs)
    .option(
      "--steps <n>",
      "stop after this many optimizer steps in total (the schedule still follows --epochs)",
      positiveInt,
    )
    .option("--lr <x>", "base learning rate", positiveNumber, R.lr)
    .option("--momentum <x>", "SGD momentum", nonNegativeNumber, R.momentum)
    .option("--nesterov", "Nesterov momentum")
    .option(
      "--weight-decay <x>",
      "weight decay on weights with more than one dimension (official)",
      nonNegativeNumber,
      R.weightDecay,
    )
    .option("--label-smoothing <x>", "label smoothing", nonNegativeNumber, R.labelSmoothing)
    .addOption(
      new Option("--schedule <kind>", "LR schedule per iteration (linear = official)")
        .choices(["linear", "cosine", "step", "constant"])
        .default(R.schedule),
    )
    .option("--warmup-epochs <n>", "epochs of linear warm-up", nonNegativeInt, R.warmupEpochs)
    .option("--clip-grad-norm <x>", "clip the global gradient norm", positiveNumber)
    .option("--log-every <n>", "steps between log.jsonl step lines", positiveInt, R.logEvery)
    .option(
      "--checkpoint-every <n>",
      "steps between checkpoints (also at every epoch end)",
      positiveInt,
      R.checkpointEvery,
    )
    .option("--resume", "continue the run in --out from its checkpoint")
    .option(
      "--quiet",
      "no progress bar or progress lines (default: a bar on a terminal, else a line every ~10 s)",
    );
}

/** A stem flag for commands that adapt a network to the data. */
export const stemOption = () =>
  new Option("--stem <kind>", "auto: the small-image stem for images up to 64 px")
    .choices(["auto", "standard", "small"])
    .default("auto");

/** The data flags as a run's data options. */
export const dataValues = (o: DataFlags): DataOptions => ({
  source: o.data,
  ...(o.imageSize === undefined ? {} : { imageSize: o.imageSize }),
  augment: o.augment,
  workers: o.workers,
});

/** The recipe flags (with the data flags' batch size and seed) as a run's recipe. */
export const recipeValues = (o: RecipeFlags & DataFlags): Omit<TrainConfig, "bnRecalibrationBatches"> => ({
  epochs: o.epochs,
  steps: o.steps ?? null,
  batchSize: o.batchSize,
  lr: o.lr,
  momentum: o.momentum,
  nesterov: o.nesterov ?? false,
  weightDecay: o.weightDecay,
  labelSmoothing: o.labelSmoothing,
  schedule: o.schedule,
  warmupEpochs: o.warmupEpochs,
  clipGradNorm: o.clipGradNorm ?? null,
  seed: o.seed,
  logEvery: o.logEvery,
  checkpointEvery: o.checkpointEvery,
});

/** A file-name-safe form of a flag value, for default run directories. */
export const slug = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, "_");

/** The progress callback of a training loop, drawing `bar`. */
export const trainProgress =
  (bar: Progress) => (e: { step: number; totalSteps: number; epoch: number; loss: number; lr: number }) =>
    bar.update(e.step, e.totalSteps, {
      epoch: String(e.epoch + 1),
      loss: e.loss.toFixed(3),
      lr: e.lr.toFixed(4),
    });

export function registerTrain(program: Command): void {
  recipeOptions(
    dataOptions(
      dataParallelOptions(program.command("train"))
        .description("train a model from scratch with the official recipe; resumable; prints test accuracy")
        .option(
          "--model <spec>",
          "registered name (lithe models), arch.json, or an architecture string",
          "shufflenet_v2_x0_5",
        )
        .addOption(stemOption())
        .option(
          "--quant <wXaY>",
          "quantization-aware training: weight and input bits of every conv and linear layer, e.g. w4a4 (first and last layer at 8; per-layer widths: a quant field in the description)",
          parsedBy(parseQuant),
        )
        .option(
          "--teacher <weights>",
          "knowledge distillation (Hinton): a trained run's model.safetensors teaches the student through KL on softened outputs",
        )
        .option("--kd-temperature <T>", "distillation temperature (default 1, as timm)", positiveNumber)
        .option(
          "--kd-weight <x>",
          "weight of the distillation term; the task loss has weight 1 (default 1, as timm)",
          nonNegativeNumber,
        )
        .option(
          "--init <weights>",
          "start from these weights (safetensors), e.g. fp32 weights for --quant; fine-tune with a lower --lr such as 0.05",
        ),
    ),
  )
    .option(
      "--bn-recalibration-batches <n>",
      "official final pass: recompute BN statistics cumulatively over N batches",
      nonNegativeInt,
      R.bnRecalibrationBatches,
    )
    .option("--out <dir>", "run directory (default runs/<model>-<data>)")
    .action(async (o: TrainFlags & { nproc?: number }) => {
      if (await launchedRanks(o)) return;
      const { runTraining } = await import("../train/run.js");
      const out = o.out ?? join("runs", `${slug(o.model)}-${slug(o.data)}`);
      const bar = progressBar("train", { json: o.json, quiet: o.quiet, unit: "img", per: o.batchSize });
      const r = await runTraining({
        model: o.model,
        stem: o.stem,
        ...(o.quant ? { quant: o.quant } : {}),
        ...(o.init ? { init: o.init } : {}),
        ...(o.teacher ? { teacher: o.teacher } : {}),
        distill: {
          ...(o.kdTemperature === undefined ? {} : { temperature: o.kdTemperature }),
          ...(o.kdWeight === undefined ? {} : { weight: o.kdWeight }),
        },
        data: dataValues(o),
        recipe: { ...recipeValues(o), bnRecalibrationBatches: o.bnRecalibrationBatches },
        run: { out, resume: o.resume ?? false },
        ...(o.threads === undefined ? {} : { threads: o.threads }),
        ...(o.syncBn ? { syncBn: true } : {}),
        onWarning: (w) => console.error(`lithe: ${w}`),
        onProgress: trainProgress(bar),
      });
      bar.stop();
      if (o.json) {
        console.log(JSON.stringify({ out, ...r }));
        return;
      }
      const test = r.test
        ? `test top-1 ${percent(r.test.top1)}, top-5 ${percent(r.test.top5)}, loss ${r.test.loss.toFixed(4)}`
        : "no test set";
      console.log(
        `${out}: ${r.steps} steps (${r.epochs.toFixed(2)} epochs) in ${r.seconds.toFixed(1)} s, ${r.imagesPerSecond.toFixed(0)} img/s, data wait ${percent(r.dataWaitShare)}`,
      );
      console.log(`train loss ${r.trainLoss.toFixed(4)}, top-1 ${percent(r.trainTop1)}; ${test}`);
    });

  dataOptions(
    program
      .command("eval")
      .description("evaluate saved weights on the test split: loss, top-1, top-5")
      .requiredOption("--weights <file>", "weights (safetensors), e.g. runs/<run>/model.safetensors")
      .option("--model <spec>", "architecture (default: read from the run directory of --weights)"),
  ).action(async (o: EvalFlags) => {
    const { runEvaluation } = await import("../train/run.js");
    const r = await runEvaluation({
      weights: o.weights,
      ...(o.model === undefined ? {} : { model: o.model }),
      data: dataValues(o),
      batchSize: o.batchSize,
      seed: o.seed,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
    });
    if (o.json) console.log(JSON.stringify(r));
    else
      console.log(
        `${o.weights}: top-1 ${percent(r.top1)}, top-5 ${percent(r.top5)}, loss ${r.loss.toFixed(4)} on ${r.samples} images`,
      );
  });
}

/** --nproc, for the training and search commands (each rank's place otherwise comes from torchrun's environment). */
export const nprocOption = (cmd: Command, what = "data-parallel"): Command =>
  cmd.option(
    "--nproc <n>",
    `${what}: launch N local ranks (c10d Gloo on 127.0.0.1), like torchrun`,
    positiveInt,
  );

/** --nproc and --sync-bn, for the training commands. */
export const dataParallelOptions = (cmd: Command): Command =>
  nprocOption(cmd).option(
    "--sync-bn",
    "data-parallel: BN on the statistics of every rank's batch (SyncBN: sums allreduced in forward, their gradients in backward)",
  );

/** With --nproc N outside a distributed run: runs the N ranks of this command and reports their exit. */
export async function launchedRanks(o: { nproc?: number; threads?: number }): Promise<boolean> {
  if (o.nproc === undefined || process.env.WORLD_SIZE) return false;
  const { launchLocal } = await import("../dist/index.js");
  process.exitCode = await launchLocal(o.nproc, process.argv, o.threads ?? 1);
  return true;
}
