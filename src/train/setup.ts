// Wires a training or evaluation run from what a user names: the data (a dataset spec), the model
// (a registered name, arch.json or architecture string) adapted to the data's classes, channels and
// image size, the augmentation preset and the loaders.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ArchInput } from "../arch/family.js";
import { type Arch, resolveArch, validateArch } from "../arch/index.js";
import { type AugmentSpec, augmentPreset } from "../data/augment.js";
import { type DatasetView, holdoutSplit, type ImageDataset, wholeView } from "../data/dataset.js";
import { DataLoader, type Shard } from "../data/loader.js";
import { openDataset } from "../data/open.js";
import { loadSafetensors } from "../engine/index.js";
import { buildModel } from "../models/index.js";
import type { Module } from "../nn/index.js";
import { option, optionError } from "../util/option-error.js";
import type { DataOptions, ResolvedData } from "./options.js";

/** "auto": the small-image stem for inputs up to 64 px, else the paper's stem. */
export type StemChoice = "auto" | "standard" | "small";

/** The input fields of a network for a dataset: its classes, channels and image size, and the stem. */
export function inputForData(dataset: ImageDataset, stem: StemChoice): ArchInput {
  return {
    classes: dataset.classes,
    inChannels: dataset.channels,
    inputSize: dataset.height,
    stem: stem !== "auto" ? stem : dataset.height <= 64 ? "small" : "standard",
  };
}

/** The description of `model` adapted to a dataset. */
export const archForData = (model: string, dataset: ImageDataset, stem: StemChoice): Arch =>
  resolveArch(model, inputForData(dataset, stem));

/** How a loader batches and shuffles: the recipe's batch size and seed. */
export interface Batching {
  batchSize: number;
  seed: number;
}

function pickAugment(name: string, dataset: ImageDataset, train: boolean): AugmentSpec {
  const auto = dataset.channels === 1 ? "fashion-mnist" : dataset.height <= 64 ? "cifar" : "imagenet";
  return augmentPreset(name === "auto" ? auto : name, {
    train,
    size: dataset.height,
    channels: dataset.channels,
  });
}

export function makeLoader(
  view: DatasetView,
  d: ResolvedData,
  b: Batching,
  train: boolean,
  shard?: Shard,
): DataLoader {
  return new DataLoader(view, {
    ...(shard ? { shard } : {}),
    batchSize: b.batchSize,
    shuffle: train,
    dropLast: train,
    seed: b.seed,
    augment: pickAugment(d.augment, view.dataset, train),
    workers: d.workers,
  });
}

/** Share of a dataset without its own test split (a plain image folder) held out for testing. */
export const HOLDOUT_SHARE = 0.1;

/** The train and test parts of the data; a folder without a test split gets a 10% hold-out seeded by `seed`. */
export async function openSplits(
  d: DataOptions,
  seed: number,
): Promise<{ train: DatasetView; test: DatasetView; warnings: string[] }> {
  const options = d.imageSize === undefined ? {} : { imageSize: d.imageSize };
  const train = await openDataset(d.source, "train", options);
  if (!train.hasTestSplit) {
    const split = holdoutSplit(train, Math.max(1, Math.round(train.count * HOLDOUT_SHARE)), seed);
    return {
      train: split.train,
      test: split.holdout,
      warnings: [
        ...train.warnings,
        `${d.source}: no test split; holding out ${split.holdout.indices.length} images`,
      ],
    };
  }
  const test = await openDataset(d.source, "test", options);
  return { train: wholeView(train), test: wholeView(test), warnings: [...train.warnings, ...test.warnings] };
}

/** The architecture a run directory's weights belong to (written by `lithe train` into run.json). */
export function archOfRun(weightsPath: string): Arch {
  const runJson = join(dirname(weightsPath), "run.json");
  if (existsSync(runJson)) {
    try {
      return validateArch((JSON.parse(readFileSync(runJson, "utf8")) as { arch: unknown }).arch);
    } catch (error) {
      throw new Error(`${runJson}: ${(error as Error).message}`);
    }
  }
  const meta = loadSafetensors(weightsPath).metadata.arch;
  if (!meta)
    throw optionError`${weightsPath}: no run.json beside it and no architecture in its metadata; pass ${option("model")}`;
  return validateArch(JSON.parse(meta));
}

/** Refuses test images that do not fit a network's input, or hold classes it does not predict. */
export function checkDataFits(source: string, data: ImageDataset, arch: ArchInput): void {
  if (data.channels !== arch.inChannels || data.height !== arch.inputSize)
    throw new Error(
      `${source}: ${data.channels}x${data.height}x${data.width} images do not fit the model's ${arch.inChannels}x${arch.inputSize}x${arch.inputSize} input`,
    );
  if (data.classes > arch.classes)
    throw new Error(`${source}: ${data.classes} classes but the model predicts ${arch.classes}`);
}

/** Loads the weights file at `path` into `model` (names and shapes must match); errors name the file and `what`. */
export function loadWeights<M extends Module>(model: M, path: string, what: string): M {
  const { tensors } = loadSafetensors(path);
  try {
    model.loadStateDict(tensors);
  } catch (error) {
    throw new Error(`${path}: does not fit ${what}: ${(error as Error).message}`);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return model;
}

/**
 * Starts `model` from the weights at `path`, for fine-tuning: every entry must fit the model, and only
 * quantizer state (".quant." entries, which start from the data) may be missing, so fp32 weights can
 * start quantization-aware training.
 */
export function initWeights<M extends Module>(model: M, path: string): M {
  const { tensors } = loadSafetensors(path);
  try {
    const own = model.stateDict();
    const unexpected = [...tensors.keys()].filter((k) => !own.has(k));
    const missing = [...own.keys()].filter((k) => !tensors.has(k) && !k.includes(".quant."));
    if (unexpected.length > 0)
      throw new Error(`${unexpected.length} unexpected entries, first "${unexpected[0]}"`);
    if (missing.length > 0) throw new Error(`missing ${missing.length} entries, first "${missing[0]}"`);
    model.loadStateDict(tensors, { strict: false });
  } catch (error) {
    throw optionError`${path}: does not fit the model of ${option("init")}: ${(error as Error).message.replace(/^loadStateDict: /, "")}`;
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return model;
}

/** Builds the model of `arch` and loads `weightsPath` into it. */
export const loadModel = (arch: Arch, weightsPath: string): Module =>
  loadWeights(buildModel(arch), weightsPath, arch.family);
