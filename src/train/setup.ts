// Wires a training or evaluation run from what a user names: the data (a dataset spec), the model
// (a registered name, arch.json or architecture string) adapted to the data's classes, channels and
// image size, the augmentation preset and the loaders.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Arch, type CommonArch, resolveArch, validateArch } from "../arch/index.js";
import { type AugmentSpec, augmentPreset } from "../data/augment.js";
import { type DatasetView, holdoutSplit, type ImageDataset, wholeView } from "../data/dataset.js";
import { DataLoader } from "../data/loader.js";
import { openDataset } from "../data/open.js";
import { loadSafetensors } from "../engine/index.js";
import { buildModel } from "../models/index.js";
import type { Module } from "../nn/index.js";

export interface DataChoice {
  /** "fashion-mnist", "synthetic", or a path (IDX folder, CIFAR binary folder, image folder). */
  data: string;
  /** Image side for image folders (default 224) and synthetic data (default 32); others keep theirs. */
  imageSize?: number;
  /** Augmentation preset name, "auto" (chosen from the data) or "none". */
  augment: string;
  workers: number;
  batchSize: number;
  seed: number;
}

/** "auto": the small-image stem for inputs up to 64 px, else the paper's stem. */
export type StemChoice = "auto" | "standard" | "small";

/** The description of `model` adapted to a dataset: its classes, channels and image size. */
export function archForData(model: string, dataset: ImageDataset, stem: StemChoice): Arch {
  const overrides: Partial<CommonArch> = {
    classes: dataset.classes,
    inChannels: dataset.channels,
    inputSize: dataset.height,
  };
  if (stem !== "auto") overrides.stem = stem;
  else overrides.stem = dataset.height <= 64 ? "small" : "standard";
  return resolveArch(model, overrides);
}

function pickAugment(name: string, dataset: ImageDataset, train: boolean): AugmentSpec {
  const auto = dataset.channels === 1 ? "fashion-mnist" : dataset.height <= 64 ? "cifar" : "imagenet";
  return augmentPreset(name === "auto" ? auto : name, {
    train,
    size: dataset.height,
    channels: dataset.channels,
  });
}

export function makeLoader(view: DatasetView, d: DataChoice, train: boolean): DataLoader {
  return new DataLoader(view, {
    batchSize: d.batchSize,
    shuffle: train,
    dropLast: train,
    seed: d.seed,
    augment: pickAugment(d.augment, view.dataset, train),
    workers: d.workers,
  });
}

/** Share of a dataset without its own test split (a plain image folder) held out for testing. */
export const HOLDOUT_SHARE = 0.1;

/** The train and test parts of the data; a folder without a test split gets a seeded 10% hold-out. */
export async function openSplits(
  d: DataChoice,
): Promise<{ train: DatasetView; test: DatasetView; warnings: string[] }> {
  const options = d.imageSize === undefined ? {} : { imageSize: d.imageSize };
  const train = await openDataset(d.data, "train", options);
  if (!train.hasTestSplit) {
    const split = holdoutSplit(train, Math.max(1, Math.round(train.count * HOLDOUT_SHARE)), d.seed);
    return {
      train: split.train,
      test: split.holdout,
      warnings: [
        ...train.warnings,
        `${d.data}: no test split; holding out ${split.holdout.indices.length} images`,
      ],
    };
  }
  const test = await openDataset(d.data, "test", options);
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
    throw new Error(
      `${weightsPath}: no run.json beside it and no architecture in its metadata; pass --model`,
    );
  return validateArch(JSON.parse(meta));
}

/** Builds the model of `arch` and loads `weightsPath` into it (names and shapes must match). */
export function loadModel(arch: Arch, weightsPath: string): Module {
  const model = buildModel(arch);
  const { tensors } = loadSafetensors(weightsPath);
  try {
    model.loadStateDict(tensors);
  } catch (error) {
    throw new Error(`${weightsPath}: does not fit ${arch.family}: ${(error as Error).message}`);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return model;
}
