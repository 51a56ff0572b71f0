// Step 1 of SPOS from user-level options (what `lithe supernet train` calls): a seeded hold-out split of
// the training data (the search scores on it; the supernet never sees it), the supernet of the chosen
// space, one sampled path per step, and the shared training loop with its logs, checkpoints and resume.
import type { ArchInput, CommonArch } from "../arch/family.js";
import { resolveSpace } from "../arch/resolve.js";
import { type DatasetView, holdoutSplit } from "../data/dataset.js";
import { manualSeed, setNumThreads } from "../engine/index.js";
import type { Module } from "../nn/index.js";
import { trainConfigOf } from "../train/recipe.js";
import { type DataChoice, makeLoader, openSplits, type StemChoice } from "../train/setup.js";
import { type ProgressEvent, type TrainConfig, type TrainSummary, train } from "../train/trainer.js";
import { SEARCH_HOLDOUT_SHARE } from "./defaults.js";
import { defaultFlopsBins, makeSampler, type SamplerConfig } from "./sampler.js";
import { geneSpaceOf, sposProfilers } from "./spos-space.js";
import { Supernet, type SupernetArch } from "./supernet.js";
import type { GeneSpace, Genotype, Profiler } from "./types.js";

/** What a supernet run records so that `lithe search` finds the same data and hold-out split. */
export interface SupernetData {
  data: DataChoice["data"];
  imageSize?: number;
  augment: string;
  /** Images of the training split held out for scoring candidates, and the split's seed. */
  holdout: number;
  seed: number;
}

export type SamplerChoice =
  | { kind: "uniform" }
  | { kind: "constrained"; flops?: number; params?: number }
  | { kind: "flops-bins"; lo?: number; hi?: number; bins?: number };

/** The data, recipe and run options of a one-shot network's training (a supernet or a PruningNet). */
export interface OneShotTrainingOptions
  extends DataChoice,
    Omit<TrainConfig, "batchSize" | "seed" | "bnRecalibrationBatches"> {
  stem: StemChoice;
  /** How a step's path is drawn from the net's genes. */
  sampler: SamplerChoice;
  /** Share of the training split held out for the search (default SEARCH_HOLDOUT_SHARE). */
  holdoutShare?: number;
  out: string;
  resume: boolean;
  threads?: number;
  onProgress?: (e: ProgressEvent) => void;
  onWarning?: (message: string) => void;
}

export interface SupernetTrainingOptions extends OneShotTrainingOptions {
  /** A registered space name or the path of a space JSON file. */
  space: string;
}

/** A network that runs one sampled path per step, as `trainOneShot` needs it. */
export interface OneShotNet {
  /** The description saved in run.json (the net's family, its space and the input). */
  arch: CommonArch;
  model: Module & { setPath(g: Genotype): void };
  /** What a path chooses, and the costs the constrained and FLOPs-bin samplers read. */
  genes: GeneSpace;
  profilers: { flops: Profiler; params: Profiler };
}

/**
 * The supernet's training part and the search's hold-out part of the training data; `holdout` is a count
 * or a function of the number of training images available.
 */
export async function supernetSplits(
  d: DataChoice,
  holdout: number | ((available: number) => number),
): Promise<{ train: DatasetView; holdout: DatasetView; count: number; warnings: string[] }> {
  const splits = await openSplits(d);
  const count = typeof holdout === "number" ? holdout : holdout(splits.train.indices.length);
  return { ...holdoutSplit(splits.train, count, d.seed), count, warnings: splits.warnings };
}

/** The sampler a choice means for a space, with the official-style FLOPs bins filled in where unset. */
function samplerConfig(choice: SamplerChoice, genes: GeneSpace, flops: Profiler): SamplerConfig {
  if (choice.kind !== "flops-bins") return choice;
  const bins = defaultFlopsBins(genes, flops);
  return {
    kind: "flops-bins",
    lo: choice.lo ?? bins.lo,
    hi: choice.hi ?? bins.hi,
    bins: choice.bins ?? bins.bins,
  };
}

/**
 * The shared part of both one-shot methods: hold out the search's split, build the net for the data's
 * input (`makeNet` is called after the seed is set), and train it with one sampled path per step on the
 * shared training loop (logs, checkpoints, resume).
 */
export async function trainOneShot(
  o: OneShotTrainingOptions,
  makeNet: (input: ArchInput) => OneShotNet,
): Promise<TrainSummary> {
  if (o.threads) setNumThreads(o.threads);
  const split = await supernetSplits(o, (n) =>
    Math.max(1, Math.round(n * (o.holdoutShare ?? SEARCH_HOLDOUT_SHARE))),
  );
  for (const w of split.warnings) o.onWarning?.(w);
  const dataset = split.train.dataset;
  const data: SupernetData = {
    data: o.data,
    ...(o.imageSize === undefined ? {} : { imageSize: o.imageSize }),
    augment: o.augment,
    holdout: split.count,
    seed: o.seed,
  };
  manualSeed(o.seed);
  const net = makeNet({
    inputSize: dataset.height,
    inChannels: dataset.channels,
    classes: dataset.classes,
    stem: o.stem === "auto" ? (dataset.height <= 64 ? "small" : "standard") : o.stem,
  });
  const sampler = samplerConfig(o.sampler, net.genes, net.profilers.flops);
  const samplePath = makeSampler(net.genes, net.profilers, sampler, o.seed);
  const loader = makeLoader(split.train, o, true);
  try {
    return await train({
      arch: net.arch,
      model: net.model,
      config: trainConfigOf({ ...o, bnRecalibrationBatches: 0 }),
      extra: { sampler, data },
      beforeStep: (step) => net.model.setPath(samplePath(step)),
      train: loader,
      test: null,
      out: o.out,
      resume: o.resume,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
  } finally {
    await loader.close();
  }
}

export function runSupernetTraining(o: SupernetTrainingOptions): Promise<TrainSummary> {
  const space = resolveSpace(o.space);
  return trainOneShot(o, (input) => {
    const arch: SupernetArch = { family: "spos-supernet", space, ...input };
    return {
      arch,
      model: new Supernet(arch),
      genes: geneSpaceOf(space),
      profilers: sposProfilers(space, arch),
    };
  });
}
