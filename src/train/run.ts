// A complete training or evaluation run from user-level options (what `lithe train` / `lithe eval`
// and scripts call): data, model, loaders, the loop, clean-up.

import { type Arch, validateArch } from "../arch/index.js";
import type { Quant } from "../arch/quant.js";
import type { DatasetView } from "../data/dataset.js";
import { fromEnv, useSyncBatchNorm } from "../dist/index.js";
import { manualSeed, withNumThreads } from "../engine/index.js";
import { buildModel } from "../models/index.js";
import type { Module } from "../nn/index.js";
import { option, optionError } from "../util/option-error.js";
import { DISTILLATION_DEFAULTS, type Distillation } from "./distill.js";
import { type DataOptions, type ResolvedData, type RunOptions, resolveData } from "./options.js";
import { recipe } from "./recipe.js";
import {
  archForData,
  archOfRun,
  checkDataFits,
  initWeights,
  loadModel,
  makeLoader,
  openSplits,
  type StemChoice,
} from "./setup.js";
import {
  type EvalResult,
  evaluate,
  type ProgressEvent,
  type TrainConfig,
  type TrainSummary,
  train,
} from "./trainer.js";

export interface TrainingOptions {
  /** A registered name, arch.json path or architecture string, adapted to the data's input. */
  model: string;
  /** Default "auto": the small-image stem for images up to 64 px. */
  stem?: StemChoice;
  /** Quantization-aware training at these bit widths (over the description's own `quant`, if any). */
  quant?: Quant;
  /** Weights to start from (fine-tuning; fp32 weights can start quantization-aware training). */
  init?: string;
  /** Knowledge distillation from a trained run's weights (its run.json names its network). */
  teacher?: string;
  /** Temperature and weight of the distillation term (DISTILLATION_DEFAULTS where not given). */
  distill?: { temperature?: number; weight?: number };
  data: DataOptions;
  /** The official recipe (OFFICIAL_RECIPE) where not given. */
  recipe?: Partial<TrainConfig>;
  run: RunOptions;
  /** libtorch intra-op threads for this call (restored after it); default: as they are. */
  threads?: number;
  onProgress?: (e: ProgressEvent) => void;
  onWarning?: (message: string) => void;
  /** Data-parallel runs: BN on the statistics of every rank's batch (SyncBN); default false. */
  syncBn?: boolean;
}

export function runTraining(o: TrainingOptions): Promise<TrainSummary> {
  return withNumThreads(o.threads, async () => {
    const data = resolveData(o.data);
    const config = recipe(o.recipe);
    const splits = await openSplits(data, config.seed);
    for (const w of splits.warnings) o.onWarning?.(w);
    const adapted = archForData(o.model, splits.train.dataset, o.stem ?? "auto");
    const arch = o.quant ? validateArch({ ...adapted, quant: o.quant }) : adapted;
    manualSeed(config.seed);
    const model = buildModel(arch);
    if (o.init) initWeights(model, o.init);
    const distill = o.teacher ? openTeacher(o.teacher, arch, o.distill ?? {}) : undefined;
    // data-parallel when the environment says so (torchrun, --nproc); every rank must agree on these
    const group = fromEnv({
      config: {
        arch,
        recipe: config,
        data,
        init: o.init ?? null,
        teacher: o.teacher ?? null,
        syncBn: o.syncBn ?? false,
      },
    });
    if (group && o.syncBn) useSyncBatchNorm(model, group);
    const shard = group ? { rank: group.rank, worldSize: group.worldSize } : undefined;
    const trainLoader = makeLoader(splits.train, data, config, true, shard);
    // the test set is split exactly (no padding) and its counts summed over the ranks
    const testLoader = makeLoader(splits.test, data, config, false, shard && { ...shard, pad: false });
    try {
      return await train({
        arch,
        model,
        recipe: config,
        ...(distill ? { distill } : {}),
        extra: {
          ...(distill
            ? { distill: { teacher: o.teacher, temperature: distill.temperature, weight: distill.weight } }
            : {}),
          ...(o.syncBn ? { syncBn: true } : {}),
        },
        train: trainLoader,
        test: testLoader,
        run: o.run,
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        ...(group ? { group } : {}),
      });
    } finally {
      await trainLoader.close();
      await testLoader.close();
    }
  });
}

/** The teacher of `student`: a trained run's network in evaluation mode, refused if its input or classes differ. */
function openTeacher(
  weights: string,
  student: Arch,
  o: { temperature?: number; weight?: number },
): Distillation {
  const arch = archOfRun(weights);
  if (
    arch.inputSize !== student.inputSize ||
    arch.inChannels !== student.inChannels ||
    arch.classes !== student.classes
  )
    throw optionError`${option("teacher")} ${weights}: its network takes ${arch.inChannels}x${arch.inputSize}x${arch.inputSize} images into ${arch.classes} classes, the student ${student.inChannels}x${student.inputSize}x${student.inputSize} into ${student.classes}`;
  const temperature = o.temperature ?? DISTILLATION_DEFAULTS.temperature;
  const weight = o.weight ?? DISTILLATION_DEFAULTS.weight;
  if (!(temperature > 0))
    throw optionError`${option("distill.temperature")} must be positive, got ${temperature}`;
  if (!(weight >= 0)) throw optionError`${option("distill.weight")} must be non-negative, got ${weight}`;
  return { teacher: loadModel(arch, weights).eval(), temperature, weight };
}

export interface EvaluationOptions {
  /** Saved weights (safetensors), e.g. runs/<run>/model.safetensors. */
  weights: string;
  /** The architecture; default: read from the run directory of `weights`. */
  model?: string;
  data: DataOptions;
  /** Images per forward pass (default the recipe's 128); the seed orders a hold-out split. */
  batchSize?: number;
  seed?: number;
  threads?: number;
}

/**
 * Saved weights with the data they are evaluated on: the run's own description when `model` is
 * omitted (its image size applied to the data), else `model` adapted to the data, as in training;
 * refused when the test images do not fit.
 */
export async function openTrainedModel(o: {
  weights: string;
  model?: string;
  data: DataOptions;
  seed: number;
}): Promise<{ arch: Arch; model: Module; data: ResolvedData; train: DatasetView; test: DatasetView }> {
  const runArch = o.model ? null : archOfRun(o.weights);
  const data = resolveData(runArch ? { ...o.data, imageSize: runArch.inputSize } : o.data);
  const splits = await openSplits(data, o.seed);
  const arch = runArch ?? archForData(o.model as string, splits.test.dataset, "auto");
  checkDataFits(data.source, splits.test.dataset, arch);
  return { arch, model: loadModel(arch, o.weights), data, train: splits.train, test: splits.test };
}

export function runEvaluation(o: EvaluationOptions): Promise<EvalResult> {
  return withNumThreads(o.threads, async () => {
    const batching = recipe({
      ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
      ...(o.seed === undefined ? {} : { seed: o.seed }),
    });
    const { model, data, test } = await openTrainedModel({ ...o, seed: batching.seed });
    const loader = makeLoader(test, data, batching, false);
    try {
      return await evaluate(model, loader);
    } finally {
      await loader.close();
    }
  });
}
