// Step 1 of SPOS from user-level options (what `lithe supernet train` calls): a seeded hold-out split of
// the training data (the search scores on it; the supernet never sees it), the supernet of the chosen
// space, one sampled path per step, and the shared training loop with its logs, checkpoints and resume.
import { resolveSpace } from "../arch/resolve.js";
import { type DatasetView, holdoutSplit } from "../data/dataset.js";
import { manualSeed, setNumThreads } from "../engine/index.js";
import { trainConfigOf } from "../train/recipe.js";
import { type DataChoice, makeLoader, openSplits, type StemChoice } from "../train/setup.js";
import { type ProgressEvent, type TrainConfig, type TrainSummary, train } from "../train/trainer.js";
import { SEARCH_HOLDOUT_SHARE } from "./defaults.js";
import { defaultFlopsBins, makeSampler, type SamplerConfig } from "./sampler.js";
import { geneSpaceOf, sposProfilers } from "./spos-space.js";
import { Supernet, type SupernetArch } from "./supernet.js";

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

export interface SupernetTrainingOptions
  extends DataChoice,
    Omit<TrainConfig, "batchSize" | "seed" | "bnRecalibrationBatches"> {
  /** A registered space name or the path of a space JSON file. */
  space: string;
  stem: StemChoice;
  sampler: SamplerChoice;
  /** Share of the training split held out for the search (default SEARCH_HOLDOUT_SHARE). */
  holdoutShare?: number;
  out: string;
  resume: boolean;
  threads?: number;
  onProgress?: (e: ProgressEvent) => void;
  onWarning?: (message: string) => void;
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

function samplerConfig(choice: SamplerChoice, arch: SupernetArch): SamplerConfig {
  if (choice.kind !== "flops-bins") return choice;
  const bins = defaultFlopsBins(geneSpaceOf(arch.space), sposProfilers(arch.space, arch).flops);
  return {
    kind: "flops-bins",
    lo: choice.lo ?? bins.lo,
    hi: choice.hi ?? bins.hi,
    bins: choice.bins ?? bins.bins,
  };
}

export async function runSupernetTraining(o: SupernetTrainingOptions): Promise<TrainSummary> {
  if (o.threads) setNumThreads(o.threads);
  const space = resolveSpace(o.space);
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
  const arch: SupernetArch = {
    family: "spos-supernet",
    space,
    inputSize: dataset.height,
    inChannels: dataset.channels,
    classes: dataset.classes,
    stem: o.stem === "auto" ? (dataset.height <= 64 ? "small" : "standard") : o.stem,
  };
  manualSeed(o.seed);
  const model = new Supernet(arch);
  const sampler = samplerConfig(o.sampler, arch);
  const samplePath = makeSampler(geneSpaceOf(space), sposProfilers(space, arch), sampler, o.seed);
  const loader = makeLoader(split.train, o, true);
  try {
    return await train({
      arch,
      model,
      config: trainConfigOf({ ...o, bnRecalibrationBatches: 0 }),
      extra: { sampler, data },
      beforeStep: (step) => model.setPath(samplePath(step)),
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
