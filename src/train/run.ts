// A complete training or evaluation run from user-level options (what `lithe train` / `lithe eval`
// and scripts call): data, model, loaders, the loop, clean-up.
import { manualSeed, setNumThreads } from "../engine/index.js";
import { buildModel } from "../models/index.js";
import { trainConfigOf } from "./recipe.js";
import {
  archForData,
  archOfRun,
  type DataChoice,
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

export interface TrainingOptions extends DataChoice, Omit<TrainConfig, "batchSize" | "seed"> {
  model: string;
  stem: StemChoice;
  out: string;
  resume: boolean;
  threads?: number;
  onProgress?: (e: ProgressEvent) => void;
  onWarning?: (message: string) => void;
}

export async function runTraining(o: TrainingOptions): Promise<TrainSummary> {
  if (o.threads) setNumThreads(o.threads);
  const splits = await openSplits(o);
  for (const w of splits.warnings) o.onWarning?.(w);
  const arch = archForData(o.model, splits.train.dataset, o.stem);
  manualSeed(o.seed);
  const model = buildModel(arch);
  const trainLoader = makeLoader(splits.train, o, true);
  const testLoader = makeLoader(splits.test, o, false);
  try {
    return await train({
      arch,
      model,
      config: trainConfigOf(o),
      train: trainLoader,
      test: testLoader,
      out: o.out,
      resume: o.resume,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
  } finally {
    await trainLoader.close();
    await testLoader.close();
  }
}

export interface EvaluationOptions extends DataChoice {
  weights: string;
  model?: string;
  threads?: number;
}

export async function runEvaluation(o: EvaluationOptions): Promise<EvalResult> {
  if (o.threads) setNumThreads(o.threads);
  // The run's own description when --model is omitted; else --model adapted to the data, as in training.
  const runArch = o.model ? null : archOfRun(o.weights);
  const { test: view } = await openSplits(runArch ? { ...o, imageSize: runArch.inputSize } : o);
  const test = view.dataset;
  const arch = runArch ?? archForData(o.model as string, test, "auto");
  if (test.channels !== arch.inChannels || test.height !== arch.inputSize) {
    throw new Error(
      `${o.data}: ${test.channels}x${test.height}x${test.width} images do not fit the model's ${arch.inChannels}x${arch.inputSize}x${arch.inputSize} input`,
    );
  }
  if (test.classes > arch.classes) {
    throw new Error(`${o.data}: ${test.classes} classes but the model predicts ${arch.classes}`);
  }
  const model = loadModel(arch, o.weights);
  const loader = makeLoader(view, o, false);
  try {
    return await evaluate(model, loader);
  } finally {
    await loader.close();
  }
}
