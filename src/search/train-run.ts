// Step 1 of every one-shot method (SPOS's supernet, MetaPruning's PruningNet): a seeded hold-out split
// of the training data (the search scores on it; the net never sees it), the method's net for the
// data's input, one sampled path per step, and the shared training loop with its logs, checkpoints
// and resume.
import type { ArchInput } from "../arch/family.js";
import { type DatasetView, holdoutSplit } from "../data/dataset.js";
import { fromEnv, useSyncBatchNorm } from "../dist/index.js";
import { manualSeed, withNumThreads } from "../engine/index.js";
import { type DataOptions, type ResolvedData, type RunOptions, resolveData } from "../train/options.js";
import { recipe } from "../train/recipe.js";
import { initWeights, inputForData, makeLoader, openSplits, type StemChoice } from "../train/setup.js";
import { type ProgressEvent, type TrainConfig, type TrainSummary, train } from "../train/trainer.js";
import { option, optionError } from "../util/option-error.js";
import { SEARCH_HOLDOUT_SHARE } from "./defaults.js";
import { largestGenotype } from "./genes.js";
import type { OneShotArch, OneShotMethod, PathNet } from "./method.js";
import { defaultFlopsBins, makeSampler, type SamplerConfig } from "./sampler.js";
import type { GeneSpace, Genotype, Profiler } from "./types.js";

/** What a one-shot run records in run.json so that its search finds the same data and hold-out split. */
export interface OneShotData {
  source: string;
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

/** The data, recipe and run options of a one-shot net's training. */
export interface OneShotTrainingOptions {
  data: DataOptions;
  /** The official recipe where not given; no final BN recalibration (paths recalibrate when scored). */
  recipe?: Partial<Omit<TrainConfig, "bnRecalibrationBatches">>;
  /** Default "auto": the small-image stem for images up to 64 px. */
  stem?: StemChoice;
  /** How a step's path is drawn from the net's genes; default uniform (the paper). */
  sampler?: SamplerChoice;
  /** Share of the training split held out for the search (default SEARCH_HOLDOUT_SHARE). */
  holdoutShare?: number;
  /** Weights to start the net from (names as its state dict; quantizer state may be missing). */
  init?: string;
  /**
   * In-place distillation: the largest path (every gene at its last value) trains on the labels and
   * teaches the sampled path; for ordered spaces (widths, bit widths). Default false.
   */
  inplaceDistill?: boolean;
  run: RunOptions;
  /** libtorch intra-op threads for this call (restored after it); default: as they are. */
  threads?: number;
  /** Data-parallel runs: BN on the statistics of every rank's batch (SyncBN); default false. */
  syncBn?: boolean;
  onProgress?: (e: ProgressEvent) => void;
  /** Once a step's path is set, before its forward (the net then holds the weights of the steps before). */
  onPath?: (step: number, path: Genotype, net: PathNet) => void;
  onWarning?: (message: string) => void;
}

/**
 * The net's training part and the search's hold-out part of the training data; `holdout` is a count
 * or a function of the number of training images available.
 */
export async function oneShotSplits(
  d: ResolvedData,
  seed: number,
  holdout: number | ((available: number) => number),
): Promise<{ train: DatasetView; holdout: DatasetView; count: number; warnings: string[] }> {
  const splits = await openSplits(d, seed);
  const count = typeof holdout === "number" ? holdout : holdout(splits.train.indices.length);
  return { ...holdoutSplit(splits.train, count, seed), count, warnings: splits.warnings };
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
 * Trains `method`'s net, described by `archFor` for the data's input (called after the seed is set),
 * with one sampled path per step on the shared training loop.
 */
export function trainOneShot<A extends OneShotArch, N extends PathNet>(
  method: OneShotMethod<A, N>,
  archFor: (input: ArchInput) => A,
  o: OneShotTrainingOptions,
): Promise<TrainSummary> {
  return withNumThreads(o.threads, async () => {
    const data = resolveData(o.data);
    const config = recipe({ ...o.recipe, bnRecalibrationBatches: 0 });
    const split = await oneShotSplits(data, config.seed, (n) =>
      Math.max(1, Math.round(n * (o.holdoutShare ?? SEARCH_HOLDOUT_SHARE))),
    );
    for (const w of split.warnings) o.onWarning?.(w);
    const record: OneShotData = {
      source: data.source,
      ...(data.imageSize === undefined ? {} : { imageSize: data.imageSize }),
      augment: data.augment,
      holdout: split.count,
      seed: config.seed,
    };
    manualSeed(config.seed);
    const arch = archFor(inputForData(split.train.dataset, o.stem ?? "auto"));
    const net = method.build(arch);
    if (o.init) initWeights(net, o.init);
    const genes = method.genes(arch, "train");
    const profilers = method.profilers(arch);
    const sampler = samplerConfig(o.sampler ?? { kind: "uniform" }, genes, profilers.flops);
    const samplePath = makeSampler(genes, profilers, sampler, config.seed);
    if (o.inplaceDistill && !genes.ordered)
      throw optionError`${option("inplaceDistill")} needs a space whose genes are ordered by size (channel or bit widths); ${genes.name} is not`;
    // data-parallel when the environment says so: every rank samples the same path (seeded by the step)
    const group = fromEnv({
      config: {
        arch,
        recipe: config,
        sampler,
        data: record,
        init: o.init ?? null,
        syncBn: o.syncBn ?? false,
      },
    });
    if (group && o.syncBn) useSyncBatchNorm(net, group);
    const shard = group ? { rank: group.rank, worldSize: group.worldSize } : undefined;
    const loader = makeLoader(split.train, data, config, true, shard);
    let path: Genotype = {};
    const largest = largestGenotype(genes);
    try {
      return await train({
        arch,
        model: net,
        recipe: config,
        extra: {
          sampler,
          data: record,
          ...(o.inplaceDistill ? { inplaceDistill: true } : {}),
          ...(o.syncBn ? { syncBn: true } : {}),
        },
        beforeStep: (step) => {
          path = samplePath(step);
          net.setPath(path);
          o.onPath?.(step, path, net);
        },
        ...(o.inplaceDistill
          ? { inplace: { largest: () => net.setPath(largest), sampled: () => net.setPath(path) } }
          : {}),
        train: loader,
        test: null,
        run: o.run,
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        ...(group ? { group } : {}),
      });
    } finally {
      await loader.close();
    }
  });
}
